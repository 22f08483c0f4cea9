//! `scms audit verify --data-dir DIR`: walks the hash chain of the audit log
//! of every authority database of a data directory and reports the first
//! broken link of each ([`Store::verify_audit_chain`]).
//!
//! The databases are the one `scms export` would read (`--database-url`, else
//! the URL in `DIR/scms.toml`, else `DIR/scms.db`) plus every other SQLite
//! `*.db` file directly in DIR (one database per authority). SQLite files are
//! opened without creating anything. Exit codes: 0 every chain intact, 1 a
//! chain is broken or a database cannot be read, 2 usage.

use clap::{Args, Subcommand};
use scms_ca::store::{AuditCheck, Store, StoreError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::init::{runtime, Fail};

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the hash chain of the audit log of every database of a data directory.
    Verify(VerifyArgs),
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The data directory of `scms init`.
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Database URL, when `scms init` was given one (e.g. PostgreSQL).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

fn fail(msg: impl Into<String>) -> Fail {
    Fail(1, msg.into())
}

/// A database to check: what to call it in the report, and its URL.
struct Target {
    name: String,
    url: String,
}

/// `sqlite://PATH?mode=rw`: opening never creates a file.
fn sqlite_rw_url(path: &Path) -> Result<String, Fail> {
    let p = path
        .to_str()
        .ok_or_else(|| Fail(2, "the data directory path is not UTF-8".to_string()))?;
    Ok(format!("sqlite://{p}?mode=rw"))
}

/// The URL without its password, for the report.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

fn targets(a: &VerifyArgs) -> Result<Vec<Target>, Fail> {
    let dir = &a.data_dir;
    if !dir.is_dir() {
        return Err(fail(format!("{} is not a directory", dir.display())));
    }
    let mut out = Vec::new();
    let main_url = crate::export::database_url(dir, a.database_url.as_ref()).ok();
    if let Some(u) = main_url.as_ref().filter(|u| !u.starts_with("sqlite:")) {
        out.push(Target {
            name: redacted(u),
            url: u.clone(),
        });
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| fail(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "db"))
        .collect();
    files.sort();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Target {
            name,
            url: sqlite_rw_url(&f)?,
        });
    }
    if out.is_empty() {
        return Err(fail(format!(
            "no database in {} (no *.db file; run scms init, or give --database-url)",
            dir.display()
        )));
    }
    Ok(out)
}

async fn check(url: &str) -> Result<AuditCheck, StoreError> {
    let store = Store::connect(url).await?;
    let result = store.verify_audit_chain().await;
    store.close().await;
    result
}

/// One line per database; `Ok(true)` when every chain is intact.
fn execute(a: &VerifyArgs) -> Result<(bool, Vec<String>), Fail> {
    let targets = targets(a)?;
    let rt = runtime()?;
    let mut intact = true;
    let mut lines = Vec::new();
    for t in targets {
        match rt.block_on(check(&t.url)) {
            Ok(AuditCheck {
                entries,
                broken: None,
            }) => lines.push(format!("{}: intact, {entries} entries", t.name)),
            Ok(AuditCheck {
                entries,
                broken: Some(b),
            }) => {
                intact = false;
                lines.push(format!(
                    "{}: BROKEN at entry {} of {entries}: {}",
                    t.name, b.seq, b.reason
                ));
            }
            Err(e) => {
                intact = false;
                lines.push(format!("{}: cannot be checked: {e}", t.name));
            }
        }
    }
    Ok((intact, lines))
}

pub fn run(args: AuditArgs) -> ExitCode {
    let AuditCommand::Verify(v) = args.command;
    match execute(&v) {
        Ok((intact, lines)) => {
            for l in lines {
                println!("{l}");
            }
            if intact {
                ExitCode::SUCCESS
            } else {
                eprintln!("scms audit verify: an audit chain is broken or unreadable");
                ExitCode::from(1)
            }
        }
        Err(Fail(code, msg)) => {
            eprintln!("scms audit verify: {msg}");
            ExitCode::from(code)
        }
    }
}
