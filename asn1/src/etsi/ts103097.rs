//! `EtsiTs103097Module` (ETSI TS 103 097 v2.1.1, major 3 minor 1): the European
//! profile of IEEE 1609.2 certificates and SPDUs, on the 1609.2-2022 types of
//! [`crate::ieee1609dot2::dot2`].
//!
//! The module's types are `Certificate` / `Ieee1609Dot2Data` with `WITH COMPONENTS`
//! constraints, and parameterised profiles whose parameter is the type CONTAINED in
//! the data. Here each is a newtype with a validation (so a value that breaks the
//! profile neither decodes nor encodes) and the parameter becomes an accessor that
//! decodes the contained bytes as the caller's type ([`EtsiTs103097DataSigned::payload_as`]).
//!
//! The constraints of `EtsiTs103097Data`, `-Unsecured` and `-Signed` are inside
//! comments in the published module (ASN.1 tools choke on them), but clause 5 of
//! TS 103 097 states the same requirements; they are enforced here. The
//! `CONSTRAINED BY` of `-Encrypted` (the ciphertext encrypts the parameter) can only be
//! checked after decryption.
//!
//! Every profile type wraps the one it refines: `EtsiTs103097DataSigned` wraps an
//! [`EtsiTs103097Data`], which wraps an [`Ieee1609Dot2Data`]; decoding a profile
//! checks every layer.

use crate::codec::{DecodeError, ErrorKind, Generate, Octets, Spanned};
use crate::ieee1609dot2::dot2::{
    Certificate, CertificateId, HashedData, Ieee1609Dot2Content, Ieee1609Dot2Data, RecipientInfo,
    SignedData, SignerIdentifier,
};
use crate::Asn1;
use arbitrary::Unstructured;

fn constraint(m: &'static str) -> DecodeError {
    DecodeError::new(ErrorKind::Constraint(m), 0)
}

/// `EtsiTs103097Certificate`: a 1609.2 `Certificate` whose id is not `linkageData` nor
/// `binaryId`, without `certRequestPermissions` and `canRequestRollover`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_etsi_certificate",
    fixup = "fix_etsi_certificate_newtype"
)]
pub struct EtsiTs103097Certificate<'a>(pub Certificate<'a>);

/// Checks the `EtsiTs103097Certificate` constraints on a 1609.2 certificate.
pub fn check_certificate_profile(c: &Certificate<'_>) -> Result<(), &'static str> {
    let tbs = &c.to_be_signed;
    if matches!(
        tbs.id,
        CertificateId::LinkageData(_) | CertificateId::BinaryId(_)
    ) {
        return Err("EtsiTs103097Certificate: id must not be linkageData or binaryId");
    }
    if tbs.cert_request_permissions.is_some() {
        return Err("EtsiTs103097Certificate: certRequestPermissions must be absent");
    }
    if tbs.can_request_rollover.is_some() {
        return Err("EtsiTs103097Certificate: canRequestRollover must be absent");
    }
    Ok(())
}

fn check_etsi_certificate(c: &EtsiTs103097Certificate<'_>) -> Result<(), &'static str> {
    check_certificate_profile(&c.0)
}

/// Turns a random certificate into one that meets the ETSI profile (generation only).
fn fix_certificate(c: &mut Certificate<'_>) {
    if check_certificate_profile(c).is_ok() {
        return;
    }
    let mut base = c.value().clone();
    let mut tbs = base.to_be_signed.value().clone();
    if matches!(
        tbs.id,
        CertificateId::LinkageData(_) | CertificateId::BinaryId(_)
    ) {
        tbs.id = CertificateId::None;
    }
    tbs.cert_request_permissions = None;
    tbs.can_request_rollover = None;
    if tbs.app_permissions.is_none() && tbs.cert_issue_permissions.is_none() {
        tbs.app_permissions = Some(Vec::new());
    }
    base.to_be_signed = Spanned::new(tbs);
    *c = Spanned::new(base);
}

fn fix_etsi_certificate_newtype(
    c: &mut EtsiTs103097Certificate<'_>,
    _u: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    fix_certificate(&mut c.0);
    Ok(())
}

/// `EtsiTs103097Data`: an `Ieee1609Dot2Data` where signed data has a generation time,
/// no `p2pcdLearningRequest` and no `missingCrlIdentifier`, and a signer certificate
/// (if any) is a single [`EtsiTs103097Certificate`]; encrypted data has no `pskRecipInfo`,
/// `symmRecipInfo` or `rekRecipInfo` recipient; and `signedCertificateRequest` is absent.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_etsi_data", fixup = "fix_etsi_data")]
pub struct EtsiTs103097Data<'a>(pub Ieee1609Dot2Data<'a>);

/// Checks the `EtsiTs103097Data` profile on an `Ieee1609Dot2Data`.
pub fn check_data_profile(d: &Ieee1609Dot2Data<'_>) -> Result<(), &'static str> {
    match &d.content {
        Ieee1609Dot2Content::SignedData(sd) => {
            let h = &sd.tbs_data.header_info;
            if h.generation_time.is_none() {
                return Err("EtsiTs103097Data: headerInfo generationTime must be present");
            }
            if h.p2pcd_learning_request.is_some() || h.missing_crl_identifier.is_some() {
                return Err(
                    "EtsiTs103097Data: p2pcdLearningRequest and missingCrlIdentifier must be absent",
                );
            }
            if let SignerIdentifier::Certificate(certs) = &sd.signer {
                let [cert] = certs.as_slice() else {
                    return Err("EtsiTs103097Data: signer certificate must be exactly one");
                };
                check_certificate_profile(cert)?;
            }
            Ok(())
        }
        Ieee1609Dot2Content::EncryptedData(e) => {
            if e.recipients.iter().any(|r| {
                matches!(
                    r,
                    RecipientInfo::PskRecipInfo(_)
                        | RecipientInfo::SymmRecipInfo(_)
                        | RecipientInfo::RekRecipInfo(_)
                )
            }) {
                return Err(
                    "EtsiTs103097Data: pskRecipInfo, symmRecipInfo and rekRecipInfo are not allowed",
                );
            }
            Ok(())
        }
        Ieee1609Dot2Content::SignedCertificateRequest(_) => {
            Err("EtsiTs103097Data: signedCertificateRequest is not allowed")
        }
        _ => Ok(()),
    }
}

fn check_etsi_data(d: &EtsiTs103097Data<'_>) -> Result<(), &'static str> {
    check_data_profile(&d.0)
}

/// Makes a random signed data meet the `EtsiTs103097Data` profile.
fn fix_signed_data<'a>(sd: &mut SignedData<'a>, u: &mut Unstructured<'a>) -> arbitrary::Result<()> {
    let mut tbs = sd.tbs_data.value().clone();
    let h = &mut tbs.header_info;
    if h.generation_time.is_none() {
        h.generation_time = Some(u.arbitrary()?);
    }
    h.p2pcd_learning_request = None;
    h.missing_crl_identifier = None;
    sd.tbs_data = Spanned::new(tbs);
    if let SignerIdentifier::Certificate(certs) = &mut sd.signer {
        if certs.is_empty() {
            certs.push(Generate::generate(u)?);
        }
        certs.truncate(1);
        for c in certs.iter_mut() {
            fix_certificate(c);
        }
    }
    Ok(())
}

/// Makes a random `Ieee1609Dot2Data` meet the `EtsiTs103097Data` profile.
fn fix_data<'a>(d: &mut Ieee1609Dot2Data<'a>, u: &mut Unstructured<'a>) -> arbitrary::Result<()> {
    match &mut d.content {
        Ieee1609Dot2Content::SignedData(sd) => fix_signed_data(sd, u)?,
        Ieee1609Dot2Content::EncryptedData(e) => e.recipients.retain(|r| {
            matches!(
                r,
                RecipientInfo::CertRecipInfo(_) | RecipientInfo::SignedDataRecipInfo(_)
            )
        }),
        Ieee1609Dot2Content::SignedCertificateRequest(o) => {
            d.content = Ieee1609Dot2Content::UnsecuredData(o.clone());
        }
        _ => {}
    }
    Ok(())
}

fn fix_etsi_data<'a>(
    d: &mut EtsiTs103097Data<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_data(&mut d.0, u)
}

/// A random signed `EtsiTs103097Data` (generation of the signed profiles).
fn random_signed<'a>(u: &mut Unstructured<'a>) -> arbitrary::Result<Ieee1609Dot2Data<'a>> {
    let mut sd: SignedData<'a> = Generate::generate(u)?;
    fix_signed_data(&mut sd, u)?;
    Ok(Ieee1609Dot2Data::new(Ieee1609Dot2Content::SignedData(
        Box::new(sd),
    )))
}

/// `EtsiTs103097Data-Unsecured {ToBeSentDataContent}`: `unsecuredData` (CONTAINING the
/// parameter, see [`Self::content_as`]).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    name = "EtsiTs103097Data-Unsecured",
    validate = "check_unsecured",
    fixup = "fix_unsecured"
)]
pub struct EtsiTs103097DataUnsecured<'a>(pub EtsiTs103097Data<'a>);

fn check_unsecured(d: &EtsiTs103097DataUnsecured<'_>) -> Result<(), &'static str> {
    match d.0 .0.content {
        Ieee1609Dot2Content::UnsecuredData(_) => Ok(()),
        _ => Err("EtsiTs103097Data-Unsecured: content must be unsecuredData"),
    }
}

fn fix_unsecured<'a>(
    d: &mut EtsiTs103097DataUnsecured<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_unsecured(d).is_err() {
        d.0 .0.content = Ieee1609Dot2Content::UnsecuredData(Generate::generate(u)?);
    }
    Ok(())
}

impl<'a> EtsiTs103097DataUnsecured<'a> {
    /// The unsecured bytes.
    pub fn content(&self) -> &[u8] {
        match &self.0 .0.content {
            Ieee1609Dot2Content::UnsecuredData(o) => o,
            _ => &[],
        }
    }

    /// The content decoded as the profile's parameter `T`.
    pub fn content_as<'s, T: crate::Decode<'s>>(&'s self) -> Result<T, DecodeError> {
        crate::decode(self.content())
    }
}

/// `EtsiTs103097Data-Signed {ToBeSignedDataContent}`: `signedData` whose payload `data` is
/// present and is `unsecuredData` (CONTAINING the parameter, see [`Self::payload_as`]).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    name = "EtsiTs103097Data-Signed",
    validate = "check_signed",
    fixup = "fix_signed"
)]
pub struct EtsiTs103097DataSigned<'a>(pub EtsiTs103097Data<'a>);

/// The `unsecuredData` bytes that an `EtsiTs103097Data-Signed` signs.
pub fn signed_payload<'b>(d: &'b Ieee1609Dot2Data<'_>) -> Result<&'b [u8], &'static str> {
    let Some(sd) = d.signed_data() else {
        return Err("EtsiTs103097Data-Signed: content must be signedData");
    };
    let Some(data) = &sd.tbs_data.payload.data else {
        return Err("EtsiTs103097Data-Signed: payload data must be present");
    };
    match &data.content {
        Ieee1609Dot2Content::UnsecuredData(o) => Ok(o),
        _ => Err("EtsiTs103097Data-Signed: payload data must be unsecuredData"),
    }
}

fn check_signed(d: &EtsiTs103097DataSigned<'_>) -> Result<(), &'static str> {
    signed_payload(&d.0 .0).map(|_| ())
}

/// Wraps `bytes` as the signed payload of a random signed data (generation only).
fn random_signed_with_payload<'a>(
    u: &mut Unstructured<'a>,
    bytes: Octets<'a>,
) -> arbitrary::Result<Ieee1609Dot2Data<'a>> {
    let mut d = random_signed(u)?;
    if let Ieee1609Dot2Content::SignedData(sd) = &mut d.content {
        let mut tbs = sd.tbs_data.value().clone();
        tbs.payload.data = Some(Box::new(Ieee1609Dot2Data::new(
            Ieee1609Dot2Content::UnsecuredData(bytes),
        )));
        sd.tbs_data = Spanned::new(tbs);
    }
    Ok(d)
}

fn fix_signed<'a>(
    d: &mut EtsiTs103097DataSigned<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed(d).is_err() {
        let bytes: Octets<'a> = Generate::generate(u)?;
        d.0 .0 = random_signed_with_payload(u, bytes)?;
    }
    Ok(())
}

impl<'a> EtsiTs103097DataSigned<'a> {
    /// Wraps an `EtsiTs103097Data` that must meet the profile.
    pub fn new(d: EtsiTs103097Data<'a>) -> Result<Self, &'static str> {
        let v = Self(d);
        check_signed(&v)?;
        Ok(v)
    }

    /// The signed data.
    pub fn signed_data(&self) -> Option<&SignedData<'a>> {
        self.0 .0.signed_data()
    }

    /// The signed payload bytes (the COER of the profile's parameter).
    pub fn payload(&self) -> &[u8] {
        signed_payload(&self.0 .0).unwrap_or(&[])
    }

    /// The signed payload decoded as the profile's parameter `T`.
    pub fn payload_as<'s, T: crate::Decode<'s>>(&'s self) -> Result<T, DecodeError> {
        let bytes = signed_payload(&self.0 .0).map_err(constraint)?;
        crate::decode(bytes)
    }
}

/// `EtsiTs103097Data-SignedExternalPayload`: `signedData` over an external payload,
/// identified by its `sha256HashedData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    name = "EtsiTs103097Data-SignedExternalPayload",
    validate = "check_signed_external_payload",
    fixup = "fix_signed_external_payload"
)]
pub struct EtsiTs103097DataSignedExternalPayload<'a>(pub EtsiTs103097Data<'a>);

fn check_signed_external_payload(
    d: &EtsiTs103097DataSignedExternalPayload<'_>,
) -> Result<(), &'static str> {
    let Some(sd) = d.0 .0.signed_data() else {
        return Err("EtsiTs103097Data-SignedExternalPayload: content must be signedData");
    };
    match sd.tbs_data.payload.ext_data_hash {
        Some(HashedData::Sha256HashedData(_)) => Ok(()),
        _ => Err("EtsiTs103097Data-SignedExternalPayload: extDataHash must be sha256HashedData"),
    }
}

fn fix_signed_external_payload<'a>(
    d: &mut EtsiTs103097DataSignedExternalPayload<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_external_payload(d).is_err() {
        let mut data = random_signed(u)?;
        if let Ieee1609Dot2Content::SignedData(sd) = &mut data.content {
            let mut tbs = sd.tbs_data.value().clone();
            tbs.payload.ext_data_hash = Some(HashedData::Sha256HashedData(u.arbitrary()?));
            sd.tbs_data = Spanned::new(tbs);
        }
        d.0 .0 = data;
    }
    Ok(())
}

impl EtsiTs103097DataSignedExternalPayload<'_> {
    /// The SHA-256 hash of the external payload.
    pub fn external_hash(&self) -> Option<&[u8; 32]> {
        match &self.0 .0.signed_data()?.tbs_data.payload.ext_data_hash {
            Some(HashedData::Sha256HashedData(h)) => Some(h),
            _ => None,
        }
    }
}

/// `EtsiTs103097Data-Encrypted {ToBeEncryptedDataContent}`: `encryptedData` (the
/// ciphertext encrypts the parameter; checked only after decryption).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    name = "EtsiTs103097Data-Encrypted",
    validate = "check_encrypted",
    fixup = "fix_encrypted"
)]
pub struct EtsiTs103097DataEncrypted<'a>(pub EtsiTs103097Data<'a>);

fn check_encrypted(d: &EtsiTs103097DataEncrypted<'_>) -> Result<(), &'static str> {
    match d.0 .0.content {
        Ieee1609Dot2Content::EncryptedData(_) => Ok(()),
        _ => Err("EtsiTs103097Data-Encrypted: content must be encryptedData"),
    }
}

fn fix_encrypted<'a>(
    d: &mut EtsiTs103097DataEncrypted<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_encrypted(d).is_err() {
        d.0 .0.content = Ieee1609Dot2Content::EncryptedData(Generate::generate(u)?);
    }
    fix_data(&mut d.0 .0, u)
}

/// `EtsiTs103097Data-SignedAndEncrypted {X} ::= EtsiTs103097Data-Encrypted
/// {EtsiTs103097Data-Signed {X}}`: the same encoding; the plaintext decodes as
/// [`EtsiTs103097DataSigned`].
pub type EtsiTs103097DataSignedAndEncrypted<'a> = EtsiTs103097DataEncrypted<'a>;

/// `EtsiTs103097Data-Encrypted-Unicast {X}`: encrypted to exactly one recipient (the
/// plaintext is an [`EtsiTs103097DataUnsecured`]).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    name = "EtsiTs103097Data-Encrypted-Unicast",
    validate = "check_encrypted_unicast",
    fixup = "fix_encrypted_unicast"
)]
pub struct EtsiTs103097DataEncryptedUnicast<'a>(pub EtsiTs103097DataEncrypted<'a>);

fn check_encrypted_unicast(d: &EtsiTs103097DataEncryptedUnicast<'_>) -> Result<(), &'static str> {
    match &d.0 .0 .0.content {
        Ieee1609Dot2Content::EncryptedData(e) if e.recipients.len() == 1 => Ok(()),
        _ => Err("EtsiTs103097Data-Encrypted-Unicast: exactly one recipient"),
    }
}

fn fix_encrypted_unicast<'a>(
    d: &mut EtsiTs103097DataEncryptedUnicast<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if let Ieee1609Dot2Content::EncryptedData(e) = &mut d.0 .0 .0.content {
        e.recipients.truncate(1);
        if e.recipients.is_empty() {
            e.recipients
                .push(RecipientInfo::CertRecipInfo(Generate::generate(u)?));
        }
    }
    Ok(())
}

/// `EtsiTs103097Data-SignedAndEncrypted-Unicast {X}`: the same encoding as
/// [`EtsiTs103097DataEncryptedUnicast`]; the plaintext decodes as
/// [`EtsiTs103097DataSigned`].
pub type EtsiTs103097DataSignedAndEncryptedUnicast<'a> = EtsiTs103097DataEncryptedUnicast<'a>;

/// A random `EtsiTs103097Data-Signed` whose payload is the COER of `inner` (generation
/// of the instantiated profiles; the signature is random).
pub(crate) fn random_signed_of<'a, T: crate::Encode>(
    u: &mut Unstructured<'a>,
    inner: &T,
) -> arbitrary::Result<EtsiTs103097DataSigned<'a>> {
    let bytes = crate::encode(inner).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok(EtsiTs103097DataSigned(EtsiTs103097Data(
        random_signed_with_payload(u, Octets::from(bytes))?,
    )))
}
