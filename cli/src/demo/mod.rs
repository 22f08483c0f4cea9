//! `scms demo`: a whole SCMS on this machine. Every authority runs in this
//! process on SQLite, served by the same code as `scms serve`, over real
//! HTTP on loopback; N simulated vehicles enroll with the ECA, provision
//! pseudonyms for the current and the next i-period from the RA, then drive
//! on a ring road and exchange signed BSMs at 10 Hz in simulated time,
//! changing pseudonyms as the SDK's policy says, every receiver checking what
//! it hears with the SDK's batch verifier.
//!
//! Phases, each its own module: [`authorities`] (hierarchy, database,
//! services), [`fleet`] (enroll, provision), [`traffic`] (drive, sign,
//! verify), then [`misbehavior`] (one vehicle misbehaves, others report it,
//! the MA revokes it, the CRL spreads, its messages are rejected).
//!
//! The data directory keeps `certs/<role>.oer`, `crl/*.oer` and, with
//! `--export-device-keys`, `devices/<n>/enrollment.oer` (+ `.key`) and
//! `devices/<n>/pseudonyms/<i>_<j>.oer` + `.key` (private keys as lowercase
//! hex: TEST DATA ONLY).

mod authorities;
pub(crate) mod fleet;
mod misbehavior;
mod traffic;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use crate::init::ProfileArg;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Number of simulated vehicles (at least 3).
    #[arg(long, default_value_t = 20)]
    pub vehicles: usize,
    /// Simulated minutes of driving (10 BSMs per second per vehicle).
    #[arg(long, default_value_t = 2)]
    pub minutes: u32,
    /// Which hierarchy: us (P-256) or cn (SM2).
    #[arg(long, value_enum, default_value = "us")]
    pub profile: ProfileArg,
    /// Keep the run here (an empty or new directory); default: a temporary directory.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also write each vehicle's certificates and private keys (TEST DATA ONLY).
    #[arg(long)]
    pub export_device_keys: bool,
}

/// What the run did: the summary table and the JSON object.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub profile: String,
    pub vehicles: usize,
    pub data_dir: Option<String>,
    pub enrollment_certificates_issued: usize,
    pub pseudonym_certificates_issued: usize,
    /// Pseudonym certificates the ACA committed (the database), for comparison.
    pub pseudonym_certificates_in_database: i64,
    pub i_periods: Vec<u32>,
    pub setup_s: f64,
    pub enroll_s: f64,
    pub provision_s: f64,
    pub simulated_minutes: u32,
    pub messages_signed: u64,
    pub sign_per_s: f64,
    /// Verifications run (every message each receiver in range heard).
    pub verifications: u64,
    pub messages_verified: u64,
    pub messages_rejected: u64,
    /// Digest-signed messages from a pseudonym whose certificate the receiver
    /// had not heard yet (1609.2 P2PCD territory), not counted as rejected.
    pub messages_unknown_signer: u64,
    pub rejections: std::collections::BTreeMap<String, u64>,
    pub verify_per_s: f64,
    pub pseudonym_changes: u64,
    pub drive_s: f64,
    /// The misbehavior phase: reports the MA accepted.
    pub misbehavior_reports: u64,
    pub revoked_vehicle: usize,
    /// From the first report sent to the CRL in hand.
    pub revocation_latency_ms: f64,
    /// The revoked vehicle's messages rejected once the CRL was applied.
    pub messages_rejected_after_revocation: u64,
    pub rejections_after_revocation: std::collections::BTreeMap<String, u64>,
    /// The others' messages accepted in the same time.
    pub messages_verified_after_revocation: u64,
    /// The revoked vehicle's certificates of the next i-period, tried and rejected.
    pub future_certificates_tried: u64,
    pub future_certificates_rejected: u64,
    pub misbehavior_s: f64,
    pub wall_s: f64,
}

fn warn_exported_keys() {
    eprintln!(
        "\n*** WARNING: --export-device-keys writes private keys in clear to the data directory.\n\
         *** They are TEST DATA ONLY: never use them, or this mode, for a real device.\n"
    );
}

pub fn run(args: DemoArgs) -> ExitCode {
    if args.vehicles < 3 || args.vehicles > 1000 {
        eprintln!("scms demo: --vehicles: 3 to 1000 (one misbehaves, two report it)");
        return ExitCode::from(2);
    }
    if args.minutes == 0 || args.minutes > 60 {
        eprintln!("scms demo: --minutes: 1 to 60");
        return ExitCode::from(2);
    }
    if args.export_device_keys {
        if args.data_dir.is_none() {
            eprintln!("scms demo: --export-device-keys needs --data-dir (a temporary directory is removed at the end)");
            return ExitCode::from(2);
        }
        warn_exported_keys();
    }
    // Warnings only: the progress bars and the summary are the output.
    crate::serve::init_logging(crate::serve::config::LogFormat::Text, "warn,sqlx=error");
    match execute(&args) {
        Ok(summary) => {
            if args.json {
                match serde_json::to_string(&summary) {
                    Ok(j) => println!("{j}"),
                    Err(e) => {
                        eprintln!("scms demo: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", table(&summary));
            }
            if args.export_device_keys {
                warn_exported_keys();
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scms demo: {e}");
            ExitCode::from(1)
        }
    }
}

fn execute(args: &DemoArgs) -> Result<Summary, String> {
    let t0 = Instant::now();
    let (dir, _temp) = match &args.data_dir {
        Some(d) => {
            if d.join("scms.db").exists() || d.join("certs").exists() {
                return Err(format!(
                    "{} already holds a run: give a new or empty directory",
                    d.display()
                ));
            }
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
            (d.clone(), None)
        }
        None => {
            let t = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let family = args.profile.family();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let progress = Progress::new();
    let mut summary = Summary {
        profile: family.as_str().to_string(),
        vehicles: args.vehicles,
        data_dir: args.data_dir.as_ref().map(|d| d.display().to_string()),
        simulated_minutes: args.minutes,
        ..Summary::default()
    };

    let spinner = progress.spinner("authorities");
    let net = rt.block_on(authorities::start(family, &dir, args.vehicles))?;
    summary.setup_s = t0.elapsed().as_secs_f64();
    spinner.finish_with_message(format!(
        "{} authorities on loopback ({:.1} s)",
        net.running.urls.len(),
        summary.setup_s
    ));

    let r = (|| -> Result<(), String> {
        let mut fleet = fleet::Fleet::new(&net, family, args.vehicles)?;
        let t = Instant::now();
        let bar = progress.bar("enroll", args.vehicles as u64);
        fleet.enroll(&bar)?;
        bar.finish_with_message("enrolled");
        summary.enroll_s = t.elapsed().as_secs_f64();
        summary.enrollment_certificates_issued = fleet.vehicles.len();

        let t = Instant::now();
        let bar = progress.bar("provision", (args.vehicles * 2) as u64);
        fleet.provision(&bar)?;
        bar.finish_with_message("pseudonyms downloaded");
        summary.provision_s = t.elapsed().as_secs_f64();
        summary.pseudonym_certificates_issued = fleet.pseudonym_count();
        summary.i_periods = fleet.i_periods.clone();
        summary.pseudonym_certificates_in_database =
            rt.block_on(net.certificates_of_role("pseudonym"))?;
        if args.export_device_keys {
            fleet.export(&dir)?;
        }

        let bar = progress.bar("drive", u64::from(args.minutes) * 60);
        // The vehicles start where the setup left the clock.
        let mut road = traffic::Road::new(&mut fleet, net.start_time64);
        let drive = road.drive(u64::from(args.minutes) * 60, &bar)?;
        bar.finish_with_message("driven");
        drive.fill(&mut summary);

        let t = Instant::now();
        let bar = progress.spinner("misbehave");
        bar.set_message("one vehicle claims 120 m/s; others report it");
        let m = misbehavior::run(&mut road, &net, &rt, &dir, &bar)?;
        bar.finish_with_message(format!(
            "vehicle {} revoked; its messages rejected",
            m.culprit
        ));
        summary.misbehavior_s = t.elapsed().as_secs_f64();
        summary.misbehavior_reports = m.reports;
        summary.revoked_vehicle = m.culprit;
        summary.revocation_latency_ms = m.latency.as_secs_f64() * 1e3;
        summary.messages_rejected_after_revocation = m.rejected_after;
        summary.rejections_after_revocation = m.rejected_reasons.into_iter().collect();
        summary.messages_verified_after_revocation = m.others_verified_after;
        summary.future_certificates_tried = m.future_tried;
        summary.future_certificates_rejected = m.future_rejected;
        Ok(())
    })();
    rt.block_on(net.stop());
    r?;
    summary.wall_s = t0.elapsed().as_secs_f64();
    Ok(summary)
}

/// Progress bars on stderr (hidden when stderr is not a terminal).
struct Progress {
    multi: indicatif::MultiProgress,
}

impl Progress {
    fn new() -> Self {
        Self {
            multi: indicatif::MultiProgress::new(),
        }
    }

    fn spinner(&self, name: &str) -> indicatif::ProgressBar {
        let b = self.multi.add(indicatif::ProgressBar::new_spinner());
        b.set_style(
            indicatif::ProgressStyle::with_template("{prefix:>10} {spinner} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b.set_prefix(name.to_string());
        b.enable_steady_tick(std::time::Duration::from_millis(100));
        b
    }

    fn bar(&self, name: &str, len: u64) -> indicatif::ProgressBar {
        let b = self.multi.add(indicatif::ProgressBar::new(len));
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:>10} [{bar:30}] {pos}/{len} {msg} ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_prefix(name.to_string());
        b
    }
}

/// The summary as a two-column table.
fn table(s: &Summary) -> String {
    let rows: Vec<(&str, String)> = vec![
        ("profile", s.profile.clone()),
        ("vehicles", s.vehicles.to_string()),
        (
            "enrollment certificates",
            s.enrollment_certificates_issued.to_string(),
        ),
        (
            "pseudonym certificates",
            format!(
                "{} (i-periods {:?}; {} in the ACA's database)",
                s.pseudonym_certificates_issued, s.i_periods, s.pseudonym_certificates_in_database
            ),
        ),
        (
            "setup / enroll / provision",
            format!(
                "{:.1} s / {:.1} s / {:.1} s",
                s.setup_s, s.enroll_s, s.provision_s
            ),
        ),
        ("simulated driving", format!("{} min", s.simulated_minutes)),
        (
            "messages signed",
            format!("{} ({:.0}/s)", s.messages_signed, s.sign_per_s),
        ),
        (
            "messages verified",
            format!(
                "{} of {} heard ({:.0} verifications/s, batch)",
                s.messages_verified, s.verifications, s.verify_per_s
            ),
        ),
        (
            "unknown signer (awaiting certificate)",
            s.messages_unknown_signer.to_string(),
        ),
        ("messages rejected", s.messages_rejected.to_string()),
        ("pseudonym changes", s.pseudonym_changes.to_string()),
        (
            "misbehavior reports",
            format!(
                "{} (vehicle {} claims 120 m/s)",
                s.misbehavior_reports, s.revoked_vehicle
            ),
        ),
        ("revoked vehicle", s.revoked_vehicle.to_string()),
        (
            "revocation latency",
            format!("{:.0} ms (first report to CRL)", s.revocation_latency_ms),
        ),
        (
            "rejected after revocation",
            format!(
                "{} of its messages ({:?}); {} of the others' accepted",
                s.messages_rejected_after_revocation,
                s.rejections_after_revocation,
                s.messages_verified_after_revocation
            ),
        ),
        (
            "next i-period certificates",
            format!(
                "{} of {} of the revoked vehicle rejected",
                s.future_certificates_rejected, s.future_certificates_tried
            ),
        ),
        ("wall time", format!("{:.1} s", s.wall_s)),
    ];
    let w = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::from("\nscms demo summary\n");
    out.push_str(&format!("{}\n", "-".repeat(w + 40)));
    for (k, v) in rows {
        out.push_str(&format!("{k:<w$}  {v}\n"));
    }
    if !s.rejections.is_empty() {
        out.push_str("rejections by reason:\n");
        for (k, v) in &s.rejections {
            out.push_str(&format!("  {k:<w$}{v}\n"));
        }
    }
    out
}
