//! `scms export --data-dir DIR --out OUT`: every authority certificate of the
//! hierarchy in DIR's database as `OUT/<role>.oer` (root, ica, eca, aca, ra,
//! la1, la2, ma, crl, elector-N) and the latest CTL as `OUT/ctl.oer`.
//!
//! The database is `--database-url`, else the one `scms init` recorded in
//! `DIR/scms.toml`, else the SQLite file `DIR/scms.db` (which must exist).
//! Exit codes: 0 success, 1 failed, 2 usage.

use clap::Args;
use scms_ca::store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::init::{runtime, sqlite_url, Fail};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The data directory of `scms init`.
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Where to write the files (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Database URL, when `scms init` was given one.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

fn fail(msg: impl Into<String>) -> Fail {
    Fail(1, msg.into())
}

/// The database of a data directory.
pub(crate) fn database_url(dir: &Path, given: Option<&String>) -> Result<String, Fail> {
    if let Some(u) = given {
        return Ok(u.clone());
    }
    let config = dir.join("scms.toml");
    if let Ok(text) = std::fs::read_to_string(&config) {
        let v: toml::Table =
            toml::from_str(&text).map_err(|e| fail(format!("{}: {e}", config.display())))?;
        if let Some(u) = v.get("database_url").and_then(|u| u.as_str()) {
            return Ok(u.to_string());
        }
    }
    if !dir.join("scms.db").is_file() {
        return Err(fail(format!(
            "no hierarchy in {} (no scms.db; run scms init, or give --database-url)",
            dir.display()
        )));
    }
    sqlite_url(dir)
}

fn execute(a: ExportArgs) -> Result<Vec<String>, Fail> {
    let url = database_url(&a.data_dir, a.database_url.as_ref())?;
    let rt = runtime()?;
    let (authorities, ctl) = rt
        .block_on(async {
            let store = Store::connect(&url).await?;
            let authorities = store.authorities().await?;
            let ctl = store.latest_ctl().await?;
            store.close().await;
            Ok::<_, scms_ca::store::StoreError>((authorities, ctl))
        })
        .map_err(|e| fail(e.to_string()))?;
    if authorities.is_empty() {
        return Err(fail("the database holds no hierarchy"));
    }
    let ctl = ctl.ok_or_else(|| fail("the database holds no CTL"))?;
    std::fs::create_dir_all(&a.out)
        .map_err(|e| fail(format!("cannot create {}: {e}", a.out.display())))?;
    let mut files: Vec<(String, Vec<u8>)> = authorities
        .into_iter()
        .map(|x| (format!("{}.oer", x.name), x.certificate))
        .collect();
    files.push(("ctl.oer".to_string(), ctl.spdu));
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = a.out.join(&name);
        std::fs::write(&path, &bytes)
            .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
        written.push(name);
    }
    Ok(written)
}

pub fn run(args: ExportArgs) -> ExitCode {
    match execute(args) {
        Ok(names) => {
            for n in names {
                println!("{n}");
            }
            ExitCode::SUCCESS
        }
        Err(Fail(code, msg)) => {
            eprintln!("scms export: {msg}");
            ExitCode::from(code)
        }
    }
}
