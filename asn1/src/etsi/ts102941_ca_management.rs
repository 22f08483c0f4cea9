//! `EtsiTs102941TypesCaManagement` (ETSI TS 102 941 v2.2.1, major 3 minor 1): a sub-CA's
//! certificate request to its root CA.

use crate::codec::UnknownExtensions;
use crate::etsi::ts102941_base_types::{CertificateSubjectAttributes, PublicKeys};
use crate::Asn1;

/// `CaCertificateRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct CaCertificateRequest<'a> {
    pub public_keys: PublicKeys,
    pub requested_subject_attributes: CertificateSubjectAttributes<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}
