//! `Ieee1609Dot2PcaRaInterface` (CAMP SCMS PoC `pca-ra.asn`): the RA forwards
//! (shuffled) pseudonym and identification certificate requests to the PCA, which
//! answers with the certificate signed and encrypted to the device, or in plain.

use crate::camp::base_types::{
    random_scms_signed, scms_signed_payload, EccP256PrivateKeyReconstruction, EncryptedGroupPLV,
    EncryptedIndividualPLV, LaHostnameId, PcaHostnameId, RaHostnameId, SignedProfile,
    SECURITY_MGMT_PSID,
};
use crate::camp::errors::ScopedPcaRaError;
use crate::codec::{DecodeError, Generate, Octets, Spanned, UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{
    Duration, EccP256CurvePoint, GeographicRegion, HashedId8, IValue, SequenceOfPsidSsp,
    SubjectAssurance, Time32, Uint8,
};
use crate::ieee1609dot2::dot2::{
    Certificate, CertificateType, Ieee1609Dot2Content, Ieee1609Dot2Data, IssuerIdentifier,
    RecipientInfo, ToBeSignedCertificate, VerificationKeyIndicator,
};
use crate::Asn1;
use arbitrary::Unstructured;

/// `PcaRaInterfacePDU`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum PcaRaInterfacePDU<'a> {
    RaPcaCertRequest(RaPcaCertRequestMsg<'a>),
    PcaRaCertResponse(PcaRaCertResponseMsg<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `RaPcaCertRequestMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct RaPcaCertRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub ra_id: RaHostnameId<'a>,
    #[asn1(name = "cert-request-info")]
    pub cert_request_info: RaPcaCertRequestInfo<'a>,
}

/// The inline `cert-request-info CHOICE` of [`RaPcaCertRequestMsg`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum RaPcaCertRequestInfo<'a> {
    #[asn1(name = "pseudonym-cert-req")]
    PseudonymCertReq(PseudonymCertRequestInfo<'a>),
    #[asn1(name = "auth-cert-req")]
    AuthCertReq(IdCertRequestInfo<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `PseudonymCertRequestInfo`: one (i, j) butterfly request with the encrypted PLVs of
/// both LAs.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct PseudonymCertRequestInfo<'a> {
    pub psid_ssp: SequenceOfPsidSsp<'a>,
    #[asn1(optional)]
    pub performance_assurance_level: Option<SubjectAssurance>,
    #[asn1(optional)]
    pub region: Option<GeographicRegion>,
    pub i_value: IValue,
    #[asn1(name = "pca-id")]
    pub pca_id: PcaHostnameId<'a>,
    #[asn1(name = "sig-butterfly-key-B")]
    pub sig_butterfly_key_b: EccP256CurvePoint,
    #[asn1(name = "la1-id")]
    pub la1_id: LaHostnameId<'a>,
    #[asn1(name = "la2-id")]
    pub la2_id: LaHostnameId<'a>,
    #[asn1(name = "enc-plv1")]
    pub enc_plv1: EncryptedIndividualPLV<'a>,
    #[asn1(name = "enc-plv2")]
    pub enc_plv2: EncryptedIndividualPLV<'a>,
    #[asn1(optional, name = "group-linkage-info")]
    pub group_linkage_info: Option<GroupLinkageInfo<'a>>,
    #[asn1(name = "enc-butterfly-key-H")]
    pub enc_butterfly_key_h: EccP256CurvePoint,
}

/// The inline `group-linkage-info SEQUENCE` of [`PseudonymCertRequestInfo`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct GroupLinkageInfo<'a> {
    #[asn1(name = "gla1-id")]
    pub gla1_id: LaHostnameId<'a>,
    #[asn1(name = "gla2-id")]
    pub gla2_id: LaHostnameId<'a>,
    #[asn1(name = "enc-gplv1")]
    pub enc_gplv1: EncryptedGroupPLV<'a>,
    #[asn1(name = "enc-gplv2")]
    pub enc_gplv2: EncryptedGroupPLV<'a>,
}

/// `IdCertRequestInfo`: the certificate to issue is given whole, with `crlSeries` 0
/// and `appPermissions` present.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    validate = "check_id_cert_request",
    fixup = "fix_id_cert_request"
)]
pub struct IdCertRequestInfo<'a> {
    #[asn1(name = "pca-id")]
    pub pca_id: PcaHostnameId<'a>,
    pub r#type: CertificateType,
    #[asn1(name = "to-be-signed-cert")]
    pub to_be_signed_cert: ToBeSignedCertificate<'a>,
    #[asn1(name = "response-encryption-key")]
    pub response_encryption_key: EccP256CurvePoint,
}

fn check_id_cert_request(v: &IdCertRequestInfo<'_>) -> Result<(), &'static str> {
    if v.to_be_signed_cert.crl_series != 0 {
        return Err("to-be-signed-cert: crlSeries must be 0");
    }
    if v.to_be_signed_cert.app_permissions.is_none() {
        return Err("to-be-signed-cert: appPermissions must be present");
    }
    Ok(())
}

fn fix_id_cert_request(
    v: &mut IdCertRequestInfo<'_>,
    _u: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    v.to_be_signed_cert.crl_series = 0;
    if v.to_be_signed_cert.app_permissions.is_none() {
        v.to_be_signed_cert.app_permissions = Some(Vec::new());
    }
    Ok(())
}

/// `PcaRaCertResponseMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct PcaRaCertResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    #[asn1(name = "pca-id")]
    pub pca_id: PcaHostnameId<'a>,
    pub reply: PcaRaCertResponseReply<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// The inline `reply CHOICE` of [`PcaRaCertResponseMsg`].
// Messages are decoded once and not moved around: no boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum PcaRaCertResponseReply<'a> {
    Success(PcaRaCertResponseSuccess<'a>),
    Failure(ScopedPcaRaError),
}

/// The inline `success CHOICE` of [`PcaRaCertResponseReply`].
// Messages are decoded once and not moved around: no boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum PcaRaCertResponseSuccess<'a> {
    #[asn1(name = "signed-encrypted")]
    SignedEncrypted(SignedEncryptedCertificateResponse<'a>),
    Raw(PlaintextCertificateResponse<'a>),
}

/// `SignedEncryptedCertificateResponse`: signed by the PCA (SecurityMgmtPsid, no
/// generation/expiry time or location, no P2PCD, no encryption key), carrying a
/// [`ToBeSignedEncryptedCertificateResponse`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_encrypted",
    fixup = "fix_signed_encrypted"
)]
pub struct SignedEncryptedCertificateResponse<'a>(pub Ieee1609Dot2Data<'a>);

const SIGNED_ENCRYPTED_PROFILE: SignedProfile = SignedProfile {
    psid: SECURITY_MGMT_PSID,
    generation_time: Some(false),
    generation_location: false,
    ext_data_hash_absent: true,
    single_certificate_signer: false,
};

fn check_signed_encrypted(v: &SignedEncryptedCertificateResponse<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SIGNED_ENCRYPTED_PROFILE)?;
    crate::decode::<ToBeSignedEncryptedCertificateResponse>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ToBeSignedEncryptedCertificateResponse")
}

impl SignedEncryptedCertificateResponse<'_> {
    /// The signed content.
    pub fn content(&self) -> Result<ToBeSignedEncryptedCertificateResponse<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SIGNED_ENCRYPTED_PROFILE)
            .map_err(|m| DecodeError::new(crate::codec::ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `ToBeSignedEncryptedCertificateResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct ToBeSignedEncryptedCertificateResponse<'a> {
    pub psid_ssp: SequenceOfPsidSsp<'a>,
    pub expiration: Time32,
    pub lifetime: Duration,
    #[asn1(name = "encrypted-cert")]
    pub encrypted_cert: EncryptedCertificateData<'a>,
}

/// `EncryptedCertificateData`: `encryptedData` to exactly one `rekRecipInfo` recipient
/// (the device's butterfly encryption key).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_encrypted_certificate_data",
    fixup = "fix_encrypted_certificate_data"
)]
pub struct EncryptedCertificateData<'a>(pub Ieee1609Dot2Data<'a>);

fn check_encrypted_certificate_data(v: &EncryptedCertificateData<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        Ieee1609Dot2Content::EncryptedData(e) => match e.recipients.as_slice() {
            [RecipientInfo::RekRecipInfo(_)] => Ok(()),
            _ => Err("encryptedData must have exactly one rekRecipInfo recipient"),
        },
        _ => Err("content must be encryptedData"),
    }
}

/// `DecryptedCertificateData`: `unsecuredData` containing a
/// [`PlaintextCertificateResponse`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_decrypted_certificate_data",
    fixup = "fix_decrypted_certificate_data"
)]
pub struct DecryptedCertificateData<'a>(pub Ieee1609Dot2Data<'a>);

fn check_decrypted_certificate_data(v: &DecryptedCertificateData<'_>) -> Result<(), &'static str> {
    v.response()
        .map(|_| ())
        .map_err(|_| "content must be unsecuredData containing a PlaintextCertificateResponse")
}

impl DecryptedCertificateData<'_> {
    /// The certificate response it carries.
    pub fn response(&self) -> Result<PlaintextCertificateResponse<'_>, DecodeError> {
        match &self.0.content {
            Ieee1609Dot2Content::UnsecuredData(o) => crate::decode(o),
            _ => Err(DecodeError::new(
                crate::codec::ErrorKind::Constraint("content must be unsecuredData"),
                0,
            )),
        }
    }
}

/// `PlaintextCertificateResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum PlaintextCertificateResponse<'a> {
    #[asn1(name = "implicit-butterfly")]
    ImplicitButterfly(ImplicitCertResponse<'a>),
    Implicit(ImplicitCertResponse<'a>),
    #[asn1(name = "explicit-butterfly")]
    ExplicitButterfly(ButterflyExplicitCertResponse<'a>),
    Explicit(Certificate<'a>),
}

/// `ImplicitCertResponse`: an implicit certificate issued by `sha256AndDigest`, and the
/// private-key reconstruction value `s`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    validate = "check_implicit_response",
    fixup = "fix_implicit_response"
)]
pub struct ImplicitCertResponse<'a> {
    pub certificate: Certificate<'a>,
    #[asn1(name = "priv-key-reconstruction-s")]
    pub priv_key_reconstruction_s: EccP256PrivateKeyReconstruction,
}

fn check_implicit_response(v: &ImplicitCertResponse<'_>) -> Result<(), &'static str> {
    check_issued_certificate(&v.certificate, CertificateType::Implicit)
}

/// `ButterflyExplicitCertResponse`: an explicit certificate issued by
/// `sha256AndDigest`, and the private-key reconstruction value `c`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    validate = "check_explicit_response",
    fixup = "fix_explicit_response"
)]
pub struct ButterflyExplicitCertResponse<'a> {
    pub certificate: Certificate<'a>,
    #[asn1(name = "priv-key-reconstruction-c")]
    pub priv_key_reconstruction_c: EccP256PrivateKeyReconstruction,
}

fn check_explicit_response(v: &ButterflyExplicitCertResponse<'_>) -> Result<(), &'static str> {
    check_issued_certificate(&v.certificate, CertificateType::Explicit)
}

fn check_issued_certificate(c: &Certificate<'_>, ty: CertificateType) -> Result<(), &'static str> {
    if c.r#type != ty {
        return Err("certificate: wrong type");
    }
    match c.issuer {
        IssuerIdentifier::Sha256AndDigest(_) => Ok(()),
        _ => Err("certificate: issuer must be sha256AndDigest"),
    }
}

fn fix_signed_encrypted<'a>(
    v: &mut SignedEncryptedCertificateResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_encrypted(v).is_err() {
        let inner: ToBeSignedEncryptedCertificateResponse<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SIGNED_ENCRYPTED_PROFILE)?;
    }
    Ok(())
}

fn fix_encrypted_certificate_data<'a>(
    v: &mut EncryptedCertificateData<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_encrypted_certificate_data(v).is_err() {
        let mut e: crate::ieee1609dot2::dot2::EncryptedData<'a> = Generate::generate(u)?;
        e.recipients = vec![RecipientInfo::RekRecipInfo(Generate::generate(u)?)];
        v.0 = Ieee1609Dot2Data::new(Ieee1609Dot2Content::EncryptedData(e));
    }
    Ok(())
}

fn fix_decrypted_certificate_data<'a>(
    v: &mut DecryptedCertificateData<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_decrypted_certificate_data(v).is_err() {
        let r: PlaintextCertificateResponse<'a> = Generate::generate(u)?;
        let bytes = crate::encode(&r).map_err(|_| arbitrary::Error::IncorrectFormat)?;
        v.0 = Ieee1609Dot2Data::new(Ieee1609Dot2Content::UnsecuredData(Octets::from(bytes)));
    }
    Ok(())
}

/// Makes a random certificate an `ty` certificate issued by `sha256AndDigest`
/// (generation only).
fn fix_issued_certificate<'a>(
    c: &mut Certificate<'a>,
    ty: CertificateType,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_issued_certificate(c, ty).is_ok() {
        return Ok(());
    }
    let mut base = c.value().clone();
    let mut tbs = base.to_be_signed.value().clone();
    if ty == CertificateType::Implicit {
        tbs.verify_key_indicator =
            VerificationKeyIndicator::ReconstructionValue(Generate::generate(u)?);
        base.signature = None;
    } else {
        tbs.verify_key_indicator =
            VerificationKeyIndicator::VerificationKey(Generate::generate(u)?);
        if base.signature.is_none() {
            base.signature = Some(Generate::generate(u)?);
        }
    }
    base.r#type = ty;
    base.issuer = IssuerIdentifier::Sha256AndDigest(u.arbitrary()?);
    base.to_be_signed = Spanned::new(tbs);
    *c = Spanned::new(base);
    Ok(())
}

fn fix_implicit_response<'a>(
    v: &mut ImplicitCertResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_issued_certificate(&mut v.certificate, CertificateType::Implicit, u)
}

fn fix_explicit_response<'a>(
    v: &mut ButterflyExplicitCertResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_issued_certificate(&mut v.certificate, CertificateType::Explicit, u)
}
