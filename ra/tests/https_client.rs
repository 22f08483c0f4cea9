//! The authorities' HTTP client over TLS: an `https://` peer is refused
//! until the process trusts certificates ([`set_tls_roots`]), then reached
//! when its certificate (made by OpenSSL, served by rustls) chains to them
//! and names the host, and refused when it names another host.

use std::process::Command;
use std::sync::Arc;

use scms_ra::http::{call, set_tls_roots, HttpError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

/// A self-signed P-256 server certificate for DNS:localhost by the openssl
/// tool: (cert PEM, key PEM).
fn certificate(dir: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
    let (cert, key) = (dir.join("c.pem"), dir.join("k.pem"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        // A server certificate, not a CA (webpki refuses a CA as end entity).
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (std::fs::read(cert).unwrap(), std::fs::read(key).unwrap())
}

/// A TLS server answering every connection with 200 "ok"; its port.
async fn server(cert: &[u8], key: &[u8]) -> u16 {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert)
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = l.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut s) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = s
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = s.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn https_peers_need_trusted_certificates_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(dir.path());
    let port = server(&cert, &key).await;
    let url = format!("https://localhost:{port}");

    // No trusted certificates yet: refused before any byte is sent.
    match call(&url, "GET", "/healthz", &[], &[]).await {
        Err(HttpError::Tls(w)) => assert!(w.contains("no trusted"), "{w}"),
        other => panic!("{other:?}"),
    }
    set_tls_roots(&cert).unwrap();
    let r = call(&url, "GET", "/healthz", &[], &[]).await.unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "ok"));
    // The same server by an address its certificate does not name.
    match call(&format!("https://127.0.0.1:{port}"), "GET", "/", &[], &[]).await {
        Err(HttpError::Tls(w)) => assert!(w.to_lowercase().contains("certificate"), "{w}"),
        other => panic!("{other:?}"),
    }
    // Plain HTTP to the TLS port gets no answer it could take for one.
    assert!(
        call(&format!("http://localhost:{port}"), "GET", "/", &[], &[])
            .await
            .is_err()
    );
    // Junk is not a trust root.
    assert!(matches!(
        set_tls_roots(b"not a PEM"),
        Err(HttpError::Tls(_))
    ));
}
