//! `EtsiTs102941TypesEnrolment` (ETSI TS 102 941 v2.2.1, major 3 minor 1): the
//! enrolment request of an ITS station to its EA and the EA's response.

use crate::codec::{DecodeError, Generate, Octets, UnknownExtensions};
use crate::etsi::ts102941_base_types::{
    check_ee_subject_attributes, fix_ee_subject_attributes, CertificateFormat,
    CertificateSubjectAttributes, PublicKeys,
};
use crate::etsi::ts103097::{signed_payload, EtsiTs103097Certificate, EtsiTs103097DataSigned};
use crate::Asn1;
use arbitrary::Unstructured;

/// `EnrolmentResponseCode`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum EnrolmentResponseCode {
    Ok = 0,
    Cantparse = 1,
    Badcontenttype = 2,
    Imnottherecipient = 3,
    Unknownencryptionalgorithm = 4,
    Decryptionfailed = 5,
    Unknownits = 6,
    Invalidsignature = 7,
    Invalidencryptionkey = 8,
    Baditsstatus = 9,
    Incompleterequest = 10,
    Deniedpermissions = 11,
    Invalidkeys = 12,
    Deniedrequest = 13,
}

/// `InnerEcRequestSignedForPop ::= EtsiTs103097Data-Signed {InnerEcRequest}`: the
/// request signed with the requested key (proof of possession).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_for_pop",
    fixup = "fix_signed_for_pop"
)]
pub struct InnerEcRequestSignedForPop<'a>(pub EtsiTs103097DataSigned<'a>);

fn check_signed_for_pop(v: &InnerEcRequestSignedForPop<'_>) -> Result<(), &'static str> {
    v.request()
        .map(|_| ())
        .map_err(|_| "InnerEcRequestSignedForPop: the payload is not an InnerEcRequest")
}

fn fix_signed_for_pop<'a>(
    v: &mut InnerEcRequestSignedForPop<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_for_pop(v).is_err() {
        let req: InnerEcRequest<'a> = Generate::generate(u)?;
        v.0 = crate::etsi::ts103097::random_signed_of(u, &req)?;
    }
    Ok(())
}

impl InnerEcRequestSignedForPop<'_> {
    /// The signed request.
    pub fn request(&self) -> Result<InnerEcRequest<'_>, DecodeError> {
        let bytes = signed_payload(&self.0 .0 .0)
            .map_err(|m| DecodeError::new(crate::codec::ErrorKind::Constraint(m), 0))?;
        crate::decode(bytes)
    }
}

/// `InnerEcRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    extensible,
    validate = "check_inner_ec_request",
    fixup = "fix_inner_ec_request"
)]
pub struct InnerEcRequest<'a> {
    pub its_id: Octets<'a>,
    pub certificate_format: CertificateFormat,
    pub public_keys: PublicKeys,
    pub requested_subject_attributes: CertificateSubjectAttributes<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_inner_ec_request(v: &InnerEcRequest<'_>) -> Result<(), &'static str> {
    check_ee_subject_attributes(&v.requested_subject_attributes)
}

fn fix_inner_ec_request(
    v: &mut InnerEcRequest<'_>,
    _u: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    fix_ee_subject_attributes(&mut v.requested_subject_attributes);
    Ok(())
}

/// `InnerEcResponse`: the certificate is present exactly when the code is `ok`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    extensible,
    validate = "check_inner_ec_response",
    fixup = "fix_inner_ec_response"
)]
pub struct InnerEcResponse<'a> {
    pub request_hash: [u8; 16],
    pub response_code: EnrolmentResponseCode,
    #[asn1(optional)]
    pub certificate: Option<EtsiTs103097Certificate<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_inner_ec_response(v: &InnerEcResponse<'_>) -> Result<(), &'static str> {
    if (v.response_code == EnrolmentResponseCode::Ok) == v.certificate.is_some() {
        Ok(())
    } else {
        Err("InnerEcResponse: a certificate exactly when responseCode is ok")
    }
}

fn fix_inner_ec_response<'a>(
    v: &mut InnerEcResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if v.response_code == EnrolmentResponseCode::Ok {
        if v.certificate.is_none() {
            v.certificate = Some(Generate::generate(u)?);
        }
    } else {
        v.certificate = None;
    }
    Ok(())
}
