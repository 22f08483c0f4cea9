//! `scms init --data-dir DIR`: a complete hierarchy (root, ICA, ECA, ACA, RA,
//! LA1, LA2, MA, CRL signer, electors and the CTL) into a new data directory.
//!
//! ```text
//! DIR/scms.toml            family, key store kind, database URL (no secret)
//! DIR/scms.db              SQLite database (unless --database-url)
//! DIR/keys/<label>.key     sealed soft keys (--store soft)
//! DIR/profiles/<role>.toml the profile of each authority, plus enrollment and pseudonym
//! DIR/certs/<role>.oer     each authority certificate, and ctl.oer
//! ```
//!
//! Every issuance record, the authorities and the CTL are committed in one
//! transaction with their audit entries before any file is written. An
//! existing hierarchy (in the directory or the database) is never overwritten.
//! Exit codes: 0 success, 1 refused or failed, 2 usage.

use clap::{Args, ValueEnum};
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::{builtin, Family};
use scms_ca::store::{Batch, Store};
use scms_hsm::{KdfParams, KeyStore, Pkcs11KeyStore, SoftKeyStore};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// IEEE 1609.2 / SCMS: ECDSA P-256, SHA-256.
    Us,
    /// YD/T 3957: SM2, SM3.
    Cn,
}

impl ProfileArg {
    pub(crate) fn family(self) -> Family {
        match self {
            ProfileArg::Us => Family::Us,
            ProfileArg::Cn => Family::Cn,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InitStore {
    /// Keys sealed under a passphrase in DIR/keys (`--pass-env`).
    Soft,
    /// Keys on a PKCS#11 token (`--module`, `--token`, `--pin-env`).
    Pkcs11,
}

impl InitStore {
    fn as_str(self) -> &'static str {
        match self {
            InitStore::Soft => "soft",
            InitStore::Pkcs11 => "pkcs11",
        }
    }
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The data directory to create.
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Which hierarchy.
    #[arg(long, value_enum, default_value = "us")]
    pub profile: ProfileArg,
    /// Where the authorities' keys live (no in-memory store: keys must survive).
    #[arg(long, value_enum, default_value = "soft")]
    pub store: InitStore,
    /// Environment variable holding the soft store's passphrase.
    #[arg(long, value_name = "VAR", default_value = "SCMS_PASSPHRASE")]
    pub pass_env: String,
    /// PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so).
    #[arg(long, value_name = "PATH")]
    pub module: Option<PathBuf>,
    /// Label of the PKCS#11 token.
    #[arg(long, value_name = "LABEL")]
    pub token: Option<String>,
    /// Environment variable holding the token's user PIN.
    #[arg(long, value_name = "VAR")]
    pub pin_env: Option<String>,
    /// Database URL (`postgres://...`); default the SQLite file DIR/scms.db.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Number of electors signing the CTL.
    #[arg(long, default_value_t = 3)]
    pub electors: usize,
}

/// A failure that ends the command: exit code and one line.
pub(crate) struct Fail(pub u8, pub String);

fn fail(msg: impl Into<String>) -> Fail {
    Fail(1, msg.into())
}

fn usage(msg: impl Into<String>) -> Fail {
    Fail(2, msg.into())
}

fn secret_from_env(flag: &str, var: &str) -> Result<Zeroizing<String>, Fail> {
    let value = Zeroizing::new(std::env::var(var).map_err(|_| {
        usage(format!(
            "environment variable {var} (from {flag}) is not set or not UTF-8"
        ))
    })?);
    if value.is_empty() {
        return Err(usage(format!("environment variable {var} is empty")));
    }
    Ok(value)
}

fn open_keys(a: &InitArgs) -> Result<Box<dyn KeyStore>, Fail> {
    open_key_store(
        a.store.as_str(),
        &a.data_dir,
        &a.pass_env,
        a.module.as_deref(),
        a.token.as_deref(),
        a.pin_env.as_deref(),
    )
}

/// The key store of a data directory: `soft` (sealed in DIR/keys under the
/// passphrase in `pass_env`) or `pkcs11` (module, token, PIN in `pin_env`).
/// `scms init` and `scms serve` open it the same way.
pub(crate) fn open_key_store(
    kind: &str,
    data_dir: &Path,
    pass_env: &str,
    module: Option<&Path>,
    token: Option<&str>,
    pin_env: Option<&str>,
) -> Result<Box<dyn KeyStore>, Fail> {
    Ok(match kind {
        "soft" => {
            let pass = secret_from_env("--pass-env", pass_env)?;
            let pass = Zeroizing::new(pass.as_bytes().to_vec());
            let store = SoftKeyStore::open(data_dir.join("keys"), pass, KdfParams::default())
                .map_err(|e| fail(e.to_string()))?;
            store.check_passphrase().map_err(|e| fail(e.to_string()))?;
            Box::new(store)
        }
        "pkcs11" => {
            let module =
                module.ok_or_else(|| usage("--module PATH is required for a PKCS#11 store"))?;
            let token =
                token.ok_or_else(|| usage("--token LABEL is required for a PKCS#11 store"))?;
            let var =
                pin_env.ok_or_else(|| usage("--pin-env VAR is required for a PKCS#11 store"))?;
            let pin = secret_from_env("--pin-env", var)?;
            Box::new(Pkcs11KeyStore::open(module, token, &pin).map_err(|e| fail(e.to_string()))?)
        }
        other => return Err(usage(format!("key store {other:?}: soft or pkcs11"))),
    })
}

/// When the hierarchy's validity starts: the start of the current i-period
/// of the pseudonym profile (at most a week ago). Pseudonym certificates
/// start at their i-period's start and may not start before their issuer:
/// a hierarchy starting now could not provision the current i-period.
fn hierarchy_start(family: Family, now_unix: i64) -> Result<i64, Fail> {
    const IPERIOD_SECS: i64 = 7 * 86_400;
    let p = builtin(family, "pseudonym").map_err(|e| fail(format!("profile pseudonym: {e}")))?;
    Ok(match p.iperiod_epoch_unix {
        Some(epoch) if now_unix >= epoch => {
            epoch + (now_unix - epoch) / IPERIOD_SECS * IPERIOD_SECS
        }
        _ => now_unix,
    })
}

/// The database URL of a data directory: `--database-url`, else the SQLite file.
pub(crate) fn sqlite_url(dir: &Path) -> Result<String, Fail> {
    let p = dir.join("scms.db");
    let p = p
        .to_str()
        .ok_or_else(|| usage("the data directory path is not UTF-8"))?;
    Ok(format!("sqlite://{p}?mode=rwc"))
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Fail> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the runtime: {e}")))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Fail> {
    std::fs::write(path, bytes).map_err(|e| fail(format!("cannot write {}: {e}", path.display())))
}

fn mkdir(path: &Path) -> Result<(), Fail> {
    std::fs::create_dir_all(path)
        .map_err(|e| fail(format!("cannot create {}: {e}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| fail(format!("cannot restrict {}: {e}", path.display())))?;
    }
    Ok(())
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn execute(a: InitArgs) -> Result<String, Fail> {
    if a.electors == 0 {
        return Err(usage("--electors: at least 1"));
    }
    let dir = &a.data_dir;
    for existing in ["certs", "scms.toml"] {
        if dir.join(existing).exists() {
            return Err(fail(format!(
                "{} already holds a hierarchy ({existing}): refusing to overwrite it",
                dir.display()
            )));
        }
    }
    // Secrets and the token first: nothing is created when they are missing.
    let token = match a.store {
        InitStore::Soft => {
            secret_from_env("--pass-env", &a.pass_env)?;
            None
        }
        InitStore::Pkcs11 => Some(open_keys(&a)?),
    };
    mkdir(dir)?;
    let url = match &a.database_url {
        Some(u) => u.clone(),
        None => sqlite_url(dir)?,
    };
    let rt = runtime()?;
    let store = rt
        .block_on(Store::connect(&url))
        .map_err(|e| fail(e.to_string()))?;
    if !rt
        .block_on(store.authorities())
        .map_err(|e| fail(e.to_string()))?
        .is_empty()
    {
        return Err(fail(
            "the database already holds a hierarchy: refusing to overwrite it",
        ));
    }
    let keys = match token {
        Some(k) => k,
        None => open_keys(&a)?,
    };
    let family = a.profile.family();
    let now_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .map_err(|_| fail("the system clock is before 1970"))?;
    let mut opts = HierarchyOptions::new(
        family,
        scms_asn1::ieee1609dot2::time::time32_from_unix(hierarchy_start(family, now_unix)?),
    );
    opts.electors = a.electors;
    let h = build(keys.as_ref(), &opts).map_err(|e| fail(format!("hierarchy: {e}")))?;

    // Committed before anything is written out.
    let batch = Batch::hierarchy(&h, &opts).map_err(|e| fail(e.to_string()))?;
    rt.block_on(store.commit(&batch, now_unix))
        .map_err(|e| fail(e.to_string()))?;
    rt.block_on(store.close());

    let profiles = dir.join("profiles");
    mkdir(&profiles)?;
    for (role, p) in &h.profiles {
        let text = p
            .to_toml()
            .map_err(|e| fail(format!("profile {role}: {e}")))?;
        write_file(&profiles.join(format!("{role}.toml")), text.as_bytes())?;
    }
    for extra in ["enrollment", "pseudonym"] {
        let text = builtin(family, extra)
            .and_then(|p| p.to_toml())
            .map_err(|e| fail(format!("profile {extra}: {e}")))?;
        write_file(&profiles.join(format!("{extra}.toml")), text.as_bytes())?;
    }
    let certs = dir.join("certs");
    mkdir(&certs)?;
    for (name, bytes) in h.export_files() {
        write_file(&certs.join(name), &bytes)?;
    }
    let database = match &a.database_url {
        // Never write a password into the file: the operator passes the URL again.
        Some(u) if has_password(u) => {
            "# database_url: given on the command line (it holds a password)".to_string()
        }
        Some(u) => format!("database_url = {}", toml_string(u)),
        None => "# database_url: the SQLite file DIR/scms.db".to_string(),
    };
    let config = format!(
        "# scms data directory (written by scms init; no secrets)\nfamily = {}\nkey_store = {}\n{database}\nelectors = {}\n",
        toml_string(family.as_str()),
        toml_string(a.store.as_str()),
        a.electors
    );
    write_file(&dir.join("scms.toml"), config.as_bytes())?;

    let mut out = String::new();
    for (name, bytes) in &h.certificates {
        let hid = h
            .records
            .iter()
            .find(|r| &r.certificate == bytes)
            .map(|r| hex_str(&r.hashed_id8.0))
            .unwrap_or_default();
        let label = h.key_labels.get(name).map(String::as_str).unwrap_or("");
        out.push_str(&format!("{name} {hid} {label}\n"));
    }
    out.push_str(&format!(
        "ctl sequence 1, {} electors, in {}\n",
        a.electors,
        dir.display()
    ));
    Ok(out)
}

/// True when the URL's user information carries a password (`user:pass@`).
fn has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

fn hex_str(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn run(args: InitArgs) -> ExitCode {
    match execute(args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(Fail(code, msg)) => {
            eprintln!("scms init: {msg}");
            ExitCode::from(code)
        }
    }
}
