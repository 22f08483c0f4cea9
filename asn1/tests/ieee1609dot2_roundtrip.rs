//! Random valid values of the IEEE 1609.2-2022 types must round-trip exactly.

use scms_asn1::ieee1609dot2::base_types::*;

macro_rules! rt {
    ($name:ident, $ty:ty, $seed:expr) => {
        #[test]
        fn $name() {
            let n = scms_asn1::roundtrip_random!($ty, 300, $seed);
            assert!(n > 100, "only {n} values of {} generated", stringify!($ty));
        }
    };
}

// Ieee1609Dot2BaseTypes
rt!(base_uint3, Uint3, 101);
rt!(base_validity_period, ValidityPeriod, 102);
rt!(base_duration, Duration, 103);
rt!(base_geographic_region, GeographicRegion, 104);
rt!(base_circular_region, CircularRegion, 105);
rt!(base_rectangular_region, RectangularRegion, 106);
rt!(base_polygonal_region, PolygonalRegion, 107);
rt!(base_identified_region, IdentifiedRegion, 108);
rt!(base_country_and_subregions, CountryAndSubregions, 109);
rt!(base_three_d_location, ThreeDLocation, 110);
rt!(base_known_latitude, KnownLatitude, 111);
rt!(base_unknown_longitude, UnknownLongitude, 112);
rt!(base_signature, Signature, 113);
rt!(base_ecdsa_p384_signature, EcdsaP384Signature, 114);
rt!(base_ecc_p256_curve_point, EccP256CurvePoint, 115);
rt!(base_ecc_p384_curve_point, EccP384CurvePoint, 116);
rt!(base_symm_algorithm, SymmAlgorithm, 117);
rt!(base_hash_algorithm, HashAlgorithm, 118);
rt!(base_ecies_p256_encrypted_key, EciesP256EncryptedKey, 119);
rt!(base_ecenc_p256_encrypted_key, EcencP256EncryptedKey, 120);
rt!(base_encryption_key, EncryptionKey, 121);
rt!(base_public_verification_key, PublicVerificationKey, 122);
rt!(base_psid_ssp, PsidSsp, 123);
rt!(base_psid, Psid, 124);
rt!(base_psid_ssp_range, PsidSspRange, 125);
rt!(base_ssp_range, SspRange, 126);
rt!(base_hostname, Hostname, 127);
rt!(base_group_linkage_value, GroupLinkageValue, 128);
rt!(base_extension, Extension, 129);
rt!(base_sequence_of_psid_ssp, SequenceOfPsidSsp, 130);
rt!(base_sequence_of_octet_string, SequenceOfOctetString, 131);

#[test]
fn base_known_encodings() {
    // Psid 32 (BSM): a length-prefixed unsigned integer.
    assert_eq!(scms_asn1::encode(&Psid(32)).unwrap(), [0x01, 0x20]);
    assert_eq!(
        scms_asn1::encode(&Psid(0x8007)).unwrap(),
        [0x02, 0x80, 0x07]
    );
    // A non-minimal Psid is rejected.
    assert!(scms_asn1::decode::<Psid>(&[0x02, 0x00, 0x20]).is_err());
    // Duration hours(168): tag [4], two bytes.
    assert_eq!(
        scms_asn1::encode(&Duration::Hours(168)).unwrap(),
        [0x84, 0x00, 0xa8]
    );
    // An extension alternative of PublicVerificationKey is an open type.
    let k = PublicVerificationKey::EcdsaNistP384(EccP384CurvePoint::CompressedY0([7; 48]));
    let b = scms_asn1::encode(&k).unwrap();
    assert_eq!(&b[..3], &[0x83, 49, 0x82]);
    assert_eq!(scms_asn1::decode::<PublicVerificationKey>(&b).unwrap(), k);
    // Latitude is a 4-byte signed integer, bounded.
    assert_eq!(
        scms_asn1::encode(&NinetyDegreeInt::MIN).unwrap(),
        (-900_000_000i32).to_be_bytes()
    );
    assert!(scms_asn1::decode::<NinetyDegreeInt>(&900_000_002i32.to_be_bytes()).is_err());
    assert!(scms_asn1::decode::<Uint3>(&[8]).is_err());
}

// Ieee1609Dot2
mod dot2 {
    use scms_asn1::ieee1609dot2::dot2::*;

    rt!(certificate, Certificate, 201);
    rt!(certificate_base, CertificateBase, 202);
    rt!(ieee1609_dot2_data, Ieee1609Dot2Data, 203);
    rt!(ieee1609_dot2_content, Ieee1609Dot2Content, 204);
    rt!(signed_data, SignedData, 205);
    rt!(to_be_signed_data, ToBeSignedData, 206);
    rt!(signed_data_payload, SignedDataPayload, 207);
    rt!(hashed_data, HashedData, 208);
    rt!(header_info, HeaderInfo, 209);
    rt!(missing_crl_identifier, MissingCrlIdentifier, 210);
    rt!(
        contributed_extension_blocks,
        ContributedExtensionBlocks,
        211
    );
    rt!(signer_identifier, SignerIdentifier, 212);
    rt!(encrypted_data, EncryptedData, 213);
    rt!(recipient_info, RecipientInfo, 214);
    rt!(
        encrypted_data_encryption_key,
        EncryptedDataEncryptionKey,
        215
    );
    rt!(symmetric_ciphertext, SymmetricCiphertext, 216);
    rt!(to_be_signed_certificate, ToBeSignedCertificate, 217);
    rt!(certificate_id, CertificateId, 218);
    rt!(linkage_data, LinkageData, 219);
    rt!(end_entity_type, EndEntityType, 220);
    rt!(psid_group_permissions, PsidGroupPermissions, 221);
    rt!(subject_permissions, SubjectPermissions, 222);
    rt!(verification_key_indicator, VerificationKeyIndicator, 223);
    rt!(issuer_identifier, IssuerIdentifier, 224);
    rt!(
        ieee1609_header_ext,
        Ieee1609ContributedHeaderInfoExtension,
        225
    );
    rt!(app_extensions, SequenceOfAppExtensions, 226);
    rt!(cert_issue_extensions, SequenceOfCertIssueExtensions, 227);
    rt!(
        cert_request_extensions,
        SequenceOfCertRequestExtensions,
        228
    );
    rt!(sequence_of_certificate, SequenceOfCertificate, 229);
    rt!(pk_recipient_info, PKRecipientInfo, 230);
    rt!(countersignature, Countersignature, 231);
    rt!(one28bit_ccm_ciphertext, One28BitCcmCiphertext, 232);
    rt!(symm_recipient_info, SymmRecipientInfo, 233);
}

// Ieee1609Dot2Crl, Ieee1609Dot2CrlBaseTypes, Ieee1609Dot2CrlSsp
mod crl {
    use scms_asn1::ieee1609dot2::crl::*;
    use scms_asn1::ieee1609dot2::crl_base_types::*;
    use scms_asn1::ieee1609dot2::crl_ssp::*;

    rt!(secured_crl, SecuredCrl, 301);
    rt!(crl_contents, CrlContents, 302);
    rt!(crl_psid, CrlPsid, 303);
    rt!(type_specific_crl_contents, TypeSpecificCrlContents, 304);
    rt!(to_be_signed_hash_id_crl, ToBeSignedHashIdCrl, 305);
    rt!(
        to_be_signed_linkage_value_crl,
        ToBeSignedLinkageValueCrl,
        306
    );
    rt!(with_alg, ToBeSignedLinkageValueCrlWithAlgIdentifier, 307);
    rt!(jmax_group, JMaxGroup, 308);
    rt!(la_group, LAGroup, 309);
    rt!(imax_group, IMaxGroup, 310);
    rt!(group_crl_entry, GroupCrlEntry, 311);
    rt!(group_single_seed_crl_entry, GroupSingleSeedCrlEntry, 312);
    rt!(
        expansion_algorithm_identifier,
        ExpansionAlgorithmIdentifier,
        313
    );
    rt!(crl_priority_info, CrlPriorityInfo, 314);
    rt!(crl_ssp, CrlSsp, 315);
    rt!(craca_type, CracaType, 316);
}

// Ieee1609Dot2Peer2Peer, EtsiTs103097ExtensionModule
mod p2p_etsi {
    use scms_asn1::ieee1609dot2::etsi_extension::*;
    use scms_asn1::ieee1609dot2::peer2peer::*;

    rt!(peer2peer_pdu, Ieee1609dot2Peer2PeerPDU, 401);
    rt!(peer2peer_content, Ieee1609dot2Peer2PeerPduContent, 402);
    rt!(ca_cert_p2p_pdu, CaCertP2pPDU, 403);
    rt!(
        etsi_originating_header_info_extension,
        EtsiOriginatingHeaderInfoExtension,
        404
    );
    rt!(extension_module_version, ExtensionModuleVersion, 405);
}
