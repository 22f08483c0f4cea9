//! `Ieee1609Dot2Dot1AcaRaInterface` (IEEE 1609.2.1-2022): the RA's certificate
//! request to the ACA (with the encrypted pre-linkage values) and the ACA's
//! response.

use crate::codec::{BitString, UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{HashedId8, LaId, PublicEncryptionKey, Time32, Uint8};
use crate::ieee1609dot2::dot2::{CertificateType, ToBeSignedCertificate};
use crate::Asn1;

use super::protocol::{
    AcaEeCertResponseCubkSpdu, AcaEeCertResponsePlainSpdu, AcaEeCertResponsePrivateSpdu,
    Ieee1609Dot2DataSymmEncryptedSingleRecipient,
};

/// `AcaRaInterfacePdu`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
#[allow(clippy::large_enum_variant)] // one PDU at a time: no boxing
pub enum AcaRaInterfacePdu<'a> {
    RaAcaCertRequest(RaAcaCertRequest<'a>),
    AcaRaCertResponse(AcaRaCertResponse<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `RaAcaCertRequest`.
///
/// The `WITH COMPONENTS` constraint on `tbsCert` is a request profile that the ACA
/// enforces with [`RaAcaCertRequest::check_tbs_cert`] rather than at decoding.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct RaAcaCertRequest<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub r#type: CertificateType,
    pub flags: RaAcaCertRequestFlags<'a>,
    #[asn1(optional)]
    pub linkage_info: Option<LinkageInfo<'a>>,
    #[asn1(optional)]
    pub cert_enc_key: Option<PublicEncryptionKey>,
    pub tbs_cert: ToBeSignedCertificate<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

impl RaAcaCertRequest<'_> {
    /// The `tbsCert` constraint: cracaId `000000`H, crlSeries 0, appPermissions
    /// present, certIssuePermissions and certRequestPermissions absent.
    pub fn check_tbs_cert(&self) -> Result<(), &'static str> {
        let t = &self.tbs_cert;
        if t.craca_id != [0; 3] {
            return Err("RaAcaCertRequest.tbsCert: cracaId is not 000000");
        }
        if t.crl_series != 0 {
            return Err("RaAcaCertRequest.tbsCert: crlSeries is not 0");
        }
        if t.app_permissions.is_none() {
            return Err("RaAcaCertRequest.tbsCert: appPermissions absent");
        }
        if t.cert_issue_permissions.is_some() || t.cert_request_permissions.is_some() {
            return Err(
                "RaAcaCertRequest.tbsCert: certIssuePermissions/certRequestPermissions present",
            );
        }
        Ok(())
    }
}

/// `RaAcaCertRequestFlags ::= BIT STRING {butterflyExplicit (0), cubk (1)} (SIZE (8))`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, size(8))]
pub struct RaAcaCertRequestFlags<'a>(pub BitString<'a>);

impl RaAcaCertRequestFlags<'_> {
    /// Bit `butterflyExplicit (0)`.
    pub const BUTTERFLY_EXPLICIT: usize = 0;
    /// Bit `cubk (1)`.
    pub const CUBK: usize = 1;

    /// Flags with the given named bits set.
    pub fn with(bits: &[usize]) -> RaAcaCertRequestFlags<'static> {
        RaAcaCertRequestFlags(BitString::with_bits(8, bits))
    }

    /// Whether `butterflyExplicit` is set.
    pub fn butterfly_explicit(&self) -> bool {
        self.0.get(Self::BUTTERFLY_EXPLICIT)
    }

    /// Whether `cubk` is set.
    pub fn cubk(&self) -> bool {
        self.0.get(Self::CUBK)
    }
}

/// `LinkageInfo`: the two encrypted pre-linkage values (one per LA).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct LinkageInfo<'a> {
    pub enc_plv1: EncryptedIndividualPLV<'a>,
    pub enc_plv2: EncryptedIndividualPLV<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `EncryptedIndividualPLV`: a pre-linkage value encrypted by an LA for the ACA.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct EncryptedIndividualPLV<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub la_id: LaId,
    /// `Ieee1609Dot2Data-SymmEncryptedSingleRecipient {PreLinkageValue}`.
    pub enc_plv: Ieee1609Dot2DataSymmEncryptedSingleRecipient<'a>,
}

/// `PreLinkageValue ::= OCTET STRING (SIZE(9))`.
pub type PreLinkageValue = [u8; 9];

/// `AcaRaCertResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct AcaRaCertResponse<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub request_hash: HashedId8,
    pub aca_response: AcaResponse<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `AcaResponse`: the ACA's response to the EE, in one of three protections.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum AcaResponse<'a> {
    Plain(AcaEeCertResponsePlainSpdu<'a>),
    Private(AcaEeCertResponsePrivateSpdu<'a>),
    Cubk(AcaEeCertResponseCubkSpdu<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}
