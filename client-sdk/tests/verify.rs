//! The receiver checks, each with a passing and a failing case, on certificates
//! issued by our CA hierarchy (root -> ICA -> ACA -> implicit pseudonyms) and
//! BSMs signed by the SDK.

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::{Certificate, ThreeDLocation};
use scms_ca::crl::{hash_entry, sign_crl, CrlBody, CrlHeader, IndividualEntry};
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::issue::{issue, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_ca::spdu::SignerForm;
use scms_crypto::ecqv;
use scms_crypto::linkage::{LaId, LinkageSeed, LinkageValue};
use scms_crypto::suite::{os_rng, Curve, SecretKey};
use scms_crypto::verify::certificate_hashed_id8;
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_sdk::{Message, Rejection, Signer, SigningIdentity, Verifier, VerifierConfig};

const BSM: u64 = 32;

/// 2026-01-01 00:00:00 UTC as Time32.
fn now32() -> u32 {
    time32_from_unix(1_767_225_600)
}

fn now64(offset_s: u64) -> u64 {
    (u64::from(now32()) + 3600 + offset_s) * 1_000_000
}

struct World {
    ca_keys: MemoryKeyStore,
    h: Hierarchy,
    device_keys: MemoryKeyStore,
    family: Family,
}

impl World {
    fn new() -> Self {
        Self::of(Family::Us)
    }

    /// A hierarchy of the family: P-256 (US) or SM2 (YD/T 3957).
    fn of(family: Family) -> Self {
        let ca_keys = MemoryKeyStore::new();
        let h = build(&ca_keys, &HierarchyOptions::new(family, now32())).expect("hierarchy");
        Self {
            ca_keys,
            h,
            device_keys: MemoryKeyStore::new(),
            family,
        }
    }

    fn curve(&self) -> Curve {
        if self.family == Family::Cn {
            Curve::Sm2
        } else {
            Curve::NistP256
        }
    }

    /// An implicit pseudonym with the given linkage data; its private key goes
    /// into the device's store under `label`.
    fn pseudonym(&self, label: &str, linkage: Option<(u16, [u8; 9])>) -> Vec<u8> {
        let profile = builtin(self.family, "pseudonym").unwrap();
        let request = SecretKey::generate(self.curve(), &mut os_rng()).unwrap();
        let id = match linkage {
            Some((i_cert, linkage_value)) => SubjectId::Linkage {
                i_cert,
                linkage_value,
            },
            None => SubjectId::None,
        };
        let params = IssueParams::new(&profile, id, request.public_key(), now32());
        let issued =
            issue(&self.ca_keys, &self.h.issuer_ref("aca").unwrap(), &params).expect("pseudonym");
        let aca = self.h.certificate("aca").unwrap();
        let cert: Certificate<'_> = scms_asn1::decode(issued.certificate()).unwrap();
        let e = ecqv::certificate_e(self.curve(), &cert.to_be_signed.to_bytes().unwrap(), aca);
        let d =
            ecqv::reconstruct_private_key(&request, &e, issued.reconstruction.as_ref().unwrap())
                .unwrap();
        self.device_keys.insert(label, d).unwrap();
        issued.certificate().to_vec()
    }

    fn verifier(&self) -> Verifier {
        let mut v = Verifier::new(VerifierConfig::default());
        v.store
            .add_trust_anchor(self.h.certificate("root").unwrap())
            .expect("root");
        for role in ["ica", "aca", "crl"] {
            let c: Certificate<'_> = scms_asn1::decode(self.h.certificate(role).unwrap()).unwrap();
            v.store
                .add_certificate(&c)
                .unwrap_or_else(|e| panic!("{role}: {e}"));
        }
        v
    }

    fn signer(&self, cert: Vec<u8>, label: &str) -> Signer {
        Signer::new(SigningIdentity::new(cert, label).unwrap())
    }
}

fn bsm(t: u64) -> Message<'static> {
    Message {
        psid: BSM,
        payload: b"basic safety message",
        generation_time: t,
        generation_location: None,
        expiry_time: None,
        p2pcd_learning_request: None,
    }
}

#[test]
fn signed_bsm_verifies_with_certificate_then_digest() {
    let w = World::new();
    let cert = w.pseudonym("p0", None);
    let mut signer = w.signer(cert, "p0");
    let mut v = w.verifier();
    let first = signer.sign(&w.device_keys, &bsm(now64(0))).unwrap();
    let ok = v
        .verify(&first, now64(0))
        .expect("first message (with certificate) verifies");
    assert_eq!(ok.psid, BSM);
    assert_eq!(ok.payload, b"basic safety message");
    // Within a second the signer names itself by digest, which the verifier now knows.
    let second = signer
        .sign(&w.device_keys, &bsm(now64(0) + 100_000))
        .unwrap();
    assert!(second.len() < first.len());
    v.verify(&second, now64(0) + 100_000)
        .expect("digest-signed message verifies");
    // A second later the certificate is sent again.
    let third = signer
        .sign(&w.device_keys, &bsm(now64(1) + 100_000))
        .unwrap();
    assert_eq!(third.len(), first.len());
}

/// SM2 (YD/T 3957) pseudonyms: every message through the engine's SM2 signer
/// table (built on the first); damaged ones are refused.
#[test]
fn sm2_messages_verify_through_the_signer_table() {
    let w = World::of(Family::Cn);
    let cert = w.pseudonym("p0", None);
    let mut signer = w.signer(cert, "p0");
    let mut v = w.verifier();
    for k in 0..6u64 {
        let t = now64(0) + k * 100_000;
        let m = signer.sign(&w.device_keys, &bsm(t)).unwrap();
        // Damaged first: an accepted message would make its copies replays.
        let mut bad = m.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert_eq!(
            v.verify(&bad, t),
            Err(Rejection::BadSignature),
            "message {k}"
        );
        let mut bad = m.clone();
        bad[n - 40] ^= 0x10;
        assert_eq!(
            v.verify(&bad, t),
            Err(Rejection::BadSignature),
            "message {k}"
        );
        let ok = v.verify(&m, t).expect("SM2 message verifies");
        assert_eq!(ok.payload, b"basic safety message");
    }
}

#[test]
fn unknown_signer_asks_for_the_certificate_by_p2pcd() {
    let w = World::new();
    let cert = w.pseudonym("p0", None);
    let id = certificate_hashed_id8(&scms_asn1::decode(&cert).unwrap())
        .unwrap()
        .0;
    let mut signer = w.signer(cert, "p0");
    signer.sign(&w.device_keys, &bsm(now64(0))).unwrap();
    let digest_signed = signer
        .sign(&w.device_keys, &bsm(now64(0) + 100_000))
        .unwrap();
    let mut v = w.verifier();
    assert_eq!(
        v.verify(&digest_signed, now64(0) + 100_000),
        Err(Rejection::UnknownSigner {
            p2pcd: [id[5], id[6], id[7]]
        })
    );
    // The signer answers a P2PCD request for its certificate with the next message.
    signer.on_p2pcd_request([id[5], id[6], id[7]]);
    assert!(signer.sends_certificate_at(now64(0) + 200_000));
}

#[test]
fn bad_signature_replay_and_freshness() {
    let w = World::new();
    let mut signer = w.signer(w.pseudonym("p0", None), "p0");
    let mut v = w.verifier();
    let msg = signer.sign(&w.device_keys, &bsm(now64(0))).unwrap();

    let mut forged = msg.clone();
    let n = forged.len();
    forged[n - 1] ^= 1;
    assert_eq!(v.verify(&forged, now64(0)), Err(Rejection::BadSignature));
    // A forgery did not enter the replay cache: the real message still verifies.
    v.verify(&msg, now64(0)).expect("authentic");
    assert_eq!(v.verify(&msg, now64(0) + 10), Err(Rejection::Replay));

    let old = signer.sign(&w.device_keys, &bsm(now64(0))).unwrap();
    assert!(matches!(
        v.verify(&old, now64(60)),
        Err(Rejection::TooOld { .. })
    ));
    let future = signer.sign(&w.device_keys, &bsm(now64(10))).unwrap();
    assert!(matches!(
        v.verify(&future, now64(0)),
        Err(Rejection::GenerationTimeInFuture { .. })
    ));

    let mut expiring = bsm(now64(0) + 1);
    expiring.expiry_time = Some(now64(0) + 2);
    let e = signer.sign(&w.device_keys, &expiring).unwrap();
    assert_eq!(v.verify(&e, now64(1)), Err(Rejection::Expired));
    assert!(matches!(
        v.verify(b"\x03\x80", now64(0)),
        Err(Rejection::Malformed(_))
    ));
}

#[test]
fn psid_must_be_permitted_and_certificate_valid() {
    let w = World::new();
    let mut signer = w.signer(w.pseudonym("p0", None), "p0");
    let mut v = w.verifier();
    let mut m = bsm(now64(0));
    m.psid = 0x7f_ff_ff;
    let msg = signer.sign(&w.device_keys, &m).unwrap();
    assert_eq!(
        v.verify(&msg, now64(0)),
        Err(Rejection::PsidNotPermitted { psid: 0x7f_ff_ff })
    );

    // A message generated (and received) before the certificate's validity.
    let early = (u64::from(now32()) - 3600) * 1_000_000;
    let msg = signer.sign(&w.device_keys, &bsm(early)).unwrap();
    assert!(matches!(
        v.verify(&msg, early),
        Err(Rejection::CertificateNotValid { .. })
    ));
}

/// A chain with geometric regions (the built-in profiles use identified regions,
/// which need a boundary database): root 60 km, ICA 50 km, ACA 40 km and the
/// pseudonym 30 km around Detroit.
fn regional_chain() -> (MemoryKeyStore, Vec<u8>, Vec<Vec<u8>>, Vec<u8>) {
    use scms_ca::issue::{issue_self_signed, IssuerRef};
    use scms_ca::profile::RegionSpec;
    let ks = MemoryKeyStore::new();
    let circle = |radius| {
        Some(RegionSpec::Circular {
            latitude: 42.33,
            longitude: -83.05,
            radius,
        })
    };
    let mut chain: Vec<(String, Vec<u8>)> = Vec::new();
    for (role, radius) in [("root", 60_000), ("ica", 50_000), ("aca", 40_000)] {
        let mut profile = builtin(Family::Us, role).unwrap();
        profile.region = circle(radius);
        let key = ks.generate(role, Curve::NistP256).unwrap();
        let public =
            scms_crypto::suite::EcPoint::from_sec1(Curve::NistP256, &key.public_key).unwrap();
        let params = IssueParams::new(
            &profile,
            SubjectId::Name(format!("{role}.test")),
            public,
            now32(),
        );
        let issued = match chain.last() {
            None => issue_self_signed(&ks, role, &params),
            Some((label, cert)) => issue(
                &ks,
                &IssuerRef {
                    certificate: cert,
                    key_label: label,
                },
                &params,
            ),
        }
        .unwrap_or_else(|e| panic!("{role}: {e}"));
        chain.push((role.to_string(), issued.certificate().to_vec()));
    }
    let mut profile = builtin(Family::Us, "pseudonym").unwrap();
    profile.region = circle(30_000);
    let key = ks.generate("device", Curve::NistP256).unwrap();
    let public = scms_crypto::suite::EcPoint::from_sec1(Curve::NistP256, &key.public_key).unwrap();
    let mut params = IssueParams::new(&profile, SubjectId::None, public, now32());
    params.kind = Some(scms_ca::profile::CertKind::Explicit);
    let (aca_label, aca) = chain.last().unwrap();
    let device = issue(
        &ks,
        &IssuerRef {
            certificate: aca,
            key_label: aca_label,
        },
        &params,
    )
    .expect("pseudonym");
    let root = chain[0].1.clone();
    let cas = chain[1..].iter().map(|(_, c)| c.clone()).collect();
    (ks, root, cas, device.certificate().to_vec())
}

#[test]
fn generation_location_outside_the_region_is_refused() {
    let (ks, root, cas, device) = regional_chain();
    let mut v = Verifier::new(VerifierConfig::default());
    v.store.add_trust_anchor(&root).unwrap();
    for c in &cas {
        v.store
            .add_certificate(&scms_asn1::decode(c).unwrap())
            .unwrap();
    }
    let mut signer = Signer::new(SigningIdentity::new(device, "device").unwrap());
    let mut inside = bsm(now64(0));
    inside.generation_location = Some(loc(42.40, -83.10));
    let msg = signer.sign(&ks, &inside).unwrap();
    v.verify(&msg, now64(0))
        .expect("8 km from the center is inside");
    let mut outside = bsm(now64(0) + 1);
    outside.generation_location = Some(loc(42.80, -83.05));
    let msg = signer.sign(&ks, &outside).unwrap();
    assert_eq!(
        v.verify(&msg, now64(0) + 1),
        Err(Rejection::OutsideRegion),
        "52 km away is outside"
    );
    // Without a location there is nothing to check.
    let msg = signer.sign(&ks, &bsm(now64(0) + 2)).unwrap();
    v.verify(&msg, now64(0) + 2).expect("no location");
    // A certificate whose region exceeds its issuer's breaks the chain.
    let mut v2 = Verifier::new(VerifierConfig::default());
    v2.store.add_trust_anchor(&root).unwrap();
    assert!(matches!(
        v2.store
            .add_certificate(&scms_asn1::decode(&cas[1]).unwrap()),
        Err(Rejection::UnknownIssuer { .. })
    ));
}

fn loc(lat: f64, lon: f64) -> ThreeDLocation {
    use scms_asn1::ieee1609dot2::{NinetyDegreeInt, OneEightyDegreeInt};
    ThreeDLocation {
        latitude: NinetyDegreeInt((lat * 1e7) as i32),
        longitude: OneEightyDegreeInt((lon * 1e7) as i32),
        elevation: 0,
    }
}

fn crl_header(w: &World) -> CrlHeader {
    CrlHeader {
        series: 1,
        craca: certificate_hashed_id8(
            &scms_asn1::decode(w.h.certificate("root").unwrap()).unwrap(),
        )
        .unwrap()
        .0,
        issue_date: now32() + 60,
        next_crl: now32() + 7 * 86_400,
        priority: None,
    }
}

#[test]
fn revoked_by_hash() {
    let w = World::new();
    let cert = w.pseudonym("p0", None);
    let mut signer = w.signer(cert.clone(), "p0");
    let other = w.pseudonym("p1", None);
    let mut other_signer = w.signer(other, "p1");
    let mut v = w.verifier();
    let body = CrlBody::Hash {
        delta: false,
        crl_serial: 1,
        entries: vec![hash_entry(&cert).unwrap()],
    };
    let crl = sign_crl(
        &w.ca_keys,
        &w.h.issuer_ref("crl").unwrap(),
        &crl_header(&w),
        &body,
        SignerForm::Certificate,
    )
    .expect("crl");
    let applied = v.apply_crl(&crl.bytes, now64(0), 0).expect("CRL applies");
    assert_eq!(applied.hash_entries, 1);
    let msg = signer.sign(&w.device_keys, &bsm(now64(0))).unwrap();
    assert!(matches!(
        v.verify(&msg, now64(0)),
        Err(Rejection::RevokedByHash { .. })
    ));
    let msg = other_signer.sign(&w.device_keys, &bsm(now64(0))).unwrap();
    v.verify(&msg, now64(0)).expect("others are not revoked");

    // A tampered CRL is refused and changes nothing.
    let mut bad = crl.bytes.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    assert_eq!(v.apply_crl(&bad, now64(0), 0), Err(Rejection::BadSignature));
}

#[test]
fn revoked_by_linkage_now_and_in_later_periods() {
    let w = World::new();
    let (la1, la2) = (LaId(0x0101), LaId(0x0202));
    let i0 = 100u16;
    let ls1 = LinkageSeed::from_bytes([0x11; 16]);
    let ls2 = LinkageSeed::from_bytes([0x22; 16]);
    let lv = |i: u16, j: u32| {
        let (a, b) = (
            ls1.at(la1, u32::from(i - i0)),
            ls2.at(la2, u32::from(i - i0)),
        );
        *LinkageValue::compute(la1, &a, la2, &b, j).as_bytes()
    };
    let culprit_now = w.pseudonym("c0", Some((i0, lv(i0, 3))));
    let culprit_next = w.pseudonym("c1", Some((i0 + 1, lv(i0 + 1, 0))));
    let innocent = w.pseudonym("n0", Some((i0, [0x5a; 9])));
    let mut v = w.verifier();
    let body = CrlBody::Linkage {
        delta: false,
        i_rev: i0,
        index_within_i: 0,
        individual: vec![IndividualEntry {
            jmax: 20,
            la1_id: la1.to_bytes(),
            la2_id: la2.to_bytes(),
            i_max: i0 + 52,
            linkage_seed1: *ls1.as_bytes(),
            linkage_seed2: *ls2.as_bytes(),
        }],
        groups: vec![],
    };
    let crl = sign_crl(
        &w.ca_keys,
        &w.h.issuer_ref("crl").unwrap(),
        &crl_header(&w),
        &body,
        SignerForm::Certificate,
    )
    .expect("crl");
    let applied = v.apply_crl(&crl.bytes, now64(0), i0).expect("CRL applies");
    assert_eq!(applied.linkage_entries, 1);
    assert_eq!(
        v.revocation.linkage_value_count(),
        3 * 20,
        "20 values for each of 3 periods"
    );

    for (label, cert) in [("c0", &culprit_now), ("c1", &culprit_next)] {
        let mut s = w.signer(cert.clone(), label);
        let msg = s.sign(&w.device_keys, &bsm(now64(0))).unwrap();
        assert_eq!(
            v.verify(&msg, now64(0)),
            Err(Rejection::RevokedByLinkage),
            "{label}"
        );
    }
    let mut s = w.signer(innocent, "n0");
    let msg = s.sign(&w.device_keys, &bsm(now64(0))).unwrap();
    v.verify(&msg, now64(0))
        .expect("an innocent pseudonym verifies");
    let _ = w.device_keys.list().unwrap();
}
