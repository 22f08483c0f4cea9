//! Random valid values of the CAMP SCMS interface types must round-trip exactly.

use scms_asn1::camp::errors::*;

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

#[test]
fn scoped_error_rejects_other_interfaces() {
    let other = ScmsError::LaPca(LaPcaError::LaPca(LaPcaErrorCode::InvalidMacValue));
    let bytes = scms_asn1::encode(&other).unwrap();
    assert!(scms_asn1::decode::<ScopedLaPcaError>(&bytes).is_ok());
    assert!(scms_asn1::decode::<ScopedLaRaError>(&bytes).is_err());
    assert!(scms_asn1::encode(&ScopedLaRaError(other)).is_err());
}
