//! Random valid values of the ETSI TS 103 097 and TS 102 941 types must round-trip
//! exactly (profiles included: generation repairs random values into conforming ones).

use scms_asn1::etsi::ts102941_authorization::*;
use scms_asn1::etsi::ts102941_authorization_validation::*;
use scms_asn1::etsi::ts102941_base_types::*;
use scms_asn1::etsi::ts102941_ca_management::*;
use scms_asn1::etsi::ts102941_enrolment::*;
use scms_asn1::etsi::ts102941_link_certificate::*;
use scms_asn1::etsi::ts102941_messages_ca::*;
use scms_asn1::etsi::ts102941_trust_lists::*;
use scms_asn1::etsi::ts103097::*;

macro_rules! rt {
    ($name:ident, $ty:ty, $seed:expr) => {
        #[test]
        fn $name() {
            let n = scms_asn1::roundtrip_random!($ty, 300, $seed);
            assert!(n > 100, "only {n} values of {} generated", stringify!($ty));
        }
    };
}

// TS 103 097
rt!(ts103097_certificate, EtsiTs103097Certificate, 7001);
rt!(ts103097_data, EtsiTs103097Data, 7002);
rt!(ts103097_data_unsecured, EtsiTs103097DataUnsecured, 7003);
rt!(ts103097_data_signed, EtsiTs103097DataSigned, 7004);
rt!(
    ts103097_data_signed_external_payload,
    EtsiTs103097DataSignedExternalPayload,
    7005
);
rt!(ts103097_data_encrypted, EtsiTs103097DataEncrypted, 7006);
rt!(
    ts103097_data_encrypted_unicast,
    EtsiTs103097DataEncryptedUnicast,
    7007
);

// TS 102 941 base types
rt!(base_certificate_format, CertificateFormat, 7101);
rt!(
    base_certificate_subject_attributes,
    CertificateSubjectAttributes,
    7102
);
rt!(base_ec_signature, EcSignature, 7103);
rt!(base_public_keys, PublicKeys, 7104);
rt!(base_version, Version, 7105);

// TS 102 941 trust lists
rt!(tl_to_be_signed_crl, ToBeSignedCrl, 7201);
rt!(tl_to_be_signed_tlm_ctl, ToBeSignedTlmCtl, 7202);
rt!(tl_to_be_signed_rca_ctl, ToBeSignedRcaCtl, 7203);
rt!(tl_full_ctl, FullCtl, 7204);
rt!(tl_delta_ctl, DeltaCtl, 7205);
rt!(tl_ctl_format, CtlFormat, 7206);
rt!(tl_ctl_command, CtlCommand, 7207);
rt!(tl_ctl_entry, CtlEntry, 7208);
rt!(tl_ctl_delete, CtlDelete, 7209);
rt!(tl_tlm_entry, TlmEntry, 7210);
rt!(tl_root_ca_entry, RootCaEntry, 7211);
rt!(tl_ea_entry, EaEntry, 7212);
rt!(tl_aa_entry, AaEntry, 7213);
rt!(tl_dc_entry, DcEntry, 7214);

// TS 102 941 enrolment, authorization, validation, CA management, link certificates
rt!(
    enr_inner_ec_request_signed_for_pop,
    InnerEcRequestSignedForPop,
    7301
);
rt!(enr_inner_ec_request, InnerEcRequest, 7302);
rt!(enr_inner_ec_response, InnerEcResponse, 7303);
rt!(enr_response_code, EnrolmentResponseCode, 7304);
rt!(auth_inner_at_request, InnerAtRequest, 7311);
rt!(auth_shared_at_request, SharedAtRequest, 7312);
rt!(auth_inner_at_response, InnerAtResponse, 7313);
rt!(auth_response_code, AuthorizationResponseCode, 7314);
rt!(
    auth_butterfly_x509_signed,
    EtsiTs102941ButterflyAuthorizationRequestX509Signed,
    7315
);
rt!(val_request, AuthorizationValidationRequest, 7321);
rt!(val_response, AuthorizationValidationResponse, 7322);
rt!(ca_certificate_request, CaCertificateRequest, 7331);
rt!(
    link_to_be_signed_link_certificate,
    ToBeSignedLinkCertificate,
    7341
);

// TS 102 941 messages
rt!(msg_data, EtsiTs102941Data, 7401);
rt!(msg_data_content, EtsiTs102941DataContent, 7402);
rt!(msg_crl, CertificateRevocationListMessage, 7403);
rt!(msg_tlm_ctl, TlmCertificateTrustListMessage, 7404);
rt!(msg_rca_ctl, RcaCertificateTrustListMessage, 7405);
rt!(msg_ca_request, CaCertificateRequestMessage, 7406);
rt!(msg_ca_rekeying, CaCertificateRekeyingMessage, 7407);
rt!(msg_tlm_link, TlmLinkCertificateMessage, 7408);
rt!(
    msg_rca_single_link,
    RcaSingleSignedLinkCertificateMessage,
    7409
);
rt!(
    msg_rca_double_link,
    RcaDoubleSignedLinkCertificateMessage,
    7410
);
rt!(
    msg_butterfly_response,
    ButterflyAuthorizationResponseMessage,
    7411
);

use scms_asn1::codec::{Generate, Spanned};
use scms_asn1::ieee1609dot2::{CertificateId, Ieee1609Dot2Content, SignerIdentifier};
use scms_asn1::{decode, encode};

fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = scms_asn1::codec::testing::TestRng::new(seed);
    let mut b = vec![0u8; n];
    rng.fill(&mut b);
    b
}

#[test]
fn data_profile_requires_generation_time() {
    let buf = noise(4096, 1);
    let mut u = arbitrary::Unstructured::new(&buf);
    let signed = EtsiTs103097DataSigned::generate(&mut u).unwrap();
    let mut raw = signed.0 .0.clone();
    let Ieee1609Dot2Content::SignedData(sd) = &mut raw.content else {
        panic!("not signed")
    };
    let mut tbs = sd.tbs_data.value().clone();
    tbs.header_info.generation_time = None;
    sd.tbs_data = Spanned::new(tbs);
    let bytes = encode(&raw).unwrap();
    assert!(decode::<scms_asn1::ieee1609dot2::Ieee1609Dot2Data>(&bytes).is_ok());
    assert!(decode::<EtsiTs103097Data>(&bytes).is_err());
    assert!(encode(&EtsiTs103097Data(raw)).is_err());
}

#[test]
fn certificate_profile_rejects_linkage_ids_and_request_permissions() {
    let buf = noise(4096, 2);
    let mut u = arbitrary::Unstructured::new(&buf);
    let c = EtsiTs103097Certificate::generate(&mut u).unwrap();
    let mut base = c.0.value().clone();
    let mut tbs = base.to_be_signed.value().clone();
    tbs.id = CertificateId::BinaryId(vec![1, 2, 3].into());
    base.to_be_signed = Spanned::new(tbs);
    let bytes = encode(&Spanned::new(base)).unwrap();
    assert!(decode::<scms_asn1::ieee1609dot2::Certificate>(&bytes).is_ok());
    assert!(decode::<EtsiTs103097Certificate>(&bytes).is_err());
}

#[test]
fn signer_certificate_must_be_single() {
    let buf = noise(8192, 3);
    let mut u = arbitrary::Unstructured::new(&buf);
    let mut d = EtsiTs103097DataSigned::generate(&mut u).unwrap().0 .0;
    let cert = EtsiTs103097Certificate::generate(&mut u).unwrap().0;
    if let Ieee1609Dot2Content::SignedData(sd) = &mut d.content {
        sd.signer = SignerIdentifier::Certificate(vec![cert.clone(), cert]);
    }
    let bytes = encode(&d).unwrap();
    assert!(decode::<EtsiTs103097Data>(&bytes).is_err());
}

#[test]
fn messages_are_told_apart() {
    let buf = noise(8192, 4);
    let mut u = arbitrary::Unstructured::new(&buf);
    let crl = CertificateRevocationListMessage::generate(&mut u).unwrap();
    let bytes = encode(&crl).unwrap();
    let back: CertificateRevocationListMessage = decode(&bytes).unwrap();
    assert!(matches!(
        back.content().unwrap().content,
        EtsiTs102941DataContent::CertificateRevocationList(_)
    ));
    assert!(decode::<TlmCertificateTrustListMessage>(&bytes).is_err());
    assert!(decode::<RcaDoubleSignedLinkCertificateMessage>(&bytes).is_err());
    let rekey = CaCertificateRekeyingMessage::generate(&mut u).unwrap();
    let inner = rekey.inner().unwrap();
    assert!(matches!(
        inner.content().unwrap().content,
        EtsiTs102941DataContent::CaCertificateRequest(_)
    ));
}

#[test]
fn trust_list_profiles() {
    let buf = noise(8192, 5);
    let mut u = arbitrary::Unstructured::new(&buf);
    let mut ctl = CtlFormat::generate(&mut u).unwrap();
    ctl.is_full_ctl = true;
    ctl.ctl_commands = vec![CtlCommand::Delete(CtlDelete::Cert([7; 8]))];
    assert!(encode(&FullCtl(ctl.clone())).is_err());
    assert!(encode(&ToBeSignedTlmCtl(ctl.clone())).is_err());
    ctl.is_full_ctl = false;
    assert!(encode(&DeltaCtl(ctl.clone())).is_ok());
    assert!(encode(&ToBeSignedRcaCtl(ctl.clone())).is_ok());
    let ea = EaEntry::generate(&mut u).unwrap();
    ctl.ctl_commands = vec![CtlCommand::Add(CtlEntry::Ea(ea))];
    assert!(encode(&ToBeSignedTlmCtl(ctl.clone())).is_err());
    assert!(encode(&ToBeSignedRcaCtl(ctl)).is_ok());
}
