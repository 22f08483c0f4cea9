//! `EtsiTs102941MessagesCa` (ETSI TS 102 941 v2.2.1, major 3 minor 3): every PKI message
//! (`EtsiTs102941Data` and the SPDU profiles that carry it).
//!
//! The ITS-S subsets `EtsiTs102941MessagesItss` and `-OptionalPrivacy` have the same
//! encoding with some alternatives replaced by NULL placeholders; a station decodes
//! them with these types and rejects the alternatives it does not expect.
//!
//! Messages that are signed (`EtsiTs103097Data-Signed {EtsiTs102941Data (...)}`) are
//! newtypes whose validation decodes the signed `EtsiTs102941Data` and checks its
//! content alternative. Messages that are encrypted can only be checked after
//! decryption; they are aliases of the encrypted profile, documented with what the
//! plaintext must be.
//!
//! The butterfly extensions of `EtsiTs102941DataContent` that carry IEEE 1609.2.1 types
//! (`butterflyAuthorizationRequest` `EeRaCertRequest`, `butterflyAuthorizationResponse`
//! `RaEeCertInfo`, `butterflyCertificateRequest` `RaAcaCertRequest`,
//! `butterflyCertificateResponse` `AcaRaCertResponse`, `butterflyAtDownloadRequest`
//! `EeRaDownloadRequest`) are extension alternatives (open types): they are kept as
//! [`UnknownAlternative`] with their tag (13, 15, 16, 17, 18) and bytes, to be decoded
//! with the 1609.2.1 types of [`crate::ieee1609dot2dot1`].

use crate::codec::{DecodeError, ErrorKind, Generate, UnknownAlternative};
use crate::etsi::ts102941_authorization::{
    EtsiTs102941ButterflyAuthorizationRequestX509Signed, InnerAtRequest, InnerAtResponse,
};
use crate::etsi::ts102941_authorization_validation::{
    AuthorizationValidationRequest, AuthorizationValidationResponse,
};
use crate::etsi::ts102941_ca_management::CaCertificateRequest;
use crate::etsi::ts102941_enrolment::{InnerEcRequestSignedForPop, InnerEcResponse};
use crate::etsi::ts102941_link_certificate::{
    ToBeSignedLinkCertificateRca, ToBeSignedLinkCertificateTlm,
};
use crate::etsi::ts102941_trust_lists::{ToBeSignedCrl, ToBeSignedRcaCtl, ToBeSignedTlmCtl};
use crate::etsi::ts103097::{
    random_signed_of, signed_payload, EtsiTs103097DataEncryptedUnicast, EtsiTs103097DataSigned,
    EtsiTs103097DataSignedAndEncryptedUnicast,
};
use crate::Asn1;
use arbitrary::Unstructured;

/// `EtsiTs102941Data`: version `v1` and the message content.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct EtsiTs102941Data<'a> {
    /// `Version (v1)`: a single value, so one octet.
    #[asn1(range(1..=1))]
    pub version: u8,
    pub content: EtsiTs102941DataContent<'a>,
}

/// `EtsiTs102941DataContent`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum EtsiTs102941DataContent<'a> {
    EnrolmentRequest(InnerEcRequestSignedForPop<'a>),
    EnrolmentResponse(InnerEcResponse<'a>),
    AuthorizationRequest(InnerAtRequest<'a>),
    AuthorizationResponse(InnerAtResponse<'a>),
    CertificateRevocationList(ToBeSignedCrl),
    CertificateTrustListTlm(ToBeSignedTlmCtl<'a>),
    CertificateTrustListRca(ToBeSignedRcaCtl<'a>),
    AuthorizationValidationRequest(AuthorizationValidationRequest<'a>),
    AuthorizationValidationResponse(AuthorizationValidationResponse<'a>),
    CaCertificateRequest(CaCertificateRequest<'a>),
    #[asn1(ext)]
    LinkCertificateTlm(ToBeSignedLinkCertificateTlm),
    #[asn1(ext)]
    SingleSignedLinkCertificateRca(ToBeSignedLinkCertificateRca),
    #[asn1(ext, name = "doubleSignedlinkCertificateRca")]
    DoubleSignedlinkCertificateRca(RcaSingleSignedLinkCertificateMessage<'a>),
    #[asn1(ext, tag = 14, name = "x509SignedbutterflyAuthorizationRequest")]
    X509SignedbutterflyAuthorizationRequest(
        EtsiTs102941ButterflyAuthorizationRequestX509Signed<'a>,
    ),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// Which alternative of [`EtsiTs102941DataContent`] a message carries.
fn content_kind(c: &EtsiTs102941DataContent<'_>) -> u64 {
    match c {
        EtsiTs102941DataContent::EnrolmentRequest(_) => 0,
        EtsiTs102941DataContent::EnrolmentResponse(_) => 1,
        EtsiTs102941DataContent::AuthorizationRequest(_) => 2,
        EtsiTs102941DataContent::AuthorizationResponse(_) => 3,
        EtsiTs102941DataContent::CertificateRevocationList(_) => 4,
        EtsiTs102941DataContent::CertificateTrustListTlm(_) => 5,
        EtsiTs102941DataContent::CertificateTrustListRca(_) => 6,
        EtsiTs102941DataContent::AuthorizationValidationRequest(_) => 7,
        EtsiTs102941DataContent::AuthorizationValidationResponse(_) => 8,
        EtsiTs102941DataContent::CaCertificateRequest(_) => 9,
        EtsiTs102941DataContent::LinkCertificateTlm(_) => 10,
        EtsiTs102941DataContent::SingleSignedLinkCertificateRca(_) => 11,
        EtsiTs102941DataContent::DoubleSignedlinkCertificateRca(_) => 12,
        EtsiTs102941DataContent::X509SignedbutterflyAuthorizationRequest(_) => 14,
        EtsiTs102941DataContent::Unknown(u) => u.tag,
    }
}

/// The `EtsiTs102941Data` that a signed message signs, if its content alternative is
/// `tag`. The tag is checked on the raw bytes first (octet 1 is the CHOICE tag, after
/// the one-octet version), so that a message nested in itself
/// (`doubleSignedlinkCertificateRca`) is rejected before it is decoded.
fn signed_content<'s>(
    d: &'s EtsiTs103097DataSigned<'_>,
    tag: u64,
) -> Result<EtsiTs102941Data<'s>, DecodeError> {
    let bytes =
        signed_payload(&d.0 .0).map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
    let wrong = || {
        DecodeError::new(
            ErrorKind::Constraint("EtsiTs102941Data: another content alternative"),
            1,
        )
    };
    // Context tags below 63 are one octet: 0x80 | tag.
    if bytes.get(1).copied() != Some(0x80 | tag as u8) {
        return Err(wrong());
    }
    let data: EtsiTs102941Data<'s> = crate::decode(bytes)?;
    if content_kind(&data.content) != tag {
        return Err(wrong());
    }
    Ok(data)
}

/// A random signed message with content alternative `tag` (generation only).
fn random_message<'a>(
    u: &mut Unstructured<'a>,
    tag: u64,
) -> arbitrary::Result<EtsiTs103097DataSigned<'a>> {
    let content = match tag {
        4 => EtsiTs102941DataContent::CertificateRevocationList(Generate::generate(u)?),
        5 => EtsiTs102941DataContent::CertificateTrustListTlm(Generate::generate(u)?),
        6 => EtsiTs102941DataContent::CertificateTrustListRca(Generate::generate(u)?),
        9 => EtsiTs102941DataContent::CaCertificateRequest(Generate::generate(u)?),
        10 => EtsiTs102941DataContent::LinkCertificateTlm(Generate::generate(u)?),
        11 => EtsiTs102941DataContent::SingleSignedLinkCertificateRca(Generate::generate(u)?),
        12 => EtsiTs102941DataContent::DoubleSignedlinkCertificateRca(Generate::generate(u)?),
        _ => return Err(arbitrary::Error::IncorrectFormat),
    };
    random_signed_of(
        u,
        &EtsiTs102941Data {
            version: 1,
            content,
        },
    )
}

macro_rules! signed_message {
    ($(#[$doc:meta])* $name:ident, $tag:expr, $check:literal, $fix:literal) => {
        $(#[$doc])*
        #[derive(Asn1, Clone, Debug, PartialEq, Eq)]
        #[asn1(newtype, validate = $check, fixup = $fix)]
        pub struct $name<'a>(pub EtsiTs103097DataSigned<'a>);

        impl $name<'_> {
            /// The signed `EtsiTs102941Data`.
            pub fn content(&self) -> Result<EtsiTs102941Data<'_>, DecodeError> {
                signed_content(&self.0, $tag)
            }
        }
    };
}

macro_rules! check_fix {
    ($name:ident, $tag:expr, $check:ident, $fix:ident) => {
        fn $check(v: &$name<'_>) -> Result<(), &'static str> {
            signed_content(&v.0, $tag).map(|_| ()).map_err(|_| {
                concat!(
                    stringify!($name),
                    ": the payload is not the expected EtsiTs102941Data"
                )
            })
        }

        fn $fix<'a>(v: &mut $name<'a>, u: &mut Unstructured<'a>) -> arbitrary::Result<()> {
            if $check(v).is_err() {
                v.0 = random_message(u, $tag)?;
            }
            Ok(())
        }
    };
}

signed_message!(
    /// `CertificateRevocationListMessage`: a CA's CRL (`certificateRevocationList`).
    CertificateRevocationListMessage, 4, "check_crl_message", "fix_crl_message"
);
check_fix!(
    CertificateRevocationListMessage,
    4,
    check_crl_message,
    fix_crl_message
);
signed_message!(
    /// `TlmCertificateTrustListMessage`: the ECTL (`certificateTrustListTlm`).
    TlmCertificateTrustListMessage, 5, "check_tlm_ctl_message", "fix_tlm_ctl_message"
);
check_fix!(
    TlmCertificateTrustListMessage,
    5,
    check_tlm_ctl_message,
    fix_tlm_ctl_message
);
signed_message!(
    /// `RcaCertificateTrustListMessage`: a root CA's CTL (`certificateTrustListRca`).
    RcaCertificateTrustListMessage, 6, "check_rca_ctl_message", "fix_rca_ctl_message"
);
check_fix!(
    RcaCertificateTrustListMessage,
    6,
    check_rca_ctl_message,
    fix_rca_ctl_message
);
signed_message!(
    /// `CaCertificateRequestMessage` (`caCertificateRequest`).
    CaCertificateRequestMessage, 9, "check_ca_request_message", "fix_ca_request_message"
);
check_fix!(
    CaCertificateRequestMessage,
    9,
    check_ca_request_message,
    fix_ca_request_message
);
signed_message!(
    /// `TlmLinkCertificateMessage` (`linkCertificateTlm`).
    TlmLinkCertificateMessage, 10, "check_tlm_link_message", "fix_tlm_link_message"
);
check_fix!(
    TlmLinkCertificateMessage,
    10,
    check_tlm_link_message,
    fix_tlm_link_message
);
signed_message!(
    /// `RcaSingleSignedLinkCertificateMessage` (`singleSignedLinkCertificateRca`).
    RcaSingleSignedLinkCertificateMessage, 11, "check_rca_single_link_message", "fix_rca_single_link_message"
);
check_fix!(
    RcaSingleSignedLinkCertificateMessage,
    11,
    check_rca_single_link_message,
    fix_rca_single_link_message
);
signed_message!(
    /// `RcaDoubleSignedLinkCertificateMessage` (`doubleSignedlinkCertificateRca`).
    RcaDoubleSignedLinkCertificateMessage, 12, "check_rca_double_link_message", "fix_rca_double_link_message"
);
check_fix!(
    RcaDoubleSignedLinkCertificateMessage,
    12,
    check_rca_double_link_message,
    fix_rca_double_link_message
);
signed_message!(
    /// `ButterflyAuthorizationResponseMessage` (`butterflyAuthorizationResponse`, a
    /// 1609.2.1 `RaEeCertInfo`, kept as an unknown alternative with tag 15).
    ButterflyAuthorizationResponseMessage, 15, "check_butterfly_response_message", "fix_butterfly_response_message"
);

fn check_butterfly_response_message(
    v: &ButterflyAuthorizationResponseMessage<'_>,
) -> Result<(), &'static str> {
    signed_content(&v.0, 15).map(|_| ()).map_err(|_| {
        "ButterflyAuthorizationResponseMessage: the payload is not the expected EtsiTs102941Data"
    })
}

fn fix_butterfly_response_message<'a>(
    v: &mut ButterflyAuthorizationResponseMessage<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_butterfly_response_message(v).is_err() {
        let bytes: Vec<u8> = u.arbitrary()?;
        let content = EtsiTs102941DataContent::Unknown(UnknownAlternative { tag: 15, bytes });
        v.0 = random_signed_of(
            u,
            &EtsiTs102941Data {
                version: 1,
                content,
            },
        )?;
    }
    Ok(())
}

/// `CaCertificateRekeyingMessage ::= EtsiTs103097Data-Signed {EtsiTs103097Data-Signed
/// {EtsiTs102941Data (caCertificateRequest)}}`: a [`CaCertificateRequestMessage`]
/// signed again with the current key.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_rekeying", fixup = "fix_rekeying")]
pub struct CaCertificateRekeyingMessage<'a>(pub EtsiTs103097DataSigned<'a>);

fn check_rekeying(v: &CaCertificateRekeyingMessage<'_>) -> Result<(), &'static str> {
    v.inner().map(|_| ()).map_err(|_| {
        "CaCertificateRekeyingMessage: the payload is not a CaCertificateRequestMessage"
    })
}

fn fix_rekeying<'a>(
    v: &mut CaCertificateRekeyingMessage<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_rekeying(v).is_err() {
        let inner = random_message(u, 9)?;
        v.0 = random_signed_of(u, &inner)?;
    }
    Ok(())
}

impl CaCertificateRekeyingMessage<'_> {
    /// The inner, once-signed request.
    pub fn inner(&self) -> Result<CaCertificateRequestMessage<'_>, DecodeError> {
        self.0.payload_as()
    }
}

/// `EnrolmentRequestMessage`: encrypted to the EA; the plaintext is an
/// `EtsiTs103097Data-Signed` of an `EtsiTs102941Data` with `enrolmentRequest`.
pub type EnrolmentRequestMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `EnrolmentResponseMessage` (plaintext: signed `enrolmentResponse`).
pub type EnrolmentResponseMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `AuthorizationRequestMessage`: encrypted to the AA; the plaintext is an
/// `EtsiTs103097Data-Unsecured` of an `EtsiTs102941Data` with `authorizationRequest`.
pub type AuthorizationRequestMessage<'a> = EtsiTs103097DataEncryptedUnicast<'a>;
/// `AuthorizationRequestMessageWithPop` (plaintext: signed `authorizationRequest`).
pub type AuthorizationRequestMessageWithPop<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `AuthorizationResponseMessage` (plaintext: signed `authorizationResponse`).
pub type AuthorizationResponseMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `AuthorizationValidationRequestMessage` (plaintext: signed
/// `authorizationValidationRequest`).
pub type AuthorizationValidationRequestMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `AuthorizationValidationResponseMessage` (plaintext: signed
/// `authorizationValidationResponse`).
pub type AuthorizationValidationResponseMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `ButterflyAuthorizationRequestMessage` (plaintext: signed
/// `butterflyAuthorizationRequest`).
pub type ButterflyAuthorizationRequestMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `X509SignedButterflyAuthorizationRequestMessage` (plaintext: unsecured
/// `x509SignedbutterflyAuthorizationRequest`).
pub type X509SignedButterflyAuthorizationRequestMessage<'a> = EtsiTs103097DataEncryptedUnicast<'a>;
/// `ButterflyAtDownloadRequestMessage` (plaintext: signed `butterflyAtDownloadRequest`).
pub type ButterflyAtDownloadRequestMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `ButterflyCertRequestMessage` (plaintext: signed `butterflyCertificateRequest`).
pub type ButterflyCertRequestMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
/// `ButterflyCertResponseMessage` (plaintext: signed `butterflyCertificateResponse`).
pub type ButterflyCertResponseMessage<'a> = EtsiTs103097DataSignedAndEncryptedUnicast<'a>;
