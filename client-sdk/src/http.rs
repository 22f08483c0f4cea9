//! Blocking HTTP transport to the SCMS (cargo feature `http`; `https` adds
//! TLS with rustls). The sans-IO core builds and checks the SPDUs; this module
//! only moves their bytes, 1609.2.1's REST shape:
//!
//! | call | method and path | body in | answer |
//! |---|---|---|---|
//! | [`EcaClient::enroll`] | `POST {eca}/v3/enrollment-certificate` | `EeEcaCertRequestSpdu` | `EcaEeCertResponseSpdu` |
//! | [`EcaClient::certificate_chain`] | `GET {eca}/v3/ca-certificate` | | `CertificateChainSpdu` |
//! | [`EcaClient::ctl`] | `GET {eca}/v3/ctl` | | `MultiSignedCtlSpdu` |
//! | [`EcaClient::successor`] | `POST {eca}/v3/successor-enrollment-certificate` | `EeRaSuccessorEnrollmentCertRequestSpdu` | `RaEeEnrollmentCertAckSpdu` |
//! | [`EcaClient::successor_download`] | `GET {eca}/v3/successor-enrollment-certificate`, header `Download-Req` as below | | `EcaEeCertResponseSpdu` |
//! | [`RaClient::provision`] | `POST {ra}/v3/authorization-certificate` | `EeRaCertRequestSpdu` | `RaEeCertAckSpdu` |
//! | [`RaClient::download`] | `GET {ra}/v3/authorization-certificate`, header `Download-Req`: base64 (RFC 4648, padded) of the `EeRaDownloadRequestSpdu` | | the zip of the i-period; 503 + `Retry-After` when not ready |
//! | [`RaClient::ra_certificate`] | `GET {ra}/v3/ra-certificate` | | the RA certificate |
//!
//! Bodies are COER, `application/octet-stream`. The download request travels
//! in a header because a GET has no body in HTTP semantics (and proxies drop
//! it); this is the form the RA of this repository serves.

use core::fmt;
use std::io::Read;
use std::time::Duration;

/// The largest answer read (bytes): a year of pseudonyms fits many times.
pub const MAX_ANSWER: u64 = 64 * 1024 * 1024;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The server answered with an error status and its one-line reason.
    Status { code: u16, reason: String },
    /// Not ready yet (503): ask again after `retry_after_s` seconds.
    NotReady { retry_after_s: Option<u64> },
    /// Connection, TLS, timeout or reading failed.
    Transport(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status { code, reason } => write!(f, "HTTP {code}: {reason}"),
            Self::NotReady {
                retry_after_s: Some(s),
            } => write!(f, "not ready, retry after {s} s"),
            Self::NotReady {
                retry_after_s: None,
            } => f.write_str("not ready"),
            Self::Transport(w) => write!(f, "transport: {w}"),
        }
    }
}

impl std::error::Error for HttpError {}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(timeout).build()
}

fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

fn read_body(r: ureq::Response) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::new();
    r.into_reader()
        .take(MAX_ANSWER)
        .read_to_end(&mut out)
        .map_err(|e| HttpError::Transport(e.to_string()))?;
    Ok(out)
}

fn answer(r: Result<ureq::Response, ureq::Error>) -> Result<Vec<u8>, HttpError> {
    match r {
        Ok(resp) => read_body(resp),
        Err(ureq::Error::Status(503, resp)) => Err(HttpError::NotReady {
            retry_after_s: resp
                .header("retry-after")
                .and_then(|v| v.trim().parse().ok()),
        }),
        Err(ureq::Error::Status(code, resp)) => {
            let reason = resp
                .into_string()
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(512)
                .collect();
            Err(HttpError::Status { code, reason })
        }
        Err(ureq::Error::Transport(t)) => Err(HttpError::Transport(t.to_string())),
    }
}

fn post(agent: &ureq::Agent, url: &str, body: &[u8]) -> Result<Vec<u8>, HttpError> {
    answer(
        agent
            .post(url)
            .set("Content-Type", "application/octet-stream")
            .send_bytes(body),
    )
}

fn get(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, HttpError> {
    answer(agent.get(url).call())
}

/// The ECA's interface.
#[derive(Clone, Debug)]
pub struct EcaClient {
    base: String,
    agent: ureq::Agent,
}

impl EcaClient {
    /// A client of the ECA at `base` (e.g. `http://127.0.0.1:8080`), with a
    /// 30 s timeout per call.
    pub fn new(base: &str) -> Self {
        Self::with_timeout(base, Duration::from_secs(30))
    }

    pub fn with_timeout(base: &str, timeout: Duration) -> Self {
        Self {
            base: base.to_string(),
            agent: agent(timeout),
        }
    }

    /// Sends an `EeEcaCertRequestSpdu` (see `enroll::build_enrollment_request`)
    /// and returns the `EcaEeCertResponseSpdu` (check it with
    /// `enroll::process_enrollment_response`).
    pub fn enroll(&self, request: &[u8]) -> Result<Vec<u8>, HttpError> {
        post(
            &self.agent,
            &join(&self.base, "/v3/enrollment-certificate"),
            request,
        )
    }

    /// The `CertificateChainSpdu` (home CTL, ECA, ICA): see
    /// `bootstrap::process_certificate_chain`.
    pub fn certificate_chain(&self) -> Result<Vec<u8>, HttpError> {
        get(&self.agent, &join(&self.base, "/v3/ca-certificate"))
    }

    /// The latest `MultiSignedCtlSpdu`: see `bootstrap::bootstrap`.
    pub fn ctl(&self) -> Result<Vec<u8>, HttpError> {
        get(&self.agent, &join(&self.base, "/v3/ctl"))
    }

    /// Sends an `EeRaSuccessorEnrollmentCertRequestSpdu` (see
    /// `enroll::build_successor_request`) and returns the
    /// `RaEeEnrollmentCertAckSpdu` (see `enroll::process_successor_ack`).
    /// 1609.2.1 places this endpoint on the RA; this repository's ECA serves it.
    pub fn successor(&self, request: &[u8]) -> Result<Vec<u8>, HttpError> {
        post(
            &self.agent,
            &join(&self.base, "/v3/successor-enrollment-certificate"),
            request,
        )
    }

    /// Downloads the `EcaEeCertResponseSpdu` of a successor enrollment with
    /// an `EeRaDownloadRequestSpdu` (see `enroll::successor_download_request`).
    pub fn successor_download(&self, download_request: &[u8]) -> Result<Vec<u8>, HttpError> {
        answer(
            self.agent
                .get(&join(&self.base, "/v3/successor-enrollment-certificate"))
                .set("Download-Req", &base64(download_request))
                .call(),
        )
    }
}

/// The RA's interface.
#[derive(Clone, Debug)]
pub struct RaClient {
    base: String,
    agent: ureq::Agent,
}

impl RaClient {
    /// A client of the RA at `base`, with a 30 s timeout per call.
    pub fn new(base: &str) -> Self {
        Self::with_timeout(base, Duration::from_secs(30))
    }

    pub fn with_timeout(base: &str, timeout: Duration) -> Self {
        Self {
            base: base.to_string(),
            agent: agent(timeout),
        }
    }

    /// Sends an `EeRaCertRequestSpdu` (see
    /// `provision::ButterflyRequest::build_request`) and returns the
    /// `RaEeCertAckSpdu` (see `ButterflyRequest::process_ack`).
    pub fn provision(&self, request: &[u8]) -> Result<Vec<u8>, HttpError> {
        post(
            &self.agent,
            &join(&self.base, "/v3/authorization-certificate"),
            request,
        )
    }

    /// Downloads the zip of an i-period for an `EeRaDownloadRequestSpdu` (see
    /// `ButterflyRequest::download_request`); `HttpError::NotReady` with the
    /// server's `Retry-After` while the batch is being made.
    pub fn download(&self, download_request: &[u8]) -> Result<Vec<u8>, HttpError> {
        answer(
            self.agent
                .get(&join(&self.base, "/v3/authorization-certificate"))
                .set("Download-Req", &base64(download_request))
                .call(),
        )
    }

    /// The RA certificate (COER), to encrypt requests to.
    pub fn ra_certificate(&self) -> Result<Vec<u8>, HttpError> {
        get(&self.agent, &join(&self.base, "/v3/ra-certificate"))
    }
}

/// Standard base64 (RFC 4648 clause 4) with padding.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let b = [
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
            c.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (k, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if k <= c.len() {
                out.push(char::from(A[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }
}
