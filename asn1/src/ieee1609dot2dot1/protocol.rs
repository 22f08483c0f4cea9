//! `Ieee1609Dot2Dot1Protocol` (IEEE 1609.2.1-2022 clause 6.3.5 / annex): the
//! `ScmsPdu`, the SPDUs of every interface, certificate-request wrappers and the
//! SecurityMgmtPsid / ACPC SSPs.
//!
//! The parameterised types of the module (`ScmsPdu-Scoped {Pdu}`,
//! `Ieee1609Dot2Data-Unsecured {Tbu}`, `-Signed {Tbs, Psid}`, `-Encrypted {Tbe}`,
//! `-SignedCertRequest {Tbscr, Signer}`, `-SignedX509AuthenticatedCertRequest`,
//! `-SignedEncrypted`, `-EncryptedSigned`, `-SignedEncryptedCertRequest`,
//! `-SymmEncryptedSingleRecipient {Tbe}`) are all subtypes of `Ieee1609Dot2Data`
//! (or of `ScmsPdu`): their COER encoding is the one of the parent type. Each
//! instantiation the standard names (`RaEeCertAckSpdu`, …) is a concrete newtype
//! over `Ieee1609Dot2Data`:
//! - decoding checks the outer content alternative the parameterisation implies
//!   (unsecured / signed / encrypted / signed certificate request); for the
//!   `-Encrypted` family this is a real ASN.1 constraint, for the others the
//!   standard writes the constraint as a comment but its text requires it;
//! - the deeper constraints (inner `ScmsPdu` alternative, header fields ABSENT,
//!   PSID, single-certificate signer) need the nested opaque bytes decoded, so they
//!   are checked by the typed accessors (`scms_pdu()`, `acpc_pdu()`,
//!   `signed_certificate_request()`), which a receiver calls before use.

use crate::codec::{
    decode, DecodeError, ErrorKind, Generate, Octets, Spanned, UnknownAlternative,
    UnknownExtensions,
};
use crate::ieee1609dot2::base_types::{HashAlgorithm, Psid, Signature, Uint16, Uint8};
use crate::ieee1609dot2::dot2::{
    Ieee1609Dot2Content, Ieee1609Dot2Data, RecipientInfo, SignedData, SignerIdentifier,
    SymmRecipientInfo,
};
use crate::Asn1;

use super::aca_ee::AcaEeInterfacePdu;
use super::aca_ra::AcaRaInterfacePdu;
use super::acpc::AcpcTreeId;
use super::cert_management::CertManagementPdu;
use super::eca_ee::EcaEeInterfacePdu;
use super::ee_ra::EeRaInterfacePdu;
use super::placeholders::{
    AcaLaInterfacePdu, AcaMaInterfacePdu, EeMaInterfacePdu, LaMaInterfacePdu, LaRaInterfacePdu,
    MaRaInterfacePdu,
};

/// `SecurityMgmtPsid ::= Psid (35)`: the PSID (0x23) of SCMS management messages.
pub const SECURITY_MGMT_PSID: Psid = Psid(35);

/// `SecurityMgmtPsid ::= Psid (35)` as a type (a single-value INTEGER: one octet in
/// OER). The SPDUs use [`SECURITY_MGMT_PSID`] as their header PSID.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(newtype, range(35..=35))]
pub struct SecurityMgmtPsid(pub u64);

/// `ScmsPdu` (6.3.5.1): the parent of every 1609.2.1 interface PDU.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct ScmsPdu<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub content: ScmsPduContent<'a>,
}

impl<'a> ScmsPdu<'a> {
    /// The version this module defines.
    pub const VERSION: Uint8 = 2;

    /// An `ScmsPdu` of the current version.
    pub fn new(content: ScmsPduContent<'a>) -> Self {
        Self {
            version: Self::VERSION,
            content,
        }
    }
}

/// The anonymous `content` CHOICE of `ScmsPdu`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum ScmsPduContent<'a> {
    #[asn1(name = "aca-ee")]
    AcaEe(AcaEeInterfacePdu<'a>),
    #[asn1(name = "aca-la")]
    AcaLa(AcaLaInterfacePdu),
    #[asn1(name = "aca-ma")]
    AcaMa(AcaMaInterfacePdu),
    #[asn1(name = "aca-ra")]
    AcaRa(AcaRaInterfacePdu<'a>),
    Cert(CertManagementPdu<'a>),
    #[asn1(name = "eca-ee")]
    EcaEe(EcaEeInterfacePdu<'a>),
    #[asn1(name = "ee-ma")]
    EeMa(EeMaInterfacePdu),
    #[asn1(name = "ee-ra")]
    EeRa(EeRaInterfacePdu<'a>),
    #[asn1(name = "la-ma")]
    LaMa(LaMaInterfacePdu),
    #[asn1(name = "la-ra")]
    LaRa(LaRaInterfacePdu),
    #[asn1(name = "ma-ra")]
    MaRa(MaRaInterfacePdu),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

// ---------------------------------------------------------------------------
// Signer types and X.509 wrappers
// ---------------------------------------------------------------------------

/// `X509Certificate ::= OCTET STRING` (DER, not OER).
pub type X509Certificate<'a> = Octets<'a>;

/// `SequenceOfX509Certificate ::= SEQUENCE (SIZE(1..MAX)) OF X509Certificate`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, size(1..))]
pub struct SequenceOfX509Certificate<'a>(pub Vec<X509Certificate<'a>>);

/// `X509SignerIdentifier`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum X509SignerIdentifier<'a> {
    Certificate(SequenceOfX509Certificate<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `SignerSingleCert ::= SignerIdentifier (WITH COMPONENTS {certificate
/// (SequenceOfCertificate (SIZE (1)))})`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signer_single_cert",
    fixup = "fix_signer_single_cert"
)]
pub struct SignerSingleCert<'a>(pub SignerIdentifier<'a>);

/// `SignerSingleX509Cert ::= X509SignerIdentifier (WITH COMPONENTS {certificate
/// (SequenceOfX509Certificate (SIZE (1)))})`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signer_single_x509_cert",
    fixup = "fix_signer_single_x509_cert"
)]
pub struct SignerSingleX509Cert<'a>(pub X509SignerIdentifier<'a>);

/// `SignerSelf ::= SignerIdentifier (WITH COMPONENTS {self})`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_signer_self", fixup = "fix_signer_self")]
pub struct SignerSelf<'a>(pub SignerIdentifier<'a>);

fn is_single_cert(s: &SignerIdentifier<'_>) -> bool {
    matches!(s, SignerIdentifier::Certificate(c) if c.len() == 1)
}

fn is_self(s: &SignerIdentifier<'_>) -> bool {
    matches!(s, SignerIdentifier::SelfSigned)
}

fn check_signer_single_cert(v: &SignerSingleCert<'_>) -> Result<(), &'static str> {
    if is_single_cert(&v.0) {
        Ok(())
    } else {
        Err("SignerSingleCert: signer is not a chain of exactly one certificate")
    }
}

fn check_signer_single_x509_cert(v: &SignerSingleX509Cert<'_>) -> Result<(), &'static str> {
    match &v.0 {
        X509SignerIdentifier::Certificate(c) if c.0.len() == 1 => Ok(()),
        _ => Err("SignerSingleX509Cert: signer is not exactly one X.509 certificate"),
    }
}

fn fix_signer_single_cert<'a>(
    v: &mut SignerSingleCert<'a>,
    u: &mut arbitrary::Unstructured<'a>,
) -> arbitrary::Result<()> {
    if !is_single_cert(&v.0) {
        v.0 = SignerIdentifier::Certificate(vec![Generate::generate(u)?]);
    }
    Ok(())
}

fn fix_signer_single_x509_cert<'a>(
    v: &mut SignerSingleX509Cert<'a>,
    u: &mut arbitrary::Unstructured<'a>,
) -> arbitrary::Result<()> {
    v.0 =
        X509SignerIdentifier::Certificate(SequenceOfX509Certificate(vec![Generate::generate(u)?]));
    Ok(())
}

fn fix_signer_self<'a>(
    v: &mut SignerSelf<'a>,
    _u: &mut arbitrary::Unstructured<'a>,
) -> arbitrary::Result<()> {
    v.0 = SignerIdentifier::SelfSigned;
    Ok(())
}

fn check_signer_self(v: &SignerSelf<'_>) -> Result<(), &'static str> {
    if is_self(&v.0) {
        Ok(())
    } else {
        Err("SignerSelf: signer is not self")
    }
}

// ---------------------------------------------------------------------------
// Certificate requests
// ---------------------------------------------------------------------------

/// `ScopedCertificateRequest ::= ScmsPdu (ScmsPdu-Scoped {AcaRaInterfacePdu
/// (WITH COMPONENTS {raAcaCertRequest})} | … eeEcaCertRequest | eeRaCertRequest |
/// eeRaSuccessorEnrollmentCertRequest)`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_certificate_request",
    fixup = "fix_scoped_certificate_request"
)]
pub struct ScopedCertificateRequest<'a>(pub ScmsPdu<'a>);

fn check_scoped_certificate_request(v: &ScopedCertificateRequest<'_>) -> Result<(), &'static str> {
    use super::aca_ra::AcaRaInterfacePdu as AR;
    use super::eca_ee::EcaEeInterfacePdu as EE;
    use super::ee_ra::EeRaInterfacePdu as ER;
    match &v.0.content {
        ScmsPduContent::AcaRa(AR::RaAcaCertRequest(_))
        | ScmsPduContent::EcaEe(EE::EeEcaCertRequest(_))
        | ScmsPduContent::EeRa(ER::EeRaCertRequest(_))
        | ScmsPduContent::EeRa(ER::EeRaSuccessorEnrollmentCertRequest(_)) => Ok(()),
        _ => Err("ScopedCertificateRequest: not a certificate request"),
    }
}

fn fix_scoped_certificate_request<'a>(
    v: &mut ScopedCertificateRequest<'a>,
    u: &mut arbitrary::Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_certificate_request(v).is_ok() {
        return Ok(());
    }
    v.0.content = match u.choose_index(4)? {
        0 => ScmsPduContent::AcaRa(AcaRaInterfacePdu::RaAcaCertRequest(Generate::generate(u)?)),
        1 => ScmsPduContent::EcaEe(EcaEeInterfacePdu::EeEcaCertRequest(Generate::generate(u)?)),
        2 => ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaCertRequest(Generate::generate(u)?)),
        _ => ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaSuccessorEnrollmentCertRequest(
            Generate::generate(u)?,
        )),
    };
    Ok(())
}

/// `SignedCertificateRequest`: the content of
/// `Ieee1609Dot2Content.signedCertificateRequest`. The signature covers the COER
/// of `tbsRequest`, kept as received in the [`Spanned`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct SignedCertificateRequest<'a> {
    pub hash_algorithm_id: HashAlgorithm,
    pub tbs_request: Spanned<'a, ScopedCertificateRequest<'a>>,
    pub signer: SignerIdentifier<'a>,
    pub signature: Signature,
}

/// `SignedX509CertificateRequest`: the content of
/// `Ieee1609Dot2Content.signedX509CertificateRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct SignedX509CertificateRequest<'a> {
    pub hash_algorithm_id: HashAlgorithm,
    pub tbs_request: Spanned<'a, ScopedCertificateRequest<'a>>,
    pub signer: X509SignerIdentifier<'a>,
    pub signature: Signature,
}

// ---------------------------------------------------------------------------
// Checks of the parameterised Ieee1609Dot2Data subtypes
// ---------------------------------------------------------------------------

fn constraint(msg: &'static str) -> DecodeError {
    DecodeError::new(ErrorKind::Constraint(msg), 0)
}

/// Outer form of `Ieee1609Dot2Data-Unsecured`: `content` is `unsecuredData`.
pub(crate) fn check_unsecured(d: &Ieee1609Dot2Data<'_>) -> Result<(), &'static str> {
    match &d.content {
        Ieee1609Dot2Content::UnsecuredData(_) => Ok(()),
        _ => Err("expected unsecuredData"),
    }
}

/// Outer form of `Ieee1609Dot2Data-Signed`: `content` is `signedData`.
pub(crate) fn check_signed(d: &Ieee1609Dot2Data<'_>) -> Result<(), &'static str> {
    match &d.content {
        Ieee1609Dot2Content::SignedData(_) => Ok(()),
        _ => Err("expected signedData"),
    }
}

/// Outer form of `Ieee1609Dot2Data-Encrypted` (and of every type built on it):
/// `content` is `encryptedData`.
pub(crate) fn check_encrypted(d: &Ieee1609Dot2Data<'_>) -> Result<(), &'static str> {
    match &d.content {
        Ieee1609Dot2Content::EncryptedData(_) => Ok(()),
        _ => Err("expected encryptedData"),
    }
}

/// Outer form of `Ieee1609Dot2Data-SignedCertRequest`: `content` is
/// `signedCertificateRequest`.
pub(crate) fn check_signed_cert_request(d: &Ieee1609Dot2Data<'_>) -> Result<(), &'static str> {
    match &d.content {
        Ieee1609Dot2Content::SignedCertificateRequest(_) => Ok(()),
        _ => Err("expected signedCertificateRequest"),
    }
}

/// The `Tbu` bytes of an `Ieee1609Dot2Data-Unsecured {Tbu}`.
pub fn unsecured_payload<'s>(d: &'s Ieee1609Dot2Data<'_>) -> Result<&'s [u8], DecodeError> {
    match &d.content {
        Ieee1609Dot2Content::UnsecuredData(o) => Ok(o),
        _ => Err(constraint("expected unsecuredData")),
    }
}

/// The `signedData` of an `Ieee1609Dot2Data-Signed {Tbs, Psid}` after checking the
/// profile the parameterised type imposes: `headerInfo.psid` is `psid`,
/// generationTime, expiryTime, generationLocation, p2pcdLearningRequest,
/// missingCrlIdentifier and encryptionKey are absent, the signer is a single
/// certificate (`SignerSingleCert`) and the payload is `data` of unsecuredData.
/// Returns the signedData and the `Tbs` bytes. It does not verify the signature.
pub fn signed_payload<'s, 'a>(
    d: &'s Ieee1609Dot2Data<'a>,
    psid: Psid,
) -> Result<(&'s SignedData<'a>, &'s [u8]), DecodeError> {
    let sd = match &d.content {
        Ieee1609Dot2Content::SignedData(sd) => sd,
        _ => return Err(constraint("expected signedData")),
    };
    let h = &sd.tbs_data.header_info;
    if h.psid != psid {
        return Err(constraint("signedData: unexpected headerInfo.psid"));
    }
    if h.generation_time.is_some()
        || h.expiry_time.is_some()
        || h.generation_location.is_some()
        || h.p2pcd_learning_request.is_some()
        || h.missing_crl_identifier.is_some()
        || h.encryption_key.is_some()
    {
        return Err(constraint(
            "signedData: headerInfo has a field that must be absent",
        ));
    }
    if !is_single_cert(&sd.signer) {
        return Err(constraint("signedData: signer is not a single certificate"));
    }
    let inner = match &sd.tbs_data.payload.data {
        Some(inner) => inner,
        None => return Err(constraint("signedData: payload.data is absent")),
    };
    match &inner.content {
        Ieee1609Dot2Content::UnsecuredData(o) => Ok((&**sd, &o[..])),
        _ => Err(constraint("signedData: payload.data is not unsecuredData")),
    }
}

/// The `SignedCertificateRequest` of an `Ieee1609Dot2Data-SignedCertRequest`.
pub fn signed_cert_request<'s>(
    d: &'s Ieee1609Dot2Data<'_>,
) -> Result<SignedCertificateRequest<'s>, DecodeError> {
    match &d.content {
        Ieee1609Dot2Content::SignedCertificateRequest(o) => decode(&o[..]),
        _ => Err(constraint("expected signedCertificateRequest")),
    }
}

/// The `SignedX509CertificateRequest` of an
/// `Ieee1609Dot2Data-SignedX509AuthenticatedCertRequest`.
pub fn signed_x509_cert_request<'s>(
    d: &'s Ieee1609Dot2Data<'_>,
) -> Result<SignedX509CertificateRequest<'s>, DecodeError> {
    match &d.content {
        Ieee1609Dot2Content::SignedX509CertificateRequest(o) => decode(&o[..]),
        _ => Err(constraint("expected signedX509CertificateRequest")),
    }
}

/// Decodes an `ScmsPdu` and checks it is `ScmsPdu-Scoped` to the alternative `scope`.
fn scoped<'s>(
    bytes: &'s [u8],
    scope: fn(&ScmsPduContent<'_>) -> bool,
) -> Result<ScmsPdu<'s>, DecodeError> {
    let pdu: ScmsPdu<'s> = decode(bytes)?;
    if scope(&pdu.content) {
        Ok(pdu)
    } else {
        Err(constraint("ScmsPdu-Scoped: unexpected ScmsPdu content"))
    }
}

/// Declares an SPDU: a newtype over `Ieee1609Dot2Data` whose decoding checks the
/// outer content alternative `$check`.
macro_rules! spdu {
    ($(#[$m:meta])* $name:ident, $check:tt, $fix:tt) => {
        $(#[$m])*
        #[derive(Asn1, Clone, Debug, PartialEq, Eq)]
        #[asn1(newtype, validate = $check, fixup = $fix)]
        pub struct $name<'a>(pub $crate::ieee1609dot2::dot2::Ieee1609Dot2Data<'a>);

        impl<'a> ::core::ops::Deref for $name<'a> {
            type Target = $crate::ieee1609dot2::dot2::Ieee1609Dot2Data<'a>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl<'a> ::core::ops::DerefMut for $name<'a> {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.0
            }
        }
    };
}
pub(crate) use spdu;

/// Adds `scms_pdu()` to an unsecured SPDU scoped by `$scope`.
macro_rules! unsecured_scms {
    ($name:ident, $scope:pat) => {
        impl $name<'_> {
            /// The `ScmsPdu` inside, checked to be of the alternative this SPDU carries.
            pub fn scms_pdu(&self) -> Result<ScmsPdu<'_>, DecodeError> {
                scoped(unsecured_payload(&self.0)?, |c| matches!(c, $scope))
            }
        }
    };
}

/// Adds `signed_data()` and `scms_pdu()` to a signed SPDU scoped by `$scope`.
macro_rules! signed_scms {
    ($name:ident, $scope:pat) => {
        impl<'a> $name<'a> {
            /// The signedData, after checking the header/signer profile of
            /// `Ieee1609Dot2Data-Signed` with `SecurityMgmtPsid`.
            pub fn signed_data(&self) -> Result<&SignedData<'a>, DecodeError> {
                signed_payload(&self.0, SECURITY_MGMT_PSID).map(|(sd, _)| sd)
            }

            /// The signed `ScmsPdu` (profile and scope checked, signature NOT verified).
            pub fn scms_pdu(&self) -> Result<ScmsPdu<'_>, DecodeError> {
                let (_, tbs) = signed_payload(&self.0, SECURITY_MGMT_PSID)?;
                scoped(tbs, |c| matches!(c, $scope))
            }
        }
    };
}

/// Adds `signed_certificate_request()` to a SignedCertRequest SPDU.
macro_rules! cert_request_scms {
    ($name:ident, $scope:pat, $signer:expr, $signer_msg:literal) => {
        impl $name<'_> {
            /// The `SignedCertificateRequest`, with its `tbsRequest` scope and its
            /// signer form checked (signature NOT verified).
            pub fn signed_certificate_request(
                &self,
            ) -> Result<SignedCertificateRequest<'_>, DecodeError> {
                let r = signed_cert_request(&self.0)?;
                if !matches!(&r.tbs_request.0.content, $scope) {
                    return Err(constraint("ScmsPdu-Scoped: unexpected ScmsPdu content"));
                }
                if !($signer)(&r.signer) {
                    return Err(constraint($signer_msg));
                }
                Ok(r)
            }
        }
    };
}

use super::aca_ee::AcaEeInterfacePdu as AcaEe;
use super::aca_ra::AcaRaInterfacePdu as AcaRa;
use super::cert_management::CertManagementPdu as Cm;
use super::eca_ee::EcaEeInterfacePdu as EcaEe;
use super::ee_ra::EeRaInterfacePdu as EeRa;

// --- ACA - EE -------------------------------------------------------------

spdu!(
    /// `AcaEeCertResponsePlainSpdu ::= Ieee1609Dot2Data-Unsecured {ScmsPdu-Scoped
    /// {AcaEeInterfacePdu (WITH COMPONENTS {acaEeCertResponse})}}`.
    AcaEeCertResponsePlainSpdu,
    "check_unsecured_spdu",
    "fix_unsecured_spdu"
);
unsecured_scms!(
    AcaEeCertResponsePlainSpdu,
    ScmsPduContent::AcaEe(AcaEe::AcaEeCertResponse(_))
);

spdu!(
    /// `AcaEeCertResponsePrivateSpdu ::= Ieee1609Dot2Data-EncryptedSigned
    /// {ScmsPdu-Scoped {AcaEeInterfacePdu (WITH COMPONENTS {acaEeCertResponse})},
    /// SecurityMgmtPsid}`: signed(unsecured(encrypted(ScmsPdu))). The signed
    /// payload is an `Ieee1609Dot2Data` of encryptedData; see
    /// [`AcaEeCertResponsePrivateSpdu::encrypted`].
    AcaEeCertResponsePrivateSpdu,
    "check_signed_spdu",
    "fix_signed_spdu"
);

impl<'a> AcaEeCertResponsePrivateSpdu<'a> {
    /// The signedData, profile checked (signature NOT verified).
    pub fn signed_data(&self) -> Result<&SignedData<'a>, DecodeError> {
        signed_payload(&self.0, SECURITY_MGMT_PSID).map(|(sd, _)| sd)
    }

    /// The `Ieee1609Dot2Data-Encrypted` carried in the signed unsecuredData.
    pub fn encrypted(&self) -> Result<Ieee1609Dot2Data<'_>, DecodeError> {
        let (_, tbs) = signed_payload(&self.0, SECURITY_MGMT_PSID)?;
        let inner: Ieee1609Dot2Data<'_> = decode(tbs)?;
        check_encrypted(&inner).map_err(constraint)?;
        Ok(inner)
    }
}

spdu!(
    /// `AcaEeCertResponseCubkSpdu ::= Ieee1609Dot2Data-Encrypted {ScmsPdu-Scoped
    /// {AcaEeInterfacePdu (WITH COMPONENTS {acaEeCertResponse})}}`.
    AcaEeCertResponseCubkSpdu,
    "check_encrypted_spdu",
    "fix_encrypted_spdu"
);

// --- ACA - RA -------------------------------------------------------------

spdu!(
    /// `RaAcaCertRequestSpdu ::= Ieee1609Dot2Data-SignedCertRequest {ScmsPdu-Scoped
    /// {AcaRaInterfacePdu (WITH COMPONENTS {raAcaCertRequest})}, SignerSingleCert}`.
    RaAcaCertRequestSpdu,
    "check_signed_cert_request_spdu",
    "fix_signed_cert_request_spdu"
);
cert_request_scms!(
    RaAcaCertRequestSpdu,
    ScmsPduContent::AcaRa(AcaRa::RaAcaCertRequest(_)),
    is_single_cert,
    "SignerSingleCert: signer is not a single certificate"
);

spdu!(
    /// `AcaRaCertResponseSpdu ::= Ieee1609Dot2Data-Signed {ScmsPdu-Scoped
    /// {AcaRaInterfacePdu (WITH COMPONENTS {acaRaCertResponse})}, SecurityMgmtPsid}`.
    AcaRaCertResponseSpdu,
    "check_signed_spdu",
    "fix_signed_spdu"
);
signed_scms!(
    AcaRaCertResponseSpdu,
    ScmsPduContent::AcaRa(AcaRa::AcaRaCertResponse(_))
);

// --- Certificate management ------------------------------------------------

spdu!(
    /// `CompositeCrlSpdu ::= Ieee1609Dot2Data-Unsecured {ScmsPdu-Scoped
    /// {CertManagementPdu (WITH COMPONENTS {compositeCrl})}}`.
    CompositeCrlSpdu,
    "check_unsecured_spdu",
    "fix_unsecured_spdu"
);
unsecured_scms!(CompositeCrlSpdu, ScmsPduContent::Cert(Cm::CompositeCrl(_)));

spdu!(
    /// `CertificateChainSpdu ::= Ieee1609Dot2Data-Unsecured {ScmsPdu-Scoped
    /// {CertManagementPdu (WITH COMPONENTS {certificateChain})}}`.
    CertificateChainSpdu,
    "check_unsecured_spdu",
    "fix_unsecured_spdu"
);
unsecured_scms!(
    CertificateChainSpdu,
    ScmsPduContent::Cert(Cm::CertificateChain(_))
);

spdu!(
    /// `MultiSignedCtlSpdu ::= Ieee1609Dot2Data-Unsecured {ScmsPdu-Scoped
    /// {CertManagementPdu (WITH COMPONENTS {multiSignedCtl})}}`.
    MultiSignedCtlSpdu,
    "check_unsecured_spdu",
    "fix_unsecured_spdu"
);
unsecured_scms!(
    MultiSignedCtlSpdu,
    ScmsPduContent::Cert(Cm::MultiSignedCtl(_))
);

spdu!(
    /// `CtlSignatureSpdu ::= Ieee1609Dot2Data-Signed {ScmsPdu-Scoped
    /// {CertManagementPdu (WITH COMPONENTS {tbsCtlSignature})}, SecurityMgmtPsid}`.
    CtlSignatureSpdu,
    "check_signed_spdu",
    "fix_signed_spdu"
);
signed_scms!(
    CtlSignatureSpdu,
    ScmsPduContent::Cert(Cm::TbsCtlSignature(_))
);

spdu!(
    /// `CertificateManagementInformationStatusSpdu ::= Ieee1609Dot2Data-Signed
    /// {ScmsPdu-Scoped {CertManagementPdu (WITH COMPONENTS {infoStatus})},
    /// SecurityMgmtPsid}`.
    CertificateManagementInformationStatusSpdu,
    "check_signed_spdu",
    "fix_signed_spdu"
);
signed_scms!(
    CertificateManagementInformationStatusSpdu,
    ScmsPduContent::Cert(Cm::InfoStatus(_))
);

// --- ECA - EE --------------------------------------------------------------

spdu!(
    /// `EeEcaCertRequestSpdu ::= Ieee1609Dot2Data-SignedCertRequest {ScmsPdu-Scoped
    /// {EcaEeInterfacePdu (WITH COMPONENTS {eeEcaCertRequest})}, SignerSelf}`.
    EeEcaCertRequestSpdu,
    "check_signed_cert_request_spdu",
    "fix_signed_cert_request_spdu"
);
cert_request_scms!(
    EeEcaCertRequestSpdu,
    ScmsPduContent::EcaEe(EcaEe::EeEcaCertRequest(_)),
    is_self,
    "SignerSelf: signer is not self"
);

spdu!(
    /// `EcaEeCertResponseSpdu ::= Ieee1609Dot2Data-Signed {ScmsPdu-Scoped
    /// {EcaEeInterfacePdu (WITH COMPONENTS {ecaEeCertResponse})}, SecurityMgmtPsid}`.
    EcaEeCertResponseSpdu,
    "check_signed_spdu",
    "fix_signed_spdu"
);
signed_scms!(
    EcaEeCertResponseSpdu,
    ScmsPduContent::EcaEe(EcaEe::EcaEeCertResponse(_))
);

// --- EE - RA ---------------------------------------------------------------

spdu!(
    /// `EeRaCertRequestSpdu ::= Ieee1609Dot2Data (EeRa1609Dot2AuthenticatedCertRequestSpdu
    /// | EeRaX509AuthenticatedCertRequestSpdu)`: both are encryptedData; which one it
    /// is shows only after decryption.
    EeRaCertRequestSpdu,
    "check_encrypted_spdu",
    "fix_encrypted_spdu"
);

spdu!(
    /// `EeRa1609Dot2AuthenticatedCertRequestSpdu ::=
    /// Ieee1609Dot2Data-SignedEncryptedCertRequest {ScmsPdu-Scoped {EeRaInterfacePdu
    /// (WITH COMPONENTS {eeRaCertRequest})}, SignerSingleCert}`: encrypted(signed
    /// certificate request). After decryption the plaintext is checked with
    /// [`EeRa1609Dot2AuthenticatedCertRequestSpdu::check_decrypted`].
    EeRa1609Dot2AuthenticatedCertRequestSpdu,
    "check_encrypted_spdu",
    "fix_encrypted_spdu"
);

impl EeRa1609Dot2AuthenticatedCertRequestSpdu<'_> {
    /// Checks a decrypted plaintext: an `Ieee1609Dot2Data-SignedCertRequest` of an
    /// `eeRaCertRequest` signed by a single certificate (signature NOT verified).
    pub fn check_decrypted<'p>(
        plaintext: &'p Ieee1609Dot2Data<'_>,
    ) -> Result<SignedCertificateRequest<'p>, DecodeError> {
        let r = signed_cert_request(plaintext)?;
        if !matches!(
            &r.tbs_request.0.content,
            ScmsPduContent::EeRa(EeRa::EeRaCertRequest(_))
        ) {
            return Err(constraint("ScmsPdu-Scoped: expected eeRaCertRequest"));
        }
        if !is_single_cert(&r.signer) {
            return Err(constraint(
                "SignerSingleCert: signer is not a single certificate",
            ));
        }
        Ok(r)
    }
}

spdu!(
    /// `EeRaX509AuthenticatedCertRequestSpdu ::= Ieee1609Dot2Data-Encrypted
    /// {Ieee1609Dot2Data-SignedX509AuthenticatedCertRequest {ScmsPdu-Scoped
    /// {EeRaInterfacePdu (WITH COMPONENTS {eeRaCertRequest})}, SignerSingleX509Cert}}`.
    EeRaX509AuthenticatedCertRequestSpdu,
    "check_encrypted_spdu",
    "fix_encrypted_spdu"
);

impl EeRaX509AuthenticatedCertRequestSpdu<'_> {
    /// Checks a decrypted plaintext: an X.509-authenticated request of an
    /// `eeRaCertRequest` signed by a single X.509 certificate (signature NOT verified).
    pub fn check_decrypted<'p>(
        plaintext: &'p Ieee1609Dot2Data<'_>,
    ) -> Result<SignedX509CertificateRequest<'p>, DecodeError> {
        let r = signed_x509_cert_request(plaintext)?;
        if !matches!(
            &r.tbs_request.0.content,
            ScmsPduContent::EeRa(EeRa::EeRaCertRequest(_))
        ) {
            return Err(constraint("ScmsPdu-Scoped: expected eeRaCertRequest"));
        }
        match &r.signer {
            X509SignerIdentifier::Certificate(c) if c.0.len() == 1 => Ok(r),
            _ => Err(constraint(
                "SignerSingleX509Cert: not exactly one certificate",
            )),
        }
    }
}

spdu!(
    /// `RaEeCertAckSpdu ::= Ieee1609Dot2Data-Signed {ScmsPdu-Scoped {EeRaInterfacePdu
    /// (WITH COMPONENTS {raEeCertAck})}, SecurityMgmtPsid}`.
    RaEeCertAckSpdu,
    "check_signed_spdu",
    "fix_signed_spdu"
);
signed_scms!(RaEeCertAckSpdu, ScmsPduContent::EeRa(EeRa::RaEeCertAck(_)));

spdu!(
    /// `RaEeCertInfoSpdu ::= Ieee1609Dot2Data-Unsecured {ScmsPdu-Scoped
    /// {EeRaInterfacePdu (WITH COMPONENTS {raEeCertInfo (WITH COMPONENTS {acpcTreeId
    /// ABSENT})})}}`.
    RaEeCertInfoSpdu,
    "check_unsecured_spdu",
    "fix_unsecured_spdu"
);
unsecured_scms!(
    RaEeCertInfoSpdu,
    ScmsPduContent::EeRa(EeRa::RaEeCertInfo(super::ee_ra::RaEeCertInfo {
        acpc_tree_id: None,
        ..
    }))
);

spdu!(
    /// `RaEeCertAndAcpcInfoSpdu ::= Ieee1609Dot2Data-Signed {ScmsPdu-Scoped
    /// {EeRaInterfacePdu (WITH COMPONENTS {raEeCertInfo (WITH COMPONENTS {acpcTreeId
    /// PRESENT})})}, SecurityMgmtPsid}`.
    RaEeCertAndAcpcInfoSpdu,
    "check_signed_spdu",
    "fix_signed_spdu"
);
signed_scms!(
    RaEeCertAndAcpcInfoSpdu,
    ScmsPduContent::EeRa(EeRa::RaEeCertInfo(super::ee_ra::RaEeCertInfo {
        acpc_tree_id: Some(_),
        ..
    }))
);

spdu!(
    /// `EeRaDownloadRequestPlainSpdu ::= Ieee1609Dot2Data-Unsecured {ScmsPdu-Scoped
    /// {EeRaInterfacePdu (WITH COMPONENTS {eeRaDownloadRequest})}}`.
    EeRaDownloadRequestPlainSpdu,
    "check_unsecured_spdu",
    "fix_unsecured_spdu"
);
unsecured_scms!(
    EeRaDownloadRequestPlainSpdu,
    ScmsPduContent::EeRa(EeRa::EeRaDownloadRequest(_))
);

spdu!(
    /// `EeRaDownloadRequestSpdu ::= Ieee1609Dot2Data-SignedEncrypted {ScmsPdu-Scoped
    /// {EeRaInterfacePdu (WITH COMPONENTS {eeRaDownloadRequest})}, SecurityMgmtPsid}`:
    /// encrypted(signed(ScmsPdu)).
    EeRaDownloadRequestSpdu,
    "check_encrypted_spdu",
    "fix_encrypted_spdu"
);

impl EeRaDownloadRequestSpdu<'_> {
    /// Checks a decrypted plaintext (an `Ieee1609Dot2Data-Signed` of an
    /// `eeRaDownloadRequest`) and returns the `ScmsPdu` (signature NOT verified).
    pub fn check_decrypted<'p>(
        plaintext: &'p Ieee1609Dot2Data<'_>,
    ) -> Result<ScmsPdu<'p>, DecodeError> {
        let (_, tbs) = signed_payload(plaintext, SECURITY_MGMT_PSID)?;
        scoped(tbs, |c| {
            matches!(c, ScmsPduContent::EeRa(EeRa::EeRaDownloadRequest(_)))
        })
    }
}

spdu!(
    /// `EeRaSuccessorEnrollmentCertRequestSpdu ::=
    /// Ieee1609Dot2Data-SignedEncryptedCertRequest {ScmsPdu-Scoped {EeRaInterfacePdu
    /// (WITH COMPONENTS {eeRaSuccessorEnrollmentCertRequest})}, SignerSingleCert}`.
    EeRaSuccessorEnrollmentCertRequestSpdu,
    "check_encrypted_spdu",
    "fix_encrypted_spdu"
);

impl EeRaSuccessorEnrollmentCertRequestSpdu<'_> {
    /// Checks a decrypted plaintext: a signed certificate request of an
    /// `eeRaSuccessorEnrollmentCertRequest` by a single certificate.
    pub fn check_decrypted<'p>(
        plaintext: &'p Ieee1609Dot2Data<'_>,
    ) -> Result<SignedCertificateRequest<'p>, DecodeError> {
        let r = signed_cert_request(plaintext)?;
        if !matches!(
            &r.tbs_request.0.content,
            ScmsPduContent::EeRa(EeRa::EeRaSuccessorEnrollmentCertRequest(_))
        ) {
            return Err(constraint(
                "ScmsPdu-Scoped: expected eeRaSuccessorEnrollmentCertRequest",
            ));
        }
        if !is_single_cert(&r.signer) {
            return Err(constraint(
                "SignerSingleCert: signer is not a single certificate",
            ));
        }
        Ok(r)
    }
}

spdu!(
    /// `RaEeEnrollmentCertAckSpdu ::= Ieee1609Dot2Data-Signed {ScmsPdu-Scoped
    /// {EeRaInterfacePdu (WITH COMPONENTS {raEeCertInfo (WITH COMPONENTS {acpcTreeId
    /// ABSENT})})}, SecurityMgmtPsid}`.
    RaEeEnrollmentCertAckSpdu,
    "check_signed_spdu",
    "fix_signed_spdu"
);
signed_scms!(
    RaEeEnrollmentCertAckSpdu,
    ScmsPduContent::EeRa(EeRa::RaEeCertInfo(super::ee_ra::RaEeCertInfo {
        acpc_tree_id: None,
        ..
    }))
);

/// `Ieee1609Dot2Data-SymmEncryptedSingleRecipient {PreLinkageValue}` (the only
/// instantiation, used by `EncryptedIndividualPLV.encPlv`): encryptedData with
/// exactly one RecipientInfo, of form symmRecipInfo (the `CONSTRAINED BY` comment of
/// the standard, checked at decoding).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_symm_encrypted_single_recipient",
    fixup = "fix_symm_encrypted_single_recipient"
)]
pub struct Ieee1609Dot2DataSymmEncryptedSingleRecipient<'a>(pub Ieee1609Dot2Data<'a>);

fn check_symm_encrypted_single_recipient(
    v: &Ieee1609Dot2DataSymmEncryptedSingleRecipient<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        Ieee1609Dot2Content::EncryptedData(e) => match e.recipients.as_slice() {
            [RecipientInfo::SymmRecipInfo(_)] => Ok(()),
            _ => Err("SymmEncryptedSingleRecipient: not exactly one symmRecipInfo"),
        },
        _ => Err("expected encryptedData"),
    }
}

fn fix_symm_encrypted_single_recipient<'a>(
    v: &mut Ieee1609Dot2DataSymmEncryptedSingleRecipient<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_encrypted_spdu(v, u)?;
    if let Ieee1609Dot2Content::EncryptedData(e) = &mut v.0.content {
        if !matches!(e.recipients.as_slice(), [RecipientInfo::SymmRecipInfo(_)]) {
            e.recipients = vec![RecipientInfo::SymmRecipInfo(Generate::generate(u)?)];
        }
    }
    Ok(())
}

impl Ieee1609Dot2DataSymmEncryptedSingleRecipient<'_> {
    /// The one `SymmRecipientInfo` (always present in a decoded value).
    pub fn recipient(&self) -> Option<&SymmRecipientInfo<'_>> {
        match &self.0.content {
            Ieee1609Dot2Content::EncryptedData(e) => match e.recipients.as_slice() {
                [RecipientInfo::SymmRecipInfo(r)] => Some(r),
                _ => None,
            },
            _ => None,
        }
    }

    /// Checks a decrypted plaintext: per 1609.2 the `PreLinkageValue` is carried as
    /// an `Ieee1609Dot2Data` of unsecuredData, of exactly 9 octets.
    pub fn check_decrypted(
        plaintext: &Ieee1609Dot2Data<'_>,
    ) -> Result<super::aca_ra::PreLinkageValue, DecodeError> {
        decode(unsecured_payload(plaintext)?)
    }
}

/// Decrypted `ScmsPdu-Scoped {AcaEeInterfacePdu (WITH COMPONENTS
/// {acaEeCertResponse})}`: carried as an `Ieee1609Dot2Data` of unsecuredData (it is
/// not itself an `Ieee1609Dot2Data`).
fn aca_ee_cert_response_plaintext<'p>(
    plaintext: &'p Ieee1609Dot2Data<'_>,
) -> Result<ScmsPdu<'p>, DecodeError> {
    scoped(unsecured_payload(plaintext)?, |c| {
        matches!(c, ScmsPduContent::AcaEe(AcaEe::AcaEeCertResponse(_)))
    })
}

impl AcaEeCertResponseCubkSpdu<'_> {
    /// Checks a decrypted plaintext and returns the `ScmsPdu` (an acaEeCertResponse).
    pub fn check_decrypted<'p>(
        plaintext: &'p Ieee1609Dot2Data<'_>,
    ) -> Result<ScmsPdu<'p>, DecodeError> {
        aca_ee_cert_response_plaintext(plaintext)
    }
}

impl AcaEeCertResponsePrivateSpdu<'_> {
    /// Checks the plaintext of [`AcaEeCertResponsePrivateSpdu::encrypted`] once
    /// decrypted and returns the `ScmsPdu` (an acaEeCertResponse).
    pub fn check_decrypted<'p>(
        plaintext: &'p Ieee1609Dot2Data<'_>,
    ) -> Result<ScmsPdu<'p>, DecodeError> {
        aca_ee_cert_response_plaintext(plaintext)
    }
}

/// A decrypted `EeRaCertRequestSpdu`: which of the two request forms it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EeRaCertRequestPlaintext<'p> {
    /// `EeRa1609Dot2AuthenticatedCertRequestSpdu` (signed by the enrollment certificate).
    Ieee1609Dot2(SignedCertificateRequest<'p>),
    /// `EeRaX509AuthenticatedCertRequestSpdu`.
    X509(SignedX509CertificateRequest<'p>),
}

impl EeRaCertRequestSpdu<'_> {
    /// Checks a decrypted plaintext against both forms of the request.
    pub fn check_decrypted<'p>(
        plaintext: &'p Ieee1609Dot2Data<'_>,
    ) -> Result<EeRaCertRequestPlaintext<'p>, DecodeError> {
        match &plaintext.content {
            Ieee1609Dot2Content::SignedX509CertificateRequest(_) => {
                EeRaX509AuthenticatedCertRequestSpdu::check_decrypted(plaintext)
                    .map(EeRaCertRequestPlaintext::X509)
            }
            _ => EeRa1609Dot2AuthenticatedCertRequestSpdu::check_decrypted(plaintext)
                .map(EeRaCertRequestPlaintext::Ieee1609Dot2),
        }
    }
}

// Generic validate functions for the SPDU newtypes (the derive calls `f(&Self)`).
pub(crate) fn check_unsecured_spdu<'a, T: core::ops::Deref<Target = Ieee1609Dot2Data<'a>>>(
    v: &T,
) -> Result<(), &'static str> {
    check_unsecured(v)
}

pub(crate) fn check_signed_spdu<'a, T: core::ops::Deref<Target = Ieee1609Dot2Data<'a>>>(
    v: &T,
) -> Result<(), &'static str> {
    check_signed(v)
}

pub(crate) fn check_encrypted_spdu<'a, T: core::ops::Deref<Target = Ieee1609Dot2Data<'a>>>(
    v: &T,
) -> Result<(), &'static str> {
    check_encrypted(v)
}

pub(crate) fn check_signed_cert_request_spdu<
    'a,
    T: core::ops::Deref<Target = Ieee1609Dot2Data<'a>>,
>(
    v: &T,
) -> Result<(), &'static str> {
    check_signed_cert_request(v)
}

impl<'a> core::ops::Deref for Ieee1609Dot2DataSymmEncryptedSingleRecipient<'a> {
    type Target = Ieee1609Dot2Data<'a>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a> core::ops::DerefMut for Ieee1609Dot2DataSymmEncryptedSingleRecipient<'a> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

// Generation fixups (tests and fuzzing only): give a random SPDU the content
// alternative its type requires, so round-trip tests do not discard most values.
type Unstructured<'a> = arbitrary::Unstructured<'a>;

pub(crate) fn fix_unsecured_spdu<'a, T: core::ops::DerefMut<Target = Ieee1609Dot2Data<'a>>>(
    v: &mut T,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_unsecured(v).is_err() {
        v.content = Ieee1609Dot2Content::UnsecuredData(Generate::generate(u)?);
    }
    Ok(())
}

pub(crate) fn fix_signed_spdu<'a, T: core::ops::DerefMut<Target = Ieee1609Dot2Data<'a>>>(
    v: &mut T,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed(v).is_err() {
        v.content = Ieee1609Dot2Content::SignedData(Generate::generate(u)?);
    }
    Ok(())
}

pub(crate) fn fix_encrypted_spdu<'a, T: core::ops::DerefMut<Target = Ieee1609Dot2Data<'a>>>(
    v: &mut T,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_encrypted(v).is_err() {
        v.content = Ieee1609Dot2Content::EncryptedData(Generate::generate(u)?);
    }
    Ok(())
}

pub(crate) fn fix_signed_cert_request_spdu<
    'a,
    T: core::ops::DerefMut<Target = Ieee1609Dot2Data<'a>>,
>(
    v: &mut T,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_cert_request(v).is_err() {
        v.content = Ieee1609Dot2Content::SignedCertificateRequest(Generate::generate(u)?);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Service specific permissions
// ---------------------------------------------------------------------------

/// `SecurityMgmtSsp`: the SSP for [`SECURITY_MGMT_PSID`] (opaque SSP content).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum SecurityMgmtSsp {
    Elector(ElectorSsp),
    Root(RootCaSsp),
    Pg(PgSsp),
    Ica(IcaSsp),
    Eca(EcaSsp),
    Aca(AcaSsp),
    Crl(CrlSignerSsp),
    Dcm(DcmSsp),
    La(LaSsp),
    Lop(LopSsp),
    Ma(MaSsp),
    Ra(RaSsp),
    Ee(EeSsp),
    #[asn1(ext)]
    Dc(DcSsp),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

macro_rules! version_ssp {
    ($($(#[$m:meta])* $name:ident;)*) => {$(
        $(#[$m])*
        #[derive(Asn1, Clone, Debug, PartialEq, Eq)]
        #[asn1(sequence, extensible)]
        pub struct $name {
            /// 1 or 2 (2 for certificates issued from 2023-07-01).
            pub version: Uint8,
            #[asn1(unknown_ext)]
            pub unknown_extensions: UnknownExtensions,
        }
    )*};
}

version_ssp! {
    /// `ElectorSsp`.
    ElectorSsp;
    /// `RootCaSsp`.
    RootCaSsp;
    /// `PgSsp` (policy generator).
    PgSsp;
    /// `IcaSsp`.
    IcaSsp;
    /// `EcaSsp`.
    EcaSsp;
    /// `AcaSsp`.
    AcaSsp;
    /// `CrlSignerSsp`.
    CrlSignerSsp;
    /// `DcmSsp`.
    DcmSsp;
    /// `LopSsp`.
    LopSsp;
    /// `RaSsp`.
    RaSsp;
    /// `EeSsp`.
    EeSsp;
    /// `DcSsp` (distribution center).
    DcSsp;
}

/// `LaSsp`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct LaSsp {
    pub version: Uint8,
    pub la_id: Uint16,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `MaSsp`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct MaSsp {
    pub version: Uint8,
    pub relevant_psids: crate::ieee1609dot2::base_types::SequenceOfPsid,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `AcpcSsp`: the SSP for `AcpcPsid`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum AcpcSsp {
    Cam(CamSsp),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `CamSsp ::= SEQUENCE (SIZE(1..MAX)) OF AcpcTreeId`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, size(1..))]
pub struct CamSsp(pub Vec<AcpcTreeId>);
