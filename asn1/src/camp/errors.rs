//! CAMP SCMS error modules: `Ieee1609dot2ScmsCommonError`,
//! `Ieee1609Dot2ScmsComponentCertificateManagementError`, `Ieee1609Dot2EcaEndEntityError`,
//! `Ieee1609Dot2LaMaError`, `Ieee1609Dot2LaPcaError`, `Ieee1609Dot2LaRaError`,
//! `Ieee1609Dot2MaPcaError`, `Ieee1609Dot2MaRaError`, `Ieee1609Dot2PcaRaError` and the
//! umbrella `Ieee1609dot2ScmsError` (`ScmsError` and its `Scoped…Error` restrictions).
//!
//! The `Scoped…Error` types are `ScmsError` restricted by `WITH COMPONENTS` to the common
//! alternative or to one interface's alternative: they are newtypes with a validation
//! that rejects the alternatives of other interfaces.

use crate::codec::UnknownAlternative;
use crate::Asn1;
use arbitrary::Unstructured;

/// `ScmsCommonError` (scms-common-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum ScmsCommonError {
    Baseline = 1,
}

/// `ComponentCertificateManagementError` (component-cert-management-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum ComponentCertificateManagementError {
    Baseline = 1,
}

/// `EcaEndEntityError` (eca-ee-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum EcaEndEntityError {
    EcaInvalidCurrentTime = 0,
    EcaInvalidRequestedStartTime = 1,
    EcaInvalidPsid = 2,
    EcaInvalidValidityPeriod = 3,
    EcaInvalidRegion = 4,
    EcaInvalidAssuranceLevel = 5,
    EcaInvalidEncryptionKey = 6,
    EcaInvalidVerifyKey = 7,
    EcaMalformedRequest = 8,
    EcaInternalServerError = 9,
    EcaResponseTimeout = 10,
}

/// `LaMaError` (la-ma-errors).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum LaMaError {
    #[asn1(name = "la-ma-base-error")]
    LaMaBaseError(LaMaBaseErrorCode),
    #[asn1(name = "la-ma-linkage-info-error")]
    LaMaLinkageInfoError(LaMaLinkageInfoErrorCode),
    #[asn1(name = "la-ma-linkage-seed-error")]
    LaMaLinkageSeedError(LaMaLinkageSeedErrorCode),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `LaMaBaseErrorCode` (la-ma-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum LaMaBaseErrorCode {
    LaNoMaAuthorizationSignature = 0,
    LaInvalidMaAuthorizationSignature = 1,
    NumberOfRequestsExceeded = 2,
    NoSecureConnectionToRequestor = 3,
    LaInternalTimeout = 4,
    MaRequestTimeout = 5,
    LaInvalidInputValueFormat = 6,
}

/// `LaMaLinkageInfoErrorCode` (la-ma-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum LaMaLinkageInfoErrorCode {
    AtLeastOnePrelinkageValueUnknown = 0,
    AllPrelinkageValuesUnknown = 1,
    OnlyOnePrelinkageValuePresented = 2,
    LaInvalidPrelinkageValuePresented = 3,
}

/// `LaMaLinkageSeedErrorCode` (la-ma-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum LaMaLinkageSeedErrorCode {
    LinkageChainIdentifierUnknown = 0,
    LaInvalidLinkageValue = 1,
    LaNumberOfLciValuesExceeded = 2,
}

/// `LaPcaError` (la-pca-errors).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum LaPcaError {
    #[asn1(name = "la-pca")]
    LaPca(LaPcaErrorCode),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `LaPcaErrorCode` (la-pca-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum LaPcaErrorCode {
    InvalidSignature = 0,
    InvalidCertificate = 1,
    InvalidStartTime = 2,
    InvalidEndTime = 3,
    InvalidAlgorithm = 4,
    InvalidMacValue = 5,
}

/// `LaRaError` (la-ra-errors).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum LaRaError {
    #[asn1(name = "la-ra")]
    LaRa(LaRaErrorCode),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `LaRaErrorCode` (la-ra-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum LaRaErrorCode {
    InvalidPcaKey = 0,
    InvalidIMin = 1,
    InvalidIMax = 2,
    InvalidContinueChain = 3,
    InvalidLinkagechainId = 4,
    InvalidJMax = 5,
}

/// `MaPcaError` (ma-pca-errors).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum MaPcaError {
    #[asn1(name = "ma-pca")]
    MaPca(MaPcaErrorCode),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `MaPcaErrorCode` (ma-pca-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum MaPcaErrorCode {
    PcaInternalTimeout = 0,
    MaRequestTimeout = 1,
    PcaNoMaAuthorizationSignature = 2,
    PcaInvalidMaAuthorizationSignature = 3,
    NumberofRequestsExceeded = 4,
    PcaNumberOfLinkageValuesExceeded = 5,
    NoSecureConnectiontoRequestor = 6,
    TooManyUsers = 7,
    LinkageValueUnknown = 8,
    PcaInvalidLinkageValue = 9,
    PcaInvalidInputValueFormat = 10,
}

/// `MaRaError` (ma-ra-errors).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum MaRaError {
    #[asn1(name = "ma-ra-base-error")]
    MaRaBaseError(MaRaBaseErrorCode),
    #[asn1(name = "ma-ra-blacklist-error")]
    MaRaBlacklistError(MaRaBlacklistErrorCode),
    #[asn1(name = "ma-ra-lci-error")]
    MaRaLciError(MaRaLCIErrorCode),
    #[asn1(name = "ma-ra-cdv-error")]
    MaRaCdvError(MaRaCDVErrorCode),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `MaRaBaseErrorCode` (ma-ra-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum MaRaBaseErrorCode {
    RaInternalTimeout = 0,
    MaRequestTimeout = 1,
    RaNoMaAuthorizationSignature = 2,
    RaInvalidMaAuthorizationSignature = 3,
    RaInvalidInputValueFormat = 4,
    RaInvalidHashRequest = 5,
    #[asn1(name = "raInvalidRIFValue")]
    RaInvalidRifValue = 6,
    RaInvalidLinkageValue = 7,
    RaNumberOfRequestsExceeded = 8,
    NoSecureConnectionToRequestor = 9,
    #[asn1(name = "hpcrIsUnknownToRA")]
    HpcrIsUnknownToRa = 10,
}

/// `MaRaBlacklistErrorCode` (ma-ra-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum MaRaBlacklistErrorCode {
    AlreadyBlacklisted = 0,
}

/// `MaRaLCIErrorCode` (ma-ra-errors).
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum MaRaLCIErrorCode {
    #[asn1(name = "noLinkageChainIdentifiersKnownForHPCR")]
    NoLinkageChainIdentifiersKnownForHpcr = 0,
}

/// `MaRaCDVErrorCode` (ma-ra-errors).
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum MaRaCDVErrorCode {
    #[asn1(name = "noCertificateDigestValuesKnownForRIF")]
    NoCertificateDigestValuesKnownForRif = 0,
}

/// `PcaRaError` (pca-ra-errors).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum PcaRaError {
    #[asn1(name = "pca-ra-base-error")]
    PcaRaBaseError(PcaRaBaseErrorCode),
    #[asn1(name = "pca-ra-request-error")]
    PcaRaRequestError(PcaRaRequestErrorCode),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `PcaRaBaseErrorCode` (pca-ra-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum PcaRaBaseErrorCode {
    UnknownError = 0,
}

/// `PcaRaRequestErrorCode` (pca-ra-errors).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum PcaRaRequestErrorCode {
    InvalidCertificateRequestType = 0,
    InvalidType = 1,
    InvalidPsidSsp = 2,
    InvalidRegion = 3,
    InvalidValidity = 4,
    InvalidEncryptionPublicKey = 5,
    InvalidSignaturePublicKey = 6,
    InvalidEncryptedPreLinkageValue = 7,
    InvalidEncryptedGroupPreLinkageValue = 8,
}

/// `ScmsError` (scms-error): every interface's error, one alternative each.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum ScmsError {
    Common(ScmsCommonError),
    Ccm(ComponentCertificateManagementError),
    #[asn1(name = "eca-ee")]
    EcaEe(EcaEndEntityError),
    #[asn1(name = "la-ma")]
    LaMa(LaMaError),
    #[asn1(name = "la-pca")]
    LaPca(LaPcaError),
    #[asn1(name = "la-ra")]
    LaRa(LaRaError),
    #[asn1(name = "ma-pca")]
    MaPca(MaPcaError),
    #[asn1(name = "ma-ra")]
    MaRa(MaRaError),
    #[asn1(name = "pca-ra")]
    PcaRa(PcaRaError),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `ScopedComponentCertificateManagementError` (scms-error): `ScmsError` restricted to `common` or `ccm`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_component_certificate_management_error",
    fixup = "fix_scoped"
)]
pub struct ScopedComponentCertificateManagementError(pub ScmsError);

fn check_scoped_component_certificate_management_error(
    v: &ScopedComponentCertificateManagementError,
) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_) | ScmsError::Ccm(_) => Ok(()),
        _ => Err("ScopedComponentCertificateManagementError: an error of another interface"),
    }
}

/// `ScopedEcaEndEntityError` (scms-error): `ScmsError` restricted to `common` or `eca-ee`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_eca_end_entity_error",
    fixup = "fix_scoped"
)]
pub struct ScopedEcaEndEntityError(pub ScmsError);

fn check_scoped_eca_end_entity_error(v: &ScopedEcaEndEntityError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_) | ScmsError::EcaEe(_) => Ok(()),
        _ => Err("ScopedEcaEndEntityError: an error of another interface"),
    }
}

/// `ScopedLaMaError` (scms-error): `ScmsError` restricted to `common` or `la-ma`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_scoped_la_ma_error", fixup = "fix_scoped")]
pub struct ScopedLaMaError(pub ScmsError);

fn check_scoped_la_ma_error(v: &ScopedLaMaError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_) | ScmsError::LaMa(_) => Ok(()),
        _ => Err("ScopedLaMaError: an error of another interface"),
    }
}

/// `ScopedLaMaLIError` (scms-error): `ScmsError` restricted to `common`, or `la-ma` with a base or linkage-information error.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_la_ma_li_error",
    fixup = "fix_scoped"
)]
pub struct ScopedLaMaLIError(pub ScmsError);

fn check_scoped_la_ma_li_error(v: &ScopedLaMaLIError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_)
        | ScmsError::LaMa(LaMaError::LaMaBaseError(_) | LaMaError::LaMaLinkageInfoError(_)) => {
            Ok(())
        }
        _ => Err("ScopedLaMaLIError: an error of another interface"),
    }
}

/// `ScopedLaMaLSError` (scms-error): `ScmsError` restricted to `common`, or `la-ma` with a base or linkage-seed error.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_la_ma_ls_error",
    fixup = "fix_scoped"
)]
pub struct ScopedLaMaLSError(pub ScmsError);

fn check_scoped_la_ma_ls_error(v: &ScopedLaMaLSError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_)
        | ScmsError::LaMa(LaMaError::LaMaBaseError(_) | LaMaError::LaMaLinkageSeedError(_)) => {
            Ok(())
        }
        _ => Err("ScopedLaMaLSError: an error of another interface"),
    }
}

/// `ScopedLaPcaError` (scms-error): `ScmsError` restricted to `common` or `la-pca`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_scoped_la_pca_error", fixup = "fix_scoped")]
pub struct ScopedLaPcaError(pub ScmsError);

fn check_scoped_la_pca_error(v: &ScopedLaPcaError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_) | ScmsError::LaPca(_) => Ok(()),
        _ => Err("ScopedLaPcaError: an error of another interface"),
    }
}

/// `ScopedLaRaError` (scms-error): `ScmsError` restricted to `common` or `la-ra`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_scoped_la_ra_error", fixup = "fix_scoped")]
pub struct ScopedLaRaError(pub ScmsError);

fn check_scoped_la_ra_error(v: &ScopedLaRaError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_) | ScmsError::LaRa(_) => Ok(()),
        _ => Err("ScopedLaRaError: an error of another interface"),
    }
}

/// `ScopedMaPcaError` (scms-error): `ScmsError` restricted to `common` or `ma-pca`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_scoped_ma_pca_error", fixup = "fix_scoped")]
pub struct ScopedMaPcaError(pub ScmsError);

fn check_scoped_ma_pca_error(v: &ScopedMaPcaError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_) | ScmsError::MaPca(_) => Ok(()),
        _ => Err("ScopedMaPcaError: an error of another interface"),
    }
}

/// `ScopedMaRaError` (scms-error): `ScmsError` restricted to `common` or `ma-ra`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_scoped_ma_ra_error", fixup = "fix_scoped")]
pub struct ScopedMaRaError(pub ScmsError);

fn check_scoped_ma_ra_error(v: &ScopedMaRaError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_) | ScmsError::MaRa(_) => Ok(()),
        _ => Err("ScopedMaRaError: an error of another interface"),
    }
}

/// `ScopedMaRaBlacklistError` (scms-error): `ScmsError` restricted to `common`, or `ma-ra` with a base or blacklist error.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ma_ra_blacklist_error",
    fixup = "fix_scoped"
)]
pub struct ScopedMaRaBlacklistError(pub ScmsError);

fn check_scoped_ma_ra_blacklist_error(v: &ScopedMaRaBlacklistError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_)
        | ScmsError::MaRa(MaRaError::MaRaBaseError(_) | MaRaError::MaRaBlacklistError(_)) => Ok(()),
        _ => Err("ScopedMaRaBlacklistError: an error of another interface"),
    }
}

/// `ScopedMaRaLCIError` (scms-error): `ScmsError` restricted to `common`, or `ma-ra` with a base or LCI error.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ma_ra_lci_error",
    fixup = "fix_scoped"
)]
pub struct ScopedMaRaLCIError(pub ScmsError);

fn check_scoped_ma_ra_lci_error(v: &ScopedMaRaLCIError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_)
        | ScmsError::MaRa(MaRaError::MaRaBaseError(_) | MaRaError::MaRaLciError(_)) => Ok(()),
        _ => Err("ScopedMaRaLCIError: an error of another interface"),
    }
}

/// `ScopedPcaRaError` (scms-error): `ScmsError` restricted to `common` or `pca-ra`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_scoped_pca_ra_error", fixup = "fix_scoped")]
pub struct ScopedPcaRaError(pub ScmsError);

fn check_scoped_pca_ra_error(v: &ScopedPcaRaError) -> Result<(), &'static str> {
    match &v.0 {
        ScmsError::Common(_) | ScmsError::PcaRa(_) => Ok(()),
        _ => Err("ScopedPcaRaError: an error of another interface"),
    }
}

/// Generation fixup of the `Scoped…Error` types: a random `ScmsError` of another
/// interface becomes the common error.
trait ScopedError {
    fn check(&self) -> Result<(), &'static str>;
    fn inner(&mut self) -> &mut ScmsError;
}

fn fix_scoped<T: ScopedError>(v: &mut T, _u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    if v.check().is_err() {
        *v.inner() = ScmsError::Common(ScmsCommonError::Baseline);
    }
    Ok(())
}

impl ScopedError for ScopedComponentCertificateManagementError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_component_certificate_management_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedEcaEndEntityError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_eca_end_entity_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedLaMaError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_la_ma_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedLaMaLIError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_la_ma_li_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedLaMaLSError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_la_ma_ls_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedLaPcaError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_la_pca_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedLaRaError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_la_ra_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedMaPcaError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_ma_pca_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedMaRaError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_ma_ra_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedMaRaBlacklistError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_ma_ra_blacklist_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedMaRaLCIError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_ma_ra_lci_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}

impl ScopedError for ScopedPcaRaError {
    fn check(&self) -> Result<(), &'static str> {
        check_scoped_pca_ra_error(self)
    }
    fn inner(&mut self) -> &mut ScmsError {
        &mut self.0
    }
}
