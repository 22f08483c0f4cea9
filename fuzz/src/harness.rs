//! Structure-aware fuzzing of every HTTP endpoint that takes a body from a
//! peer: one fuzz input becomes one request to one authority router, served
//! in process (`tower::ServiceExt::oneshot`) on SQLite, with its peers (LA1,
//! LA2, ACA, RA, CRL generator, MA) on loopback as in the tests.
//!
//! The input is read as a recipe ([`arbitrary::Unstructured`]), not as the
//! body itself, so most requests get past the first checks:
//! - raw octets, or a random valid value of a COER type the endpoint reads;
//! - that value signed by any authority of the hierarchy or by a device's
//!   enrollment key (a valid signature over arbitrary content, with a header
//!   chosen by the input), then optionally encrypted to an authority's
//!   certificate;
//! - requests built by the device code with parameters chosen by the input
//!   (butterfly provisioning requests, download requests, enrollment
//!   requests for an arbitrary `ToBeSignedCertificate`, misbehavior reports
//!   about arbitrary evidence);
//! - then up to three octet mutations (flip, set, cut, insert, remove).
//!
//! Each answer must be a 2xx, or a 4xx with a reason; a 5xx or a panic is a
//! finding. The replay of the committed corpora runs in `.ci/run`
//! (`ma/tests/http_fuzz_corpus.rs`).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use arbitrary::{Result as ArbResult, Unstructured};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use base64::Engine;
use http_body_util::BodyExt;
use scms_asn1::codec::Generate;
use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::{HeaderInfo, Time32, ToBeSignedCertificate};
use scms_asn1::ieee1609dot2dot1::protocol::{ScmsPdu, ScmsPduContent};
use scms_ca::hierarchy::HierarchyOptions;
use scms_ca::profile::{builtin, Family};
use scms_ca::store::Batch;
use scms_crypto::suite::Curve;
use scms_hsm::spdu::SignerForm;
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_sdk::provision::{Pseudonym, RequestParams};
use scms_sdk::report::{build_report, Observation, ReportContent};
use scms_sdk::sign::SigningIdentity;
use tower::ServiceExt;

use crate::common::{Device, NOW_UNIX};
use crate::http_support::{download, provision_with, Db, Net};
use crate::misbehavior_support::{start_misbehavior, Misbehavior};
use crate::report_support::{at, bsm};
use crate::store_support::{self, TestDb};

/// An endpoint that takes a body (or, for the download, a header) from
/// outside the authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    EcaEnrollment,
    EcaSuccessor,
    EcaSuccessorDownload,
    AcaCertRequest,
    AcaMaHpcr,
    RaProvision,
    RaDownload,
    RaMaLci,
    RaMaBlacklist,
    LaPreLinkageValues,
    LaLinkageSeed,
    MaReport,
    CrlEntries,
}

/// The authorities of the hierarchy, by their role names.
const AUTHORITIES: [&str; 9] = ["root", "ica", "eca", "aca", "ra", "la1", "la2", "ma", "crl"];

impl Endpoint {
    pub const ALL: [Endpoint; 13] = [
        Endpoint::EcaEnrollment,
        Endpoint::EcaSuccessor,
        Endpoint::EcaSuccessorDownload,
        Endpoint::AcaCertRequest,
        Endpoint::AcaMaHpcr,
        Endpoint::RaProvision,
        Endpoint::RaDownload,
        Endpoint::RaMaLci,
        Endpoint::RaMaBlacklist,
        Endpoint::LaPreLinkageValues,
        Endpoint::LaLinkageSeed,
        Endpoint::MaReport,
        Endpoint::CrlEntries,
    ];

    /// The fuzz target's name, also its corpus directory.
    pub fn target(self) -> &'static str {
        match self {
            Endpoint::EcaEnrollment => "http_eca_enrollment",
            Endpoint::EcaSuccessor => "http_eca_successor",
            Endpoint::EcaSuccessorDownload => "http_eca_successor_download",
            Endpoint::AcaCertRequest => "http_aca_cert_request",
            Endpoint::AcaMaHpcr => "http_aca_ma_hpcr",
            Endpoint::RaProvision => "http_ra_provision",
            Endpoint::RaDownload => "http_ra_download",
            Endpoint::RaMaLci => "http_ra_ma_lci",
            Endpoint::RaMaBlacklist => "http_ra_ma_blacklist",
            Endpoint::LaPreLinkageValues => "http_la_pre_linkage_values",
            Endpoint::LaLinkageSeed => "http_la_linkage_seed",
            Endpoint::MaReport => "http_ma_report",
            Endpoint::CrlEntries => "http_crl_entries",
        }
    }

    /// The HTTP method (the downloads carry their request in a header).
    pub fn method(self) -> &'static str {
        match self {
            Endpoint::RaDownload | Endpoint::EcaSuccessorDownload => "GET",
            _ => "POST",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Endpoint::EcaEnrollment => "/v3/enrollment-certificate",
            Endpoint::EcaSuccessor | Endpoint::EcaSuccessorDownload => {
                "/v3/successor-enrollment-certificate"
            }
            Endpoint::AcaCertRequest => "/v3/ra-aca-cert-request",
            Endpoint::AcaMaHpcr => "/v3/ma-hpcr",
            Endpoint::RaProvision | Endpoint::RaDownload => "/v3/authorization-certificate",
            Endpoint::RaMaLci => "/v3/ma-lci",
            Endpoint::RaMaBlacklist => "/v3/ma-blacklist",
            Endpoint::LaPreLinkageValues => "/v1/pre-linkage-values",
            Endpoint::LaLinkageSeed => "/v3/linkage-seed",
            Endpoint::MaReport => "/v3/misbehavior-report",
            Endpoint::CrlEntries => "/v3/crl-entries",
        }
    }

    /// The COER types (fuzz target names of `scms_asn1::pdu`) the endpoint
    /// reads, or that its signed SPDU carries.
    fn pdu_types(self) -> &'static [&'static str] {
        match self {
            Endpoint::EcaEnrollment => &["eca_ee_pdu", "scms_pdu", "tbs_certificate"],
            Endpoint::EcaSuccessor | Endpoint::EcaSuccessorDownload => {
                &["ee_ra_pdu", "eca_ee_pdu", "scms_pdu"]
            }
            Endpoint::AcaCertRequest => &["aca_ra_pdu", "scms_pdu"],
            Endpoint::AcaMaHpcr => &["camp_ma_pca_pdu", "camp_scms_pdu"],
            Endpoint::RaProvision | Endpoint::RaDownload => &["ee_ra_pdu", "scms_pdu"],
            Endpoint::RaMaLci | Endpoint::RaMaBlacklist => &["camp_ma_ra_pdu", "camp_scms_pdu"],
            Endpoint::LaPreLinkageValues => &["camp_la_ra_pdu", "camp_scms_pdu"],
            Endpoint::LaLinkageSeed => &["camp_la_ma_pdu", "camp_scms_pdu"],
            Endpoint::MaReport => &["camp_ee_ma_pdu", "misbehavior_report", "camp_scms_pdu"],
            Endpoint::CrlEntries => &["camp_scms_pdu", "crl_contents"],
        }
    }

    /// Whether the endpoint reads a 1609.2.1 `SignedCertificateRequest`.
    fn takes_cert_request(self) -> bool {
        matches!(
            self,
            Endpoint::EcaEnrollment
                | Endpoint::EcaSuccessor
                | Endpoint::AcaCertRequest
                | Endpoint::RaProvision
        )
    }

    /// The authority whose requests this endpoint serves.
    fn expected_signer(self) -> &'static str {
        match self {
            Endpoint::AcaCertRequest | Endpoint::LaPreLinkageValues => "ra",
            _ => "ma",
        }
    }
}

/// The loopback SCMS the requests go to, built once per process.
pub struct Harness {
    rt: tokio::runtime::Runtime,
    net: Net,
    misbehavior: Misbehavior,
    eca: Router,
    _eca_db: TestDb,
    /// Enrolled devices (their butterfly requests change as they build).
    devices: Mutex<Vec<Device>>,
    /// Devices enrolled at the harness's ECA (key `enrol`, certificate), for
    /// successor enrollment.
    enrolled: Mutex<Vec<(MemoryKeyStore, Vec<u8>)>>,
    /// Pseudonyms of the first devices, for reports and evidence.
    pseudonyms: Vec<Pseudonym>,
    /// The i-period the frozen clock is in.
    i: u32,
}

/// The services' clock: from 2026-01-01 plus one hour it runs while the
/// harness is built (the RA releases the first batches), then stops, so that
/// the requests built from a corpus stay as fresh as when they were found.
static CLOCK_UNIX: AtomicI64 = AtomicI64::new(NOW_UNIX + 3600);

fn frozen_unix() -> i64 {
    CLOCK_UNIX.load(Ordering::Relaxed)
}

fn frozen() -> Time32 {
    time32_from_unix(CLOCK_UNIX.load(Ordering::Relaxed))
}

impl Harness {
    /// The process's harness (built on first use: a few seconds).
    pub fn get() -> &'static Harness {
        static H: OnceLock<Harness> = OnceLock::new();
        H.get_or_init(Harness::build)
    }

    fn build() -> Harness {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let (net, misbehavior, eca, eca_db, devices, enrolled, pseudonyms, i) =
            rt.block_on(async {
                let ticking = Arc::new(AtomicBool::new(true));
                let t = ticking.clone();
                tokio::spawn(async move {
                    while t.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        CLOCK_UNIX.fetch_add(1, Ordering::Relaxed);
                    }
                });
                let clock: scms_ra::service::Clock = Arc::new(frozen);
                let (mut net, mut devices) =
                    Net::start_with_clock(Family::Us, Db::Sqlite, 6, 2, clock).await;
                let misbehavior = start_misbehavior(&mut net, Db::Sqlite).await;
                // The ECA on its own database, holding the same hierarchy.
                let eca_db = store_support::sqlite().await;
                let opts =
                    HierarchyOptions::new(Family::Us, time32_from_unix(NOW_UNIX - 30 * 86_400));
                eca_db
                    .store
                    .commit(&Batch::hierarchy(&net.h, &opts).expect("batch"), NOW_UNIX)
                    .await
                    .expect("hierarchy");
                let eca = scms_ca::eca::Eca::from_store(
                    eca_db.store.clone(),
                    net.ks.clone(),
                    builtin(Family::Us, "enrollment").expect("profile"),
                )
                .await
                .expect("eca");
                // The RA is the successor enrollment front, as `scms serve` sets it.
                let eca = eca.with_successor_front(scms_ca::eca::SuccessorFront {
                    certificate: net.ra_core.certificate.clone(),
                    key_label: net.ra_core.key_label.clone(),
                    enc_key_label: net.ra_core.enc_key_label.clone(),
                });
                let eca = scms_ca::eca::router(Arc::new(eca));
                let mut enrolled = Vec::new();
                for _ in 0..2 {
                    enrolled.push(enroll_at(&eca, &net.root).await);
                }
                // Two devices provisioned, so that reports carry real pseudonyms.
                let i = net.ra_core.config.iperiod_of(net.now()).expect("i-period");
                for d in devices.iter_mut().take(2) {
                    let a = provision_with(&net, d, net.now(), 168).await;
                    assert_eq!(a.status, 200, "{}", a.text());
                    d.request
                        .process_ack(&a.body, &net.ra_core.certificate)
                        .expect("ack");
                }
                net.start_worker(Duration::from_millis(50));
                let mut pseudonyms = Vec::new();
                for d in devices.iter().take(2) {
                    let mut p = download(&net, d, i, Duration::from_secs(60)).await;
                    p.truncate(2);
                    pseudonyms.extend(p);
                }
                ticking.store(false, Ordering::Relaxed);
                (
                    net,
                    misbehavior,
                    eca,
                    eca_db,
                    devices,
                    enrolled,
                    pseudonyms,
                    i,
                )
            });
        Harness {
            rt,
            net,
            misbehavior,
            eca,
            _eca_db: eca_db,
            devices: Mutex::new(devices),
            enrolled: Mutex::new(enrolled),
            pseudonyms,
            i,
        }
    }

    fn router(&self, e: Endpoint) -> Router {
        match e {
            Endpoint::EcaEnrollment | Endpoint::EcaSuccessor | Endpoint::EcaSuccessorDownload => {
                self.eca.clone()
            }
            Endpoint::AcaCertRequest | Endpoint::AcaMaHpcr => {
                scms_ca::aca_service::router(self.net.aca.clone())
            }
            Endpoint::RaProvision
            | Endpoint::RaDownload
            | Endpoint::RaMaLci
            | Endpoint::RaMaBlacklist => scms_ra::service::router(self.net.ra.clone()),
            Endpoint::LaPreLinkageValues => scms_la::service::router(self.net.la1.clone()),
            Endpoint::LaLinkageSeed => scms_la::service::router(self.net.la2.clone()),
            Endpoint::MaReport => scms_ma::router(self.misbehavior.ma.clone()),
            Endpoint::CrlEntries => scms_ca::crl_service::router(self.misbehavior.crl.clone()),
        }
    }

    /// Sends the request `data` describes to `e`; panics on a finding.
    /// Returns the status and the reason (none when `data` describes no
    /// request).
    pub fn run(&self, e: Endpoint, data: &[u8]) -> Option<(u16, String)> {
        let mut u = Unstructured::new(data);
        let (body, content_type) = self.body(e, &mut u).ok()?;
        let mut req = Request::builder().uri(e.path()).method(e.method());
        if e.method() == "GET" {
            let b64 = base64::engine::general_purpose::STANDARD.encode(&body);
            req = req.header("Download-Req", b64);
        }
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        let body = if e.method() == "GET" {
            Body::empty()
        } else {
            Body::from(body)
        };
        let req = req.body(body).ok()?;
        let router = self.router(e);
        let (status, retry_after, text) = self.rt.block_on(async move {
            let r = router.oneshot(req).await.expect("infallible");
            let status = r.status();
            let retry_after = r.headers().contains_key("retry-after");
            let bytes = r.into_body().collect().await.expect("body").to_bytes();
            (
                status,
                retry_after,
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        });
        check_answer(e, status, retry_after, &text);
        Some((status.as_u16(), text))
    }

    fn body(
        &self,
        e: Endpoint,
        u: &mut Unstructured<'_>,
    ) -> ArbResult<(Vec<u8>, Option<&'static str>)> {
        let content_type = match u.int_in_range(0..=7u8)? {
            0 => None,
            1 => Some("application/json"),
            2 => Some("application/octet-stream; charset=binary"),
            _ => Some("application/octet-stream"),
        };
        let mut body = match u.int_in_range(0..=9u8)? {
            0 => u.arbitrary::<Vec<u8>>()?,
            1 => generated(e, u)?,
            2..=5 => self.signed(e, u)?,
            _ => self.device_made(e, u)?,
        };
        // Mostly none: a change breaks the signature or the encryption.
        for _ in 0..u.int_in_range(0..=7u8)?.saturating_sub(4) {
            mutate(&mut body, u)?;
        }
        Ok((body, content_type))
    }

    /// A random SPDU signed with a real key over arbitrary content.
    fn signed(&self, e: Endpoint, u: &mut Unstructured<'_>) -> ArbResult<Vec<u8>> {
        let devices = self.devices.lock().unwrap();
        // Most often the authority the endpoint expects; sometimes another.
        let (ks, label, cert): (&dyn KeyStore, String, Vec<u8>) = match u.int_in_range(0..=5u8)? {
            0 => {
                let d = u.choose(&devices[..])?;
                (&d.ks as &dyn KeyStore, "enrol".into(), d.enrollment.clone())
            }
            1 => self.authority(u.choose(&AUTHORITIES)?),
            _ => self.authority(e.expected_signer()),
        };
        // 1609.2.1 certificate requests are `SignedCertificateRequest`s;
        // the CAMP requests between authorities signed data.
        let signed = if e.takes_cert_request() != u.ratio(1, 8)? {
            let pdu = scms_pdu(e, u)?;
            scms_ca::aca::sign_cert_request(ks, &label, &cert, pdu)
                .map_err(|_| arbitrary::Error::IncorrectFormat)?
        } else {
            signed_data(ks, &label, &cert, e, u)?
        };
        self.maybe_encrypt(e, signed, u)
    }

    /// Encrypted to the certificate of the endpoint's authority (or another).
    fn maybe_encrypt(
        &self,
        e: Endpoint,
        plain: Vec<u8>,
        u: &mut Unstructured<'_>,
    ) -> ArbResult<Vec<u8>> {
        let to = match u.int_in_range(0..=3u8)? {
            0 => return Ok(plain),
            1 => *u.choose(&["ra", "aca", "ma", "la1", "la2"])?,
            _ => match e {
                Endpoint::RaProvision
                | Endpoint::RaDownload
                | Endpoint::EcaSuccessor
                | Endpoint::EcaSuccessorDownload => "ra",
                Endpoint::EcaEnrollment => "eca",
                Endpoint::AcaCertRequest | Endpoint::AcaMaHpcr => "aca",
                Endpoint::LaPreLinkageValues => "la1",
                Endpoint::LaLinkageSeed => "la2",
                _ => "ma",
            },
        };
        match scms_hsm::envelope::encrypt_to_certificate(&self.authority(to).2, &plain) {
            Ok(c) => Ok(c),
            // No encryption key in that certificate: send it as it is.
            Err(_) => Ok(plain),
        }
    }

    fn authority(&self, role: &str) -> (&dyn KeyStore, String, Vec<u8>) {
        let h = &self.net.h;
        (
            self.net.ks.as_ref(),
            h.key_labels[role].clone(),
            h.certificate(role).expect("role").to_vec(),
        )
    }

    /// What the device code builds for this endpoint, with parameters from
    /// the input; the authority SPDUs otherwise.
    fn device_made(&self, e: Endpoint, u: &mut Unstructured<'_>) -> ArbResult<Vec<u8>> {
        let now = time32_from_unix(frozen_unix() + i64::from(u.int_in_range(-400..=400i32)?));
        let ra_cert = &self.net.ra_core.certificate;
        match e {
            Endpoint::RaProvision => {
                // Half the time what a device asks (this week, a week,
                // PSIDs 32 and 38), otherwise anything.
                let usual = u.arbitrary::<bool>()?;
                let params = RequestParams {
                    psids: if usual {
                        vec![32, 38]
                    } else {
                        (0..u.int_in_range(0..=3u8)?)
                            .map(|_| Ok(*u.choose(&[32u64, 38, 35, 0x20_40_97, u64::MAX])?))
                            .collect::<ArbResult<_>>()?
                    },
                    start: time32_from_unix(
                        frozen_unix()
                            + i64::from(if usual {
                                u.int_in_range(-3600..=3600i32)?
                            } else {
                                u.int_in_range(-1_000_000..=5_000_000i32)?
                            }),
                    ),
                    hours: if usual { 168 } else { u.arbitrary()? },
                    explicit: u.ratio(1, 4)?,
                };
                let mut devices = self.devices.lock().unwrap();
                let n = u.choose_index(devices.len())?;
                let d = &mut devices[n];
                d.request
                    .build_request(&d.ks, "enrol", &d.enrollment, ra_cert, &params, now)
                    .map_err(|_| arbitrary::Error::IncorrectFormat)
            }
            Endpoint::RaDownload => {
                let devices = self.devices.lock().unwrap();
                let d = u.choose(&devices[..])?;
                let i = self
                    .i
                    .wrapping_add_signed(i32::from(u.int_in_range(-2..=3i8)?));
                d.request
                    .download_request(&d.ks, "enrol", &d.enrollment, ra_cert, i, now)
                    .map_err(|_| arbitrary::Error::IncorrectFormat)
            }
            Endpoint::EcaEnrollment => {
                let ks = MemoryKeyStore::new();
                ks.generate("device", Curve::NistP256)
                    .map_err(|_| arbitrary::Error::IncorrectFormat)?;
                let tbs = if u.arbitrary()? {
                    ToBeSignedCertificate::generate(u)?
                } else {
                    enrollment_tbs(now)
                };
                let now = if u.arbitrary()? {
                    scms_ca::eca::system_now()
                } else {
                    now
                };
                scms_sdk::enroll::build_enrollment_request(&ks, "device", &tbs, now)
                    .map_err(|_| arbitrary::Error::IncorrectFormat)
            }
            Endpoint::EcaSuccessor | Endpoint::EcaSuccessorDownload => {
                let enrolled = self.enrolled.lock().unwrap();
                let (ks, enrollment) = u.choose(&enrolled[..])?;
                // The successor key (replaced at each request).
                ks.remove("next")
                    .map_err(|_| arbitrary::Error::IncorrectFormat)?;
                ks.generate("next", Curve::NistP256)
                    .map_err(|_| arbitrary::Error::IncorrectFormat)?;
                // Most often what the current certificate holds (a renewal).
                let current: scms_asn1::ieee1609dot2::Certificate<'_> =
                    scms_asn1::decode(enrollment).map_err(|_| arbitrary::Error::IncorrectFormat)?;
                let tbs = match u.int_in_range(0..=3u8)? {
                    0 => ToBeSignedCertificate::generate(u)?,
                    1 => enrollment_tbs(now),
                    _ => current.to_be_signed.value().clone(),
                };
                let req = scms_sdk::enroll::build_successor_request(
                    ks, "enrol", enrollment, "next", &tbs, ra_cert, now,
                )
                .map_err(|_| arbitrary::Error::IncorrectFormat)?;
                if e == Endpoint::EcaSuccessor {
                    return Ok(req.request);
                }
                // Usually for a request the ECA has taken, so that the
                // download has something to find.
                if u.ratio(3, 4)? {
                    let eca = self.eca.clone();
                    let post = Request::post(Endpoint::EcaSuccessor.path())
                        .body(Body::from(req.request.clone()))
                        .map_err(|_| arbitrary::Error::IncorrectFormat)?;
                    self.rt.block_on(eca.oneshot(post)).expect("infallible");
                }
                scms_sdk::enroll::successor_download_request(
                    ks, "enrol", enrollment, ra_cert, &req, now,
                )
                .map_err(|_| arbitrary::Error::IncorrectFormat)
            }
            Endpoint::MaReport => self.report(u),
            _ => self.signed(e, u),
        }
    }

    /// A misbehavior report by one pseudonym about BSMs of another, with
    /// times, places, observations and subject from the input.
    fn report(&self, u: &mut Unstructured<'_>) -> ArbResult<Vec<u8>> {
        let t0 = u64::from(frozen()) * 1_000_000;
        let reporter = u.choose(&self.pseudonyms)?;
        let mut evidence = Vec::new();
        for _ in 0..u.int_in_range(1..=4u8)? {
            let sender = u.choose(&self.pseudonyms)?;
            let t = t0.wrapping_add_signed(i64::from(u.int_in_range(-600..=600i32)?) * 100_000);
            let north: i16 = u.arbitrary()?;
            evidence.push(bsm(sender, "s", t, f64::from(north)));
        }
        let observations = (0..u.int_in_range(0..=3u8)?)
            .map(|_| {
                Ok(Observation {
                    category: u.arbitrary()?,
                    id: u.arbitrary()?,
                    detail: u.arbitrary()?,
                })
            })
            .collect::<ArbResult<_>>()?;
        let content = ReportContent {
            psid: *u.choose(&[32u64, 38, 0])?,
            observations,
            // Sometimes past the end.
            subject: u.int_in_range(0..=evidence.len() as u8)?,
            evidence,
        };
        let keys = MemoryKeyStore::new();
        keys.insert("me", reporter.key.clone())
            .map_err(|_| arbitrary::Error::IncorrectFormat)?;
        let id = SigningIdentity::new(reporter.certificate.clone(), "me")
            .map_err(|_| arbitrary::Error::IncorrectFormat)?;
        let when = t0.wrapping_add_signed(i64::from(u.int_in_range(-900..=900i32)?) * 1_000_000);
        build_report(
            &keys,
            &id,
            &self.misbehavior.ma_cert,
            &content,
            when,
            at(0.0),
        )
        .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

/// Enrolls a new device at `eca` (its router) as a device does: its key
/// store (key `enrol`) and its enrollment certificate.
async fn enroll_at(eca: &Router, root: &[u8]) -> (MemoryKeyStore, Vec<u8>) {
    let ks = MemoryKeyStore::new();
    ks.generate("enrol", Curve::NistP256).expect("key");
    let now = scms_ca::eca::system_now();
    let req = scms_sdk::enroll::build_enrollment_request(&ks, "enrol", &enrollment_tbs(now), now)
        .expect("enrollment request");
    let r = eca
        .clone()
        .oneshot(
            Request::post("/v3/enrollment-certificate")
                .body(Body::from(req.clone()))
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.into_body().collect().await.expect("body").to_bytes();
    let mut store = scms_sdk::store::CertificateStore::new(16, 4);
    store.add_trust_anchor(root).expect("root");
    let e = scms_sdk::enroll::process_enrollment_response(&mut store, &ks, "enrol", &req, &body)
        .expect("enrollment");
    (ks, e.certificate)
}

/// The enrollment profile's `ToBeSignedCertificate` for a device key.
fn enrollment_tbs(now: Time32) -> ToBeSignedCertificate<'static> {
    let profile = builtin(Family::Us, "enrollment").expect("profile");
    let key =
        scms_crypto::suite::SecretKey::generate(Curve::NistP256, &mut scms_crypto::suite::os_rng())
            .expect("key")
            .public_key();
    let params =
        scms_ca::issue::IssueParams::new(&profile, scms_ca::issue::SubjectId::None, key, now);
    let vki = scms_asn1::ieee1609dot2::VerificationKeyIndicator::VerificationKey(
        scms_crypto::wire::verification_key(&key).expect("vk"),
    );
    scms_ca::issue::to_be_signed(&params, None, vki).expect("tbs")
}

/// A random valid value of one of the endpoint's COER types.
fn generated(e: Endpoint, u: &mut Unstructured<'_>) -> ArbResult<Vec<u8>> {
    let names = e.pdu_types();
    let name = if u.ratio(1, 8)? {
        u.choose(scms_asn1::pdu::PDU_TYPES)?.target
    } else {
        *u.choose(names)?
    };
    let t = scms_asn1::pdu::find(name).expect("PDU type");
    (t.generate)(u).ok_or(arbitrary::Error::IncorrectFormat)
}

/// A random `ScmsPdu`, most often of the endpoint's interface.
fn scms_pdu<'a>(e: Endpoint, u: &mut Unstructured<'a>) -> ArbResult<ScmsPdu<'a>> {
    if u.ratio(1, 4)? {
        return ScmsPdu::generate(u);
    }
    let content = match e {
        Endpoint::EcaEnrollment => ScmsPduContent::EcaEe(Generate::generate(u)?),
        Endpoint::AcaCertRequest => ScmsPduContent::AcaRa(Generate::generate(u)?),
        _ => ScmsPduContent::EeRa(Generate::generate(u)?),
    };
    Ok(ScmsPdu::new(content))
}

/// Signed data (1609.2 `signedData` carrying `unsecuredData`) over a random
/// payload of the endpoint's types, with a header chosen by the input.
fn signed_data(
    ks: &dyn KeyStore,
    label: &str,
    cert: &[u8],
    e: Endpoint,
    u: &mut Unstructured<'_>,
) -> ArbResult<Vec<u8>> {
    let payload = if u.ratio(1, 8)? {
        u.arbitrary::<Vec<u8>>()?
    } else {
        generated(e, u)?
    };
    let header = if u.ratio(1, 4)? {
        HeaderInfo::generate(u)?
    } else {
        let mut h = HeaderInfo::new(scms_asn1::camp::base_types::SECURITY_MGMT_PSID);
        if u.arbitrary()? {
            // Around the services' clock, in µs (Time64).
            let skew: i32 = u.int_in_range(-900..=900)?;
            let t = (i64::from(frozen()) + i64::from(skew)) as u64;
            h.generation_time = Some(t * 1_000_000);
        }
        h
    };
    let form = if u.ratio(1, 6)? {
        SignerForm::Digest
    } else {
        SignerForm::Certificate
    };
    scms_ca::spdu::signed_with_header(ks, label, cert, header, payload, form)
        .map_err(|_| arbitrary::Error::IncorrectFormat)
}

/// One octet-level change.
fn mutate(body: &mut Vec<u8>, u: &mut Unstructured<'_>) -> ArbResult<()> {
    let at = u.int_in_range(0..=body.len())?;
    match u.int_in_range(0..=4u8)? {
        0 if at < body.len() => body[at] ^= 1 << u.int_in_range(0..=7u8)?,
        1 if at < body.len() => body[at] = u.arbitrary()?,
        2 => body.truncate(at),
        3 => {
            let bytes: Vec<u8> = u.arbitrary()?;
            body.splice(at..at, bytes.into_iter().take(64));
        }
        4 => {
            let end = (at + usize::from(u.int_in_range(1..=16u8)?)).min(body.len());
            body.drain(at..end);
        }
        _ => {}
    }
    Ok(())
}

/// A 2xx, or a 4xx with a one-line reason (the download's "not ready yet":
/// 503 with `Retry-After`); anything else is a finding.
fn check_answer(e: Endpoint, status: StatusCode, retry_after: bool, text: &str) {
    if std::env::var_os("SCMS_FUZZ_DEBUG").is_some() {
        eprintln!("{}: {status} {text}", e.target());
    }
    if status.is_success() {
        return;
    }
    if e == Endpoint::RaDownload && status == StatusCode::SERVICE_UNAVAILABLE && retry_after {
        return;
    }
    assert!(
        status.is_client_error(),
        "{}: HTTP {status}: {text:?}",
        e.path()
    );
    assert!(
        !text.trim().is_empty() && text.trim().lines().count() == 1,
        "{}: HTTP {status} without a one-line reason: {text:?}",
        e.path()
    );
}
