//! `scms serve` as a child process on a data directory from `scms init`,
//! shared by the tests that drive the binary as an operator runs it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const PASS: (&str, &str) = ("SCMS_TEST_PASS", "correct horse battery staple");

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Every role `scms serve` runs.
pub const ROLES: [&str; 8] = ["root", "eca", "aca", "ra", "la1", "la2", "ma", "crl"];

/// A data directory from `scms init ARGS` whose configuration listens on
/// free ports for every role, with `extra` (TOML tables) appended.
pub fn init_data_dir(args: &[&str], extra: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["init", "--data-dir", s(tmp.path()), "--pass-env", PASS.0])
        .args(args)
        .env(PASS.0, PASS.1)
        .output()
        .expect("run scms init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cfg = std::fs::OpenOptions::new()
        .append(true)
        .open(tmp.path().join("scms.toml"))
        .expect("scms.toml");
    let mut text = String::from("pass_env = \"SCMS_TEST_PASS\"\n[serve.listen]\n");
    for role in ROLES {
        text.push_str(&format!("{role} = \"127.0.0.1:0\"\n"));
    }
    text.push_str(extra);
    cfg.write_all(text.as_bytes()).expect("write");
    tmp
}

pub struct Server {
    pub child: Child,
    /// role -> base URL, from the lines `scms serve` prints.
    pub urls: Vec<(String, String)>,
    /// Its log (stderr), drained as it comes: a full pipe would stall it.
    log: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    /// `scms serve` on `dir`, once it printed the URLs of `roles` roles.
    pub fn start(dir: &Path, extra: &[&str], roles: usize) -> Server {
        Self::start_with_env(dir, extra, roles, &[])
    }

    /// [`Server::start`] with extra environment variables.
    pub fn start_with_env(
        dir: &Path,
        extra: &[&str],
        roles: usize,
        env: &[(&str, &str)],
    ) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scms"))
            .args(["serve", "--config", s(&dir.join("scms.toml"))])
            .args(extra)
            .env(PASS.0, PASS.1)
            .env_remove("SCMS_DATABASE_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run scms serve");
        let mut stderr = child.stderr.take().expect("stderr");
        let log = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut urls = Vec::new();
        while urls.len() < roles {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("scms serve prints its roles");
            let (role, url) = line.split_once(' ').expect("ROLE URL");
            urls.push((role.to_string(), url.to_string()));
        }
        Server {
            child,
            urls,
            log: Some(log),
        }
    }

    pub fn url(&self, role: &str) -> &str {
        &self
            .urls
            .iter()
            .find(|(r, _)| r == role)
            .unwrap_or_else(|| panic!("{role} not served"))
            .1
    }

    /// SIGTERM, then the exit code and stderr.
    pub fn terminate(mut self) -> (Option<i32>, String) {
        let st = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(st.success());
        let t0 = Instant::now();
        let code = loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                break st.code();
            }
            assert!(
                t0.elapsed() < Duration::from_secs(15),
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let err = self
            .log
            .take()
            .and_then(|l| l.join().ok())
            .unwrap_or_default();
        (code, err)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
