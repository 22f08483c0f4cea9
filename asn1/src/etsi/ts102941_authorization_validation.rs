//! `EtsiTs102941TypesAuthorizationValidation` (ETSI TS 102 941 v2.2.1, major 3 minor 1):
//! the AA asks the EA to validate an authorization request.

use crate::codec::{Generate, UnknownExtensions};
use crate::etsi::ts102941_authorization::SharedAtRequest;
use crate::etsi::ts102941_base_types::{
    check_ee_subject_attributes, fix_ee_subject_attributes, CertificateSubjectAttributes,
    EcSignature,
};
use crate::Asn1;
use arbitrary::Unstructured;

/// `AuthorizationValidationResponseCode`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum AuthorizationValidationResponseCode {
    Ok = 0,
    Cantparse = 1,
    Badcontenttype = 2,
    Imnottherecipient = 3,
    Unknownencryptionalgorithm = 4,
    Decryptionfailed = 5,
    Invalidaa = 6,
    Invalidaasignature = 7,
    Wrongea = 8,
    Unknownits = 9,
    Invalidsignature = 10,
    Invalidencryptionkey = 11,
    Deniedpermissions = 12,
    Deniedtoomanycerts = 13,
    Deniedrequest = 14,
}

/// `AuthorizationValidationRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct AuthorizationValidationRequest<'a> {
    pub shared_at_request: SharedAtRequest<'a>,
    pub ec_signature: EcSignature<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `AuthorizationValidationResponse`: the confirmed attributes are present exactly
/// when the code is `ok`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    extensible,
    validate = "check_response",
    fixup = "fix_response"
)]
pub struct AuthorizationValidationResponse<'a> {
    pub request_hash: [u8; 16],
    pub response_code: AuthorizationValidationResponseCode,
    #[asn1(optional)]
    pub confirmed_subject_attributes: Option<CertificateSubjectAttributes<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_response(v: &AuthorizationValidationResponse<'_>) -> Result<(), &'static str> {
    match (&v.response_code, &v.confirmed_subject_attributes) {
        (AuthorizationValidationResponseCode::Ok, Some(a)) => check_ee_subject_attributes(a),
        (AuthorizationValidationResponseCode::Ok, None) => {
            Err("AuthorizationValidationResponse: ok needs confirmedSubjectAttributes")
        }
        (_, Some(_)) => {
            Err("AuthorizationValidationResponse: confirmedSubjectAttributes only when ok")
        }
        (_, None) => Ok(()),
    }
}

fn fix_response<'a>(
    v: &mut AuthorizationValidationResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if v.response_code == AuthorizationValidationResponseCode::Ok {
        let mut a = match v.confirmed_subject_attributes.take() {
            Some(a) => a,
            None => Generate::generate(u)?,
        };
        fix_ee_subject_attributes(&mut a);
        v.confirmed_subject_attributes = Some(a);
    } else {
        v.confirmed_subject_attributes = None;
    }
    Ok(())
}
