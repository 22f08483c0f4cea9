//! Hostile and edge-case inputs for the IEEE 1609.2 types, exact encodings of
//! extension additions, constraint checks and the typed extension accessors.

use std::time::{Duration as StdDuration, Instant};

use scms_asn1::codec::{ErrorKind, ObjectIdentifier, Octets, Open, Spanned, UnknownExtensions};
use scms_asn1::ieee1609dot2::crl::SecuredCrl;
use scms_asn1::ieee1609dot2::etsi_extension::*;
use scms_asn1::ieee1609dot2::*;
use scms_asn1::{decode, decode_prefix, encode, Describe};

fn sample(rel: &str) -> Vec<u8> {
    let base = std::env::var("SCMS_SAMPLES")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples").into());
    std::fs::read(format!("{base}/{rel}")).unwrap()
}

fn minimal_tbs() -> ToBeSignedCertificate<'static> {
    ToBeSignedCertificate {
        id: CertificateId::None,
        craca_id: [0; 3],
        crl_series: 0,
        validity_period: ValidityPeriod {
            start: 0,
            duration: Duration::Hours(1),
        },
        region: None,
        assurance_level: None,
        app_permissions: Some(vec![PsidSsp {
            psid: Psid(32),
            ssp: None,
        }]),
        cert_issue_permissions: None,
        cert_request_permissions: None,
        can_request_rollover: None,
        encryption_key: None,
        verify_key_indicator: VerificationKeyIndicator::ReconstructionValue(
            EccP256CurvePoint::CompressedY0([0x11; 32]),
        ),
        flags: None,
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
        unknown_extensions: UnknownExtensions::default(),
    }
}

fn implicit_cert(tbs: ToBeSignedCertificate<'static>) -> Certificate<'static> {
    Spanned::new(CertificateBase {
        version: CertificateBase::VERSION,
        r#type: CertificateType::Implicit,
        issuer: IssuerIdentifier::Sha256AndDigest([0x22; 8]),
        to_be_signed: Spanned::new(tbs),
        signature: None,
    })
}

// ---------------------------------------------------------------------------
// ToBeSignedCertificate.flags: an extension addition
// ---------------------------------------------------------------------------

#[test]
fn flags_uses_cubk_is_bitmap_plus_open_type() {
    let mut tbs = minimal_tbs();
    let without = encode(&tbs).unwrap();
    tbs.flags = Some(ToBeSignedCertificate::flags_uses_cubk());
    let with = encode(&tbs).unwrap();
    // Preamble: extension bit (first bit) now set; appPermissions present.
    assert_eq!(without[0] & 0x80, 0);
    assert_eq!(with[0] & 0x80, 0x80);
    assert_eq!(with[0] & 0x7f, without[0]);
    assert_eq!(&with[1..without.len()], &without[1..]);
    // Then the extension presence bitmap: length 2, 4 unused bits (four
    // extension additions known), flags is addition 0 -> 0x80; then flags as an
    // open type: length 1, the 8-bit string with usesCubk (bit 0) set -> 01 80.
    assert_eq!(&with[without.len()..], &[0x02, 0x04, 0x80, 0x01, 0x80]);
    let back: ToBeSignedCertificate = decode(&with).unwrap();
    assert!(back.uses_cubk());
    assert_eq!(back, tbs);
    // flags of another size is rejected inside its open type.
    let mut bad = with.clone();
    let n = bad.len();
    bad[n - 2] = 2;
    bad.push(0);
    assert!(decode::<ToBeSignedCertificate>(&bad).is_err());
}

// ---------------------------------------------------------------------------
// Hostile counts, depth, trailing bytes
// ---------------------------------------------------------------------------

#[test]
fn huge_sequence_of_count_in_certificate_fails_fast() {
    let cert = sample("camp/TestCertificate.coer");
    // region identifiedRegion: tag 0x83, then the SEQUENCE OF quantity `01 03`.
    let at = cert
        .windows(3)
        .position(|w| w == [0x83, 0x01, 0x03])
        .expect("identifiedRegion count");
    let mut evil = cert[..at + 1].to_vec();
    evil.extend_from_slice(&[0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]); // count = 2^40
    evil.extend_from_slice(&cert[at + 3..]);
    let t = Instant::now();
    let e = decode::<Certificate>(&evil).unwrap_err();
    assert!(t.elapsed() < StdDuration::from_millis(50));
    assert!(
        matches!(e.kind, ErrorKind::LengthExceedsInput { length, .. } if length == 1 << 40),
        "{e}"
    );
    assert_eq!(e.offset, at + 1);
    assert!(e.path().contains("region"), "{}", e.path());

    // The largest count the input could back still allocates only as elements decode.
    let mut evil = cert[..at + 1].to_vec();
    evil.extend_from_slice(&[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    evil.extend_from_slice(&cert[at + 3..]);
    assert!(decode::<Certificate>(&evil).is_err());

    // Also inside an SPDU's signer certificate list.
    let spdu = sample("spdu/udp-data.bin");
    let d: Ieee1609Dot2Data = decode(&spdu).unwrap();
    let SignerIdentifier::Certificate(certs) = &d.signed_data().unwrap().signer else {
        panic!()
    };
    let raw = certs[0].raw().unwrap();
    let cert_at = spdu.windows(raw.len()).position(|w| w == raw).unwrap();
    // The quantity `01 01` precedes the certificate.
    assert_eq!(&spdu[cert_at - 2..cert_at], &[0x01, 0x01]);
    let mut evil = spdu[..cert_at - 2].to_vec();
    evil.extend_from_slice(&[0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
    evil.extend_from_slice(&spdu[cert_at..]);
    let e = decode::<Ieee1609Dot2Data>(&evil).unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::LengthExceedsInput { .. }),
        "{e}"
    );
}

/// `03 81 00 40` repeated: protocolVersion 3, signedData, hashId sha256, a
/// SignedDataPayload preamble with `data` present, whose data starts again.
fn nested_prefix(levels: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for _ in 0..levels {
        b.extend_from_slice(&[0x03, 0x81, 0x00, 0x40]);
    }
    b
}

#[test]
fn deep_nesting_is_too_deep() {
    for levels in [12, 100, 100_000] {
        let mut bytes = nested_prefix(levels);
        bytes.extend_from_slice(&[0x03, 0x80, 0x00]);
        let e = decode::<Ieee1609Dot2Data>(&bytes).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooDeep, "{levels} levels: {e}");
        assert!(e.offset < 4 * 12, "fails early, at {}", e.offset);
    }
}

#[test]
fn moderate_nesting_round_trips() {
    // A signed SPDU wrapping a signed SPDU wrapping unsecured data: built, encoded,
    // decoded.
    let mut data = Ieee1609Dot2Data::new(Ieee1609Dot2Content::UnsecuredData(Octets::from(vec![
        1, 2, 3,
    ])));
    for _ in 0..3 {
        let sd = SignedData {
            hash_id: HashAlgorithm::Sha256,
            tbs_data: Spanned::new(ToBeSignedData {
                payload: SignedDataPayload {
                    data: Some(Box::new(data)),
                    ext_data_hash: None,
                    omitted: None,
                    unknown_extensions: UnknownExtensions::default(),
                },
                header_info: HeaderInfo::new(Psid(32)),
            }),
            signer: SignerIdentifier::SelfSigned,
            signature: Signature::EcdsaNistP256Signature(EcdsaP256Signature {
                r_sig: EccP256CurvePoint::XOnly([5; 32]),
                s_sig: [6; 32],
            }),
        };
        data = Ieee1609Dot2Data::new(Ieee1609Dot2Content::SignedData(Box::new(sd)));
    }
    let bytes = encode(&data).unwrap();
    assert_eq!(&bytes[..12], &nested_prefix(3)[..]);
    let back: Ieee1609Dot2Data = decode(&bytes).unwrap();
    assert_eq!(back, data);
    // The innermost tbsData span is the innermost ToBeSignedData's encoding.
    let inner = back
        .signed_data()
        .unwrap()
        .tbs_data
        .payload
        .data
        .as_ref()
        .unwrap();
    let tbs = &inner.signed_data().unwrap().tbs_data;
    assert_eq!(tbs.raw().unwrap(), &encode(tbs.value()).unwrap()[..]);
}

#[test]
fn trailing_bytes_rejected() {
    for (rel, is_cert) in [
        ("iss/iss_v2x_root.oer", true),
        ("camp/TestCertificate.coer", true),
        ("spdu/ShortMsgData.bin", false),
        ("iss/CRL-2020-2025.oer", false),
    ] {
        let mut b = sample(rel);
        let n = b.len();
        b.push(0);
        let e = if is_cert {
            decode::<Certificate>(&b).unwrap_err()
        } else {
            decode::<Ieee1609Dot2Data>(&b).unwrap_err()
        };
        assert_eq!(e.kind, ErrorKind::TrailingBytes { count: 1 }, "{rel}");
        assert_eq!(e.offset, n);
        // decode_prefix accepts it and returns the rest.
        if is_cert {
            let (_, rest) = decode_prefix::<Certificate>(&b).unwrap();
            assert_eq!(rest, &[0]);
        }
    }
}

#[test]
fn truncations_never_panic_and_fail() {
    let b = sample("spdu/udp-data.bin");
    for n in 0..b.len() {
        assert!(decode::<Ieee1609Dot2Data>(&b[..n]).is_err());
    }
}

// ---------------------------------------------------------------------------
// Certificate value set: (ImplicitCertificate | ExplicitCertificate)
// ---------------------------------------------------------------------------

#[test]
fn certificate_must_be_implicit_or_explicit() {
    let root = sample("iss/iss_v2x_root.oer");
    // Byte 0: preamble (signature present); byte 1: version 3; byte 2: type explicit.
    assert_eq!(&root[..3], &[0x80, 0x03, 0x00]);
    let mut b = root.clone();
    b[2] = 0x01; // implicit, but with a verification key and a signature
    let e = decode::<Certificate>(&b).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Constraint(_)), "{e}");
    // Version other than 3.
    let mut b = root.clone();
    b[1] = 0x02;
    let e = decode::<Certificate>(&b).unwrap_err();
    assert_eq!(e.kind, ErrorKind::IntegerOutOfRange);

    // Building an invalid one fails to encode.
    let mut c = implicit_cert(minimal_tbs()).into_inner();
    assert!(c.is_implicit());
    assert!(encode(&c).is_ok());
    c.signature = Some(Signature::EcdsaNistP256Signature(EcdsaP256Signature {
        r_sig: EccP256CurvePoint::Fill,
        s_sig: [0; 32],
    }));
    assert!(!c.is_implicit() && !c.is_explicit());
    let e = encode(&c).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Constraint(_)));

    // No permissions at all breaks the ToBeSignedCertificate constraint.
    let mut tbs = minimal_tbs();
    tbs.app_permissions = None;
    assert!(encode(&tbs).is_err());
}

#[test]
fn certificate_spans_cover_exact_bytes() {
    let root = sample("iss/iss_v2x_root.oer");
    let c: Certificate = decode(&root).unwrap();
    let tbs = c.to_be_signed.raw().unwrap();
    // version, type, issuer `self sha256` (81 00), then the ToBeSignedCertificate.
    assert_eq!(&root[3..5], &[0x81, 0x00]);
    assert_eq!(tbs.as_ptr(), root[5..].as_ptr());
    let sig = encode(c.signature.as_ref().unwrap()).unwrap();
    assert_eq!(5 + tbs.len() + sig.len(), root.len());
    // A certificate built in code has no span and encodes on demand.
    let built = implicit_cert(minimal_tbs());
    assert!(built.raw().is_none());
    assert_eq!(
        built.to_bytes().unwrap().into_owned(),
        encode(&built).unwrap()
    );
}

// ---------------------------------------------------------------------------
// Extension classes and typed accessors
// ---------------------------------------------------------------------------

#[test]
fn contributed_header_info_extensions() {
    let etsi = EtsiOriginatingHeaderInfoExtension::crl_request();
    let delta = EtsiOriginatingHeaderInfoExtension::delta_ctl_request();
    let p2p = Ieee1609ContributedHeaderInfoExtension::new_p2pcd8_byte_learning_request(&[9; 8]);
    let mut h = HeaderInfo::new(Psid(0x24));
    h.contributed_extensions = Some(ContributedExtensionBlocks(vec![
        ContributedExtensionBlock {
            contributor_id: IEEE1609_HEADER_INFO_CONTRIBUTOR_ID,
            extns: vec![Open::from_value(&p2p).unwrap()],
        },
        ContributedExtensionBlock {
            contributor_id: ETSI_HEADER_INFO_CONTRIBUTOR_ID,
            extns: vec![
                Open::from_value(&etsi).unwrap(),
                Open::from_value(&delta).unwrap(),
            ],
        },
    ]));
    let bytes = encode(&h).unwrap();
    let back: HeaderInfo = decode(&bytes).unwrap();
    assert_eq!(back, h);
    let blocks = &back.contributed_extensions.as_ref().unwrap().0;
    let ieee = blocks[0].ieee1609_extensions().unwrap().unwrap();
    assert_eq!(ieee[0].p2pcd8_byte_learning_request(), Some(Ok([9; 8])));
    assert!(blocks[0].etsi_extensions().is_none());
    let e = blocks[1].etsi_extensions().unwrap().unwrap();
    assert!(e[0].is_crl_request());
    assert!(e[1].is_delta_ctl_request());
    assert_eq!(
        e[0].known(),
        Some(Ok(EtsiTs103097HeaderInfoExtension::CrlRequest))
    );
    // An ETSI CRL request is id 1 with an empty (NULL) content: `01 00`.
    assert_eq!(encode(&etsi).unwrap(), [0x01, 0x00]);
    // A non-NULL content for a NULL-typed id is reported.
    let bad = EtsiOriginatingHeaderInfoExtension {
        id: ETSI_TS102941_CRL_REQUEST_ID,
        content: Open(vec![0].into()),
    };
    assert!(matches!(bad.known(), Some(Err(_))));
    // Unknown ids stay open.
    let other = EtsiOriginatingHeaderInfoExtension {
        id: 77,
        content: Open(vec![1, 2].into()),
    };
    assert_eq!(other.known(), None);
}

#[test]
fn certificate_extensions() {
    let oid = ObjectIdentifier::from_arcs(&[1, 3, 6, 1, 4, 1, 99999]).unwrap();
    let app = AppExtension::new_operating_organization(&oid).unwrap();
    let mut tbs = minimal_tbs();
    tbs.app_extensions = Some(SequenceOfAppExtensions(vec![app]));
    tbs.cert_issue_extensions = Some(SequenceOfCertIssueExtensions(vec![CertIssueExtension {
        id: CERT_EXT_ID_OPERATING_ORGANIZATION,
        permissions: CertIssueExtensionPermissions::Specific(Open(Vec::new().into())),
    }]));
    tbs.cert_request_extension = Some(SequenceOfCertRequestExtensions(vec![
        CertRequestExtension {
            id: CERT_EXT_ID_OPERATING_ORGANIZATION,
            permissions: CertRequestExtensionPermissions::All,
        },
    ]));
    let cert = implicit_cert(tbs);
    let bytes = encode(&cert).unwrap();
    let back: Certificate = decode(&bytes).unwrap();
    assert_eq!(back, cert);
    let t = &back.to_be_signed;
    let got = t.app_extensions.as_ref().unwrap().0[0]
        .operating_organization()
        .unwrap()
        .unwrap();
    assert_eq!(got.dotted(), "1.3.6.1.4.1.99999");
    assert_eq!(
        t.cert_issue_extensions.as_ref().unwrap().0[0].operating_organization(),
        Some(Ok(()))
    );
    assert_eq!(
        t.cert_request_extension.as_ref().unwrap().0[0].operating_organization(),
        Some(Ok(()))
    );
    // SIZE(1..MAX): an empty list of app extensions is rejected.
    let mut tbs = minimal_tbs();
    tbs.app_extensions = Some(SequenceOfAppExtensions(vec![]));
    assert!(encode(&tbs).is_err());
}

#[test]
fn end_entity_type_default_and_constraint() {
    let g = PsidGroupPermissions {
        subject_permissions: SubjectPermissions::All,
        min_chain_length: 1,
        chain_length_range: 0,
        ee_type: EndEntityType::app(),
    };
    // Everything at its DEFAULT: preamble 000, then subjectPermissions all [1].
    assert_eq!(encode(&g).unwrap(), [0x00, 0x81]);
    let g2 = PsidGroupPermissions {
        min_chain_length: 2,
        chain_length_range: -1,
        ee_type: EndEntityType(scms_asn1::codec::BitString::with_bits(8, &[0, 1])),
        ..g.clone()
    };
    assert_eq!(
        encode(&g2).unwrap(),
        [0xe0, 0x81, 0x01, 0x02, 0x01, 0xff, 0xc0]
    );
    assert_eq!(
        decode::<PsidGroupPermissions>(&[0xe0, 0x81, 0x01, 0x02, 0x01, 0xff, 0xc0]).unwrap(),
        g2
    );
    // The default encoded explicitly is not canonical.
    assert!(decode::<PsidGroupPermissions>(&[0x20, 0x81, 0x80]).is_err());
    // ALL EXCEPT {}: no bit set is rejected.
    assert!(decode::<PsidGroupPermissions>(&[0x20, 0x81, 0x00]).is_err());
}

#[test]
fn secured_crl_constraints() {
    let crl = sample("iss/CRL-2020-2025.oer");
    assert!(decode::<SecuredCrl>(&crl).is_ok());
    // A signed BSM is an Ieee1609Dot2Data but not a SecuredCrl.
    let bsm = sample("spdu/ShortMsgData.bin");
    let e = decode::<SecuredCrl>(&bsm).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Constraint(_)), "{e}");
}

#[test]
fn describe_uses_asn1_names() {
    let b = sample("spdu/ShortMsgData.bin");
    let d: Ieee1609Dot2Data = decode(&b).unwrap();
    let j = d.describe().to_json();
    for needle in [
        "\"protocolVersion\":3",
        "\"signedData\"",
        "\"tbsData\"",
        "\"headerInfo\":{\"psid\":32,\"generationTime\":640450240844022}",
        "\"digest\":\"254eb75c3ada37d5\"",
        "\"compressed-y-1\"",
        "\"sSig\"",
    ] {
        assert!(j.contains(needle), "{needle} not in {j}");
    }
    let b = sample("camp/TestCertificate.coer");
    let c: Certificate = decode(&b).unwrap();
    let j = c.describe().to_json();
    assert!(
        j.contains("\"linkage-value\":\"030303030303030303\""),
        "{j}"
    );
    assert!(j.contains("\"type\":\"implicit\""), "{j}");
}

#[test]
fn generic_extension() {
    let x = Extension::new(P2PCD8_BYTE_LEARNING_REQUEST_ID, &[7u8; 8]).unwrap();
    let bytes = encode(&x).unwrap();
    assert_eq!(&bytes[..2], &[0x01, 0x08]);
    let back: Extension = decode(&bytes).unwrap();
    assert_eq!(back.content_as::<HashedId8>().unwrap(), [7; 8]);
    assert!(back.content_as::<HashedId3>().is_err());
}
