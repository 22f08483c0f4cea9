//! `EtsiTs102941BaseTypes` (ETSI TS 102 941 v2.2.1, major 3 minor 1): types shared by
//! the enrolment, authorization, CA management and trust list modules.

use crate::codec::UnknownExtensions;
use crate::etsi::ts103097::{EtsiTs103097DataEncrypted, EtsiTs103097DataSignedExternalPayload};
use crate::ieee1609dot2::base_types::{
    GeographicRegion, PublicEncryptionKey, PublicVerificationKey, SequenceOfPsidSsp,
    SubjectAssurance, ValidityPeriod,
};
pub use crate::ieee1609dot2::base_types::{HashedId8, Time32};
use crate::ieee1609dot2::dot2::{CertificateId, SequenceOfPsidGroupPermissions};
use crate::Asn1;
use arbitrary::Unstructured;

/// `CertificateFormat ::= INTEGER {ts103097v131(1)} (1..255)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(newtype, range(1..=255))]
pub struct CertificateFormat(pub u8);

impl CertificateFormat {
    /// `ts103097v131`.
    pub const TS103097V131: CertificateFormat = CertificateFormat(1);
}

/// `CertificateSubjectAttributes`: requested or confirmed certificate content;
/// `appPermissions` or `certIssuePermissions` is present.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    extensible,
    validate = "check_subject_attributes",
    fixup = "fix_subject_attributes"
)]
pub struct CertificateSubjectAttributes<'a> {
    #[asn1(optional)]
    pub id: Option<CertificateId<'a>>,
    #[asn1(optional)]
    pub validity_period: Option<ValidityPeriod>,
    #[asn1(optional)]
    pub region: Option<GeographicRegion>,
    #[asn1(optional)]
    pub assurance_level: Option<SubjectAssurance>,
    #[asn1(optional)]
    pub app_permissions: Option<SequenceOfPsidSsp<'a>>,
    #[asn1(optional)]
    pub cert_issue_permissions: Option<SequenceOfPsidGroupPermissions<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_subject_attributes(v: &CertificateSubjectAttributes<'_>) -> Result<(), &'static str> {
    if v.app_permissions.is_some() || v.cert_issue_permissions.is_some() {
        Ok(())
    } else {
        Err("CertificateSubjectAttributes: appPermissions or certIssuePermissions must be present")
    }
}

fn fix_subject_attributes(
    v: &mut CertificateSubjectAttributes<'_>,
    _u: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    if check_subject_attributes(v).is_err() {
        v.app_permissions = Some(Vec::new());
    }
    Ok(())
}

/// Checks `CertificateSubjectAttributes (WITH COMPONENTS {..., certIssuePermissions
/// ABSENT})` (requests and confirmations of end-entity certificates) and the type's
/// own constraint, i.e. `appPermissions` present.
pub fn check_ee_subject_attributes(
    v: &CertificateSubjectAttributes<'_>,
) -> Result<(), &'static str> {
    if v.cert_issue_permissions.is_some() {
        return Err("certIssuePermissions must be absent");
    }
    check_subject_attributes(v)
}

/// Makes random attributes meet [`check_ee_subject_attributes`] (generation only).
pub(crate) fn fix_ee_subject_attributes(v: &mut CertificateSubjectAttributes<'_>) {
    v.cert_issue_permissions = None;
    if v.app_permissions.is_none() {
        v.app_permissions = Some(Vec::new());
    }
}

/// `EcSignature`: the enrolment credential's signature over an authorization request,
/// encrypted to the EA (privacy) or in clear.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum EcSignature<'a> {
    /// `EtsiTs103097Data-Encrypted {EtsiTs103097Data-SignedExternalPayload}`.
    EncryptedEcSignature(EtsiTs103097DataEncrypted<'a>),
    EcSignature(EtsiTs103097DataSignedExternalPayload<'a>),
}

/// `PublicKeys`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct PublicKeys {
    pub verification_key: PublicVerificationKey,
    #[asn1(optional)]
    pub encryption_key: Option<PublicEncryptionKey>,
}

/// `Version ::= INTEGER {v1(1)}`: unconstrained, so OER writes a length and a two's
/// complement value; values outside `i64` are rejected.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(newtype, range(..))]
pub struct Version(pub i64);

impl Version {
    /// `v1`.
    pub const V1: Version = Version(1);
}
