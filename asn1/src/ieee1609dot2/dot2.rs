//! `Ieee1609Dot2` (IEEE 1609.2-2022 clause 6; major version 2, minor 6): SPDUs
//! (`Ieee1609Dot2Data`), signed and encrypted data, header info, certificates.
//!
//! Spans for signature verification: a [`Certificate`] is a
//! [`Spanned`]`<`[`CertificateBase`]`>` and keeps the bytes it was received in
//! (HashedId8 = last 8 bytes of H(those bytes), and the signer part of a signing
//! input); [`CertificateBase::to_be_signed`] and [`SignedData::tbs_data`] keep the
//! bytes the signature covers. Values built in code have no span and are encoded
//! on demand ([`Spanned::to_bytes`]).

use arbitrary::Unstructured;

use super::base_types::*;
use super::etsi_extension::EtsiOriginatingHeaderInfoExtension;
use crate::codec::{
    BitString, DecodeError, Generate, Null, ObjectIdentifier, Octets, Open, Spanned,
    UnknownAlternative, UnknownExtensions,
};
use crate::Asn1;

// ---------------------------------------------------------------------------
// SPDUs
// ---------------------------------------------------------------------------

/// `Ieee1609Dot2Data` (6.3.2): the SPDU. `protocolVersion` is 3.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct Ieee1609Dot2Data<'a> {
    #[asn1(range(3..=3))]
    pub protocol_version: Uint8,
    pub content: Ieee1609Dot2Content<'a>,
}

impl<'a> Ieee1609Dot2Data<'a> {
    /// The protocol version of this standard.
    pub const PROTOCOL_VERSION: Uint8 = 3;

    pub fn new(content: Ieee1609Dot2Content<'a>) -> Self {
        Self {
            protocol_version: Self::PROTOCOL_VERSION,
            content,
        }
    }

    /// The signed data, if the content is `signedData`.
    pub fn signed_data(&self) -> Option<&SignedData<'a>> {
        match &self.content {
            Ieee1609Dot2Content::SignedData(s) => Some(s),
            _ => None,
        }
    }
}

/// `Ieee1609Dot2Content` (6.3.3).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum Ieee1609Dot2Content<'a> {
    UnsecuredData(Opaque<'a>),
    SignedData(Box<SignedData<'a>>),
    EncryptedData(EncryptedData<'a>),
    SignedCertificateRequest(Opaque<'a>),
    #[asn1(ext, name = "signedX509CertificateRequest")]
    SignedX509CertificateRequest(Opaque<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `SignedData` (6.3.4). `tbs_data` keeps the received bytes the signature covers.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct SignedData<'a> {
    pub hash_id: HashAlgorithm,
    pub tbs_data: Spanned<'a, ToBeSignedData<'a>>,
    pub signer: SignerIdentifier<'a>,
    pub signature: Signature,
}

/// `ToBeSignedData` (6.3.6).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct ToBeSignedData<'a> {
    pub payload: SignedDataPayload<'a>,
    pub header_info: HeaderInfo<'a>,
}

/// `SignedDataPayload` (6.3.7): one of `data`, `extDataHash`, `omitted` is present.
/// `data` is boxed: it is the recursion point of `Ieee1609Dot2Data`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    extensible,
    validate = "check_signed_data_payload",
    fixup = "fixup_signed_data_payload"
)]
pub struct SignedDataPayload<'a> {
    #[asn1(optional)]
    pub data: Option<Box<Ieee1609Dot2Data<'a>>>,
    #[asn1(optional)]
    pub ext_data_hash: Option<HashedData>,
    #[asn1(ext)]
    pub omitted: Option<Null>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_signed_data_payload(p: &SignedDataPayload<'_>) -> Result<(), &'static str> {
    if p.data.is_none() && p.ext_data_hash.is_none() && p.omitted.is_none() {
        return Err("SignedDataPayload needs data, extDataHash or omitted");
    }
    Ok(())
}

fn fixup_signed_data_payload(
    p: &mut SignedDataPayload<'_>,
    _: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    if check_signed_data_payload(p).is_err() {
        p.omitted = Some(Null);
    }
    Ok(())
}

/// `HashedData` (6.3.8).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum HashedData {
    Sha256HashedData(HashedId32),
    #[asn1(ext)]
    Sha384HashedData(HashedId48),
    #[asn1(ext)]
    Sm3HashedData(HashedId32),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `HeaderInfo` (6.3.9).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct HeaderInfo<'a> {
    pub psid: Psid,
    #[asn1(optional)]
    pub generation_time: Option<Time64>,
    #[asn1(optional)]
    pub expiry_time: Option<Time64>,
    #[asn1(optional)]
    pub generation_location: Option<ThreeDLocation>,
    #[asn1(optional)]
    pub p2pcd_learning_request: Option<HashedId3>,
    #[asn1(optional)]
    pub missing_crl_identifier: Option<MissingCrlIdentifier>,
    #[asn1(optional)]
    pub encryption_key: Option<EncryptionKey>,
    #[asn1(ext)]
    pub inline_p2pcd_request: Option<SequenceOfHashedId3>,
    #[asn1(ext)]
    pub requested_certificate: Option<Certificate<'a>>,
    #[asn1(ext)]
    pub pdu_functional_type: Option<PduFunctionalType>,
    #[asn1(ext)]
    pub contributed_extensions: Option<ContributedExtensionBlocks<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

impl<'a> HeaderInfo<'a> {
    /// A header with only the PSID.
    pub fn new(psid: Psid) -> Self {
        Self {
            psid,
            generation_time: None,
            expiry_time: None,
            generation_location: None,
            p2pcd_learning_request: None,
            missing_crl_identifier: None,
            encryption_key: None,
            inline_p2pcd_request: None,
            requested_certificate: None,
            pdu_functional_type: None,
            contributed_extensions: None,
            unknown_extensions: UnknownExtensions::default(),
        }
    }
}

/// `MissingCrlIdentifier` (6.3.10).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct MissingCrlIdentifier {
    pub craca_id: HashedId3,
    pub crl_series: CrlSeries,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `PduFunctionalType ::= INTEGER (0..255)` (6.3.11).
pub type PduFunctionalType = u8;
/// `tlsHandshake PduFunctionalType ::= 1`.
pub const TLS_HANDSHAKE: PduFunctionalType = 1;
/// `iso21177ExtendedAuth PduFunctionalType ::= 2`.
pub const ISO21177_EXTENDED_AUTH: PduFunctionalType = 2;
/// `iso21177SessionExtension PduFunctionalType ::= 3`.
pub const ISO21177_SESSION_EXTENSION: PduFunctionalType = 3;

/// `ContributedExtensionBlocks ::= SEQUENCE (SIZE(1..MAX)) OF ContributedExtensionBlock`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, size(1..))]
pub struct ContributedExtensionBlocks<'a>(pub Vec<ContributedExtensionBlock<'a>>);

/// `ContributedExtensionBlock` (6.3.13): extensions from one contributor, each an
/// open type of the class `IEEE1609DOT2-HEADERINFO-CONTRIBUTED-EXTENSION`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct ContributedExtensionBlock<'a> {
    pub contributor_id: HeaderInfoContributorId,
    #[asn1(size(1..))]
    pub extns: Vec<Open<'a>>,
}

impl ContributedExtensionBlock<'_> {
    /// The extensions as `Ieee1609ContributedHeaderInfoExtension`s, if the
    /// contributor is IEEE 1609 (`ieee1609HeaderInfoContributorId`).
    pub fn ieee1609_extensions(
        &self,
    ) -> Option<Result<Vec<Ieee1609ContributedHeaderInfoExtension<'_>>, DecodeError>> {
        (self.contributor_id == IEEE1609_HEADER_INFO_CONTRIBUTOR_ID).then(|| {
            self.extns
                .iter()
                .map(|x| crate::decode(x.bytes()))
                .collect()
        })
    }

    /// The extensions as `EtsiOriginatingHeaderInfoExtension`s, if the contributor
    /// is ETSI (`etsiHeaderInfoContributorId`).
    pub fn etsi_extensions(
        &self,
    ) -> Option<Result<Vec<EtsiOriginatingHeaderInfoExtension<'_>>, DecodeError>> {
        (self.contributor_id == ETSI_HEADER_INFO_CONTRIBUTOR_ID).then(|| {
            self.extns
                .iter()
                .map(|x| crate::decode(x.bytes()))
                .collect()
        })
    }
}

/// `HeaderInfoContributorId ::= INTEGER (0..255)` (6.3.15).
pub type HeaderInfoContributorId = u8;
/// `ieee1609HeaderInfoContributorId HeaderInfoContributorId ::= 1`.
pub const IEEE1609_HEADER_INFO_CONTRIBUTOR_ID: HeaderInfoContributorId = 1;
/// `etsiHeaderInfoContributorId HeaderInfoContributorId ::= 2`.
pub const ETSI_HEADER_INFO_CONTRIBUTOR_ID: HeaderInfoContributorId = 2;

/// `SignerIdentifier` (6.3.24).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum SignerIdentifier<'a> {
    Digest(HashedId8),
    Certificate(SequenceOfCertificate<'a>),
    #[asn1(name = "self")]
    SelfSigned,
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `Countersignature` (6.3.31): an `Ieee1609Dot2Data` that is signed data over an
/// external hash, with a generation time and none of the other root header fields.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_countersignature")]
pub struct Countersignature<'a>(pub Ieee1609Dot2Data<'a>);

fn check_countersignature(c: &Countersignature<'_>) -> Result<(), &'static str> {
    let Some(sd) = c.0.signed_data() else {
        // Only the signedData alternative is constrained; others are left as they are.
        return Ok(());
    };
    let p = &sd.tbs_data.payload;
    if p.data.is_some() || p.ext_data_hash.is_none() {
        return Err("Countersignature: data ABSENT, extDataHash PRESENT");
    }
    let h = &sd.tbs_data.header_info;
    if h.generation_time.is_none()
        || h.expiry_time.is_some()
        || h.generation_location.is_some()
        || h.p2pcd_learning_request.is_some()
        || h.missing_crl_identifier.is_some()
        || h.encryption_key.is_some()
    {
        return Err("Countersignature: headerInfo has generationTime only");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Encryption
// ---------------------------------------------------------------------------

/// `EncryptedData` (6.3.32).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct EncryptedData<'a> {
    pub recipients: SequenceOfRecipientInfo<'a>,
    pub ciphertext: SymmetricCiphertext<'a>,
}

/// `RecipientInfo` (6.3.33).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum RecipientInfo<'a> {
    PskRecipInfo(PreSharedKeyRecipientInfo),
    SymmRecipInfo(SymmRecipientInfo<'a>),
    CertRecipInfo(PKRecipientInfo),
    SignedDataRecipInfo(PKRecipientInfo),
    RekRecipInfo(PKRecipientInfo),
}

/// `SequenceOfRecipientInfo ::= SEQUENCE OF RecipientInfo`.
pub type SequenceOfRecipientInfo<'a> = Vec<RecipientInfo<'a>>;
/// `PreSharedKeyRecipientInfo ::= HashedId8` (6.3.35).
pub type PreSharedKeyRecipientInfo = HashedId8;

/// `SymmRecipientInfo` (6.3.36).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct SymmRecipientInfo<'a> {
    pub recipient_id: HashedId8,
    pub enc_key: SymmetricCiphertext<'a>,
}

/// `PKRecipientInfo` (6.3.37).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, name = "PKRecipientInfo")]
pub struct PKRecipientInfo {
    pub recipient_id: HashedId8,
    pub enc_key: EncryptedDataEncryptionKey,
}

/// `EncryptedDataEncryptionKey` (6.3.38).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum EncryptedDataEncryptionKey {
    EciesNistP256(EciesP256EncryptedKey),
    EciesBrainpoolP256r1(EciesP256EncryptedKey),
    #[asn1(ext)]
    EcencSm2256(EcencP256EncryptedKey),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `SymmetricCiphertext` (6.3.39).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum SymmetricCiphertext<'a> {
    Aes128ccm(One28BitCcmCiphertext<'a>),
    #[asn1(ext)]
    Sm4Ccm(One28BitCcmCiphertext<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `One28BitCcmCiphertext` (6.3.40): a 12-byte nonce and the CCM ciphertext with tag.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct One28BitCcmCiphertext<'a> {
    pub nonce: [u8; 12],
    pub ccm_ciphertext: Opaque<'a>,
}

/// `Aes128CcmCiphertext ::= One28BitCcmCiphertext`.
pub type Aes128CcmCiphertext<'a> = One28BitCcmCiphertext<'a>;

// ---------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------

/// `Certificate ::= CertificateBase (ImplicitCertificate | ExplicitCertificate)` (6.4.2).
///
/// A decoded certificate keeps its received bytes ([`Spanned::raw`]): hash those for
/// its HashedId8 and for the signer part of a signing input. The constraint
/// `(ImplicitCertificate | ExplicitCertificate)` is checked on every decode and
/// encode of [`CertificateBase`] (see [`CertificateBase::is_implicit`] and
/// [`CertificateBase::is_explicit`]).
pub type Certificate<'a> = Spanned<'a, CertificateBase<'a>>;
/// `TestCertificate ::= Certificate`.
pub type TestCertificate<'a> = Certificate<'a>;
/// `SequenceOfCertificate ::= SEQUENCE OF Certificate`.
pub type SequenceOfCertificate<'a> = Vec<Certificate<'a>>;

/// `CertificateBase` (6.4.3). `version` is 3. `to_be_signed` keeps the received
/// bytes the issuer's signature covers.
///
/// Every `CertificateBase` in this crate is used as a `Certificate`, so the value
/// set `(ImplicitCertificate | ExplicitCertificate)` is enforced here: an implicit
/// certificate has a reconstruction value and no signature, an explicit one a
/// verification key and a signature.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, validate = "check_certificate", fixup = "fixup_certificate")]
pub struct CertificateBase<'a> {
    #[asn1(range(3..=3))]
    pub version: Uint8,
    pub r#type: CertificateType,
    pub issuer: IssuerIdentifier,
    pub to_be_signed: Spanned<'a, ToBeSignedCertificate<'a>>,
    #[asn1(optional)]
    pub signature: Option<Signature>,
}

impl CertificateBase<'_> {
    /// The certificate version of this standard.
    pub const VERSION: Uint8 = 3;

    /// `ImplicitCertificate` (6.4.5): type implicit, a reconstruction value, no signature.
    pub fn is_implicit(&self) -> bool {
        self.r#type == CertificateType::Implicit
            && matches!(
                self.to_be_signed.verify_key_indicator,
                VerificationKeyIndicator::ReconstructionValue(_)
            )
            && self.signature.is_none()
    }

    /// `ExplicitCertificate` (6.4.6): type explicit, a verification key, a signature.
    pub fn is_explicit(&self) -> bool {
        self.r#type == CertificateType::Explicit
            && matches!(
                self.to_be_signed.verify_key_indicator,
                VerificationKeyIndicator::VerificationKey(_)
            )
            && self.signature.is_some()
    }

    /// True if the issuer is `self` (a self-signed root).
    pub fn is_self_signed(&self) -> bool {
        matches!(self.issuer, IssuerIdentifier::SelfSigned(_))
    }
}

fn check_certificate(c: &CertificateBase<'_>) -> Result<(), &'static str> {
    if c.is_implicit() || c.is_explicit() {
        Ok(())
    } else {
        Err("Certificate is neither an ImplicitCertificate nor an ExplicitCertificate")
    }
}

fn fixup_certificate(
    c: &mut CertificateBase<'_>,
    u: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    let implicit = matches!(
        c.to_be_signed.verify_key_indicator,
        VerificationKeyIndicator::ReconstructionValue(_)
    );
    if implicit {
        c.r#type = CertificateType::Implicit;
        c.signature = None;
    } else {
        if !matches!(
            c.to_be_signed.verify_key_indicator,
            VerificationKeyIndicator::VerificationKey(_)
        ) {
            let mut tbs = c.to_be_signed.value().clone();
            tbs.verify_key_indicator =
                VerificationKeyIndicator::VerificationKey(PublicVerificationKey::generate(u)?);
            c.to_be_signed = Spanned::new(tbs);
        }
        c.r#type = CertificateType::Explicit;
        if c.signature.is_none() {
            c.signature = Some(Signature::generate(u)?);
        }
    }
    Ok(())
}

/// `CertificateType` (6.4.4).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(enumerated, extensible)]
pub enum CertificateType {
    Explicit = 0,
    Implicit = 1,
}

/// `IssuerIdentifier` (6.4.7).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum IssuerIdentifier {
    Sha256AndDigest(HashedId8),
    #[asn1(name = "self")]
    SelfSigned(HashAlgorithm),
    #[asn1(ext)]
    Sha384AndDigest(HashedId8),
    #[asn1(ext)]
    Sm3AndDigest(HashedId8),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `ToBeSignedCertificate` (6.4.8): at least one of `appPermissions`,
/// `certIssuePermissions`, `certRequestPermissions` is present.
///
/// The four extension additions are declared without OPTIONAL in the 2022 module
/// but every certificate issued before them lacks them, so all four are optional
/// here (each is an open type behind the extension presence bitmap).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    extensible,
    validate = "check_tbs_certificate",
    fixup = "fixup_tbs_certificate"
)]
pub struct ToBeSignedCertificate<'a> {
    pub id: CertificateId<'a>,
    pub craca_id: HashedId3,
    pub crl_series: CrlSeries,
    pub validity_period: ValidityPeriod,
    #[asn1(optional)]
    pub region: Option<GeographicRegion>,
    #[asn1(optional)]
    pub assurance_level: Option<SubjectAssurance>,
    #[asn1(optional)]
    pub app_permissions: Option<SequenceOfPsidSsp<'a>>,
    #[asn1(optional)]
    pub cert_issue_permissions: Option<SequenceOfPsidGroupPermissions<'a>>,
    #[asn1(optional)]
    pub cert_request_permissions: Option<SequenceOfPsidGroupPermissions<'a>>,
    #[asn1(optional)]
    pub can_request_rollover: Option<Null>,
    #[asn1(optional)]
    pub encryption_key: Option<PublicEncryptionKey>,
    pub verify_key_indicator: VerificationKeyIndicator,
    /// `BIT STRING {usesCubk (0)} (SIZE (8))`; see [`ToBeSignedCertificate::USES_CUBK`].
    #[asn1(ext, size(8))]
    pub flags: Option<BitString<'a>>,
    #[asn1(ext)]
    pub app_extensions: Option<SequenceOfAppExtensions<'a>>,
    #[asn1(ext)]
    pub cert_issue_extensions: Option<SequenceOfCertIssueExtensions<'a>>,
    #[asn1(ext)]
    pub cert_request_extension: Option<SequenceOfCertRequestExtensions<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

impl ToBeSignedCertificate<'_> {
    /// Bit `usesCubk (0)` of `flags`: the certificate was issued with a compact
    /// unified butterfly key.
    pub const USES_CUBK: usize = 0;

    /// The `flags` value with `usesCubk` set.
    pub fn flags_uses_cubk() -> BitString<'static> {
        BitString::with_bits(8, &[Self::USES_CUBK])
    }

    /// True if `flags` is present with `usesCubk` set.
    pub fn uses_cubk(&self) -> bool {
        self.flags.as_ref().is_some_and(|f| f.get(Self::USES_CUBK))
    }
}

fn check_tbs_certificate(t: &ToBeSignedCertificate<'_>) -> Result<(), &'static str> {
    if t.app_permissions.is_none()
        && t.cert_issue_permissions.is_none()
        && t.cert_request_permissions.is_none()
    {
        return Err(
            "ToBeSignedCertificate needs appPermissions, certIssuePermissions or certRequestPermissions",
        );
    }
    Ok(())
}

fn fixup_tbs_certificate(
    t: &mut ToBeSignedCertificate<'_>,
    _: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    if check_tbs_certificate(t).is_err() {
        t.app_permissions = Some(Vec::new());
    }
    Ok(())
}

/// `CertificateId` (6.4.9).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum CertificateId<'a> {
    LinkageData(LinkageData),
    Name(Hostname<'a>),
    #[asn1(size(1..=64))]
    BinaryId(Octets<'a>),
    None,
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `LinkageData` (6.4.10).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct LinkageData {
    pub i_cert: IValue,
    #[asn1(name = "linkage-value")]
    pub linkage_value: LinkageValue,
    #[asn1(optional, name = "group-linkage-value")]
    pub group_linkage_value: Option<GroupLinkageValue>,
}

/// `EndEntityType ::= BIT STRING {app (0), enrol (1)} (SIZE (8)) (ALL EXCEPT {})` (6.4.11):
/// at least one bit is set.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(
    newtype,
    size(8),
    validate = "check_end_entity_type",
    fixup = "fixup_end_entity_type"
)]
pub struct EndEntityType<'a>(pub BitString<'a>);

impl EndEntityType<'_> {
    /// Named bit `app (0)`.
    pub const APP: usize = 0;
    /// Named bit `enrol (1)`.
    pub const ENROL: usize = 1;

    /// `{app}`, the DEFAULT of `PsidGroupPermissions.eeType`.
    pub fn app() -> EndEntityType<'static> {
        EndEntityType(BitString::with_bits(8, &[Self::APP]))
    }

    /// `{enrol}`.
    pub fn enrol() -> EndEntityType<'static> {
        EndEntityType(BitString::with_bits(8, &[Self::ENROL]))
    }

    pub fn is_app(&self) -> bool {
        self.0.get(Self::APP)
    }

    pub fn is_enrol(&self) -> bool {
        self.0.get(Self::ENROL)
    }
}

fn check_end_entity_type(e: &EndEntityType<'_>) -> Result<(), &'static str> {
    if e.0.bytes.iter().all(|b| *b == 0) {
        return Err("EndEntityType: no bit set (ALL EXCEPT {})");
    }
    Ok(())
}

fn fixup_end_entity_type(
    e: &mut EndEntityType<'_>,
    _: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    if check_end_entity_type(e).is_err() {
        *e = EndEntityType(BitString::with_bits(8, &[EndEntityType::APP]));
    }
    Ok(())
}

/// `PsidGroupPermissions` (6.4.12).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct PsidGroupPermissions<'a> {
    pub subject_permissions: SubjectPermissions<'a>,
    /// `INTEGER DEFAULT 1` (unconstrained; values beyond i64 are rejected).
    #[asn1(default = "1", range(..))]
    pub min_chain_length: i64,
    /// `INTEGER DEFAULT 0` (unconstrained; values beyond i64 are rejected).
    #[asn1(default = "0", range(..))]
    pub chain_length_range: i64,
    #[asn1(default = "EndEntityType::app()")]
    pub ee_type: EndEntityType<'a>,
}

/// `SequenceOfPsidGroupPermissions ::= SEQUENCE OF PsidGroupPermissions`.
pub type SequenceOfPsidGroupPermissions<'a> = Vec<PsidGroupPermissions<'a>>;

/// `SubjectPermissions` (6.4.14).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum SubjectPermissions<'a> {
    Explicit(SequenceOfPsidSspRange<'a>),
    All,
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `VerificationKeyIndicator` (6.4.15).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum VerificationKeyIndicator {
    VerificationKey(PublicVerificationKey),
    ReconstructionValue(EccP256CurvePoint),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

// ---------------------------------------------------------------------------
// Header info extensions (EXT-TYPE instances)
// ---------------------------------------------------------------------------

/// `Ieee1609ContributedHeaderInfoExtension ::= Extension{{Ieee1609HeaderInfoExtensions}}`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct Ieee1609ContributedHeaderInfoExtension<'a> {
    pub id: Ieee1609HeaderInfoExtensionId,
    pub content: Open<'a>,
}

impl Ieee1609ContributedHeaderInfoExtension<'_> {
    /// `p2pcd8ByteLearningRequestId`: the content is a `HashedId8`.
    pub fn p2pcd8_byte_learning_request(&self) -> Option<Result<HashedId8, DecodeError>> {
        (self.id == P2PCD8_BYTE_LEARNING_REQUEST_ID).then(|| crate::decode(self.content.bytes()))
    }

    /// A `p2pcd8ByteLearningRequest` extension.
    pub fn new_p2pcd8_byte_learning_request(
        h: &HashedId8,
    ) -> Ieee1609ContributedHeaderInfoExtension<'static> {
        Ieee1609ContributedHeaderInfoExtension {
            id: P2PCD8_BYTE_LEARNING_REQUEST_ID,
            content: Open(std::borrow::Cow::Owned(h.to_vec())),
        }
    }
}

/// `Ieee1609HeaderInfoExtensionId ::= ExtId`.
pub type Ieee1609HeaderInfoExtensionId = ExtId;
/// `p2pcd8ByteLearningRequestId Ieee1609HeaderInfoExtensionId ::= 1`.
pub const P2PCD8_BYTE_LEARNING_REQUEST_ID: Ieee1609HeaderInfoExtensionId = 1;

// ---------------------------------------------------------------------------
// Certificate extensions (CERT-EXT-TYPE instances)
// ---------------------------------------------------------------------------

/// `SequenceOfAppExtensions ::= SEQUENCE (SIZE(1..MAX)) OF AppExtension`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(newtype, size(1..))]
pub struct SequenceOfAppExtensions<'a>(pub Vec<AppExtension<'a>>);

/// `AppExtension` (6.4.17): `id` and `CERT-EXT-TYPE.&App` content.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct AppExtension<'a> {
    pub id: ExtId,
    pub content: Open<'a>,
}

impl AppExtension<'_> {
    /// `certExtId-OperatingOrganization`: the content is an `OperatingOrganizationId`.
    pub fn operating_organization(
        &self,
    ) -> Option<Result<OperatingOrganizationId<'_>, DecodeError>> {
        (self.id == CERT_EXT_ID_OPERATING_ORGANIZATION).then(|| crate::decode(self.content.bytes()))
    }

    /// An `AppExtension` naming the operating organization.
    pub fn new_operating_organization(
        oid: &OperatingOrganizationId<'_>,
    ) -> Result<AppExtension<'static>, crate::EncodeError> {
        Ok(AppExtension {
            id: CERT_EXT_ID_OPERATING_ORGANIZATION,
            content: Open::from_value(oid)?,
        })
    }
}

/// `SequenceOfCertIssueExtensions ::= SEQUENCE (SIZE(1..MAX)) OF CertIssueExtension`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(newtype, size(1..))]
pub struct SequenceOfCertIssueExtensions<'a>(pub Vec<CertIssueExtension<'a>>);

/// `CertIssueExtension` (6.4.19).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct CertIssueExtension<'a> {
    pub id: ExtId,
    pub permissions: CertIssueExtensionPermissions<'a>,
}

/// The inline `permissions CHOICE` of [`CertIssueExtension`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice)]
pub enum CertIssueExtensionPermissions<'a> {
    /// `CERT-EXT-TYPE.&Issue` (NULL for the operating organization).
    Specific(Open<'a>),
    All,
}

impl CertIssueExtension<'_> {
    /// For `certExtId-OperatingOrganization`: `Some(Ok(()))` if the content is the
    /// `NULL` its `&Issue` field defines (or `all`).
    pub fn operating_organization(&self) -> Option<Result<(), DecodeError>> {
        (self.id == CERT_EXT_ID_OPERATING_ORGANIZATION).then(|| match &self.permissions {
            CertIssueExtensionPermissions::Specific(o) => {
                crate::decode::<Null>(o.bytes()).map(|_| ())
            }
            CertIssueExtensionPermissions::All => Ok(()),
        })
    }
}

/// `SequenceOfCertRequestExtensions ::= SEQUENCE (SIZE(1..MAX)) OF CertRequestExtension`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(newtype, size(1..))]
pub struct SequenceOfCertRequestExtensions<'a>(pub Vec<CertRequestExtension<'a>>);

/// `CertRequestExtension` (6.4.21).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct CertRequestExtension<'a> {
    pub id: ExtId,
    pub permissions: CertRequestExtensionPermissions<'a>,
}

/// The inline `permissions CHOICE` of [`CertRequestExtension`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice)]
pub enum CertRequestExtensionPermissions<'a> {
    /// `CERT-EXT-TYPE.&Req` (NULL for the operating organization).
    Content(Open<'a>),
    All,
}

impl CertRequestExtension<'_> {
    /// For `certExtId-OperatingOrganization`: `Some(Ok(()))` if the content is the
    /// `NULL` its `&Req` field defines (or `all`).
    pub fn operating_organization(&self) -> Option<Result<(), DecodeError>> {
        (self.id == CERT_EXT_ID_OPERATING_ORGANIZATION).then(|| match &self.permissions {
            CertRequestExtensionPermissions::Content(o) => {
                crate::decode::<Null>(o.bytes()).map(|_| ())
            }
            CertRequestExtensionPermissions::All => Ok(()),
        })
    }
}

/// `OperatingOrganizationId ::= OBJECT IDENTIFIER` (6.4.23).
pub type OperatingOrganizationId<'a> = ObjectIdentifier<'a>;
/// `certExtId-OperatingOrganization ExtId ::= 1`.
pub const CERT_EXT_ID_OPERATING_ORGANIZATION: ExtId = 1;
