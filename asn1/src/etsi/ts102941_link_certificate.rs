//! `EtsiTs102941TypesLinkCertificate` (ETSI TS 102 941 v2.2.1, major 3 minor 1): the
//! link certificate content a TLM or root CA signs when it re-keys.

use crate::codec::UnknownExtensions;
use crate::etsi::ts102941_base_types::Time32;
use crate::ieee1609dot2::dot2::HashedData;
use crate::Asn1;

/// `ToBeSignedLinkCertificate`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedLinkCertificate {
    pub expiry_time: Time32,
    pub certificate_hash: HashedData,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `ToBeSignedLinkCertificateTlm ::= ToBeSignedLinkCertificate`.
pub type ToBeSignedLinkCertificateTlm = ToBeSignedLinkCertificate;
/// `ToBeSignedLinkCertificateRca ::= ToBeSignedLinkCertificate`.
pub type ToBeSignedLinkCertificateRca = ToBeSignedLinkCertificate;
