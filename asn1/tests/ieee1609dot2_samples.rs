//! Real IEEE 1609.2 data from `shared/samples/` (see its README): every sample
//! decodes as its type, re-encodes byte-identically (from the received spans and
//! from the decoded values alone), matches the reference decodes, and survives
//! thousands of mutations.

use std::path::PathBuf;

use scms_asn1::codec::testing::mutations;
use scms_asn1::codec::Spanned;
use scms_asn1::ieee1609dot2::crl::{SecuredCrl, CRL_PSID};
use scms_asn1::ieee1609dot2::crl_base_types::TypeSpecificCrlContents;
use scms_asn1::ieee1609dot2::*;
use scms_asn1::{decode, decode_prefix, encode};

fn samples_dir() -> PathBuf {
    match std::env::var_os("SCMS_SAMPLES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples")),
    }
}

fn sample(rel: &str) -> Vec<u8> {
    let p = samples_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read sample {}: {e}", p.display()))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------
// Span stripping: rebuild values without received bytes, so encoding really
// runs the encoder instead of copying spans.
// ---------------------------------------------------------------------------

fn strip_cert<'a>(c: &Certificate<'a>) -> Certificate<'a> {
    let mut base = c.value().clone();
    base.to_be_signed = Spanned::new(base.to_be_signed.value().clone());
    Spanned::new(base)
}

fn strip_data<'a>(d: &Ieee1609Dot2Data<'a>) -> Ieee1609Dot2Data<'a> {
    let mut out = d.clone();
    if let Ieee1609Dot2Content::SignedData(sd) = &mut out.content {
        let mut tbs = sd.tbs_data.value().clone();
        if let Some(inner) = &tbs.payload.data {
            tbs.payload.data = Some(Box::new(strip_data(inner)));
        }
        if let Some(c) = &tbs.header_info.requested_certificate {
            tbs.header_info.requested_certificate = Some(strip_cert(c));
        }
        sd.tbs_data = Spanned::new(tbs);
        if let SignerIdentifier::Certificate(certs) = &mut sd.signer {
            *certs = certs.iter().map(strip_cert).collect();
        }
    }
    out
}

/// Decodes `bytes` as a certificate and checks both re-encodings and the spans.
fn check_cert(bytes: &[u8]) -> Certificate<'_> {
    let c: Certificate = decode(bytes).unwrap_or_else(|e| panic!("certificate: {e}"));
    assert_eq!(c.raw(), Some(bytes), "certificate span");
    assert_eq!(encode(&c).unwrap(), bytes, "span re-encoding");
    assert_eq!(encode(&strip_cert(&c)).unwrap(), bytes, "value re-encoding");
    let tbs = c.to_be_signed.raw().expect("tbs span");
    assert_eq!(encode(c.to_be_signed.value()).unwrap(), tbs);
    assert!(c.is_explicit() ^ c.is_implicit());
    c
}

fn check_data(bytes: &[u8]) -> Ieee1609Dot2Data<'_> {
    let d: Ieee1609Dot2Data = decode(bytes).unwrap_or_else(|e| panic!("SPDU: {e}"));
    assert_eq!(encode(&d).unwrap(), bytes, "span re-encoding");
    assert_eq!(encode(&strip_data(&d)).unwrap(), bytes, "value re-encoding");
    if let Some(sd) = d.signed_data() {
        let tbs = sd.tbs_data.raw().expect("tbsData span");
        assert_eq!(encode(sd.tbs_data.value()).unwrap(), tbs);
    }
    d
}

fn mutate_cert(name: &str, bytes: &[u8], seed: u64) {
    let mut accepted = 0usize;
    mutations(bytes, 3000, seed, |m| {
        if let Ok(c) = decode::<Certificate>(m) {
            accepted += 1;
            assert_eq!(encode(&c).unwrap(), m, "{name}");
            assert_eq!(encode(&strip_cert(&c)).unwrap(), m, "{name}: not canonical");
            assert!(c.is_explicit() || c.is_implicit());
        }
    });
    assert!(accepted < 3000, "{name}: every mutation accepted");
    eprintln!("{name}: {accepted} of 3000 mutations accepted (and canonical)");
}

fn mutate_data(name: &str, bytes: &[u8], seed: u64) {
    let mut accepted = 0usize;
    mutations(bytes, 3000, seed, |m| {
        if let Ok(d) = decode::<Ieee1609Dot2Data>(m) {
            accepted += 1;
            assert_eq!(encode(&d).unwrap(), m, "{name}");
            assert_eq!(encode(&strip_data(&d)).unwrap(), m, "{name}: not canonical");
        }
    });
    assert!(accepted < 3000, "{name}: every mutation accepted");
    eprintln!("{name}: {accepted} of 3000 mutations accepted (and canonical)");
}

// ---------------------------------------------------------------------------
// IEEE 1609.3 WSMP framing
// ---------------------------------------------------------------------------

/// A WAVE Short Message (IEEE 1609.3-2020 8.3), as far as needed to find the
/// 1609.2 SPDU in it.
#[derive(Debug)]
struct Wsm<'a> {
    /// (WAVE element id, value) of the N-header extensions (tx power, channel, rate).
    extensions: Vec<(u8, &'a [u8])>,
    psid: u64,
    /// The WSM data: the 1609.2 SPDU (or, for gdot, a bare J2735 message).
    body: &'a [u8],
    /// Bytes after the WSM data (e.g. a frame check sequence).
    rest: &'a [u8],
}

/// VarLengthNumber for counts and lengths (1609.3 8.1.3): `0xxxxxxx` is one byte,
/// `10xxxxxx xxxxxxxx` two bytes (14-bit value).
fn var_len(b: &[u8], i: &mut usize) -> usize {
    let first = b[*i];
    if first & 0x80 == 0 {
        *i += 1;
        usize::from(first)
    } else {
        assert_eq!(first & 0xc0, 0x80, "3-byte lengths are not used here");
        let v = (usize::from(first & 0x3f) << 8) | usize::from(b[*i + 1]);
        *i += 2;
        v
    }
}

/// A p-encoded PSID (1609.12 / 1609.3 8.1.3): 1 to 4 bytes, the prefix bits
/// telling the length, with an offset per length.
fn p_encoded_psid(b: &[u8], i: &mut usize) -> u64 {
    let first = b[*i];
    let (n, mask, offset) = match first.leading_ones() {
        0 => (1, 0x7f, 0),
        1 => (2, 0x3f, 0x80),
        2 => (3, 0x1f, 0x4080),
        3 => (4, 0x0f, 0x20_4080),
        _ => panic!("bad p-encoded PSID"),
    };
    let mut v = u64::from(first & mask);
    for k in 1..n {
        v = (v << 8) | u64::from(b[*i + k]);
    }
    *i += n;
    v + offset
}

/// Parses the WSMP N-header (subtype, option indicator, version, extensions)
/// and T-header (TPID, PSID, WSM length) and returns the WSM data.
fn parse_wsmp(frame: &[u8]) -> Wsm<'_> {
    let mut i = 0;
    let b0 = frame[0];
    let subtype = b0 >> 4;
    let has_ext = b0 & 0x08 != 0;
    let version = b0 & 0x07;
    assert_eq!(version, 3, "WSMP version");
    assert_eq!(subtype, 0, "null networking subtype");
    i += 1;
    let mut extensions = Vec::new();
    if has_ext {
        let count = var_len(frame, &mut i);
        for _ in 0..count {
            let id = frame[i];
            i += 1;
            let len = var_len(frame, &mut i);
            extensions.push((id, &frame[i..i + len]));
            i += len;
        }
    }
    let tpid = frame[i];
    i += 1;
    assert_eq!(tpid, 0, "TPID 0: PSID only, no T-header extensions");
    let psid = p_encoded_psid(frame, &mut i);
    let len = var_len(frame, &mut i);
    Wsm {
        extensions,
        psid,
        body: &frame[i..i + len],
        rest: &frame[i + len..],
    }
}

// ---------------------------------------------------------------------------
// ISS root and CRL
// ---------------------------------------------------------------------------

const ISS_ROOT_HASHED_ID8: [u8; 8] = [0x7a, 0xc9, 0xef, 0xd3, 0xcc, 0x39, 0x69, 0x21];

#[test]
fn iss_root_certificate() {
    let bytes = sample("iss/iss_v2x_root.oer");
    let c = check_cert(&bytes);
    assert!(c.is_explicit());
    assert!(c.is_self_signed());
    assert_eq!(
        c.issuer,
        IssuerIdentifier::SelfSigned(HashAlgorithm::Sha256)
    );
    let CertificateId::Name(name) = &c.to_be_signed.id else {
        panic!("root id is not a name: {:?}", c.to_be_signed.id);
    };
    assert_eq!(name.as_str(), "v2xrootca.ghsiss.com");
    assert!(matches!(
        c.to_be_signed.verify_key_indicator,
        VerificationKeyIndicator::VerificationKey(PublicVerificationKey::EcdsaNistP256(_))
    ));
    assert!(c.to_be_signed.cert_issue_permissions.is_some());
    mutate_cert("iss root", &bytes, 1);
}

#[test]
fn iss_crl() {
    let bytes = sample("iss/CRL-2020-2025.oer");
    let d = check_data(&bytes);
    let sd = d.signed_data().expect("signed");
    assert_eq!(sd.tbs_data.header_info.psid, CRL_PSID);
    assert_eq!(sd.signer, SignerIdentifier::Digest(ISS_ROOT_HASHED_ID8));

    let crl: SecuredCrl = decode(&bytes).expect("SecuredCrl");
    assert_eq!(encode(&crl).unwrap(), bytes);
    let contents = crl.crl_contents().expect("CrlContents");
    assert_eq!(contents.crl_craca, ISS_ROOT_HASHED_ID8);
    assert!(matches!(
        contents.type_specific,
        TypeSpecificCrlContents::FullHashCrl(_)
    ));
    let inner = crl.crl_contents_bytes().unwrap();
    assert_eq!(encode(&contents).unwrap(), inner);

    mutate_data("iss crl", &bytes, 2);
    let mut accepted = 0;
    mutations(&bytes, 3000, 3, |m| {
        if let Ok(c) = decode::<SecuredCrl>(m) {
            accepted += 1;
            assert_eq!(encode(&c).unwrap(), m);
            assert_eq!(encode(&SecuredCrl(strip_data(&c.0))).unwrap(), m);
            assert!(c.crl_contents().is_ok());
        }
    });
    assert!(accepted < 3000);
}

// ---------------------------------------------------------------------------
// SPDUs
// ---------------------------------------------------------------------------

#[test]
fn short_msg_data_bsm() {
    let bytes = sample("spdu/ShortMsgData.bin");
    assert_eq!(bytes.len(), 183);
    let d = check_data(&bytes);
    let sd = d.signed_data().unwrap();
    assert_eq!(sd.hash_id, HashAlgorithm::Sha256);
    let h = &sd.tbs_data.header_info;
    assert_eq!(h.psid, Psid(32));
    assert_eq!(h.generation_time, Some(640_450_240_844_022));
    assert_eq!(
        sd.signer,
        SignerIdentifier::Digest(hex("254EB75C3ADA37D5").try_into().unwrap())
    );
    let Signature::EcdsaNistP256Signature(sig) = &sd.signature else {
        panic!("signature {:?}", sd.signature);
    };
    assert_eq!(
        sig.r_sig,
        EccP256CurvePoint::CompressedY1(
            hex("CA792423EC5F6716151EEDAD6E78B4D9AF19EDA39F5D7A1A305386F56A0859EA")
                .try_into()
                .unwrap()
        )
    );
    let inner = sd.tbs_data.payload.data.as_ref().unwrap();
    let Ieee1609Dot2Content::UnsecuredData(bsm) = &inner.content else {
        panic!("inner {:?}", inner.content);
    };
    assert_eq!(&bsm[..4], &hex("00145745")[..]);
    mutate_data("ShortMsgData", &bytes, 4);
}

#[test]
fn udp_data_map_with_implicit_certificate() {
    let bytes = sample("spdu/udp-data.bin");
    let d = check_data(&bytes);
    let sd = d.signed_data().unwrap();
    let h = &sd.tbs_data.header_info;
    assert_eq!(h.psid, Psid(130));
    assert_eq!(h.generation_time, Some(637_434_485_748_149));
    let loc = h.generation_location.unwrap();
    assert_eq!(loc.latitude, NinetyDegreeInt(403_766_460));
    assert_eq!(loc.longitude, OneEightyDegreeInt(-1_117_960_696));
    assert_eq!(loc.elevation, 14120);
    let SignerIdentifier::Certificate(certs) = &sd.signer else {
        panic!("signer {:?}", sd.signer);
    };
    assert_eq!(certs.len(), 1);
    let c = &certs[0];
    assert!(c.is_implicit());
    assert_eq!(
        c.issuer,
        IssuerIdentifier::Sha256AndDigest(hex("C620FB90CAAD3B9C").try_into().unwrap())
    );
    let t = &c.to_be_signed;
    assert_eq!(
        t.id,
        CertificateId::BinaryId(hex("4C06B6DE4F8C6385").into())
    );
    assert_eq!(t.craca_id, [0x39, 0x69, 0x21]);
    assert_eq!(t.crl_series, 3);
    assert_eq!(t.validity_period.start, 637_007_767);
    assert_eq!(t.validity_period.duration, Duration::Minutes(10140));
    assert_eq!(
        t.region,
        Some(GeographicRegion::IdentifiedRegion(vec![
            IdentifiedRegion::CountryOnly(840)
        ]))
    );
    let perms = t.app_permissions.as_ref().unwrap();
    let psids: Vec<u64> = perms.iter().map(|p| p.psid.0).collect();
    assert_eq!(psids, [2113685, 2113687, 130, 131, 135, 38, 128]);
    assert_eq!(
        perms[0].ssp,
        Some(ServiceSpecificPermissions::Opaque(hex("000001E040").into()))
    );
    // The embedded certificate's span lies inside the SPDU.
    let raw = c.raw().unwrap();
    let at = bytes.windows(raw.len()).position(|w| w == raw).unwrap();
    assert!(at > 0);
    mutate_data("udp-data", &bytes, 5);
}

#[test]
fn udp2_data_bsm_x_only() {
    let bytes = sample("spdu/udp2-data.bin");
    let d = check_data(&bytes);
    let sd = d.signed_data().unwrap();
    assert_eq!(sd.tbs_data.header_info.psid, Psid(32));
    assert_eq!(
        sd.tbs_data.header_info.generation_time,
        Some(637_434_485_860_000)
    );
    assert_eq!(
        sd.signer,
        SignerIdentifier::Digest(hex("B2EFB1BB38328C83").try_into().unwrap())
    );
    let Signature::EcdsaNistP256Signature(sig) = &sd.signature else {
        panic!()
    };
    assert!(matches!(sig.r_sig, EccP256CurvePoint::XOnly(_)));
    mutate_data("udp2-data", &bytes, 6);
}

#[test]
fn wsmp_framed_udp() {
    let frame = sample("spdu/udp.bin");
    let w = parse_wsmp(&frame);
    assert_eq!(w.psid, 130);
    assert_eq!(w.extensions.len(), 3);
    assert!(w.rest.is_empty());
    assert_eq!(w.body, &sample("spdu/udp-data.bin")[..]);
    let d = check_data(w.body);
    assert_eq!(
        d.signed_data().unwrap().tbs_data.header_info.psid,
        Psid(130)
    );
}

#[test]
fn wsmp_framed_udp2() {
    let frame = sample("spdu/udp2.bin");
    let w = parse_wsmp(&frame);
    assert_eq!(w.psid, 32);
    assert!(w.extensions.is_empty());
    assert!(w.rest.is_empty());
    assert_eq!(w.body, &sample("spdu/udp2-data.bin")[..]);
    check_data(w.body);
}

/// `ShortMsgNpdu.bin` starts with the 183-byte SPDU itself (no header in front),
/// followed by 19 stray bytes (a repeat of the signature's tail and 4 more), then
/// a complete WSMP frame (at offset 202, PSID 32, WSM length 183) carrying the same
/// SPDU, then 4 bytes after the WSM data (likely the 802.11 FCS).
#[test]
fn short_msg_npdu() {
    let bytes = sample("spdu/ShortMsgNpdu.bin");
    let (d, rest) = decode_prefix::<Ieee1609Dot2Data>(&bytes).expect("SPDU prefix");
    let spdu_len = bytes.len() - rest.len();
    assert_eq!(spdu_len, 183);
    assert_eq!(&bytes[..183], &sample("spdu/ShortMsgData.bin")[..]);
    assert_eq!(encode(&strip_data(&d)).unwrap(), &bytes[..183]);
    // The whole file is not one SPDU.
    assert!(decode::<Ieee1609Dot2Data>(&bytes).is_err());

    // Find the WSMP frame in what follows: the first offset that parses as a
    // WSMP header whose WSM data decodes as an SPDU.
    let frame_at = (0..rest.len())
        .find(|&i| {
            let f = &rest[i..];
            f.len() > 4
                && f[0] == 0x0b
                && std::panic::catch_unwind(|| parse_wsmp(f).body.len()).is_ok()
        })
        .expect("WSMP frame after the SPDU");
    assert_eq!(183 + frame_at, 202);
    let w = parse_wsmp(&rest[frame_at..]);
    assert_eq!(w.psid, 32);
    assert_eq!(w.body.len(), 183);
    assert_eq!(w.body, &bytes[..183]);
    assert_eq!(w.rest.len(), 4);
    let d2 = check_data(w.body);
    assert_eq!(d2, d);
    mutate_data("ShortMsgNpdu SPDU", &bytes[..183], 7);
}

/// `gdot.bin` is two identical captures of one WSMP frame (PSID 130, 196 bytes
/// each: a 16-byte WSMP header, 176 bytes of WSM data, 4 trailing bytes, likely
/// the FCS). The WSM data is `gdot-data.bin`: an SAE J2735 MessageFrame in UPER
/// with messageId 19 (SPaT) and no 1609.2 layer at all (not even
/// `unsecuredData`), so it is not an `Ieee1609Dot2Data`.
#[test]
fn gdot_unsigned_j2735() {
    let frame = sample("spdu/gdot.bin");
    let w = parse_wsmp(&frame);
    assert_eq!(w.psid, 130);
    assert_eq!(w.rest.len(), 4 + 196);
    assert_eq!(&w.rest[4..], &frame[..196]);
    let payload = sample("spdu/gdot-data.bin");
    assert_eq!(w.body, &payload[..]);
    // UPER MessageFrame: extension bit, then 15-bit messageId.
    let msg_id = ((u16::from(payload[0]) << 8) | u16::from(payload[1])) & 0x7fff;
    assert_eq!(msg_id, 19);
    let e = decode::<Ieee1609Dot2Data>(w.body).unwrap_err();
    assert_eq!(e.offset, 0, "protocolVersion 0 is rejected: {e}");
}

// ---------------------------------------------------------------------------
// Certificates: ETSI ATS, CPOC, CAMP
// ---------------------------------------------------------------------------

#[test]
fn etsi_ats_certificates() {
    let dir = samples_dir().join("etsi-ats");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension().is_some_and(|x| x == "oer")).then_some(p)
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 58);
    let (mut explicit, mut implicit, mut p384) = (0, 0, 0);
    for (k, p) in names.iter().enumerate() {
        let bytes = std::fs::read(p).unwrap();
        let c = check_cert(&bytes);
        if c.is_explicit() {
            explicit += 1;
        } else {
            implicit += 1;
        }
        if matches!(
            c.to_be_signed.verify_key_indicator,
            VerificationKeyIndicator::VerificationKey(
                PublicVerificationKey::EcdsaBrainpoolP384r1(_)
                    | PublicVerificationKey::EcdsaNistP384(_)
            )
        ) {
            p384 += 1;
        }
        mutate_cert(&p.display().to_string(), &bytes, 100 + k as u64);
    }
    assert!(explicit > 0);
    assert!(p384 > 0, "no P-384 subject among the ATS certificates");
    let _ = implicit;
}

#[test]
fn etsi_cpoc_tlm_certificate() {
    let bytes = sample("etsi-cpoc/E7A4B2B045E7ACF9.oer");
    let c = check_cert(&bytes);
    assert!(c.is_self_signed());
    assert!(matches!(
        c.to_be_signed.verify_key_indicator,
        VerificationKeyIndicator::VerificationKey(PublicVerificationKey::EcdsaBrainpoolP384r1(_))
    ));
    assert!(matches!(
        c.signature,
        Some(Signature::EcdsaBrainpoolP384r1Signature(_))
    ));
    mutate_cert("cpoc tlm", &bytes, 8);
}

#[test]
fn camp_test_certificate() {
    let bytes = sample("camp/TestCertificate.coer");
    let c = check_cert(&bytes);
    // Reference value notation: camp/TestCertificate.txt.
    assert!(c.is_implicit());
    assert_eq!(c.issuer, IssuerIdentifier::Sha256AndDigest([1; 8]));
    let t = &c.to_be_signed;
    assert_eq!(
        t.id,
        CertificateId::LinkageData(LinkageData {
            i_cert: 2,
            linkage_value: [3; 9],
            group_linkage_value: None,
        })
    );
    assert_eq!(t.craca_id, [4; 3]);
    assert_eq!(t.crl_series, 5);
    assert_eq!(t.validity_period.start, 101_058_054);
    assert_eq!(t.validity_period.duration, Duration::Hours(169));
    assert_eq!(
        t.region,
        Some(GeographicRegion::IdentifiedRegion(vec![
            IdentifiedRegion::CountryOnly(124),
            IdentifiedRegion::CountryOnly(484),
            IdentifiedRegion::CountryOnly(840),
        ]))
    );
    assert_eq!(
        t.app_permissions,
        Some(vec![PsidSsp {
            psid: Psid(32),
            ssp: None
        }])
    );
    assert_eq!(
        t.verify_key_indicator,
        VerificationKeyIndicator::ReconstructionValue(EccP256CurvePoint::CompressedY1([8; 32]))
    );
    let hex_file =
        std::fs::read_to_string(samples_dir().join("camp/TestCertificate.coer.hex")).unwrap();
    let from_hex = hex(&hex_file.split_whitespace().collect::<String>());
    assert_eq!(from_hex, bytes);
    mutate_cert("camp test certificate", &bytes, 9);
}
