//! A minimal HTTP/1.1 client over tokio (one connection per request,
//! `Connection: close`), for the authority-to-authority calls (RA -> LA,
//! RA -> ACA, ACA -> LA, MA -> RA, ...) and the simulated devices of the
//! tests and benches. `https://` peers are reached over TLS (rustls) once
//! the process has set the certificates it trusts for them
//! ([`set_tls_roots`]).

use core::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

/// Longest wait for a peer to accept the connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for the whole answer once connected (a peer that accepts
/// and never answers must not hold the RA worker or a request forever).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest answer read (a peer cannot make us hold more).
pub const MAX_ANSWER: u64 = 64 * 1024 * 1024;

/// The TLS client configuration for `https://` peers.
static TLS: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();

/// Trusts the certificates of `pem` (the peers' own, or the CA that issued
/// them) for every `https://` call of this process. Once per process: later
/// calls leave the first roots in place.
pub fn set_tls_roots(pem: &[u8]) -> Result<(), HttpError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pem) {
        let c = c.map_err(|e| HttpError::Tls(format!("trusted certificates: {e}")))?;
        roots
            .add(c)
            .map_err(|e| HttpError::Tls(format!("trusted certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(HttpError::Tls("no trusted certificate in the PEM".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // Already set (a second role of this process): the first roots stay.
    let _ = TLS.set(Arc::new(config));
    Ok(())
}

/// Why a call failed before an HTTP status was read.
#[derive(Debug)]
pub enum HttpError {
    /// The base URL is not `http://HOST:PORT`.
    Url(String),
    /// Connect, write or read failed.
    Io(std::io::Error),
    /// The answer is not HTTP/1.1.
    Malformed(&'static str),
    /// TLS: no trusted roots set, handshake or certificate refused.
    Tls(String),
    /// The peer did not accept the connection, or did not answer, in time.
    Timeout {
        base: String,
        connecting: bool,
        after: Duration,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url(u) => write!(f, "URL {u}: expected http://HOST:PORT or https://HOST:PORT"),
            Self::Tls(w) => write!(f, "TLS: {w}"),
            Self::Io(e) => write!(f, "I/O: {e}"),
            Self::Malformed(w) => write!(f, "malformed HTTP answer: {w}"),
            Self::Timeout {
                base,
                connecting: true,
                after,
            } => write!(f, "{base}: no connection within {} s", after.as_secs_f64()),
            Self::Timeout {
                base,
                connecting: false,
                after,
            } => write!(
                f,
                "{base}: no complete answer within {} s",
                after.as_secs_f64()
            ),
        }
    }
}

impl std::error::Error for HttpError {}

impl From<std::io::Error> for HttpError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// An answer.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as one line of text (error reasons).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).trim().to_string()
    }
}

/// Sends `method path` with `headers` and `body` to `base` (`http://HOST:PORT`),
/// within [`CONNECT_TIMEOUT`] and [`ANSWER_TIMEOUT`].
pub async fn call(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<HttpResponse, HttpError> {
    call_within(
        base,
        method,
        path,
        headers,
        body,
        CONNECT_TIMEOUT,
        ANSWER_TIMEOUT,
    )
    .await
}

/// [`call`] with other time limits: `connect` to be connected, then `answer`
/// to send the request and read the whole answer.
pub async fn call_within(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    connect: Duration,
    answer: Duration,
) -> Result<HttpResponse, HttpError> {
    let (tls, host) = match (base.strip_prefix("http://"), base.strip_prefix("https://")) {
        (Some(h), _) => (false, h),
        (_, Some(h)) => (true, h),
        _ => return Err(HttpError::Url(base.to_string())),
    };
    let host = host.trim_end_matches('/');
    let timeout = |connecting, after| HttpError::Timeout {
        base: base.to_string(),
        connecting,
        after,
    };
    let s = tokio::time::timeout(connect, TcpStream::connect(host))
        .await
        .map_err(|_| timeout(true, connect))??;
    s.set_nodelay(true)?;
    if !tls {
        return tokio::time::timeout(answer, exchange(s, host, method, path, headers, body))
            .await
            .map_err(|_| timeout(false, answer))?;
    }
    let config = TLS.get().ok_or_else(|| {
        HttpError::Tls(format!(
            "{base}: no trusted certificates set for https peers"
        ))
    })?;
    // The name the certificate must carry: the host without the port.
    let name = host
        .rsplit_once(':')
        .map_or(host, |(h, _)| h)
        .trim_start_matches('[')
        .trim_end_matches(']');
    let name = rustls::pki_types::ServerName::try_from(name.to_string())
        .map_err(|e| HttpError::Tls(format!("{base}: {e}")))?;
    let s = tokio::time::timeout(
        connect,
        tokio_rustls::TlsConnector::from(config.clone()).connect(name, s),
    )
    .await
    .map_err(|_| timeout(true, connect))?
    .map_err(|e| HttpError::Tls(format!("{base}: {e}")))?;
    tokio::time::timeout(answer, exchange(s, host, method, path, headers, body))
        .await
        .map_err(|_| timeout(false, answer))?
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<HttpResponse, HttpError> {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        req.push_str(n);
        req.push_str(": ");
        req.push_str(v);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    let mut out = req.into_bytes();
    out.extend_from_slice(body);
    s.write_all(&out).await?;
    s.flush().await?;
    let mut buf = Vec::new();
    let read = (&mut s).take(MAX_ANSWER + 1).read_to_end(&mut buf).await;
    match read {
        Ok(_) => {}
        // A TLS peer that closes without close_notify: the answer is whole
        // when it parses (sized or chunked), which parse_response checks.
        Err(e) if tls_eof(&e) && !buf.is_empty() => {}
        Err(e) => return Err(e.into()),
    }
    if buf.len() as u64 > MAX_ANSWER {
        return Err(HttpError::Malformed("answer over 64 MiB"));
    }
    parse_response(&buf)
}

fn tls_eof(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::UnexpectedEof
}

/// Parses a whole HTTP/1.1 response as read until the server closed the
/// connection (status, headers, body; chunked or sized).
pub fn parse_response(buf: &[u8]) -> Result<HttpResponse, HttpError> {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(HttpError::Malformed("no end of headers"))?;
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| HttpError::Malformed("headers"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or(HttpError::Malformed("status line"))?;
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or(HttpError::Malformed("status"))?;
    let mut headers = Vec::new();
    for l in lines {
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut body = buf[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(n) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(n);
    }
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::new();
    loop {
        let eol = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or(HttpError::Malformed("chunk size"))?;
        let size = std::str::from_utf8(&b[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .ok_or(HttpError::Malformed("chunk size"))?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = b.get(..size).ok_or(HttpError::Malformed("chunk"))?;
        out.extend_from_slice(chunk);
        b = b.get(size + 2..).ok_or(HttpError::Malformed("chunk end"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peer that accepts and never answers ends in a timeout naming it.
    #[tokio::test]
    async fn a_silent_peer_times_out() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", l.local_addr().expect("addr"));
        let hold = tokio::spawn(async move {
            let (s, _) = l.accept().await.expect("accept");
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(s);
        });
        let t0 = std::time::Instant::now();
        let e = call_within(
            &base,
            "GET",
            "/x",
            &[],
            &[],
            Duration::from_secs(1),
            Duration::from_millis(300),
        )
        .await
        .expect_err("no answer");
        assert!(t0.elapsed() < Duration::from_secs(5));
        assert!(
            matches!(
                e,
                HttpError::Timeout {
                    connecting: false,
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            format!("{base}: no complete answer within 0.3 s")
        );
        hold.abort();
    }
}
