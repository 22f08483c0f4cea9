//! Random valid values of the CAMP SCMS interface types must round-trip exactly.

use scms_asn1::camp::base_types::*;
use scms_asn1::camp::ee_ma::*;
use scms_asn1::camp::errors::*;
use scms_asn1::camp::la_ma::*;
use scms_asn1::camp::la_pca::*;
use scms_asn1::camp::la_ra::*;
use scms_asn1::camp::ma_pca::*;
use scms_asn1::camp::ma_ra::*;
use scms_asn1::camp::pca_ra::*;
use scms_asn1::camp::protocol::*;

macro_rules! rt {
    ($name:ident, $ty:ty, $seed:expr) => {
        #[test]
        fn $name() {
            let n = scms_asn1::roundtrip_random!($ty, 300, $seed);
            assert!(n > 100, "only {n} values of {} generated", stringify!($ty));
        }
    };
}

// errors
rt!(errors_scms_error, ScmsError, 9001);
rt!(
    errors_scoped_ccm,
    ScopedComponentCertificateManagementError,
    9002
);
rt!(errors_scoped_eca_ee, ScopedEcaEndEntityError, 9003);
rt!(errors_scoped_la_ma, ScopedLaMaError, 9004);
rt!(errors_scoped_la_ma_li, ScopedLaMaLIError, 9005);
rt!(errors_scoped_la_ma_ls, ScopedLaMaLSError, 9006);
rt!(errors_scoped_la_pca, ScopedLaPcaError, 9007);
rt!(errors_scoped_la_ra, ScopedLaRaError, 9008);
rt!(errors_scoped_ma_pca, ScopedMaPcaError, 9009);
rt!(errors_scoped_ma_ra, ScopedMaRaError, 9010);
rt!(
    errors_scoped_ma_ra_blacklist,
    ScopedMaRaBlacklistError,
    9011
);
rt!(errors_scoped_ma_ra_lci, ScopedMaRaLCIError, 9012);
rt!(errors_scoped_pca_ra, ScopedPcaRaError, 9013);

// base types
rt!(encrypted_individual_plv, EncryptedIndividualPLV, 9101);
rt!(encrypted_group_plv, EncryptedGroupPLV, 9102);
rt!(to_be_encrypted_group_index, ToBeEncryptedGroupIndex, 9103);
rt!(
    to_be_encrypted_individual_plv,
    ToBeEncryptedIndividualPLV,
    9104
);
rt!(to_be_encrypted_group_plv, ToBeEncryptedGroupPLV, 9105);
rt!(linkage_chain_id, LinkageChainId, 9106);
rt!(linkage_seed_and_la_id, LinkageSeedAndLaId, 9107);
rt!(
    signature_and_signer_identifier,
    SignatureAndSignerIdentifier,
    9108
);
rt!(encrypted_plv_and_host_info, EncryptedPlvAndHostInfo, 9109);
rt!(
    encrypted_group_plv_and_host_info,
    EncryptedGroupPlvAndHostInfo,
    9110
);
rt!(hpcr_and_host_info, HPCRAndHostInfo, 9111);
rt!(lci_and_host_info, LCIAndHostInfo, 9112);

// interface PDUs and their messages
rt!(la_ra_interface_pdu, LaRaInterfacePDU, 9113);
rt!(
    ra_la_individual_pre_linkage_value_request_msg,
    RaLaIndividualPreLinkageValueRequestMsg,
    9114
);
rt!(
    ra_la_group_pre_linkage_value_request_msg,
    RaLaGroupPreLinkageValueRequestMsg,
    9115
);
rt!(
    la_ra_pre_linkage_value_response_msg,
    LaRaPreLinkageValueResponseMsg,
    9116
);
rt!(
    pre_linkage_value_request_response,
    PreLinkageValueRequestResponse,
    9117
);
rt!(la_pca_interface_pdu, LaPcaInterfacePDU, 9118);
rt!(
    pca_la_key_agreement_request_msg,
    PcaLaKeyAgreementRequestMsg,
    9119
);
rt!(
    la_pca_key_agreement_response_msg,
    LaPcaKeyAgreementResponseMsg,
    9120
);
rt!(pca_la_key_agreement_ack_msg, PcaLaKeyAgreementAckMsg, 9121);
rt!(la_ma_interface_pdu, LaMaInterfacePDU, 9122);
rt!(
    ma_la_linkage_info_request_msg,
    MaLaLinkageInfoRequestMsg,
    9123
);
rt!(
    la_ma_linkage_info_response_msg,
    LaMaLinkageInfoResponseMsg,
    9124
);
rt!(
    ma_la_linkage_seed_request_msg,
    MaLaLinkageSeedRequestMsg,
    9125
);
rt!(
    la_ma_linkage_seed_response_msg,
    LaMaLinkageSeedResponseMsg,
    9126
);
rt!(ma_ra_interface_pdu, MaRaInterfacePDU, 9127);
rt!(ma_ra_blacklist_request_msg, MaRaBlacklistRequestMsg, 9128);
rt!(ra_ma_blacklist_response_msg, RaMaBlacklistResponseMsg, 9129);
rt!(ma_ra_lci_request_msg, MaRaLCIRequestMsg, 9130);
rt!(ra_ma_lci_response_msg, RaMaLCIResponseMsg, 9131);
rt!(
    ma_ra_rse_obe_id_blacklist_request_msg,
    MaRaRseObeIdBlacklistRequestMsg,
    9132
);
rt!(
    ra_ma_rse_obe_id_blacklist_response_msg,
    RaMaRseObeIdBlacklistResponseMsg,
    9133
);
rt!(ma_ra_cdv_request_msg, MaRaCDVRequestMsg, 9134);
rt!(ra_ma_cdv_response_msg, RaMaCDVResponseMsg, 9135);
rt!(ma_pca_interface_pdu, MaPcaInterfacePDU, 9136);
rt!(
    ma_pca_pre_linkage_value_request_msg,
    MaPcaPreLinkageValueRequestMsg,
    9137
);
rt!(
    pca_ma_pre_linkage_value_response_msg,
    PcaMaPreLinkageValueResponseMsg,
    9138
);
rt!(ma_pca_hpcr_request_msg, MaPcaHPCRRequestMsg, 9139);
rt!(pca_ma_hpcr_response_msg, PcaMaHPCRResponseMsg, 9140);
rt!(end_entity_ma_interface_pdu, EndEntityMaInterfacePDU, 9141);
rt!(misbehavior_report_contents, MisbehaviorReportContents, 9142);
rt!(pca_ra_interface_pdu, PcaRaInterfacePDU, 9143);
rt!(ra_pca_cert_request_msg, RaPcaCertRequestMsg, 9144);
rt!(pseudonym_cert_request_info, PseudonymCertRequestInfo, 9145);
rt!(id_cert_request_info, IdCertRequestInfo, 9146);
rt!(pca_ra_cert_response_msg, PcaRaCertResponseMsg, 9147);
rt!(
    signed_encrypted_certificate_response,
    SignedEncryptedCertificateResponse,
    9148
);
rt!(
    to_be_signed_encrypted_certificate_response,
    ToBeSignedEncryptedCertificateResponse,
    9149
);
rt!(encrypted_certificate_data, EncryptedCertificateData, 9150);
rt!(decrypted_certificate_data, DecryptedCertificateData, 9151);
rt!(
    plaintext_certificate_response,
    PlaintextCertificateResponse,
    9152
);
rt!(implicit_cert_response, ImplicitCertResponse, 9153);
rt!(
    butterfly_explicit_cert_response,
    ButterflyExplicitCertResponse,
    9154
);

// SCMS protocol
rt!(scms_pdu, ScmsPDU, 9155);
rt!(scms_ssp, ScmsSsp, 9156);
rt!(signed_certificate_request, SignedCertificateRequest, 9157);
rt!(scoped_misbehavior_report, ScopedMisbehaviorReport, 9158);
rt!(scoped_li_request, ScopedLIRequest, 9159);
rt!(scoped_li_reply, ScopedLIReply, 9160);
rt!(scoped_ls_request, ScopedLSRequest, 9161);
rt!(scoped_ls_reply, ScopedLSReply, 9162);
rt!(
    scoped_pca_la_key_agreement_request,
    ScopedPcaLaKeyAgreementRequest,
    9163
);
rt!(
    scoped_la_pca_key_agreement_response,
    ScopedLaPcaKeyAgreementResponse,
    9164
);
rt!(
    scoped_pca_la_key_agreement_ack,
    ScopedPcaLaKeyAgreementAck,
    9165
);
rt!(
    scoped_ra_la_individual_pre_linkage_value_request,
    ScopedRaLaIndividualPreLinkageValueRequest,
    9166
);
rt!(
    scoped_ra_la_group_pre_linkage_value_request,
    ScopedRaLaGroupPreLinkageValueRequest,
    9167
);
rt!(
    scoped_la_ra_pre_linkage_value_response,
    ScopedLaRaPreLinkageValueResponse,
    9168
);
rt!(
    scoped_ma_pca_pre_linkage_value_request,
    ScopedMaPcaPreLinkageValueRequest,
    9169
);
rt!(
    scoped_pca_ma_pre_linkage_value_response,
    ScopedPcaMaPreLinkageValueResponse,
    9170
);
rt!(scoped_ma_pca_hpcr_request, ScopedMaPcaHPCRRequest, 9171);
rt!(scoped_pca_ma_hpcr_response, ScopedPcaMaHPCRResponse, 9172);
rt!(scoped_blacklist_request, ScopedBlacklistRequest, 9173);
rt!(scoped_blacklist_response, ScopedBlacklistResponse, 9174);
rt!(scoped_lci_request, ScopedLCIRequest, 9175);
rt!(scoped_lci_response, ScopedLCIResponse, 9176);
rt!(
    scoped_rse_obe_id_blacklist_request,
    ScopedRseObeIdBlacklistRequest,
    9177
);
rt!(
    scoped_rse_obe_id_blacklist_response,
    ScopedRseObeIdBlacklistResponse,
    9178
);
rt!(
    scoped_ra_pca_certificate_request,
    ScopedRaPcaCertificateRequest,
    9179
);
rt!(
    scoped_pca_ra_certificate_request_reply,
    ScopedPcaRaCertificateRequestReply,
    9180
);
rt!(signed_misbehavior_report, SignedMisbehaviorReport, 9181);
rt!(signed_li_request, SignedLIRequest, 9182);
rt!(signed_li_reply, SignedLIReply, 9183);
rt!(signed_ls_request, SignedLSRequest, 9184);
rt!(signed_ls_reply, SignedLSReply, 9185);
rt!(
    signed_pca_la_key_agreement_request,
    SignedPcaLaKeyAgreementRequest,
    9186
);
rt!(
    signed_la_pca_key_agreement_response,
    SignedLaPcaKeyAgreementResponse,
    9187
);
rt!(
    signed_pca_la_key_agreement_ack,
    SignedPcaLaKeyAgreementAck,
    9188
);
rt!(
    signed_ra_la_individual_pre_linkage_value_request,
    SignedRaLaIndividualPreLinkageValueRequest,
    9189
);
rt!(
    signed_ra_la_group_pre_linkage_value_request,
    SignedRaLaGroupPreLinkageValueRequest,
    9190
);
rt!(
    signed_la_ra_pre_linkage_value_response,
    SignedLaRaPreLinkageValueResponse,
    9191
);
rt!(
    signed_ma_pca_pre_linkage_value_request,
    SignedMaPcaPreLinkageValueRequest,
    9192
);
rt!(
    signed_pca_ma_pre_linkage_value_response,
    SignedPcaMaPreLinkageValueResponse,
    9193
);
rt!(signed_ma_pca_hpcr_request, SignedMaPcaHPCRRequest, 9194);
rt!(signed_pca_ma_hpcr_response, SignedPcaMaHPCRResponse, 9195);
rt!(signed_blacklist_request, SignedBlacklistRequest, 9196);
rt!(signed_blacklist_response, SignedBlacklistResponse, 9197);
rt!(
    signed_rse_obe_id_blacklist_request,
    SignedRseObeIdBlacklistRequest,
    9198
);
rt!(
    signed_rse_obe_id_blacklist_response,
    SignedRseObeIdBlacklistResponse,
    9199
);
rt!(signed_lci_request, SignedLCIRequest, 9200);
rt!(signed_lci_response, SignedLCIResponse, 9201);
rt!(
    secured_pca_ra_certificate_request_reply,
    SecuredPcaRaCertificateRequestReply,
    9202
);
rt!(secured_misbehavior_report, SecuredMisbehaviorReport, 9203);
rt!(secured_li_request, SecuredLIRequest, 9204);
rt!(secured_li_reply, SecuredLIReply, 9205);
rt!(secured_ls_request, SecuredLSRequest, 9206);
rt!(secured_ls_reply, SecuredLSReply, 9207);
rt!(
    secured_ma_pca_pre_linkage_value_request,
    SecuredMaPcaPreLinkageValueRequest,
    9208
);
rt!(
    secured_pca_ma_pre_linkage_value_response,
    SecuredPcaMaPreLinkageValueResponse,
    9209
);
rt!(secured_ma_pca_hpcr_request, SecuredMaPcaHPCRRequest, 9210);
rt!(secured_pca_ma_hpcr_response, SecuredPcaMaHPCRResponse, 9211);
rt!(secured_blacklist_request, SecuredBlacklistRequest, 9212);
rt!(secured_blacklist_response, SecuredBlacklistResponse, 9213);
rt!(
    secured_rse_obe_id_blacklist_request,
    SecuredRseObeIdBlacklistRequest,
    9214
);
rt!(
    secured_rse_obe_id_blacklist_response,
    SecuredRseObeIdBlacklistResponse,
    9215
);
rt!(secured_lci_request, SecuredLCIRequest, 9216);
rt!(secured_lci_response, SecuredLCIResponse, 9217);
rt!(scoped_certificate_request, ScopedCertificateRequest, 9218);
rt!(
    secured_ra_pca_certificate_request,
    SecuredRaPcaCertificateRequest,
    9220
);

#[test]
fn scoped_error_rejects_other_interfaces() {
    let other = ScmsError::LaPca(LaPcaError::LaPca(LaPcaErrorCode::InvalidMacValue));
    let bytes = scms_asn1::encode(&other).unwrap();
    assert!(scms_asn1::decode::<ScopedLaPcaError>(&bytes).is_ok());
    assert!(scms_asn1::decode::<ScopedLaRaError>(&bytes).is_err());
    assert!(scms_asn1::encode(&ScopedLaRaError(other)).is_err());
}

fn random<'a, T: scms_asn1::codec::Generate<'a>>(buf: &'a [u8]) -> T {
    let mut u = arbitrary::Unstructured::new(buf);
    T::generate(&mut u).expect("generation")
}

fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = scms_asn1::codec::testing::TestRng::new(seed);
    let mut b = vec![0u8; n];
    rng.fill(&mut b);
    b
}

#[test]
fn scms_pdu_rejects_unmodelled_root_alternatives() {
    // version 1, content tag [0] (ccm), then some bytes that would parse as an open type.
    for tag in [0x80u8, 0x81, 0x83, 0x8a] {
        assert!(
            scms_asn1::decode::<ScmsPDU>(&[1, tag, 1, 0]).is_err(),
            "tag {tag:02x}"
        );
    }
    // An unknown extension alternative (tag 11) is kept.
    let pdu: ScmsPDU = scms_asn1::decode(&[1, 0x8b, 1, 0]).expect("extension alternative");
    assert_eq!(scms_asn1::encode(&pdu).unwrap(), [1, 0x8b, 1, 0]);
}

#[test]
fn signed_li_request_carries_its_scoped_pdu() {
    let buf = noise(4096, 5);
    let signed: SignedLIRequest = random(&buf);
    let bytes = scms_asn1::encode(&signed).unwrap();
    let back: SignedLIRequest = scms_asn1::decode(&bytes).unwrap();
    let scoped = back.payload().expect("payload");
    assert!(matches!(
        scoped.0.content,
        ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageInfoRequest(_))
    ));
    // The same SPDU is not a linkage seed request, nor an encrypted one.
    assert!(scms_asn1::decode::<SignedLSRequest>(&bytes).is_err());
    assert!(scms_asn1::decode::<SecuredLIRequest>(&bytes).is_err());
    let h = &back.0.signed_data().unwrap().tbs_data.header_info;
    assert_eq!(h.psid, SECURITY_MGMT_PSID);
    assert!(h.generation_time.is_none() && h.generation_location.is_none());
}

#[test]
fn signed_misbehavior_report_profile() {
    let buf = noise(4096, 6);
    let signed: SignedMisbehaviorReport = random(&buf);
    let sd = signed.0.signed_data().unwrap();
    let h = &sd.tbs_data.header_info;
    assert_eq!(h.psid, MISBEHAVIOR_REPORTING_PSID);
    assert!(h.generation_time.is_some() && h.generation_location.is_some());
    assert!(
        matches!(&sd.signer, scms_asn1::ieee1609dot2::SignerIdentifier::Certificate(c) if c.len() == 1)
    );
    let bytes = scms_asn1::encode(&signed).unwrap();
    assert!(scms_asn1::decode::<SignedMisbehaviorReport>(&bytes).is_ok());
    assert!(scms_asn1::decode::<SignedLIRequest>(&bytes).is_err());
}

#[test]
fn rse_obe_id_blacklist_response_accepts_both_scopes() {
    let buf = noise(4096, 7);
    let scoped: ScopedBlacklistResponse = random(&buf);
    let mut u = arbitrary::Unstructured::new(&buf[2048..]);
    let mut signed: SignedBlacklistResponse = scms_asn1::codec::Generate::generate(&mut u).unwrap();
    // Re-sign the other scope under the same header.
    let bytes = scms_asn1::encode(&scoped).unwrap();
    if let scms_asn1::ieee1609dot2::Ieee1609Dot2Content::SignedData(sd) = &mut signed.0.content {
        let mut tbs = sd.tbs_data.value().clone();
        tbs.payload.data = Some(Box::new(scms_asn1::ieee1609dot2::Ieee1609Dot2Data::new(
            scms_asn1::ieee1609dot2::Ieee1609Dot2Content::UnsecuredData(bytes.into()),
        )));
        sd.tbs_data = scms_asn1::codec::Spanned::new(tbs);
    }
    let spdu = scms_asn1::encode(&signed).unwrap();
    assert!(scms_asn1::decode::<SignedRseObeIdBlacklistResponse>(&spdu).is_ok());
}

#[test]
fn linkage_chain_id_needs_one_symmetric_recipient() {
    let buf = noise(4096, 8);
    let lci: LinkageChainId = random(&buf);
    let mut two = lci.0.clone();
    two.recipients.push(two.recipients[0].clone());
    assert!(scms_asn1::encode(&LinkageChainId(two.clone())).is_err());
    let bytes = scms_asn1::encode(&two).unwrap();
    assert!(scms_asn1::decode::<LinkageChainId>(&bytes).is_err());
    assert!(scms_asn1::decode::<LinkageChainId>(&scms_asn1::encode(&lci).unwrap()).is_ok());
}

#[test]
fn scms_pdu_mutations_never_panic() {
    let buf = noise(8192, 9);
    let mut u = arbitrary::Unstructured::new(&buf);
    let mut samples = Vec::new();
    while samples.len() < 8 {
        let Ok(v) =
            <SignedLaRaPreLinkageValueResponse as scms_asn1::codec::Generate>::generate(&mut u)
        else {
            break;
        };
        samples.push(scms_asn1::encode(&v).unwrap());
    }
    assert!(!samples.is_empty());
    for (i, s) in samples.iter().enumerate() {
        scms_asn1::codec::testing::mutations(s, 500, i as u64, |m| {
            if let Ok(v) = scms_asn1::decode::<SignedLaRaPreLinkageValueResponse>(m) {
                assert_eq!(scms_asn1::encode(&v).unwrap(), m);
                let _ = v.payload().expect("validated payload decodes");
            }
        });
    }
}
