//! IEEE 1609.2.1-2022 types: random round trips of every PDU, hand-built known
//! encodings with mutation tests, and unknown extensions kept unchanged.

use scms_asn1::codec::testing::mutations;
use scms_asn1::codec::{Generate, Octets, Spanned};
use scms_asn1::codec::{UnknownAlternative, UnknownExtensions, Utf8String};
use scms_asn1::ieee1609dot2::base_types::*;
use scms_asn1::ieee1609dot2::dot2::{
    Certificate, CertificateType, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, SignedData,
    SignedDataPayload, SignerIdentifier, ToBeSignedCertificate, ToBeSignedData,
};
use scms_asn1::ieee1609dot2dot1::aca_ee::*;
use scms_asn1::ieee1609dot2dot1::aca_ra::*;
use scms_asn1::ieee1609dot2dot1::acpc::*;
use scms_asn1::ieee1609dot2dot1::cam_ra::*;
use scms_asn1::ieee1609dot2dot1::cert_management::*;
use scms_asn1::ieee1609dot2dot1::eca_ee::*;
use scms_asn1::ieee1609dot2dot1::ee_ra::*;
use scms_asn1::ieee1609dot2dot1::protocol::*;
use scms_asn1::{decode, encode};

macro_rules! rt {
    ($name:ident, $ty:ty, $n:expr, $min:expr) => {
        #[test]
        fn $name() {
            let n = scms_asn1::roundtrip_random!($ty, $n, 0x2d1 ^ $n as u64);
            assert!(n > $min, "only {n} {} values generated", stringify!($ty));
        }
    };
}

// Top-level PDUs.
rt!(rt_scms_pdu, ScmsPdu, 600, 100);
rt!(rt_eca_ee_interface_pdu, EcaEeInterfacePdu, 300, 100);
rt!(rt_ee_ra_interface_pdu, EeRaInterfacePdu, 300, 100);
rt!(rt_aca_ee_interface_pdu, AcaEeInterfacePdu, 300, 100);
rt!(rt_aca_ra_interface_pdu, AcaRaInterfacePdu, 300, 100);
rt!(rt_cert_management_pdu, CertManagementPdu, 300, 100);
rt!(rt_acpc_pdu, AcpcPdu, 300, 100);
rt!(rt_cam_ra_interface_pdu, CamRaInterfacePdu, 300, 100);
rt!(rt_security_mgmt_ssp, SecurityMgmtSsp, 300, 100);
rt!(rt_acpc_ssp, AcpcSsp, 300, 100);
rt!(
    rt_signed_certificate_request,
    SignedCertificateRequest,
    300,
    100
);
rt!(
    rt_signed_x509_certificate_request,
    SignedX509CertificateRequest,
    300,
    100
);
rt!(
    rt_scoped_certificate_request,
    ScopedCertificateRequest,
    300,
    100
);
rt!(
    rt_aprv_hash_calculation_input,
    AprvHashCalculationInput,
    300,
    100
);
// Inner types the SCMS uses first.
rt!(
    rt_butterfly_params_original,
    ButterflyParamsOriginal,
    300,
    100
);
rt!(rt_additional_params, AdditionalParams, 300, 100);
rt!(rt_ee_ra_cert_request, EeRaCertRequest, 300, 100);
rt!(rt_ra_ee_cert_ack, RaEeCertAck, 300, 100);
rt!(rt_ra_ee_cert_info, RaEeCertInfo, 300, 100);
rt!(rt_ra_aca_cert_request, RaAcaCertRequest, 300, 100);
rt!(rt_linkage_info, LinkageInfo, 300, 100);
rt!(rt_aca_ra_cert_response, AcaRaCertResponse, 300, 100);
rt!(rt_aca_ee_cert_response, AcaEeCertResponse, 300, 100);
rt!(rt_ee_eca_cert_request, EeEcaCertRequest, 300, 100);
rt!(rt_eca_ee_cert_response, EcaEeCertResponse, 300, 100);
rt!(rt_composite_crl, CompositeCrl, 300, 100);
rt!(rt_certificate_chain, CertificateChain, 300, 100);
rt!(rt_multi_signed_ctl, MultiSignedCtl, 300, 100);
rt!(rt_full_ieee_tbs_ctl, FullIeeeTbsCtl, 300, 100);
rt!(
    rt_to_be_signed_ctl_signature,
    ToBeSignedCtlSignature,
    300,
    100
);
rt!(
    rt_cert_mgmt_info_status,
    CertificateManagementInfoStatus,
    300,
    100
);
// SPDUs (parameterised types made concrete).
rt!(rt_ee_ra_cert_request_spdu, EeRaCertRequestSpdu, 300, 100);
rt!(rt_ra_ee_cert_ack_spdu, RaEeCertAckSpdu, 300, 100);
rt!(rt_ee_eca_cert_request_spdu, EeEcaCertRequestSpdu, 300, 100);
rt!(rt_ra_aca_cert_request_spdu, RaAcaCertRequestSpdu, 300, 100);
rt!(
    rt_aca_ee_cert_response_plain_spdu,
    AcaEeCertResponsePlainSpdu,
    300,
    100
);
rt!(rt_multi_signed_ctl_spdu, MultiSignedCtlSpdu, 300, 100);
rt!(rt_signed_aprv_binary_tree, SignedAprvBinaryTree, 300, 100);
rt!(rt_signer_single_cert, SignerSingleCert, 300, 100);
rt!(rt_signer_self, SignerSelf, 300, 100);
rt!(rt_signer_single_x509_cert, SignerSingleX509Cert, 300, 100);

// ---------------------------------------------------------------------------
// Hand-built known encodings
// ---------------------------------------------------------------------------

/// A `ToBeSignedCertificate` written byte by byte from the ASN.1 (1609.2 6.4.8):
/// the profile of an authorization certificate request.
fn tbs_cert_bytes() -> Vec<u8> {
    let mut b = vec![
        // preamble: ext=0, region=0, assuranceLevel=0, appPermissions=1,
        // certIssuePermissions=0, certRequestPermissions=0, canRequestRollover=0,
        // encryptionKey=0
        0x10, //
        0x83, // id: CertificateId [3] none (NULL: no content)
        0x00, 0x00, 0x00, // cracaId '000000'H
        0x00, 0x00, // crlSeries 0
        0x1f, 0x2e, 0x3d, 0x4c, // validityPeriod.start Time32
        0x84, 0x00, 0xa8, // validityPeriod.duration: [4] hours 168
        0x01, 0x01, // appPermissions: quantity (1 length octet, value 1)
        0x00, // PsidSsp preamble: ssp absent
        0x01, 0x20, // psid 32 (INTEGER (0..MAX): length 1, value 0x20)
        0x80, // verifyKeyIndicator: [0] verificationKey
        0x80, // PublicVerificationKey: [0] ecdsaNistP256
        0x82, // EccP256CurvePoint: [2] compressed-y-0
    ];
    b.extend_from_slice(&[0x11; 32]);
    b
}

fn tbs_cert(bytes: &[u8]) -> ToBeSignedCertificate<'_> {
    decode(bytes).expect("hand-built ToBeSignedCertificate decodes")
}

fn butterfly_original() -> AdditionalParams {
    AdditionalParams::Original(ButterflyParamsOriginal {
        signing_expansion: ButterflyExpansion::Aes128([0xa1; 16]),
        encryption_key: PublicEncryptionKey {
            supported_symm_alg: SymmAlgorithm::Aes128Ccm,
            public_key: BasePublicEncryptionKey::EciesNistP256(EccP256CurvePoint::CompressedY1(
                [0x22; 32],
            )),
        },
        encryption_expansion: ButterflyExpansion::Aes128([0xb2; 16]),
    })
}

fn ee_ra_cert_request(tbs: &[u8]) -> EeRaCertRequest<'_> {
    EeRaCertRequest {
        version: 2,
        generation_time: 0x1f2e_3d00,
        r#type: CertificateType::Implicit,
        tbs_cert: tbs_cert(tbs),
        additional_params: Some(butterfly_original()),
        unknown_extensions: UnknownExtensions::default(),
    }
}

/// The expected COER of [`ee_ra_cert_request`].
fn ee_ra_cert_request_expected() -> Vec<u8> {
    let mut e = vec![
        0x40, // preamble: extension bit 0, additionalParams present
        0x02, // version Uint8 (2): one octet
        0x1f, 0x2e, 0x3d, 0x00, // generationTime Time32
        0x01, // type CertificateType implicit (ENUMERATED 1)
    ];
    e.extend(tbs_cert_bytes()); // tbsCert
    e.push(0x80); // additionalParams: [0] original
    e.push(0x80); // signingExpansion: [0] aes128
    e.extend_from_slice(&[0xa1; 16]);
    e.push(0x00); // encryptionKey.supportedSymmAlg aes128Ccm
    e.push(0x80); // publicKey: [0] eciesNistP256
    e.push(0x83); // EccP256CurvePoint: [3] compressed-y-1
    e.extend_from_slice(&[0x22; 32]);
    e.push(0x80); // encryptionExpansion: [0] aes128
    e.extend_from_slice(&[0xb2; 16]);
    e
}

#[test]
fn ee_ra_cert_request_known_encoding() {
    let tbs = tbs_cert_bytes();
    let req = ee_ra_cert_request(&tbs);
    let bytes = encode(&req).unwrap();
    let expected = ee_ra_cert_request_expected();
    assert_eq!(bytes, expected);
    assert_eq!(
        bytes.len(),
        1 + 1 + 4 + 1 + tbs.len() + 1 + 17 + 1 + 1 + 33 + 17
    );
    let back: EeRaCertRequest = decode(&bytes).unwrap();
    assert_eq!(back, req);
    assert!(back.check_tbs_cert().is_ok());
    match back.additional_params {
        Some(AdditionalParams::Original(p)) => {
            assert_eq!(p.signing_expansion, ButterflyExpansion::Aes128([0xa1; 16]));
            assert_eq!(
                p.encryption_expansion,
                ButterflyExpansion::Aes128([0xb2; 16])
            );
        }
        other => panic!("unexpected additionalParams {other:?}"),
    }

    // Inside an ScmsPdu: version 2, content [7] ee-ra, EeRaInterfacePdu [0].
    let pdu = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaCertRequest(req)));
    let pdu_bytes = encode(&pdu).unwrap();
    assert_eq!(&pdu_bytes[..3], &[0x02, 0x87, 0x80]);
    assert_eq!(&pdu_bytes[3..], &expected[..]);
    assert_eq!(decode::<ScmsPdu>(&pdu_bytes).unwrap(), pdu);
    // A certificate request scope, as in SignedCertificateRequest.tbsRequest.
    assert!(decode::<ScopedCertificateRequest>(&pdu_bytes).is_ok());
    // ScmsPdu.version is Uint8 (2).
    let mut bad = pdu_bytes.clone();
    bad[0] = 0x03;
    assert!(decode::<ScmsPdu>(&bad).is_err(), "version must be 2");
}

#[test]
fn ee_ra_cert_request_other_butterfly_forms() {
    let tbs = tbs_cert_bytes();
    let mut req = ee_ra_cert_request(&tbs);
    // unified: [1] then the ButterflyExpansion; compactUnified: [2].
    for (params, tag) in [
        (
            AdditionalParams::Unified(ButterflyExpansion::Aes128([7; 16])),
            0x81,
        ),
        (
            AdditionalParams::CompactUnified(ButterflyExpansion::Aes128([7; 16])),
            0x82,
        ),
    ] {
        req.additional_params = Some(params);
        let b = encode(&req).unwrap();
        let tail = &b[7 + tbs.len()..];
        assert_eq!(tail[0], tag);
        assert_eq!(tail[1], 0x80);
        assert_eq!(&tail[2..], &[7; 16]);
        assert_eq!(decode::<EeRaCertRequest>(&b).unwrap(), req);
    }
    // No additionalParams: the presence bit is clear.
    req.additional_params = None;
    let b = encode(&req).unwrap();
    assert_eq!(b[0], 0x00);
    assert_eq!(b.len(), 7 + tbs.len());
}

fn ra_ee_cert_ack() -> RaEeCertAck {
    RaEeCertAck {
        version: 2,
        generation_time: 0x0102_0304,
        request_hash: [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7],
        first_i: Some(0x0123),
        next_dl_time: 0x0506_0708,
        unknown_extensions: UnknownExtensions::default(),
    }
}

#[test]
fn ra_ee_cert_ack_known_encoding() {
    let ack = ra_ee_cert_ack();
    let bytes = encode(&ack).unwrap();
    #[rustfmt::skip]
    let expected = [
        0x40,                                           // preamble: ext 0, firstI present
        0x02,                                           // version
        0x01, 0x02, 0x03, 0x04,                         // generationTime
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, // requestHash HashedId8
        0x01, 0x23,                                     // firstI IValue (Uint16)
        0x05, 0x06, 0x07, 0x08,                         // nextDlTime
    ];
    assert_eq!(bytes, expected);
    assert_eq!(decode::<RaEeCertAck>(&bytes).unwrap(), ack);

    let no_i = RaEeCertAck {
        first_i: None,
        ..ack.clone()
    };
    let b = encode(&no_i).unwrap();
    assert_eq!(b[0], 0x00);
    assert_eq!(b.len(), 18);
    assert_eq!(&b[1..14], &expected[1..14]);
    assert_eq!(&b[14..], &expected[16..]);

    // ScmsPdu ee-ra [7], raEeCertAck [1].
    let pdu = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::RaEeCertAck(ack)));
    let pb = encode(&pdu).unwrap();
    assert_eq!(&pb[..3], &[0x02, 0x87, 0x81]);
    assert_eq!(&pb[3..], &expected[..]);
    // The wrong version is rejected.
    let mut bad = expected.to_vec();
    bad[1] = 0x03;
    assert!(decode::<RaEeCertAck>(&bad).is_err());
}

/// Mutations of `$sample` never panic, and every accepted one re-encodes identically.
macro_rules! check_mutations {
    ($ty:ty, $sample:expr, $seed:expr) => {{
        let sample: &[u8] = $sample;
        let mut accepted = 0usize;
        mutations(sample, 4000, $seed, |m| {
            if let Ok(v) = decode::<$ty>(m) {
                accepted += 1;
                assert_eq!(
                    encode(&v).unwrap(),
                    m,
                    "accepted mutation does not re-encode identically"
                );
            }
        });
        assert!(accepted < 4000);
    }};
}

#[test]
fn ee_ra_cert_request_mutations() {
    let tbs = tbs_cert_bytes();
    let sample = encode(&ee_ra_cert_request(&tbs)).unwrap();
    check_mutations!(EeRaCertRequest, &sample, 11);
    let pdu = encode(&ScmsPdu::new(ScmsPduContent::EeRa(
        EeRaInterfacePdu::EeRaCertRequest(ee_ra_cert_request(&tbs)),
    )))
    .unwrap();
    check_mutations!(ScmsPdu, &pdu, 12);
}

#[test]
fn ra_ee_cert_ack_mutations() {
    let sample = encode(&ra_ee_cert_ack()).unwrap();
    check_mutations!(RaEeCertAck, &sample, 13);
    let pdu = encode(&ScmsPdu::new(ScmsPduContent::EeRa(
        EeRaInterfacePdu::RaEeCertAck(ra_ee_cert_ack()),
    )))
    .unwrap();
    check_mutations!(ScmsPdu, &pdu, 14);
    check_mutations!(EeRaInterfacePdu, &pdu[2..], 15);
}

// ---------------------------------------------------------------------------
// Unknown extensions are kept
// ---------------------------------------------------------------------------

#[test]
fn unknown_choice_alternative_is_kept() {
    // AdditionalParams has four root alternatives [0]..[3]; [4] is a future
    // extension alternative: tag, then an open type (length 3).
    let bytes = [0x84, 0x03, 0xaa, 0xbb, 0xcc];
    let v: AdditionalParams = decode(&bytes).unwrap();
    assert_eq!(
        v,
        AdditionalParams::Unknown(UnknownAlternative {
            tag: 4,
            bytes: vec![0xaa, 0xbb, 0xcc]
        })
    );
    assert_eq!(encode(&v).unwrap(), bytes);

    // Inside an EeRaCertRequest.
    let tbs = tbs_cert_bytes();
    let mut req = encode(&ee_ra_cert_request(&tbs)).unwrap();
    req.truncate(7 + tbs.len());
    req[0] = 0x40;
    req.extend_from_slice(&bytes);
    let v: EeRaCertRequest = decode(&req).unwrap();
    assert!(matches!(
        v.additional_params,
        Some(AdditionalParams::Unknown(UnknownAlternative { tag: 4, .. }))
    ));
    assert_eq!(encode(&v).unwrap(), req);

    // An ScmsPdu content alternative after ma-ra [10]: [11] with 2 bytes.
    let bytes = [0x02, 0x8b, 0x02, 0x05, 0x00];
    let v: ScmsPdu = decode(&bytes).unwrap();
    assert!(matches!(
        v.content,
        ScmsPduContent::Unknown(UnknownAlternative { tag: 11, .. })
    ));
    assert_eq!(encode(&v).unwrap(), bytes);

    // An EeRaInterfacePdu alternative after eeRaSuccessorEnrollmentCertRequest [4].
    let bytes = [0x02, 0x87, 0x85, 0x01, 0x00];
    let v: ScmsPdu = decode(&bytes).unwrap();
    assert!(matches!(
        v.content,
        ScmsPduContent::EeRa(EeRaInterfacePdu::Unknown(UnknownAlternative { tag: 5, .. }))
    ));
    assert_eq!(encode(&v).unwrap(), bytes);

    // SecurityMgmtSsp: dc [13] is a known extension alternative (open type), [14] is not.
    let dc = [0x8d, 0x02, 0x00, 0x02];
    assert!(matches!(
        decode::<SecurityMgmtSsp>(&dc).unwrap(),
        SecurityMgmtSsp::Dc(DcSsp { version: 2, .. })
    ));
    let unk = [0x8e, 0x01, 0x00];
    let v: SecurityMgmtSsp = decode(&unk).unwrap();
    assert!(matches!(v, SecurityMgmtSsp::Unknown(_)));
    assert_eq!(encode(&v).unwrap(), unk);
    // A root alternative must not be wrapped as an open type.
    assert!(decode::<SecurityMgmtSsp>(&[0x80, 0x02, 0x00, 0x02]).is_err());
}

#[test]
fn unknown_sequence_extension_is_kept() {
    let ack = RaEeCertAck {
        first_i: None,
        ..ra_ee_cert_ack()
    };
    let mut bytes = encode(&ack).unwrap();
    bytes[0] = 0x80; // extension bit set
                     // Extension presence bitmap: length 2, 7 unused bits, first addition present,
                     // then the addition as an open type.
    bytes.extend_from_slice(&[0x02, 0x07, 0x80, 0x02, 0x01, 0x02]);
    let v: RaEeCertAck = decode(&bytes).unwrap();
    assert_eq!(v.unknown_extensions.items, vec![(0, vec![0x01, 0x02])]);
    assert_eq!(encode(&v).unwrap(), bytes);
}

// ---------------------------------------------------------------------------
// SPDU wrappers and typed accessors
// ---------------------------------------------------------------------------

/// An `Ieee1609Dot2Data` of unsecuredData carrying `inner`.
fn unsecured(inner: &[u8]) -> Vec<u8> {
    let mut b = vec![0x03, 0x80]; // protocolVersion 3, content [0] unsecuredData
    assert!(inner.len() < 128);
    b.push(inner.len() as u8);
    b.extend_from_slice(inner);
    b
}

#[test]
fn unsecured_spdu_scope() {
    let req = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaDownloadRequest(
        EeRaDownloadRequest {
            generation_time: 7,
            filename: Utf8String("0a1b2c3d_12.zip".into()),
            unknown_extensions: UnknownExtensions::default(),
        },
    )));
    let inner = encode(&req).unwrap();
    assert_eq!(&inner[..4], &[0x02, 0x87, 0x83, 0x00]);
    let spdu = unsecured(&inner);

    let plain: EeRaDownloadRequestPlainSpdu = decode(&spdu).unwrap();
    assert_eq!(plain.scms_pdu().unwrap(), req);
    assert_eq!(encode(&plain).unwrap(), spdu);

    // Another unsecured SPDU type decodes but its scope check fails.
    let info: RaEeCertInfoSpdu = decode(&spdu).unwrap();
    assert!(info.scms_pdu().is_err());
    // Signed or encrypted SPDU types reject unsecuredData.
    assert!(decode::<RaEeCertAckSpdu>(&spdu).is_err());
    assert!(decode::<EeRaCertRequestSpdu>(&spdu).is_err());
    assert!(decode::<EeEcaCertRequestSpdu>(&spdu).is_err());
    // EeRaDownloadRequestSpdu is signed-then-encrypted: encryptedData only.
    assert!(decode::<EeRaDownloadRequestSpdu>(&spdu).is_err());
}

#[test]
fn ra_aca_cert_request_flags_are_one_octet() {
    let f = RaAcaCertRequestFlags::with(&[RaAcaCertRequestFlags::BUTTERFLY_EXPLICIT]);
    assert_eq!(encode(&f).unwrap(), [0x80]);
    assert!(f.butterfly_explicit() && !f.cubk());
    let f: RaAcaCertRequestFlags = decode(&[0x40]).unwrap();
    assert!(f.cubk() && !f.butterfly_explicit());
}

#[test]
fn multi_signed_ctl_typed_content() {
    let tbs = FullIeeeTbsCtl {
        r#type: FULL_IEEE_CTL,
        ctl_series_id: [1; 8],
        sequence_number: 5,
        effective_date: 100,
        elector_approve: vec![[2; 48]],
        elector_remove: vec![],
        root_ca_approve: vec![[3; 32]],
        root_ca_remove: vec![],
        quorum: Some(2),
        unknown_extensions: UnknownExtensions::default(),
    };
    let tbs_bytes = encode(&tbs).unwrap();
    // preamble ext bit set (quorum), type 1, series, sequence number, date, ...
    assert_eq!(tbs_bytes[0], 0x80);
    assert_eq!(tbs_bytes[1], 0x01);
    assert_eq!(tbs_bytes.len(), 110);
    // ... rootCaRemove (empty), then the extension bitmap (1 addition, present) and
    // quorum as an open type holding an unconstrained INTEGER (length 1, value 2).
    assert_eq!(
        &tbs_bytes[102..],
        &[0x01, 0x00, 0x02, 0x07, 0x80, 0x02, 0x01, 0x02]
    );
    let seed = [0x5au8; 4096];
    let mut u = arbitrary::Unstructured::new(&seed);
    let sig = CtlSignatureSpdu::generate(&mut u).unwrap();
    let ctl = MultiSignedCtl::full_ieee(&tbs, &vec![], vec![sig]).unwrap();
    let bytes = encode(&ctl).unwrap();
    assert_eq!(bytes[0], 0x01); // type
    assert_eq!(bytes[1] as usize, tbs_bytes.len()); // tbsCtl open type length
    assert_eq!(&bytes[2..2 + tbs_bytes.len()], &tbs_bytes[..]);
    // unsigned: open type of an empty SequenceOfCertificate (quantity 1 octet: 0).
    let n = tbs_bytes.len();
    assert_eq!(&bytes[2 + n..5 + n], &[0x02, 0x01, 0x00]);
    // signatures: quantity 1.
    assert_eq!(&bytes[5 + n..7 + n], &[0x01, 0x01]);
    let back: MultiSignedCtl = decode(&bytes).unwrap();
    assert_eq!(back.full_ieee_tbs_ctl().unwrap(), tbs);
    assert!(back.full_ieee_unsigned().unwrap().is_empty());

    // type fullIeeeCtl with a tbsCtl that is not a FullIeeeTbsCtl: rejected.
    let mut bad = bytes.clone();
    bad[2] ^= 0x01; // preamble padding bit
    assert!(decode::<MultiSignedCtl>(&bad).is_err());
    // An unknown CTL type keeps its open types as bytes.
    let mut other = bytes.clone();
    other[0] = 9;
    let v: MultiSignedCtl = decode(&other).unwrap();
    assert!(v.full_ieee_tbs_ctl().is_err());
    assert_eq!(encode(&v).unwrap(), other);
}

/// A random valid certificate (the first seed that generates one).
fn some_certificate(buf: &[u8]) -> Certificate<'_> {
    for start in 0..buf.len() {
        let mut u = arbitrary::Unstructured::new(&buf[start..]);
        if let Ok(c) = Certificate::generate(&mut u) {
            return c;
        }
    }
    panic!("no certificate generated");
}

fn signature() -> Signature {
    Signature::EcdsaNistP256Signature(EcdsaP256Signature {
        r_sig: EccP256CurvePoint::XOnly([5; 32]),
        s_sig: [6; 32],
    })
}

/// An `Ieee1609Dot2Data-Signed {Tbs, SecurityMgmtPsid}` of `tbs`, changed by `edit`.
fn signed_spdu<'c>(
    tbs: &[u8],
    cert: &Certificate<'c>,
    edit: impl FnOnce(&mut SignedData<'c>),
) -> Vec<u8> {
    let inner = Ieee1609Dot2Data::new(Ieee1609Dot2Content::UnsecuredData(Octets::from(
        tbs.to_vec(),
    )));
    let mut sd = SignedData {
        hash_id: HashAlgorithm::Sha256,
        tbs_data: Spanned::new(ToBeSignedData {
            payload: SignedDataPayload {
                data: Some(Box::new(inner)),
                ext_data_hash: None,
                omitted: None,
                unknown_extensions: UnknownExtensions::default(),
            },
            header_info: HeaderInfo::new(SECURITY_MGMT_PSID),
        }),
        signer: SignerIdentifier::Certificate(vec![cert.clone()]),
        signature: signature(),
    };
    edit(&mut sd);
    encode(&Ieee1609Dot2Data::new(Ieee1609Dot2Content::SignedData(
        Box::new(sd),
    )))
    .unwrap()
}

#[test]
fn signed_spdu_profile_and_scope() {
    let buf: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let cert = some_certificate(&buf);
    let pdu = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::RaEeCertAck(
        ra_ee_cert_ack(),
    )));
    let tbs = encode(&pdu).unwrap();

    let good = signed_spdu(&tbs, &cert, |_| {});
    // protocolVersion 3, content [1] signedData, hashId sha256, then ToBeSignedData.
    assert_eq!(&good[..3], &[0x03, 0x81, 0x00]);
    let spdu: RaEeCertAckSpdu = decode(&good).unwrap();
    assert_eq!(spdu.scms_pdu().unwrap(), pdu);
    assert!(spdu.signed_data().is_ok());
    assert_eq!(encode(&spdu).unwrap(), good);
    // Same bytes, other scope: the signed type decodes, the scope check fails.
    let ctl_sig: CtlSignatureSpdu = decode(&good).unwrap();
    assert!(ctl_sig.scms_pdu().is_err());
    // Not unsecured, not encrypted.
    assert!(decode::<RaEeCertInfoSpdu>(&good).is_err());
    assert!(decode::<EeRaDownloadRequestSpdu>(&good).is_err());

    // The Ieee1609Dot2Data-Signed profile.
    let wrong_psid = signed_spdu(&tbs, &cert, |sd| {
        sd.tbs_data = Spanned::new(ToBeSignedData {
            header_info: HeaderInfo::new(Psid(0x20)),
            ..sd.tbs_data.value().clone()
        })
    });
    let with_time = signed_spdu(&tbs, &cert, |sd| {
        let mut t = sd.tbs_data.value().clone();
        t.header_info.generation_time = Some(1);
        sd.tbs_data = Spanned::new(t);
    });
    let digest_signer = signed_spdu(&tbs, &cert, |sd| {
        sd.signer = SignerIdentifier::Digest([1; 8])
    });
    let two_certs = signed_spdu(&tbs, &cert, |sd| {
        sd.signer = SignerIdentifier::Certificate(vec![cert.clone(), cert.clone()])
    });
    for bad in [wrong_psid, with_time, digest_signer, two_certs] {
        let v: RaEeCertAckSpdu = decode(&bad).unwrap();
        assert!(v.scms_pdu().is_err());
        assert!(v.signed_data().is_err());
    }

    check_mutations!(RaEeCertAckSpdu, &good, 21);
}

#[test]
fn signed_certificate_request_spdu() {
    let tbs = tbs_cert_bytes();
    let req = EeEcaCertRequest {
        version: 2,
        generation_time: 9,
        r#type: CertificateType::Explicit,
        tbs_cert: tbs_cert(&tbs),
        canonical_id: None,
        unknown_extensions: UnknownExtensions::default(),
    };
    // This tbsCert has appPermissions: not an enrollment request profile.
    assert!(req.check_tbs_cert().is_err());
    let scr = SignedCertificateRequest {
        hash_algorithm_id: HashAlgorithm::Sha256,
        tbs_request: Spanned::new(ScopedCertificateRequest(ScmsPdu::new(
            ScmsPduContent::EcaEe(EcaEeInterfacePdu::EeEcaCertRequest(req.clone())),
        ))),
        signer: SignerIdentifier::SelfSigned,
        signature: signature(),
    };
    let scr_bytes = encode(&scr).unwrap();
    // hashAlgorithmId sha256, then ScmsPdu: version 2, [5] eca-ee, [0] eeEcaCertRequest.
    assert_eq!(&scr_bytes[..4], &[0x00, 0x02, 0x85, 0x80]);
    let mut spdu_bytes = vec![0x03, 0x83]; // protocolVersion, [3] signedCertificateRequest
    spdu_bytes.push(0x81);
    spdu_bytes.push(scr_bytes.len() as u8);
    assert!(scr_bytes.len() >= 128 && scr_bytes.len() < 256);
    spdu_bytes.extend_from_slice(&scr_bytes);

    let spdu: EeEcaCertRequestSpdu = decode(&spdu_bytes).unwrap();
    let got = spdu.signed_certificate_request().unwrap();
    assert_eq!(got, scr);
    // The signature covers the received tbsRequest bytes: after hashAlgorithmId,
    // before signer (self: [2], 1 octet) and signature ([0] ecdsaNistP256Signature,
    // rSig [0] x-only 32 octets, sSig 32 octets: 66 octets).
    let n = scr_bytes.len();
    assert_eq!(&scr_bytes[n - 67..n - 64], &[0x82, 0x80, 0x80]);
    assert_eq!(got.tbs_request.raw().unwrap(), &scr_bytes[1..n - 67]);
    // Wrong scope for the RA -> ACA request type; EE->RA requests need a certificate signer.
    let as_ra: RaAcaCertRequestSpdu = decode(&spdu_bytes).unwrap();
    assert!(as_ra.signed_certificate_request().is_err());
    // Inside EeRaInterfacePdu.eeRaSuccessorEnrollmentCertRequest.
    let pdu = ScmsPdu::new(ScmsPduContent::EeRa(
        EeRaInterfacePdu::EeRaSuccessorEnrollmentCertRequest(spdu),
    ));
    let b = encode(&pdu).unwrap();
    assert_eq!(&b[..3], &[0x02, 0x87, 0x84]);
    assert_eq!(&b[3..], &spdu_bytes[..]);
    assert_eq!(decode::<ScmsPdu>(&b).unwrap(), pdu);
    // A ScopedCertificateRequest must be a request.
    let ack = encode(&ScmsPdu::new(ScmsPduContent::EeRa(
        EeRaInterfacePdu::RaEeCertAck(ra_ee_cert_ack()),
    )))
    .unwrap();
    assert!(decode::<ScopedCertificateRequest>(&ack).is_err());

    check_mutations!(EeEcaCertRequestSpdu, &spdu_bytes, 22);
}

#[test]
fn encrypted_plv_has_one_symm_recipient() {
    use scms_asn1::ieee1609dot2::dot2::RecipientInfo;
    let buf: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2246822519) >> 11) as u8)
        .collect();
    let plv = (0..buf.len())
        .find_map(|i| {
            EncryptedIndividualPLV::generate(&mut arbitrary::Unstructured::new(&buf[i..])).ok()
        })
        .expect("an EncryptedIndividualPLV");
    assert!(plv.enc_plv.recipient().is_some());
    let good = encode(&plv).unwrap();
    assert_eq!(&good[..3], &[0x02, plv.la_id[0], plv.la_id[1]]);
    assert_eq!(&good[3..5], &[0x03, 0x82]); // Ieee1609Dot2Data, [2] encryptedData
    assert_eq!(decode::<EncryptedIndividualPLV>(&good).unwrap(), plv);

    // Two recipients: neither encodes nor decodes.
    let mut data = plv.enc_plv.0.clone();
    if let Ieee1609Dot2Content::EncryptedData(e) = &mut data.content {
        let r = e.recipients[0].clone();
        e.recipients.push(r);
        assert!(matches!(e.recipients[1], RecipientInfo::SymmRecipInfo(_)));
    }
    let bad = EncryptedIndividualPLV {
        enc_plv: Ieee1609Dot2DataSymmEncryptedSingleRecipient(data.clone()),
        ..plv.clone()
    };
    assert!(encode(&bad).is_err());
    let mut b = good[..3].to_vec();
    b.extend(encode(&data).unwrap());
    assert!(decode::<EncryptedIndividualPLV>(&b).is_err());

    // The decrypted plaintext: unsecuredData of the 9-octet PreLinkageValue.
    let pt = [0x03, 0x80, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let pt: Ieee1609Dot2Data = decode(&pt).unwrap();
    assert_eq!(
        Ieee1609Dot2DataSymmEncryptedSingleRecipient::check_decrypted(&pt).unwrap(),
        [1, 2, 3, 4, 5, 6, 7, 8, 9]
    );
    let short: Ieee1609Dot2Data = decode(&[0x03, 0x80, 0x02, 1, 2]).unwrap();
    assert!(Ieee1609Dot2DataSymmEncryptedSingleRecipient::check_decrypted(&short).is_err());
}

#[test]
fn aca_ee_cert_response_plaintext() {
    // acaEeCertResponse inside ScmsPdu: version 2, [0] aca-ee, [0] acaEeCertResponse.
    let buf: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 7) as u8)
        .collect();
    let resp = (0..buf.len())
        .find_map(|i| {
            AcaEeCertResponse::generate(&mut arbitrary::Unstructured::new(&buf[i..])).ok()
        })
        .expect("an AcaEeCertResponse");
    let pdu = ScmsPdu::new(ScmsPduContent::AcaEe(AcaEeInterfacePdu::AcaEeCertResponse(
        resp,
    )));
    let inner = encode(&pdu).unwrap();
    assert_eq!(&inner[..3], &[0x02, 0x80, 0x80]);
    let pt = Ieee1609Dot2Data::new(Ieee1609Dot2Content::UnsecuredData(Octets::from(inner)));
    let pt_bytes = encode(&pt).unwrap();
    let pt: Ieee1609Dot2Data = decode(&pt_bytes).unwrap();
    assert_eq!(
        AcaEeCertResponseCubkSpdu::check_decrypted(&pt).unwrap(),
        pdu
    );
    assert_eq!(
        AcaEeCertResponsePrivateSpdu::check_decrypted(&pt).unwrap(),
        pdu
    );
    // As the plain SPDU, the same bytes are the whole response.
    let plain: AcaEeCertResponsePlainSpdu = decode(&pt_bytes).unwrap();
    assert_eq!(plain.scms_pdu().unwrap(), pdu);
    // Not a certificate request plaintext.
    assert!(EeRaCertRequestSpdu::check_decrypted(&pt).is_err());
}
