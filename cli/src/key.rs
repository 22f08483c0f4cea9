//! `scms key generate|list|export-public`: manage the keys of a key store.
//!
//! Secrets never come on the command line (where `ps` and shell history see
//! them): `--pass-env VAR` / `--pin-env VAR` name the environment variable
//! that holds the passphrase or PIN. Exit codes: 0 success, 1 the store
//! refused (wrong passphrase, unknown label, unsupported curve...), 2 usage.

use clap::{Args, Subcommand, ValueEnum};
use scms_crypto::suite::{Curve, PublicKey};
use scms_hsm::{
    KdfParams, KeyInfo, KeyStore, KeyStoreError, Pkcs11KeyStore, SoftKeyStore, WrappedKeyStore,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use zeroize::Zeroizing;

#[derive(Args, Debug)]
pub struct KeyArgs {
    #[command(flatten)]
    store: StoreArgs,
    #[command(subcommand)]
    command: KeyCommand,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum StoreKind {
    /// Files sealed under a passphrase (`--dir`, `--pass-env`).
    Soft,
    /// Keys on a PKCS#11 token (`--module`, `--token`, `--pin-env`).
    Pkcs11,
    /// Software keys sealed by an AES key on a PKCS#11 token (the ACA's ECQV
    /// issuing key): the pkcs11 options plus `--dir` and `--kek`.
    Wrapped,
}

#[derive(Args, Debug)]
struct StoreArgs {
    /// Which key store.
    #[arg(long, value_enum, default_value = "soft", global = true)]
    store: StoreKind,
    /// Directory of the soft or wrapped store.
    #[arg(long, value_name = "DIR", global = true)]
    dir: Option<PathBuf>,
    /// Environment variable holding the soft store's passphrase.
    #[arg(long, value_name = "VAR", global = true)]
    pass_env: Option<String>,
    /// PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so).
    #[arg(long, value_name = "PATH", global = true)]
    module: Option<PathBuf>,
    /// Label of the PKCS#11 token.
    #[arg(long, value_name = "LABEL", global = true)]
    token: Option<String>,
    /// Environment variable holding the token's user PIN.
    #[arg(long, value_name = "VAR", global = true)]
    pin_env: Option<String>,
    /// Label of the token AES key that seals a wrapped store.
    #[arg(long, value_name = "LABEL", default_value = "scms-kek", global = true)]
    kek: String,
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Generate a key pair; prints `label curve public-key-hex`.
    Generate {
        #[arg(long)]
        label: String,
        #[arg(long, value_enum)]
        curve: CurveArg,
    },
    /// Every key: `label curve public-key-hex` (compressed SEC1), one per line.
    List,
    /// The public key of one key: compressed SEC1 hex, or DER
    /// SubjectPublicKeyInfo with `--der`.
    ExportPublic {
        #[arg(long)]
        label: String,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// DER SubjectPublicKeyInfo (what `openssl pkey -pubin -inform DER` reads).
        #[arg(long)]
        der: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CurveArg {
    P256,
    P384,
    Bp256,
    Bp384,
    Sm2,
}

impl CurveArg {
    fn curve(self) -> Curve {
        match self {
            CurveArg::P256 => Curve::NistP256,
            CurveArg::P384 => Curve::NistP384,
            CurveArg::Bp256 => Curve::BrainpoolP256r1,
            CurveArg::Bp384 => Curve::BrainpoolP384r1,
            CurveArg::Sm2 => Curve::Sm2,
        }
    }
}

fn curve_name(c: Curve) -> &'static str {
    match c {
        Curve::NistP256 => "p256",
        Curve::NistP384 => "p384",
        Curve::BrainpoolP256r1 => "bp256",
        Curve::BrainpoolP384r1 => "bp384",
        Curve::Sm2 => "sm2",
    }
}

/// A failure that ends the command: exit code and one line.
struct Fail(u8, String);

impl From<KeyStoreError> for Fail {
    fn from(e: KeyStoreError) -> Self {
        Fail(1, e.to_string())
    }
}

fn usage(msg: impl Into<String>) -> Fail {
    Fail(2, msg.into())
}

/// The secret in environment variable `var` (named by `flag`), zeroized on drop.
fn secret_from_env(flag: &str, var: Option<&String>) -> Result<Zeroizing<String>, Fail> {
    let var = var.ok_or_else(|| usage(format!("{flag} VAR is required for this store")))?;
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

fn open_token(a: &StoreArgs) -> Result<Pkcs11KeyStore, Fail> {
    let module = a
        .module
        .as_ref()
        .ok_or_else(|| usage("--module PATH is required for a PKCS#11 store"))?;
    let token = a
        .token
        .as_ref()
        .ok_or_else(|| usage("--token LABEL is required for a PKCS#11 store"))?;
    let pin = secret_from_env("--pin-env", a.pin_env.as_ref())?;
    Ok(Pkcs11KeyStore::open(module, token, &pin)?)
}

fn open(a: &StoreArgs) -> Result<Box<dyn KeyStore>, Fail> {
    let dir = || {
        a.dir
            .clone()
            .ok_or_else(|| usage("--dir DIR is required for this store"))
    };
    Ok(match a.store {
        StoreKind::Soft => {
            let dir = dir()?;
            let pass = secret_from_env("--pass-env", a.pass_env.as_ref())?;
            let pass = Zeroizing::new(pass.as_bytes().to_vec());
            let store = SoftKeyStore::open(dir, pass, KdfParams::default())?;
            // A mistyped passphrase must not seal a new key under it.
            store.check_passphrase()?;
            Box::new(store)
        }
        StoreKind::Pkcs11 => Box::new(open_token(a)?),
        StoreKind::Wrapped => {
            let dir = dir()?;
            let token = Arc::new(open_token(a)?);
            Box::new(WrappedKeyStore::open(token, &a.kek, dir)?)
        }
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn line(k: &KeyInfo) -> String {
    format!("{} {} {}", k.label, curve_name(k.curve), hex(&k.public_key))
}

fn write_out(out: Option<&PathBuf>, bytes: &[u8]) -> Result<(), Fail> {
    match out {
        Some(p) => std::fs::write(p, bytes)
            .map_err(|e| Fail(1, format!("cannot write {}: {e}", p.display()))),
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(bytes)
                .and_then(|()| o.flush())
                .map_err(|e| Fail(1, format!("cannot write standard output: {e}")))
        }
    }
}

fn export(pk: &PublicKey, der: bool) -> Vec<u8> {
    if der {
        scms_hsm::der::spki_der(pk)
    } else {
        format!("{}\n", hex(&pk.to_sec1(true))).into_bytes()
    }
}

fn execute(args: KeyArgs) -> Result<(), Fail> {
    let store = open(&args.store)?;
    match args.command {
        KeyCommand::Generate { label, curve } => {
            let info = store.generate(&label, curve.curve())?;
            write_out(None, format!("{}\n", line(&info)).as_bytes())
        }
        KeyCommand::List => {
            let text: String = store
                .list()?
                .iter()
                .map(|k| format!("{}\n", line(k)))
                .collect();
            write_out(None, text.as_bytes())
        }
        KeyCommand::ExportPublic { label, out, der } => {
            let pk = store.public_key(&label)?;
            write_out(out.as_ref(), &export(&pk, der))
        }
    }
}

pub fn run(args: KeyArgs) -> ExitCode {
    match execute(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(code, msg)) => {
            eprintln!("scms key: {msg}");
            ExitCode::from(code)
        }
    }
}
