//! `scms device enroll|provision|sign|verify`: drive the client SDK from the
//! command line on a demo data directory, against `scms serve` over HTTP.
//!
//! Layout (as `scms demo --export-device-keys` writes it):
//! - `DIR/certs/<role>.oer`: authority certificates (self-signed ones become
//!   trust anchors; files that are not certificates, such as the CTL, are skipped);
//! - `DIR/devices/<n>/pseudonyms/<i>_<j>.oer`: pseudonym certificates, with the
//!   private key as lowercase hex in `<i>_<j>.key` (TEST DATA ONLY: a real
//!   device never exports its keys).
//!
//! - `DIR/devices/<n>/enrollment.oer`: the enrollment certificate `enroll`
//!   writes, with its private key as lowercase hex in `enrollment.key`
//!   (TEST DATA ONLY).
//!
//! `enroll --successor` replaces them with a successor certificate and key
//! (1609.2.1 successor enrollment, encrypted to `DIR/certs/ra.oer`).
//!
//! `enroll` trusts the roots a CTL approves: with elector certificates
//! `DIR/certs/elector*.oer` it bootstraps from the ECA's
//! `GET /v3/ca-certificate` (a majority of them must have signed the CTL);
//! without, the self-signed certificates of `DIR/certs` are the anchors.
//!
//! Exit codes: `enroll`, `provision`, `sign` 0 on success; `verify` 0 only when the SPDU is valid,
//! 1 when it is rejected (the verdict is printed); 2 for usage or data errors.

use clap::{Args, Subcommand};
use scms_asn1::ieee1609dot2::time::time64_from_unix_micros;
use scms_asn1::ieee1609dot2::Certificate;
use scms_crypto::suite::{Curve, SecretKey};
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_sdk::{Message, PseudonymPolicy, PseudonymPool, Verifier, VerifierConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

#[derive(Args, Debug)]
pub struct DeviceArgs {
    #[command(subcommand)]
    command: DeviceCommand,
}

#[derive(Args, Debug)]
struct Common {
    /// The demo data directory.
    #[arg(long, value_name = "DIR")]
    data_dir: PathBuf,
    /// The device number (`DIR/devices/<N>`).
    #[arg(long, value_name = "N")]
    device: u32,
    /// The time to act at, as 1609.2 Time64 (µs since 2004-01-01 UTC);
    /// default: now.
    #[arg(long, value_name = "TIME64")]
    time: Option<u64>,
}

#[derive(Subcommand, Debug)]
enum DeviceCommand {
    /// Enroll with the ECA at URL: write DIR/devices/<N>/enrollment.oer and .key.
    Enroll {
        #[command(flatten)]
        common: Common,
        /// The ECA's base URL (e.g. http://127.0.0.1:8080).
        #[arg(long, value_name = "URL")]
        eca: String,
        /// Successor enrollment: ask for a new certificate and key with the
        /// current enrollment certificate (encrypted to DIR/certs/ra.oer) and
        /// replace it.
        #[arg(long)]
        successor: bool,
    },
    /// Request pseudonyms from the RA at URL with the enrollment certificate,
    /// download the first i-period and write DIR/devices/<N>/pseudonyms/.
    Provision {
        #[command(flatten)]
        common: Common,
        /// The RA's base URL.
        #[arg(long, value_name = "URL")]
        ra: String,
        /// PSIDs to ask for (comma separated).
        #[arg(long, value_name = "P,...", default_value = "32")]
        psids: String,
        /// Hours of pseudonyms to ask for (168 per i-period).
        #[arg(long, value_name = "H", default_value_t = 168)]
        hours: u16,
        /// How long to wait for the batch (503 + Retry-After), in seconds.
        #[arg(long, value_name = "S", default_value_t = 60)]
        wait: u64,
    },
    /// Sign a payload with a pseudonym valid now; print the SPDU as hex.
    Sign {
        #[command(flatten)]
        common: Common,
        /// The PSID (decimal, or hex with 0x).
        #[arg(long, value_name = "P")]
        psid: String,
        /// The payload as hex.
        #[arg(long, value_name = "HEX")]
        payload: String,
    },
    /// Verify a signed SPDU (hex); print the verdict; exit 0 only when valid.
    Verify {
        #[command(flatten)]
        common: Common,
        /// The SPDU as hex.
        #[arg(value_name = "HEX")]
        spdu: String,
    },
}

pub fn run(args: DeviceArgs) -> ExitCode {
    let r = match args.command {
        DeviceCommand::Enroll {
            common,
            eca,
            successor: false,
        } => enroll(&common, &eca),
        DeviceCommand::Enroll {
            common,
            eca,
            successor: true,
        } => enroll_successor(&common, &eca),
        DeviceCommand::Provision {
            common,
            ra,
            psids,
            hours,
            wait,
        } => provision(&common, &ra, &psids, hours, wait),
        DeviceCommand::Sign {
            common,
            psid,
            payload,
        } => sign(&common, &psid, &payload),
        DeviceCommand::Verify { common, spdu } => verify(&common, &spdu),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("scms device: {e}");
            ExitCode::from(2)
        }
    }
}

fn now(common: &Common) -> Result<u64, String> {
    if let Some(t) = common.time {
        return Ok(t);
    }
    let unix_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| format!("system clock: {e}"))?
        .as_micros();
    let unix_us = i64::try_from(unix_us).map_err(|_| "system clock out of range".to_string())?;
    Ok(time64_from_unix_micros(unix_us))
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn parse_psid(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("--psid {s:?} is not a number"))
}

fn device_dir(common: &Common) -> PathBuf {
    common
        .data_dir
        .join("devices")
        .join(common.device.to_string())
}

fn files_with(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, String> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    Ok(out)
}

fn sign(common: &Common, psid: &str, payload: &str) -> Result<ExitCode, String> {
    let psid = parse_psid(psid)?;
    let payload = decode_hex(payload).ok_or("--payload is not hex")?;
    let now = now(common)?;
    let dir = device_dir(common).join("pseudonyms");
    let keys = MemoryKeyStore::new();
    let mut pool = PseudonymPool::new(PseudonymPolicy::default());
    for cert_path in files_with(&dir, "oer")? {
        let stem = cert_path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| format!("{}: bad file name", cert_path.display()))?
            .to_string();
        let key_path = cert_path.with_extension("key");
        let text = Zeroizing::new(
            std::fs::read_to_string(&key_path)
                .map_err(|e| format!("{}: {e}", key_path.display()))?,
        );
        let scalar = Zeroizing::new(
            decode_hex(text.trim()).ok_or_else(|| format!("{}: not hex", key_path.display()))?,
        );
        let key = SecretKey::from_be_bytes(Curve::NistP256, &scalar)
            .map_err(|e| format!("{}: {e}", key_path.display()))?;
        let cert =
            std::fs::read(&cert_path).map_err(|e| format!("{}: {e}", cert_path.display()))?;
        keys.insert(&stem, key)
            .map_err(|e| format!("{}: {e}", key_path.display()))?;
        pool.add(cert, &stem)
            .map_err(|e| format!("{}: {e}", cert_path.display()))?;
    }
    if pool.is_empty() {
        return Err(format!("no pseudonym certificates in {}", dir.display()));
    }
    let msg = Message {
        psid,
        payload: &payload,
        generation_time: now,
        generation_location: None,
        expiry_time: None,
        p2pcd_learning_request: None,
    };
    let spdu = pool.sign(&keys, 0, &msg).map_err(|e| e.to_string())?;
    println!("{}", hex(&spdu));
    Ok(ExitCode::SUCCESS)
}

fn verify(common: &Common, spdu_hex: &str) -> Result<ExitCode, String> {
    let spdu = decode_hex(spdu_hex).ok_or("the SPDU is not hex")?;
    let now = now(common)?;
    if !device_dir(common).is_dir() {
        return Err(format!("no device {}", device_dir(common).display()));
    }
    let mut v = Verifier::new(VerifierConfig::default());
    // Anchors first, then the others in as many rounds as the chain is deep.
    let mut pending = Vec::new();
    for path in files_with(&common.data_dir.join("certs"), "oer")? {
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let Ok(cert) = scms_asn1::decode::<Certificate<'_>>(&bytes) else {
            continue;
        };
        if cert.is_self_signed() {
            v.store
                .add_trust_anchor(&bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        } else {
            pending.push(bytes);
        }
    }
    if v.store.is_empty() {
        return Err(format!(
            "no root certificate in {}",
            common.data_dir.join("certs").display()
        ));
    }
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|bytes| {
            scms_asn1::decode::<Certificate<'_>>(bytes)
                .map_or(true, |c| v.store.add_certificate(&c).is_err())
        });
        if pending.len() == before {
            break;
        }
    }
    match v.verify(&spdu, now) {
        Ok(ok) => {
            println!("valid");
            println!("psid: {}", ok.psid);
            println!("payload: {}", hex(&ok.payload));
            println!("signer: {}", hex(&ok.signer));
            Ok(ExitCode::SUCCESS)
        }
        Err(r) => {
            println!("invalid: {r}");
            Ok(ExitCode::from(1))
        }
    }
}

fn time32(common: &Common) -> Result<u32, String> {
    let t = now(common)?;
    u32::try_from(t / 1_000_000).map_err(|_| "time out of range".to_string())
}

/// Writes `bytes` readable by the owner only (keys).
pub(crate) fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(bytes)
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub(crate) fn key_hex(key: &SecretKey) -> Zeroizing<String> {
    let b = key.to_be_bytes();
    Zeroizing::new(hex(&b))
}

fn read_key(path: &Path) -> Result<SecretKey, String> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
    );
    let scalar = Zeroizing::new(
        decode_hex(text.trim()).ok_or_else(|| format!("{}: not hex", path.display()))?,
    );
    SecretKey::from_be_bytes(Curve::NistP256, &scalar)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The trust of `enroll`: see the module documentation.
fn trust_for_enroll(
    common: &Common,
    eca: &scms_sdk::http::EcaClient,
) -> Result<scms_sdk::CertificateStore, String> {
    let certs = common.data_dir.join("certs");
    let (electors, anchors) = trust_files(&certs)?;
    crate::vehicle::bootstrap_trust(eca, &electors, &anchors)
        .map_err(|e| format!("{e} ({})", certs.display()))
}

/// Certificates as read from files.
pub(crate) type Certificates = Vec<Vec<u8>>;

/// The elector certificates (`elector*.oer`) and the self-signed ones (the
/// anchors) of a `certs` directory.
pub(crate) fn trust_files(certs: &Path) -> Result<(Certificates, Certificates), String> {
    let mut electors = Vec::new();
    let mut anchors = Vec::new();
    for path in files_with(certs, "oer")? {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if name.starts_with("elector") {
            electors.push(bytes);
        } else if scms_asn1::decode::<Certificate<'_>>(&bytes).is_ok_and(|c| c.is_self_signed()) {
            anchors.push(bytes);
        }
    }
    Ok((electors, anchors))
}

/// A fresh enrollment key under `label` in `keys`; its hex for the key file.
fn new_enrollment_key(keys: &MemoryKeyStore, label: &str) -> Result<Zeroizing<String>, String> {
    let key = SecretKey::generate(Curve::NistP256, &mut scms_crypto::suite::os_rng())
        .map_err(|e| e.to_string())?;
    let key_text = key_hex(&key);
    keys.insert(label, key).map_err(|e| e.to_string())?;
    Ok(key_text)
}

/// Writes the enrollment certificate and its key of the device.
fn save_enrollment(common: &Common, certificate: &[u8], key_text: &str) -> Result<PathBuf, String> {
    let dir = device_dir(common);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cert_path = dir.join("enrollment.oer");
    write_secret(&dir.join("enrollment.key"), key_text.as_bytes())?;
    std::fs::write(&cert_path, certificate).map_err(|e| format!("{}: {e}", cert_path.display()))?;
    Ok(cert_path)
}

/// The device's current enrollment certificate and key (in `keys` as
/// `label`).
fn load_enrollment(common: &Common, keys: &MemoryKeyStore, label: &str) -> Result<Vec<u8>, String> {
    let dir = device_dir(common);
    let enrollment = std::fs::read(dir.join("enrollment.oer")).map_err(|e| {
        format!(
            "{}: {e} (run scms device enroll first)",
            dir.join("enrollment.oer").display()
        )
    })?;
    keys.insert(label, read_key(&dir.join("enrollment.key"))?)
        .map_err(|e| e.to_string())?;
    Ok(enrollment)
}

fn enroll(common: &Common, eca_url: &str) -> Result<ExitCode, String> {
    let now = time32(common)?;
    let eca = scms_sdk::http::EcaClient::new(eca_url);
    let mut store = trust_for_enroll(common, &eca)?;
    let keys = MemoryKeyStore::new();
    let key_text = new_enrollment_key(&keys, "enrollment")?;
    let certificate = crate::vehicle::enroll(
        scms_ca::profile::Family::Us,
        &eca,
        &mut store,
        &keys,
        "enrollment",
        now,
    )?;
    let cert_path = save_enrollment(common, &certificate, &key_text)?;
    println!("enrolled: {}", cert_path.display());
    Ok(ExitCode::SUCCESS)
}

/// Successor enrollment (1609.2.1): request, ack, download, check, replace.
fn enroll_successor(common: &Common, eca_url: &str) -> Result<ExitCode, String> {
    use scms_sdk::enroll::{
        build_successor_request, process_enrollment_response, process_successor_ack,
        successor_download_request,
    };

    let now = time32(common)?;
    let eca = scms_sdk::http::EcaClient::new(eca_url);
    let mut store = trust_for_enroll(common, &eca)?;
    let keys = MemoryKeyStore::new();
    let current = load_enrollment(common, &keys, "current")?;
    let ra_path = common.data_dir.join("certs").join("ra.oer");
    let ra = std::fs::read(&ra_path).map_err(|e| format!("{}: {e}", ra_path.display()))?;
    let key_text = new_enrollment_key(&keys, "next")?;
    let next = keys.public_key("next").map_err(|e| e.to_string())?;
    let tbs = crate::vehicle::enrollment_tbs(scms_ca::profile::Family::Us, &next, now)?;
    let request = build_successor_request(&keys, "current", &current, "next", &tbs, &ra, now)
        .map_err(|e| e.to_string())?;
    let ack = eca
        .successor(&request.request)
        .map_err(|e| format!("successor request: {e}"))?;
    process_successor_ack(&ack, &ra, &request).map_err(|e| format!("successor ack: {e}"))?;
    let download = successor_download_request(&keys, "current", &current, &ra, &request, now)
        .map_err(|e| e.to_string())?;
    let response = eca
        .successor_download(&download)
        .map_err(|e| format!("successor download: {e}"))?;
    let e = process_enrollment_response(&mut store, &keys, "next", &request.request, &response)
        .map_err(|e| format!("ECA response: {e}"))?;
    let cert_path = save_enrollment(common, &e.certificate, &key_text)?;
    println!("enrolled (successor): {}", cert_path.display());
    Ok(ExitCode::SUCCESS)
}

fn provision(
    common: &Common,
    ra_url: &str,
    psids: &str,
    hours: u16,
    wait_s: u64,
) -> Result<ExitCode, String> {
    use scms_ca::profile::Family;
    use scms_sdk::http::RaClient;
    use scms_sdk::provision::RequestParams;

    let now = time32(common)?;
    let dir = device_dir(common);
    let keys = MemoryKeyStore::new();
    let enrollment = load_enrollment(common, &keys, "enrollment")?;
    let aca_path = common.data_dir.join("certs").join("aca.oer");
    let aca = std::fs::read(&aca_path).map_err(|e| format!("{}: {e}", aca_path.display()))?;
    let ra = RaClient::new(ra_url);
    let ra_cert = ra.ra_certificate().map_err(|e| format!("RA: {e}"))?;
    let psids = psids
        .split(',')
        .map(|p| parse_psid(p.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    let params = RequestParams {
        psids,
        start: now,
        hours,
        explicit: false,
    };
    let p = crate::vehicle::request_pseudonyms(
        Family::Us,
        &ra,
        &ra_cert,
        &keys,
        "enrollment",
        &enrollment,
        &params,
        now,
    )?;
    let pseudonyms = crate::vehicle::download(
        &p,
        &ra,
        &ra_cert,
        &aca,
        &keys,
        "enrollment",
        &enrollment,
        p.first_i,
        || now,
        std::time::Duration::from_secs(wait_s),
        std::time::Duration::from_secs(60),
    )?;
    let pdir = dir.join("pseudonyms");
    std::fs::create_dir_all(&pdir).map_err(|e| format!("{}: {e}", pdir.display()))?;
    for p in &pseudonyms {
        let stem = format!("{}_{}", p.i, p.j);
        write_secret(
            &pdir.join(format!("{stem}.key")),
            key_hex(&p.key).as_bytes(),
        )?;
        let path = pdir.join(format!("{stem}.oer"));
        std::fs::write(&path, &p.certificate).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!(
        "provisioned: {} pseudonyms in {}",
        pseudonyms.len(),
        pdir.display()
    );
    Ok(ExitCode::SUCCESS)
}
