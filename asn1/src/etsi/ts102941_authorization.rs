//! `EtsiTs102941TypesAuthorization` (ETSI TS 102 941 v2.2.1, major 3 minor 3): the
//! authorization ticket request of an ITS station to an AA and the AA's response.

use crate::codec::Generate;
use crate::codec::UnknownExtensions;
use crate::etsi::ts102941_base_types::{
    check_ee_subject_attributes, fix_ee_subject_attributes, CertificateFormat,
    CertificateSubjectAttributes, EcSignature, HashedId8, PublicKeys,
};
use crate::etsi::ts103097::EtsiTs103097Certificate;
use crate::ieee1609dot2::dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data};
use crate::Asn1;
use arbitrary::Unstructured;

/// `AuthorizationResponseCode`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum AuthorizationResponseCode {
    Ok = 0,
    #[asn1(name = "its-aa-cantparse")]
    ItsAaCantparse = 1,
    #[asn1(name = "its-aa-badcontenttype")]
    ItsAaBadcontenttype = 2,
    #[asn1(name = "its-aa-imnottherecipient")]
    ItsAaImnottherecipient = 3,
    #[asn1(name = "its-aa-unknownencryptionalgorithm")]
    ItsAaUnknownencryptionalgorithm = 4,
    #[asn1(name = "its-aa-decryptionfailed")]
    ItsAaDecryptionfailed = 5,
    #[asn1(name = "its-aa-keysdontmatch")]
    ItsAaKeysdontmatch = 6,
    #[asn1(name = "its-aa-incompleterequest")]
    ItsAaIncompleterequest = 7,
    #[asn1(name = "its-aa-invalidencryptionkey")]
    ItsAaInvalidencryptionkey = 8,
    #[asn1(name = "its-aa-outofsyncrequest")]
    ItsAaOutofsyncrequest = 9,
    #[asn1(name = "its-aa-unknownea")]
    ItsAaUnknownea = 10,
    #[asn1(name = "its-aa-invalidea")]
    ItsAaInvalidea = 11,
    #[asn1(name = "its-aa-deniedpermissions")]
    ItsAaDeniedpermissions = 12,
    #[asn1(name = "aa-ea-cantreachea")]
    AaEaCantreachea = 13,
    #[asn1(name = "ea-aa-cantparse")]
    EaAaCantparse = 14,
    #[asn1(name = "ea-aa-badcontenttype")]
    EaAaBadcontenttype = 15,
    #[asn1(name = "ea-aa-imnottherecipient")]
    EaAaImnottherecipient = 16,
    #[asn1(name = "ea-aa-unknownencryptionalgorithm")]
    EaAaUnknownencryptionalgorithm = 17,
    #[asn1(name = "ea-aa-decryptionfailed")]
    EaAaDecryptionfailed = 18,
    Invalidaa = 19,
    Invalidaasignature = 20,
    Wrongea = 21,
    Unknownits = 22,
    Invalidsignature = 23,
    Invalidencryptionkey = 24,
    Deniedpermissions = 25,
    Deniedtoomanycerts = 26,
}

/// `InnerAtRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct InnerAtRequest<'a> {
    pub public_keys: PublicKeys,
    pub hmac_key: [u8; 32],
    pub shared_at_request: SharedAtRequest<'a>,
    pub ec_signature: EcSignature<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SharedAtRequest`: the part of the request the AA forwards to the EA.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    extensible,
    validate = "check_shared_at_request",
    fixup = "fix_shared_at_request"
)]
pub struct SharedAtRequest<'a> {
    pub ea_id: HashedId8,
    pub key_tag: [u8; 16],
    pub certificate_format: CertificateFormat,
    pub requested_subject_attributes: CertificateSubjectAttributes<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_shared_at_request(v: &SharedAtRequest<'_>) -> Result<(), &'static str> {
    check_ee_subject_attributes(&v.requested_subject_attributes)
}

fn fix_shared_at_request(
    v: &mut SharedAtRequest<'_>,
    _u: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    fix_ee_subject_attributes(&mut v.requested_subject_attributes);
    Ok(())
}

/// `InnerAtResponse`: the certificate is present exactly when the code is `ok`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    extensible,
    validate = "check_inner_at_response",
    fixup = "fix_inner_at_response"
)]
pub struct InnerAtResponse<'a> {
    pub request_hash: [u8; 16],
    pub response_code: AuthorizationResponseCode,
    #[asn1(optional)]
    pub certificate: Option<EtsiTs103097Certificate<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_inner_at_response(v: &InnerAtResponse<'_>) -> Result<(), &'static str> {
    if (v.response_code == AuthorizationResponseCode::Ok) == v.certificate.is_some() {
        Ok(())
    } else {
        Err("InnerAtResponse: a certificate exactly when responseCode is ok")
    }
}

fn fix_inner_at_response<'a>(
    v: &mut InnerAtResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if v.response_code == AuthorizationResponseCode::Ok {
        if v.certificate.is_none() {
            v.certificate = Some(Generate::generate(u)?);
        }
    } else {
        v.certificate = None;
    }
    Ok(())
}

/// `EtsiTs102941ButterflyAuthorizationRequest-X509Signed ::=
/// Ieee1609Dot2Data-SignedX509AuthenticatedCertRequest {ScmsPdu-Scoped {EeRaInterfacePdu
/// (eeRaCertRequest)}, SignerSingleX509Cert}` (1609.2.1 protocol): an
/// `Ieee1609Dot2Data` whose content is `signedX509CertificateRequest`. The contained
/// 1609.2.1 `SignedX509CertificateRequest` is kept as bytes here (decode it with the
/// 1609.2.1 types).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    name = "EtsiTs102941ButterflyAuthorizationRequest-X509Signed",
    validate = "check_x509_signed",
    fixup = "fix_x509_signed"
)]
pub struct EtsiTs102941ButterflyAuthorizationRequestX509Signed<'a>(pub Ieee1609Dot2Data<'a>);

fn check_x509_signed(
    v: &EtsiTs102941ButterflyAuthorizationRequestX509Signed<'_>,
) -> Result<(), &'static str> {
    match v.0.content {
        Ieee1609Dot2Content::SignedX509CertificateRequest(_) => Ok(()),
        _ => Err("content must be signedX509CertificateRequest"),
    }
}

fn fix_x509_signed<'a>(
    v: &mut EtsiTs102941ButterflyAuthorizationRequestX509Signed<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_x509_signed(v).is_err() {
        v.0.content = Ieee1609Dot2Content::SignedX509CertificateRequest(Generate::generate(u)?);
    }
    Ok(())
}
