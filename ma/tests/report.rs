//! Opening reports (the MA's checks on the reporter and the evidence) and the
//! severe-violation path of the decision policy with a hash-based CRL entry,
//! in process with certificates issued directly by the ACA of a test hierarchy.

#[path = "../../ra/tests/common/mod.rs"]
mod common;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::sync::Arc;

use common::{now, World};
use scms_asn1::ieee1609dot2::base_types::{NinetyDegreeInt, OneEightyDegreeInt};
use scms_asn1::ieee1609dot2::ThreeDLocation;
use scms_ca::aca::TrustStore;
use scms_ca::crl::hash_entry;
use scms_ca::crl_service::{CrlService, CrlServiceConfig};
use scms_ca::issue::{issue, IssueParams, IssuerRef, SubjectId};
use scms_ca::profile::{builtin, CertKind, Family};
use scms_crypto::suite::{Curve, PublicKey};
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_ma::report::{open_report, OpenContext, ReportError};
use scms_ma::{evaluate, Decision, MaConfig, MaPeers, MaService, Rule, RuleConfig};
use scms_sdk::report::{build_report, category, Observation, ReportContent};
use scms_sdk::revocation::RevocationConfig;
use scms_sdk::sign::{Message, Signer, SigningIdentity};
use scms_sdk::verify::{Rejection, Verifier, VerifierConfig};
use scms_sdk::RevocationList;

/// A minute after the hierarchy's "now" (Time64).
fn t64() -> u64 {
    (u64::from(now()) + 60) * 1_000_000
}

fn loc() -> ThreeDLocation {
    ThreeDLocation {
        latitude: NinetyDegreeInt(420_000_000),
        longitude: OneEightyDegreeInt(-830_000_000),
        elevation: 0,
    }
}

/// An explicit pseudonym certificate from the ACA (`psids` granted), its key
/// in `keys` as `label`.
fn pseudonym(
    w: &World,
    keys: &MemoryKeyStore,
    label: &str,
    psids: &[u64],
    linked: bool,
) -> Vec<u8> {
    let mut profile = builtin(Family::Us, "pseudonym").unwrap();
    profile.app_permissions.retain(|p| psids.contains(&p.psid));
    let info = keys.generate(label, Curve::NistP256).unwrap();
    let key = PublicKey::from_sec1(info.curve, &info.public_key).unwrap();
    let id = if linked {
        SubjectId::Linkage {
            i_cert: 1,
            linkage_value: [label.len() as u8; 9],
        }
    } else {
        SubjectId::None
    };
    let mut p = IssueParams::new(&profile, id, key, now());
    p.kind = Some(CertKind::Explicit);
    p.craca_id = w.h.craca_id().unwrap();
    issue(
        &w.ks,
        &IssuerRef {
            certificate: &w.aca.certificate,
            key_label: &w.aca.key_label,
        },
        &p,
    )
    .unwrap()
    .record
    .certificate
}

fn signed(keys: &MemoryKeyStore, cert: &[u8], label: &str, psid: u64, t64: u64) -> Vec<u8> {
    Signer::new(SigningIdentity::new(cert.to_vec(), label).unwrap())
        .sign(
            keys,
            &Message {
                psid,
                payload: b"message",
                generation_time: t64,
                generation_location: Some(loc()),
                expiry_time: None,
                p2pcd_learning_request: None,
            },
        )
        .unwrap()
}

fn report(
    keys: &MemoryKeyStore,
    cert: &[u8],
    label: &str,
    to: &[u8],
    evidence: Vec<Vec<u8>>,
) -> Vec<u8> {
    build_report(
        keys,
        &SigningIdentity::new(cert.to_vec(), label).unwrap(),
        to,
        &ReportContent {
            psid: 32,
            observations: vec![Observation {
                category: category::SECURITY,
                id: 1,
                detail: Vec::new(),
            }],
            subject: (evidence.len() - 1) as u8,
            evidence,
        },
        t64() + 1_000_000,
        loc(),
    )
    .unwrap()
}

fn trust(w: &World) -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(w.h.certificate("root").unwrap()).unwrap();
    t.add_ca(w.h.certificate("ica").unwrap()).unwrap();
    t.add_ca(&w.aca.certificate).unwrap();
    t
}

struct Fixture {
    w: World,
    keys: MemoryKeyStore,
    sender: Vec<u8>,
    reporter: Vec<u8>,
    ma: Vec<u8>,
    enc: String,
}

fn fixture() -> Fixture {
    let w = World::new(Family::Us);
    let keys = MemoryKeyStore::new();
    let sender = pseudonym(&w, &keys, "sender", &[32, 38], true);
    let reporter = pseudonym(&w, &keys, "reporter", &[32, 38], true);
    let ma = w.h.certificate("ma").unwrap().to_vec();
    let enc = format!("{}-enc", w.h.key_labels["ma"]);
    Fixture {
        w,
        keys,
        sender,
        reporter,
        ma,
        enc,
    }
}

fn open(
    f: &Fixture,
    rev: &RevocationList,
    bytes: &[u8],
) -> Result<scms_ma::OpenedReport, ReportError> {
    let t = trust(&f.w);
    let ctx = OpenContext {
        ks: &f.w.ks,
        certificate: &f.ma,
        enc_key_label: &f.enc,
        trust: &t,
        ssp_check: None,
        revocation: rev,
    };
    open_report(&ctx, bytes, now())
}

#[test]
fn a_valid_report_opens_and_digest_signers_resolve() {
    let f = fixture();
    // The first message carries the certificate, the second names it by digest.
    let mut s = Signer::new(SigningIdentity::new(f.sender.clone(), "sender").unwrap());
    let m = |s: &mut Signer, t| {
        s.sign(
            &f.keys,
            &Message {
                psid: 32,
                payload: b"m",
                generation_time: t,
                generation_location: Some(loc()),
                expiry_time: None,
                p2pcd_learning_request: None,
            },
        )
        .unwrap()
    };
    let e = vec![m(&mut s, t64()), m(&mut s, t64() + 100_000)];
    let r = report(&f.keys, &f.reporter, "reporter", &f.ma, e);
    let o = open(&f, &RevocationList::default(), &r).unwrap();
    assert_eq!(o.evidence.len(), 2);
    assert_eq!(o.claimed, vec![(category::SECURITY, 1)]);
    assert_ne!(o.target, o.reporter);
    assert!(evaluate(&RuleConfig::default(), &o.evidence, &o.target, o.observed).is_empty());
}

#[test]
fn a_psid_the_certificate_does_not_grant_is_a_severe_finding() {
    let f = fixture();
    let e = vec![signed(&f.keys, &f.sender, "sender", 0x80, t64())];
    let o = open(
        &f,
        &RevocationList::default(),
        &report(&f.keys, &f.reporter, "reporter", &f.ma, e),
    )
    .unwrap();
    let rules: Vec<Rule> = evaluate(&RuleConfig::default(), &o.evidence, &o.target, o.observed)
        .into_iter()
        .map(|x| x.rule)
        .collect();
    assert_eq!(rules, vec![Rule::PsidNotPermitted]);
}

#[test]
fn tampered_evidence_is_refused() {
    let f = fixture();
    let mut m = signed(&f.keys, &f.sender, "sender", 32, t64());
    let n = m.len();
    m[n - 1] ^= 1; // the signature's last byte
    let r = report(&f.keys, &f.reporter, "reporter", &f.ma, vec![m]);
    assert!(matches!(
        open(&f, &RevocationList::default(), &r),
        Err(ReportError::Evidence(_))
    ));
}

#[test]
fn a_report_for_another_recipient_is_malformed() {
    let f = fixture();
    let e = vec![signed(&f.keys, &f.sender, "sender", 32, t64())];
    let r = report(&f.keys, &f.reporter, "reporter", &f.w.ra.certificate, e);
    assert!(matches!(
        open(&f, &RevocationList::default(), &r),
        Err(ReportError::Malformed(_))
    ));
    assert!(matches!(
        open(&f, &RevocationList::default(), b"\x03\x80\x00"),
        Err(ReportError::Malformed(_))
    ));
}

#[test]
fn the_reporter_must_be_allowed_and_not_revoked() {
    let f = fixture();
    let e = vec![signed(&f.keys, &f.sender, "sender", 32, t64())];
    // Without PSID 38.
    let bsm_only = pseudonym(&f.w, &f.keys, "bsm-only", &[32], true);
    let r = report(&f.keys, &bsm_only, "bsm-only", &f.ma, e.clone());
    assert!(matches!(
        open(&f, &RevocationList::default(), &r),
        Err(ReportError::Reporter(_))
    ));
    // Revoked by hash.
    let mut rev = RevocationList::new(RevocationConfig::default());
    let h = hash_entry(&f.reporter).unwrap();
    let contents = scms_ca::crl::crl_contents(
        &scms_ca::crl::CrlHeader {
            series: 3,
            craca: [0; 8],
            issue_date: now(),
            next_crl: now() + 1,
            priority: None,
        },
        &scms_ca::crl::CrlBody::Hash {
            delta: false,
            crl_serial: 1,
            entries: vec![h],
        },
    );
    rev.apply(&contents, 1);
    let r = report(&f.keys, &f.reporter, "reporter", &f.ma, e);
    assert_eq!(open(&f, &rev, &r).unwrap_err(), ReportError::Revoked);
}

async fn severe_violation_revokes_by_hash(kind: &str) {
    let mut f = fixture();
    // A sender without linkage data that will sign a PSID its certificate does not grant.
    let rogue = pseudonym(&f.w, &f.keys, "rogue", &[32, 38], false);
    let db_crl = if kind == "pg" {
        store_support::postgres().await
    } else {
        store_support::sqlite().await
    };
    let db_ma = if kind == "pg" {
        store_support::postgres().await
    } else {
        store_support::sqlite().await
    };
    let clock: scms_ma::Clock = Arc::new(now);
    let ks: Arc<dyn KeyStore> = Arc::new(std::mem::take(&mut f.w.ks));
    let mut ca_trust = TrustStore::new();
    ca_trust
        .add_anchor(f.w.h.certificate("root").unwrap())
        .unwrap();
    ca_trust.add_ca(f.w.h.certificate("ica").unwrap()).unwrap();
    let epoch = f.w.ra.config.iperiod_epoch_unix;
    let crl = Arc::new(
        CrlService::open(
            CrlServiceConfig::new(
                f.w.h.certificate("crl").unwrap().to_vec(),
                f.w.h.key_labels["crl"].clone(),
                ca_trust,
                epoch,
            ),
            ks.clone(),
            db_crl.store.clone(),
            clock.clone(),
        )
        .await
        .unwrap(),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let crl_url = format!("http://{}", l.local_addr().unwrap());
    let app = scms_ca::crl_service::router(crl.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    let unused = "http://127.0.0.1:9".to_string();
    let authority_keys = ks.clone();
    let ma = MaService::open(
        MaConfig::new(
            f.ma.clone(),
            f.w.h.key_labels["ma"].clone(),
            f.enc.clone(),
            trust(&f.w),
            epoch,
        ),
        ks,
        db_ma.store.clone(),
        clock,
        MaPeers {
            aca: unused.clone(),
            ra: unused.clone(),
            la1: unused.clone(),
            la2: unused,
            crl: crl_url,
            la1_certificate: f.w.h.certificate("la1").unwrap().to_vec(),
            la2_certificate: f.w.h.certificate("la2").unwrap().to_vec(),
        },
    )
    .await
    .unwrap();
    let m = signed(&f.keys, &rogue, "rogue", 0x80, t64());
    let out = ma
        .handle_report(&report(&f.keys, &f.reporter, "reporter", &f.ma, vec![m]))
        .await
        .unwrap();
    assert_eq!(out.findings, vec!["psid-not-permitted"]);
    assert_eq!(
        out.decision,
        Decision::Revoked,
        "one severe report suffices"
    );
    // The hash-based CRL (series 3) revokes the certificate at a verifier.
    let bytes = crl.latest(3).await.unwrap();
    let mut v = Verifier::new(VerifierConfig::default());
    v.store
        .add_trust_anchor(f.w.h.certificate("root").unwrap())
        .unwrap();
    for c in [f.w.h.certificate("ica").unwrap(), &f.w.aca.certificate[..]] {
        v.store
            .add_certificate(&scms_asn1::decode(c).unwrap())
            .unwrap();
    }
    assert_eq!(v.apply_crl(&bytes, t64(), 1).unwrap().hash_entries, 1);
    let m = signed(&f.keys, &rogue, "rogue", 32, t64() + 5_000_000);
    assert!(matches!(
        v.verify(&m, t64() + 5_000_000),
        Err(Rejection::RevokedByHash { .. })
    ));
    let ok = signed(&f.keys, &f.sender, "sender", 32, t64() + 5_000_000);
    assert!(v.verify(&ok, t64() + 5_000_000).is_ok());
    // A second report about it is merged, not decided again.
    let m = signed(&f.keys, &rogue, "rogue", 0x80, t64() + 1);
    let out = ma
        .handle_report(&report(&f.keys, &f.sender, "sender", &f.ma, vec![m]))
        .await
        .unwrap();
    assert_eq!(out.decision, Decision::AlreadyRevoked);
    // A CRL signed by a certificate that chains to the MA's trust store but
    // may not sign CRLs (the MA's own): refused.
    let root: scms_asn1::ieee1609dot2::Certificate<'_> =
        scms_asn1::decode(f.w.h.certificate("root").unwrap()).unwrap();
    let header = scms_ca::crl::CrlHeader {
        series: 3,
        craca: scms_crypto::verify::certificate_hashed_id8(&root)
            .unwrap()
            .0,
        issue_date: now(),
        next_crl: now() + 7 * 86_400,
        priority: None,
    };
    let body = scms_ca::crl::CrlBody::Hash {
        delta: false,
        crl_serial: 99,
        entries: vec![],
    };
    let contents = scms_ca::crl::crl_contents(&header, &body);
    let forged = scms_ca::spdu::signed_spdu(
        authority_keys.as_ref(),
        &f.w.h.key_labels["ma"],
        f.w.h.certificate("ma").unwrap(),
        scms_asn1::ieee1609dot2::base_types::Psid(scms_ca::profile::PSID_CRL),
        scms_asn1::encode(&contents).unwrap(),
        scms_ca::spdu::SignerForm::Certificate,
    )
    .unwrap();
    let e = ma.apply_crl(&forged).await.unwrap_err();
    assert!(e.to_string().contains("no CRL permission"), "{e}");
    // The CRL signer's own CRL is applied.
    ma.apply_crl(&crl.latest(3).await.unwrap()).await.unwrap();
    assert!(ma
        .store()
        .verify_audit_chain()
        .await
        .unwrap()
        .broken
        .is_none());
    task.abort();
    db_crl.cleanup().await;
    db_ma.cleanup().await;
}

#[tokio::test]
async fn severe_violation_revokes_by_hash_sqlite() {
    severe_violation_revokes_by_hash("sqlite").await;
}

#[tokio::test]
async fn severe_violation_revokes_by_hash_postgres() {
    severe_violation_revokes_by_hash("pg").await;
}
