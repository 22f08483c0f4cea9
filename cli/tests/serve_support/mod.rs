//! `scms` as an operator runs it, for the tests that start `scms serve`
//! processes: a data directory from `scms init`, a server (its `ROLE URL`
//! lines, SIGTERM, SIGKILL), and plain HTTP/1.1 exchanges.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const PASS: (&str, &str) = ("SCMS_TEST_PASS", "correct horse battery staple");

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `scms init --data-dir TMP` with `extra` arguments, then `toml` appended
/// to its scms.toml (after `pass_env`).
pub fn init(extra: &[&str], toml: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["init", "--data-dir", s(tmp.path()), "--pass-env", PASS.0])
        .args(extra)
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
    cfg.write_all(format!("pass_env = \"{}\"\n{toml}", PASS.0).as_bytes())
        .expect("write");
    tmp
}

/// Every role `scms serve` runs.
pub const ROLES: [&str; 8] = ["root", "eca", "aca", "ra", "la1", "la2", "ma", "crl"];

/// [`init`] whose configuration listens on free ports for every role, with
/// `toml` (further tables) appended.
pub fn init_data_dir(extra: &[&str], toml: &str) -> tempfile::TempDir {
    let mut t = String::from("[serve.listen]\n");
    for role in ROLES {
        t.push_str(&format!("{role} = \"127.0.0.1:0\"\n"));
    }
    t.push_str(toml);
    init(extra, &t)
}

/// A free TCP port on loopback (to give a role a fixed address across restarts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

pub struct Server {
    pub child: Child,
    /// role -> base URL, from the lines `scms serve` prints.
    pub urls: Vec<(String, String)>,
    /// Its log when piped (stderr), drained as it comes: a full pipe would
    /// stall the server.
    log: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    pub fn start(dir: &Path, extra: &[&str], roles: usize) -> Server {
        Server::try_start(dir, extra, roles, Stdio::piped()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts `scms serve --config DIR/scms.toml EXTRA...` (its stderr to
    /// `stderr`) and reads the `ROLE URL` line of each of its `roles`.
    pub fn try_start(
        dir: &Path,
        extra: &[&str],
        roles: usize,
        stderr: Stdio,
    ) -> Result<Server, String> {
        Server::try_start_with_env(dir, extra, roles, stderr, &[])
    }

    /// [`Server::start`] with extra environment variables.
    pub fn start_with_env(
        dir: &Path,
        extra: &[&str],
        roles: usize,
        env: &[(&str, &str)],
    ) -> Server {
        Server::try_start_with_env(dir, extra, roles, Stdio::piped(), env)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn try_start_with_env(
        dir: &Path,
        extra: &[&str],
        roles: usize,
        stderr: Stdio,
        env: &[(&str, &str)],
    ) -> Result<Server, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scms"))
            .args(["serve", "--config", s(&dir.join("scms.toml"))])
            .args(extra)
            .env(PASS.0, PASS.1)
            .env_remove("SCMS_DATABASE_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("run scms serve: {e}"))?;
        let log = child.stderr.take().map(|mut e| {
            std::thread::spawn(move || {
                let mut s = String::new();
                let _ = e.read_to_string(&mut s);
                s
            })
        });
        let stdout = child.stdout.take().ok_or("stdout")?;
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
            let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("scms serve {extra:?} did not print its roles"));
            };
            let (role, url) = line.split_once(' ').ok_or("ROLE URL")?;
            urls.push((role.to_string(), url.to_string()));
        }
        Ok(Server { child, urls, log })
    }

    /// SIGKILL, and the exit reaped.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

/// (status, headers in lower case, body) of one HTTP/1.1 exchange.
pub fn http(base: &str, method: &str, path: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    raw(
        base,
        format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
        body,
    )
}

pub fn raw(base: &str, head: &[u8], body: &[u8]) -> (u16, String, Vec<u8>) {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    s.write_all(head).expect("write");
    let _ = s.write_all(body);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers");
    let headers = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    let mut body = buf[end + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut b = &body[..];
        while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
            let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).expect("hex").trim(), 16)
                .expect("size");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
            b = &b[eol + 4 + n..];
        }
        body = out;
    }
    (status, headers, body)
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn wait_ready(base: &str) {
    let t0 = Instant::now();
    loop {
        let (st, _, body) = http(base, "GET", "/readyz", b"");
        if st == 200 {
            assert_eq!(text(&body).trim(), "ready");
            return;
        }
        assert_eq!(st, 503, "{}", text(&body));
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "{base} not ready: {}",
            text(&body)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One exchange, or why it could not be made (connection refused, reset,
/// no complete answer): (status, headers in lower case, body).
pub fn try_http(
    base: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<(u16, String, Vec<u8>), String> {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    s.write_all(body).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| e.to_string())?;
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no complete answer")?;
    let headers = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?;
    Ok((status, headers, buf[end + 4..].to_vec()))
}
