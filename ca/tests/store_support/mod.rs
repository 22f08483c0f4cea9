//! Databases for the storage tests: a fresh SQLite file, and a fresh PostgreSQL
//! database on the server at 127.0.0.1:5432 when one answers there (or at
//! `SCMS_TEST_PG_URL`), otherwise on a throwaway server started here with
//! `initdb` + `pg_ctl` (from PATH or /usr/lib/postgresql/*/bin) in a temporary
//! directory on a free port, stopped when the test process exits
//! (`SCMS_TEST_PG_URL=throwaway` forces that, `SCMS_TEST_PG_URL=postgres://...`
//! names another server). Never
//! skipped: no PostgreSQL at all is a failure (`scripts/test.sh` installs it).
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use scms_ca::store::Store;
use sqlx::Connection;

/// A database for one test; keeps its temporary directory alive.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// (server, database) of a PostgreSQL test database, dropped by `cleanup`.
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Drops the PostgreSQL test database (a shared server keeps no leftovers).
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((server, name)) = &self.pg {
            if let Ok(mut admin) = admin(server).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            }
        }
    }
}

async fn admin(server: &str) -> Result<sqlx::PgConnection, sqlx::Error> {
    // Some servers have only the `test` database open to us.
    match sqlx::PgConnection::connect(&format!("{server}/postgres")).await {
        Ok(c) => Ok(c),
        Err(_) => sqlx::PgConnection::connect(&format!("{server}/test")).await,
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_sqlite(&dir.path().join("scms.db"))
        .await
        .expect("sqlite store");
    TestDb {
        url: format!("sqlite://{}", dir.path().join("scms.db").display()),
        store,
        _dir: Some(dir),
        pg: None,
    }
}

pub async fn postgres() -> TestDb {
    let server = pg_server().await;
    let name = unique_name();
    let mut admin = admin(&server).await.expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    let url = format!("{server}/{name}");
    let store = Store::connect(&url).await.expect("postgres store");
    TestDb {
        store,
        url,
        _dir: None,
        pg: Some((server, name)),
    }
}

fn unique_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "scms_test_{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// `postgres://postgres@HOST:PORT` of a server to use (found or started once).
pub async fn pg_server() -> String {
    static URL: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    URL.get_or_init(|| async {
        if let Ok(u) = std::env::var("SCMS_TEST_PG_URL") {
            if u == "throwaway" {
                return start_throwaway();
            }
            return u.trim_end_matches('/').to_string();
        }
        let local = "postgres://postgres@127.0.0.1:5432";
        let answers = TcpStream::connect_timeout(
            &"127.0.0.1:5432".parse().expect("addr"),
            Duration::from_millis(300),
        )
        .is_ok();
        if answers {
            // Usable only if it lets us in as postgres without a password.
            for db in ["test", "postgres"] {
                if sqlx::PgConnection::connect(&format!("{local}/{db}"))
                    .await
                    .is_ok()
                {
                    return local.to_string();
                }
            }
        }
        start_throwaway()
    })
    .await
    .clone()
}

fn pg_bin(name: &str) -> PathBuf {
    if let Ok(dirs) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = dirs.flatten().map(|d| d.path().join("bin")).collect();
        versions.sort();
        if let Some(p) = versions
            .iter()
            .rev()
            .map(|d| d.join(name))
            .find(|p| p.exists())
        {
            return p;
        }
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.exists())
    });
    found.unwrap_or_else(|| {
        panic!(
            "no PostgreSQL server at 127.0.0.1:5432 and no {name} to start one: \
             install postgresql (scripts/test.sh does)"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root (the server
/// refuses to run as root).
fn run_pg(cmd: &Path, args: &[&str]) -> std::process::Output {
    let mut c = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(cmd);
        c
    } else {
        Command::new(cmd)
    };
    c.args(args).output().expect("run a PostgreSQL tool")
}

fn start_throwaway() -> String {
    Throwaway::start().url
}

/// A PostgreSQL server of its own (`initdb` + `pg_ctl` in a temporary
/// directory, on a free port), for tests that stop and start it; stopped
/// and removed when the test process exits. Never the shared server on 5432.
pub struct Throwaway {
    /// `postgres://postgres@127.0.0.1:PORT`
    pub url: String,
    pg_ctl: PathBuf,
    data: String,
    opts: String,
    log: PathBuf,
}

impl Throwaway {
    pub fn start() -> Throwaway {
        let initdb = pg_bin("initdb");
        let pg_ctl = pg_bin("pg_ctl");
        let base = std::env::temp_dir().join(format!("scms-pg-{}", unique_name()));
        std::fs::create_dir_all(&base).expect("pg dir");
        let data = base.join("data");
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&base)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "chown the throwaway PostgreSQL directory");
        }
        let data_s = data.to_str().expect("utf-8 path").to_string();
        let out = run_pg(
            &initdb,
            &[
                "-D",
                &data_s,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let opts = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            base.display()
        );
        let t = Throwaway {
            url: format!("postgres://postgres@127.0.0.1:{port}"),
            pg_ctl: pg_ctl.clone(),
            data: data_s.clone(),
            opts,
            log: base.join("log"),
        };
        t.start_server();
        // Stop it and remove it when this test process exits.
        let stop = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {run}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {base}",
            pid = std::process::id(),
            run = if is_root() { "runuser -u postgres -- " } else { "" },
            pg_ctl = pg_ctl.display(),
            data = data_s,
            base = base.display(),
        );
        // `setsid -f` forks the watchdog off and returns at once.
        let started = Command::new("setsid")
            .args(["-f", "sh", "-c", &stop])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("watchdog");
        assert!(started.success(), "watchdog");
        t
    }

    /// `pg_ctl start` (waits until it accepts connections).
    pub fn start_server(&self) {
        let out = run_pg(
            &self.pg_ctl,
            &[
                "-D",
                &self.data,
                "-o",
                &self.opts,
                "-l",
                self.log.to_str().expect("utf-8"),
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    /// `pg_ctl stop -m fast`: the connections are cut, the server is gone
    /// until [`Self::start_server`].
    pub fn stop_server(&self) {
        let out = run_pg(
            &self.pg_ctl,
            &["-D", &self.data, "-m", "fast", "-w", "stop"],
        );
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A new database on this server: its URL.
    pub async fn create_database(&self) -> String {
        let name = unique_name();
        let mut admin = admin(&self.url).await.expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        format!("{}/{name}", self.url)
    }
}
