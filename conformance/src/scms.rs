//! The SCMS under test through its 1609.2.1 `/v3/` interfaces: [`HttpScms`]
//! (any server, as a black box), [`LocalScms`] (our authorities in this
//! process: ECA, RA, LA1, LA2, ACA, CRL signer, dispatched by path without a
//! network) and [`serve`] (a [`LocalScms`] on a loopback HTTP port).

use base64::Engine;
use scms_asn1::ieee1609dot2::Time32;
use scms_asn1::ieee1609dot2dot1::eca_ee::EcaEeInterfacePdu;
use scms_asn1::ieee1609dot2dot1::protocol::{EcaEeCertResponseSpdu, ScmsPdu, ScmsPduContent};
use scms_ca::aca::{Aca, TrustStore};
use scms_ca::crl_service::{CrlService, CrlServiceConfig};
use scms_ca::eca::{certificate_chain, handle_enrollment, system_now, Eca};
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::profile::{builtin, Family};
use scms_ca::spdu::{signed_spdu, SignerForm};
use scms_ca::store::{Batch, Store};
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_la::{LinkageAuthority, MemoryChainStore};
use scms_ma::{MaConfig, MaPeers, MaService};
use scms_ra::{
    Blocklist, LocalLinkageAuthorities, MemoryBlocklist, Ra, RaConfig, RaError, RaState,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An HTTP answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).trim().to_string()
    }

    /// An error answer with a reason in the body, as opposed to a server's
    /// empty "no such route".
    pub fn is_protocol_answer(&self) -> bool {
        !self.body.is_empty()
    }

    pub fn is_client_error(&self) -> bool {
        (400..500).contains(&self.status)
    }
}

/// An SCMS as the suite drives it.
pub trait Scms {
    fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpAnswer, String>;

    /// Blocklists an enrollment certificate (HashedId8) through the
    /// operator's side; `None` when the target offers no such control (a
    /// black box), which makes the blocklist test purposes inconclusive.
    fn block(&mut self, _enrollment: [u8; 8]) -> Option<Result<(), String>> {
        None
    }
}

/// The 1609.2.1 paths the suite calls, by the authority that answers them.
/// A deployment that serves each authority on its own address is driven
/// with one `ROLE=URL` endpoint per role ([`HttpScms::with_endpoint`]).
pub const ENDPOINT_ROLES: &[(&str, &[&str])] = &[
    (
        "eca",
        &[
            "/v3/enrollment-certificate",
            "/v3/ca-certificate",
            "/v3/ctl",
        ],
    ),
    (
        "ra",
        &["/v3/ra-certificate", "/v3/authorization-certificate"],
    ),
    ("crl", &["/v3/crl"]),
    ("ma", &["/v3/ma-certificate", "/v3/misbehavior-report"]),
];

/// An SCMS at `http://HOST:PORT`, or at one address per authority.
pub struct HttpScms {
    /// Where every path not routed by an endpoint goes.
    pub base: String,
    /// Path -> base URL of the authority that answers it.
    pub routes: Vec<(&'static str, String)>,
    pub timeout: Duration,
}

impl HttpScms {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            routes: Vec::new(),
            timeout: Duration::from_secs(20),
        }
    }

    /// Sends the paths of `role` (one of [`ENDPOINT_ROLES`]) to `url`.
    pub fn with_endpoint(mut self, role: &str, url: &str) -> Result<Self, String> {
        let (_, paths) = ENDPOINT_ROLES
            .iter()
            .find(|(r, _)| *r == role)
            .ok_or_else(|| {
                let roles: Vec<&str> = ENDPOINT_ROLES.iter().map(|(r, _)| *r).collect();
                format!("endpoint {role:?}: expected one of {}", roles.join(", "))
            })?;
        if !url.starts_with("http://") {
            return Err(format!("endpoint {role}={url}: expected http://HOST:PORT"));
        }
        let url = url.trim_end_matches('/');
        self.routes.retain(|(p, _)| !paths.contains(p));
        self.routes
            .extend(paths.iter().map(|p| (*p, url.to_string())));
        Ok(self)
    }

    /// The base URL that answers `path` (its query string ignored).
    pub fn base_for(&self, path: &str) -> &str {
        let bare = path.split('?').next().unwrap_or(path);
        self.routes
            .iter()
            .find(|(p, _)| *p == bare)
            .map_or(self.base.as_str(), |(_, u)| u.as_str())
    }
}

impl Scms for HttpScms {
    fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpAnswer, String> {
        http_call(
            self.base_for(path),
            method,
            path,
            headers,
            body,
            self.timeout,
        )
    }
}

/// One HTTP/1.1 exchange (`Connection: close`).
pub fn http_call(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<HttpAnswer, String> {
    let host = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("{base}: expected http://HOST:PORT"))?;
    let mut s = TcpStream::connect(host).map_err(|e| format!("connect {host}: {e}"))?;
    s.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    // A server may answer before reading the body.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| format!("read: {e}"))?;
    parse_answer(&raw)
}

fn parse_answer(raw: &[u8]) -> Result<HttpAnswer, String> {
    let r = scms_ra::http::parse_response(raw).map_err(|e| e.to_string())?;
    Ok(HttpAnswer {
        status: r.status,
        headers: r.headers,
        body: r.body,
    })
}

/// Where the MA reaches the other authorities, but for the CRL generator
/// (started with it by [`start_crl_and_ma`]).
#[derive(Clone, Debug)]
pub struct MaAuthorities {
    pub aca: String,
    pub ra: String,
    pub la1: String,
    pub la2: String,
}

/// The CRL generator and the MA as HTTP services on loopback ports, each on
/// its own SQLite database in `dir`, wired as `ma/tests/misbehavior_http.rs`
/// wires them: the CRL generator issues an empty linkage-based CRL at once (so
/// `GET /v3/crl` has one to serve before any revocation), the MA trusts the
/// root, the ICA and the ACA and sends its revocations to the CRL generator.
/// Must run inside a multi-thread runtime that outlives the services.
pub async fn start_crl_and_ma(
    ks: Arc<dyn KeyStore>,
    h: &Hierarchy,
    iperiod_epoch_unix: i64,
    certs_per_period: u8,
    authorities: MaAuthorities,
    dir: &std::path::Path,
) -> Result<CrlAndMa, String> {
    let cert = |role: &str| h.certificate(role).map(<[u8]>::to_vec).map_err(err);
    let clock: scms_ca::crl_service::Clock = Arc::new(system_now);
    let mut ca_trust = TrustStore::new();
    ca_trust.add_anchor(&cert("root")?).map_err(err)?;
    ca_trust.add_ca(&cert("ica")?).map_err(err)?;
    let crl = Arc::new(
        CrlService::open(
            CrlServiceConfig::new(
                cert("crl")?,
                h.key_labels["crl"].clone(),
                ca_trust.clone(),
                iperiod_epoch_unix,
            ),
            ks.clone(),
            Store::open_sqlite(&dir.join("crl.db")).await.map_err(err)?,
            clock.clone(),
        )
        .await
        .map_err(err)?,
    );
    crl.issue(crl.config().linkage_series).await.map_err(err)?;
    let crl_url = serve_router(scms_ca::crl_service::router(crl.clone())).await?;
    let mut ma_trust = ca_trust;
    ma_trust.add_ca(&cert("aca")?).map_err(err)?;
    let ma_label = h.key_labels["ma"].clone();
    let mut config = MaConfig::new(
        cert("ma")?,
        ma_label.clone(),
        format!("{ma_label}-enc"),
        ma_trust,
        iperiod_epoch_unix,
    );
    config.jmax = certs_per_period;
    let ma = MaService::open(
        config,
        ks,
        Store::open_sqlite(&dir.join("ma.db")).await.map_err(err)?,
        clock,
        MaPeers {
            aca: authorities.aca,
            ra: authorities.ra,
            la1: authorities.la1,
            la2: authorities.la2,
            crl: crl_url.clone(),
            la1_certificate: cert("la1")?,
            la2_certificate: cert("la2")?,
        },
    )
    .await
    .map_err(err)?;
    let ma = Arc::new(ma);
    let ma_url = serve_router(scms_ma::router(ma.clone())).await?;
    Ok(CrlAndMa {
        crl_url,
        ma_url,
        crl,
        ma,
    })
}

/// What [`start_crl_and_ma`] started.
pub struct CrlAndMa {
    pub crl_url: String,
    pub ma_url: String,
    pub crl: Arc<CrlService>,
    pub ma: Arc<MaService>,
}

/// Serves `router` on a loopback port of the current runtime.
pub async fn serve_router(router: axum::Router) -> Result<String, String> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(err)?;
    let url = format!("http://{}", l.local_addr().map_err(err)?);
    tokio::spawn(async move {
        let _ = axum::serve(l, router).await;
    });
    Ok(url)
}

/// A defect injected into [`LocalScms`] (see `crate::mutants`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScmsDefect {
    /// The RA does not consult its blocklist.
    RaIgnoresBlocklist,
    /// The RA serves downloads with the first certificate (j = 0) of each batch missing.
    RaDropsCertificate,
    /// The ECA answers with a requestHash that is not the request's.
    EcaWrongRequestHash,
    /// The ECA puts a cracaId other than the root's in enrollment certificates.
    EcaWrongCraca,
    /// The CRL endpoint serves a CRL whose signature does not verify.
    CrlBadSignature,
    /// The MA takes reports that are signed but not encrypted to it (202
    /// without opening them; encrypted ones go to the real MA).
    MaAcceptsUnencrypted,
}

struct NoBlocklist;

impl Blocklist for NoBlocklist {
    fn is_blocked(&self, _: &[u8; 8]) -> bool {
        false
    }
}

/// Our SCMS in this process: the authorities of the `scms` crates wired
/// together (the ECA service with its SQLite store; the RA, LA1, LA2 and ACA
/// cores as `ra/tests` wire them), with every ACA batch processed at once (no
/// shuffle wait, no download delay, 5 certificates per i-period) so a run
/// takes seconds.
pub struct LocalScms {
    pub family: Family,
    rt: tokio::runtime::Runtime,
    ks: Arc<MemoryKeyStore>,
    pub h: Hierarchy,
    eca: Eca,
    ra: Ra,
    state: RaState,
    blocklist: MemoryBlocklist,
    aca: Aca,
    la1: LinkageAuthority,
    la2: LinkageAuthority,
    s1: MemoryChainStore,
    s2: MemoryChainStore,
    /// The CRL generator and the MA (real services on loopback, their own runtime).
    crl_url: String,
    ma_url: String,
    _services: tokio::runtime::Runtime,
    /// Acknowledgements by request hash: a repeated request gets the same one
    /// (what `scms_ra::service::RaService` stores in its database).
    acks: std::collections::HashMap<[u8; 8], Vec<u8>>,
    /// The ECA answers the wrong-request-hash defect gave, by request.
    resigned: std::collections::HashMap<Vec<u8>, Vec<u8>>,
    defect: Option<ScmsDefect>,
    _db: tempfile::TempDir,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl LocalScms {
    pub fn new(family: Family, defect: Option<ScmsDefect>) -> Result<Self, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(err)?;
        let ks = Arc::new(MemoryKeyStore::new());
        // A month old, so everything it issues fits inside.
        let t0 = system_now() - 30 * 86_400;
        let opts = HierarchyOptions::new(family, t0);
        let h = build(ks.as_ref(), &opts).map_err(err)?;
        let dir = tempfile::tempdir().map_err(err)?;
        let store = rt.block_on(async {
            let store = Store::open_sqlite(&dir.path().join("eca.db"))
                .await
                .map_err(err)?;
            let batch = Batch::hierarchy(&h, &opts).map_err(err)?;
            store
                .commit(&batch, scms_asn1::ieee1609dot2::time::unix_from_time32(t0))
                .await
                .map_err(err)?;
            Ok::<_, String>(store)
        })?;
        let keys: Arc<dyn KeyStore> = ks.clone();
        let mut eca = rt
            .block_on(Eca::from_store(
                store,
                keys,
                builtin(family, "enrollment").map_err(err)?,
            ))
            .map_err(err)?;
        if defect == Some(ScmsDefect::EcaWrongCraca) {
            eca.craca_id = [0x0b, 0xad, 0x00];
        }
        let cert = |role: &str| h.certificate(role).map(<[u8]>::to_vec).map_err(err);
        let mut trust = TrustStore::new();
        trust.add_anchor(&cert("root")?).map_err(err)?;
        for role in ["ica", "eca"] {
            trust.add_ca(&cert(role)?).map_err(err)?;
        }
        let profile = builtin(family, "pseudonym").map_err(err)?;
        let epoch = profile
            .iperiod_epoch_unix
            .ok_or("pseudonym profile without epoch")?;
        let aca_cert = cert("aca")?;
        let mut aca = Aca::new(
            aca_cert.clone(),
            h.key_labels["aca"].clone(),
            format!("{}-enc", h.key_labels["aca"]),
            profile,
            trust.clone(),
        );
        let alg = match family {
            Family::Us => SymmAlgorithm::Aes128Ccm,
            Family::Cn => SymmAlgorithm::Sm4Ccm,
        };
        let mut la1 = LinkageAuthority::new(LaId(1), alg);
        let mut la2 = LinkageAuthority::new(LaId(2), alg);
        aca.accept_la_key(
            ks.as_ref(),
            &la1.share_key_with_aca(&aca_cert).map_err(err)?,
        )
        .map_err(err)?;
        aca.accept_la_key(
            ks.as_ref(),
            &la2.share_key_with_aca(&aca_cert).map_err(err)?,
        )
        .map_err(err)?;
        let mut config = RaConfig::new(epoch);
        config.shuffle.min_devices = 1;
        config.shuffle.max_wait_secs = 0;
        config.download_delay_secs = 0;
        // Five certificates per i-period instead of 20: the same protocol, a faster run.
        config.policy.certs_per_period = 5;
        config.retry_secs = 1;
        let ra = Ra {
            certificate: cert("ra")?,
            key_label: h.key_labels["ra"].clone(),
            enc_key_label: format!("{}-enc", h.key_labels["ra"]),
            aca_certificate: aca_cert,
            trust,
            config,
        };
        let certs_per_period = ra.config.policy.certs_per_period;
        // The CRL generator and the MA. The MA's investigation peers (ACA, RA,
        // LAs) are cores in this process, not HTTP services: a revocation
        // decision here ends in HTTP 502 (tests/http.rs revokes for real
        // against the authorities as services).
        let services = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(err)?;
        let no_peer = "http://127.0.0.1:9".to_string();
        let started = services.block_on(start_crl_and_ma(
            ks.clone(),
            &h,
            epoch,
            u8::try_from(certs_per_period).unwrap_or(u8::MAX),
            MaAuthorities {
                aca: no_peer.clone(),
                ra: no_peer.clone(),
                la1: no_peer.clone(),
                la2: no_peer,
            },
            dir.path(),
        ))?;
        let (crl_url, ma_url) = (started.crl_url, started.ma_url);
        Ok(Self {
            family,
            rt,
            ks,
            h,
            eca,
            ra,
            state: RaState::default(),
            blocklist: MemoryBlocklist::default(),
            aca,
            la1,
            la2,
            s1: MemoryChainStore::new(),
            s2: MemoryChainStore::new(),
            crl_url,
            ma_url,
            _services: services,
            acks: Default::default(),
            resigned: Default::default(),
            defect,
            _db: dir,
        })
    }

    fn now(&self) -> Time32 {
        system_now()
    }

    /// Expands, shuffles (K = 1), has the ACA issue and stores the responses.
    fn process_batches(&mut self, now: Time32) -> Result<(), RaError> {
        let mut las = LocalLinkageAuthorities {
            la1: (&self.la1, &mut self.s1),
            la2: (&self.la2, &mut self.s2),
        };
        self.ra.expand_pending(&mut self.state, &mut las, now)?;
        while let Some(batch) = self
            .ra
            .release_batch(&mut self.state, self.ks.as_ref(), now)?
        {
            for r in batch {
                let out = self
                    .aca
                    .handle_ra_aca_request(self.ks.as_ref(), &r, now)
                    .map_err(|e| RaError::BadAcaResponse(e.to_string()))?;
                self.ra
                    .accept_aca_response(&mut self.state, &out.response, now)?;
            }
        }
        Ok(())
    }

    fn enrollment(&mut self, body: &[u8]) -> Result<HttpAnswer, String> {
        let now = self.now();
        match self.rt.block_on(handle_enrollment(&self.eca, body, now)) {
            Ok(mut spdu) => {
                if self.defect == Some(ScmsDefect::EcaWrongRequestHash) {
                    // Once per request, so a repeated request still gets one answer.
                    spdu = match self.resigned.get(body) {
                        Some(s) => s.clone(),
                        None => {
                            let s = self.resign_with_wrong_hash(&spdu)?;
                            self.resigned.insert(body.to_vec(), s.clone());
                            s
                        }
                    };
                }
                Ok(ok(spdu))
            }
            Err(e) => Ok(failure(e.status().as_u16(), &e.to_string())),
        }
    }

    /// The ECA's answer with its requestHash inverted, signed again by the ECA.
    fn resign_with_wrong_hash(&self, spdu: &[u8]) -> Result<Vec<u8>, String> {
        let outer: EcaEeCertResponseSpdu<'_> = scms_asn1::decode(spdu).map_err(err)?;
        let mut pdu: ScmsPdu<'_> = outer.scms_pdu().map_err(err)?;
        if let ScmsPduContent::EcaEe(EcaEeInterfacePdu::EcaEeCertResponse(r)) = &mut pdu.content {
            for b in r.request_hash.iter_mut() {
                *b = !*b;
            }
        }
        let payload = scms_asn1::encode(&pdu).map_err(err)?;
        signed_spdu(
            self.ks.as_ref(),
            &self.eca.key_label,
            &self.eca.chain[0],
            scms_asn1::ieee1609dot2::Psid(scms_ca::profile::PSID_SECURITY_MGMT),
            payload,
            SignerForm::Certificate,
        )
        .map_err(err)
    }

    fn provisioning(&mut self, body: &[u8]) -> HttpAnswer {
        let hash = scms_ca::aca::spdu_hash(body, self.family == Family::Cn);
        if let Some(ack) = self.acks.get(&hash) {
            return ok(ack.clone());
        }
        let now = self.now();
        let r = match self.defect {
            Some(ScmsDefect::RaIgnoresBlocklist) => self.ra.handle_cert_request(
                &mut self.state,
                self.ks.as_ref(),
                &NoBlocklist,
                body,
                now,
            ),
            _ => self.ra.handle_cert_request(
                &mut self.state,
                self.ks.as_ref(),
                &self.blocklist,
                body,
                now,
            ),
        };
        match r.and_then(|ack| self.process_batches(now).map(|_| ack)) {
            Ok(ack) => {
                self.acks.insert(hash, ack.clone());
                ok(ack)
            }
            Err(e) => ra_failure(&e),
        }
    }

    fn download(&mut self, headers: &[(&str, &str)]) -> HttpAnswer {
        let now = self.now();
        let req = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("download-req"))
            .map(|(_, v)| v.trim())
            .ok_or_else(|| RaError::Malformed("no Download-Req header".into()))
            .and_then(|v| {
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map_err(|_| RaError::Malformed("Download-Req is not base64".into()))
            });
        let r = req
            .and_then(|dl| {
                self.ra
                    .handle_download(&self.state, self.ks.as_ref(), &dl, now)
            })
            .and_then(|zip| match self.defect {
                Some(ScmsDefect::RaDropsCertificate) => drop_first_certificate(&zip)
                    .map_err(|e| RaError::Internal(format!("mutant: {e}"))),
                _ => Ok(zip),
            });
        match r {
            Ok(zip) => HttpAnswer {
                status: 200,
                headers: vec![("content-type".into(), "application/zip".into())],
                body: zip,
            },
            Err(e) => ra_failure(&e),
        }
    }
}

/// Whether `b` is a COER `Ieee1609Dot2Data` of signed data.
fn is_signed_data(b: &[u8]) -> bool {
    use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data};
    matches!(
        scms_asn1::decode::<Ieee1609Dot2Data<'_>>(b).map(|d| d.content),
        Ok(Ieee1609Dot2Content::SignedData(_))
    )
}

/// The archive without its `<i>_0` file (the first certificate of the batch).
fn drop_first_certificate(zip: &[u8]) -> Result<Vec<u8>, String> {
    use scms_asn1::ieee1609dot2dot1::zip;
    let files: Vec<(String, Vec<u8>)> = zip::read(zip)
        .map_err(|e| format!("{e:?}"))?
        .into_iter()
        .filter(|(name, _)| !name.ends_with("_0"))
        .collect();
    zip::write(&files).map_err(|e| format!("{e:?}"))
}

fn ok(body: Vec<u8>) -> HttpAnswer {
    HttpAnswer {
        status: 200,
        headers: vec![("content-type".into(), "application/octet-stream".into())],
        body,
    }
}

fn failure(status: u16, reason: &str) -> HttpAnswer {
    HttpAnswer {
        status,
        headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
        body: format!("{}\n", reason.replace(['\n', '\r'], " ")).into_bytes(),
    }
}

fn ra_failure(e: &RaError) -> HttpAnswer {
    let mut a = failure(scms_ra::service::status(e).as_u16(), &e.to_string());
    if matches!(e, RaError::NotReady { .. } | RaError::RateLimited { .. }) {
        a.headers.push(("retry-after".into(), "1".into()));
    }
    a
}

impl LocalScms {
    fn forward(
        &self,
        base: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpAnswer, String> {
        http_call(base, method, path, headers, body, Duration::from_secs(20))
    }
}

impl Scms for LocalScms {
    fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpAnswer, String> {
        let (route, _query) = path.split_once('?').unwrap_or((path, ""));
        Ok(match (method, route) {
            ("GET", "/v3/ca-certificate") => match self.rt.block_on(certificate_chain(&self.eca)) {
                Ok(b) => ok(b),
                Err(e) => failure(e.status().as_u16(), &e.to_string()),
            },
            ("GET", "/v3/ctl") => ok(self.h.ctl.spdu.clone()),
            ("POST", "/v3/enrollment-certificate") => self.enrollment(body)?,
            ("GET", "/v3/ra-certificate") => ok(self.ra.certificate.clone()),
            ("POST", "/v3/authorization-certificate") => self.provisioning(body),
            ("GET", "/v3/authorization-certificate") => self.download(headers),
            ("GET", "/v3/crl") => {
                let mut a = self.forward(&self.crl_url, method, path, headers, body)?;
                if self.defect == Some(ScmsDefect::CrlBadSignature) && a.status == 200 {
                    if let Some(b) = a.body.last_mut() {
                        *b ^= 1;
                    }
                }
                a
            }
            ("POST", "/v3/misbehavior-report")
                if self.defect == Some(ScmsDefect::MaAcceptsUnencrypted)
                    && is_signed_data(body) =>
            {
                HttpAnswer {
                    status: 202,
                    headers: Vec::new(),
                    body: b"report accepted\n".to_vec(),
                }
            }
            ("GET", "/v3/ma-certificate") | ("POST", "/v3/misbehavior-report") => {
                self.forward(&self.ma_url, method, path, headers, body)?
            }
            // No route: an empty 404, as a web server answers.
            _ => HttpAnswer {
                status: 404,
                ..HttpAnswer::default()
            },
        })
    }

    fn block(&mut self, enrollment: [u8; 8]) -> Option<Result<(), String>> {
        self.blocklist.0.insert(enrollment);
        Some(Ok(()))
    }
}

/// The time the suite's SCMS requests carry.
pub fn scms_now() -> Time32 {
    system_now()
}

/// Serves `scms` on a loopback port (one request at a time, `Connection:
/// close`); returns `http://127.0.0.1:PORT`. The thread ends with the process.
pub fn serve(scms: Box<dyn Scms + Send>) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(err)?;
    let url = format!("http://{}", listener.local_addr().map_err(err)?);
    let scms = Arc::new(Mutex::new(scms));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = handle_connection(&scms, stream);
        }
    });
    Ok(url)
}

fn handle_connection(scms: &Mutex<Box<dyn Scms + Send>>, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let answer = if len > 1 << 20 {
        failure(413, "body larger than 1 MiB")
    } else {
        let mut body = vec![0u8; len];
        reader.read_exact(&mut body)?;
        let hs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = scms
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .call(&method, &path, &hs, &body);
        r.unwrap_or_else(|e| failure(500, &e))
    };
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        answer.body.len()
    );
    for (k, v) in &answer.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(&answer.body)?;
    out.flush()
}

pub use crate::tps::scms_common::ScmsSession;
