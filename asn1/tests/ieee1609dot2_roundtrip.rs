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
