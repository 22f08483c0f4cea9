//! `Ieee1609Dot2Dot1EeRaInterface` (IEEE 1609.2.1-2022): the EE's authorization
//! certificate (butterfly) request to the RA, the RA's acknowledgement and
//! `.info` file, download requests and successor enrollment requests.

use crate::codec::{UnknownAlternative, UnknownExtensions, Utf8String};
use crate::ieee1609dot2::base_types::{HashedId8, IValue, PublicEncryptionKey, Time32, Uint8};
use crate::ieee1609dot2::dot2::{CertificateType, ToBeSignedCertificate, VerificationKeyIndicator};
use crate::Asn1;

use super::acpc::AcpcTreeId;
use super::protocol::EeEcaCertRequestSpdu;

/// `EeRaInterfacePdu`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
#[allow(clippy::large_enum_variant)] // one PDU at a time: no boxing
pub enum EeRaInterfacePdu<'a> {
    EeRaCertRequest(EeRaCertRequest<'a>),
    RaEeCertAck(RaEeCertAck),
    RaEeCertInfo(RaEeCertInfo),
    EeRaDownloadRequest(EeRaDownloadRequest<'a>),
    EeRaSuccessorEnrollmentCertRequest(EeEcaCertRequestSpdu<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `EeRaCertRequest`: the provisioning (authorization certificate) request.
///
/// The `WITH COMPONENTS` constraint on `tbsCert` is a request profile that the RA
/// enforces with [`EeRaCertRequest::check_tbs_cert`] rather than at decoding.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct EeRaCertRequest<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub r#type: CertificateType,
    pub tbs_cert: ToBeSignedCertificate<'a>,
    #[asn1(optional)]
    pub additional_params: Option<AdditionalParams>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

impl EeRaCertRequest<'_> {
    /// The `tbsCert` constraint: cracaId `000000`H, crlSeries 0, appPermissions
    /// present, certIssuePermissions and certRequestPermissions absent,
    /// verifyKeyIndicator a verificationKey.
    pub fn check_tbs_cert(&self) -> Result<(), &'static str> {
        let t = &self.tbs_cert;
        if t.craca_id != [0; 3] {
            return Err("EeRaCertRequest.tbsCert: cracaId is not 000000");
        }
        if t.crl_series != 0 {
            return Err("EeRaCertRequest.tbsCert: crlSeries is not 0");
        }
        if t.app_permissions.is_none() {
            return Err("EeRaCertRequest.tbsCert: appPermissions absent");
        }
        if t.cert_issue_permissions.is_some() || t.cert_request_permissions.is_some() {
            return Err(
                "EeRaCertRequest.tbsCert: certIssuePermissions/certRequestPermissions present",
            );
        }
        if !matches!(
            t.verify_key_indicator,
            VerificationKeyIndicator::VerificationKey(_)
        ) {
            return Err("EeRaCertRequest.tbsCert: verifyKeyIndicator is not verificationKey");
        }
        Ok(())
    }
}

/// `AdditionalParams`: butterfly key expansion parameters (or a plain encryption key).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum AdditionalParams {
    /// Original butterfly: separate signing and encryption expansions.
    Original(ButterflyParamsOriginal),
    /// Unified butterfly: one expansion for signing and encryption.
    Unified(ButterflyExpansion),
    /// Compact unified butterfly.
    CompactUnified(ButterflyExpansion),
    /// No butterfly: responses are encrypted with this key.
    EncryptionKey(PublicEncryptionKey),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `ButterflyParamsOriginal`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct ButterflyParamsOriginal {
    pub signing_expansion: ButterflyExpansion,
    pub encryption_key: PublicEncryptionKey,
    pub encryption_expansion: ButterflyExpansion,
}

/// `ButterflyExpansion`: the expansion function key.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum ButterflyExpansion {
    Aes128([u8; 16]),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `RaEeCertAck`: the RA's acknowledgement of an `EeRaCertRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct RaEeCertAck {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub request_hash: HashedId8,
    #[asn1(optional)]
    pub first_i: Option<IValue>,
    pub next_dl_time: Time32,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `RaEeCertInfo`: the `.info` file of a certificate batch.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct RaEeCertInfo {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub current_i: IValue,
    pub request_hash: HashedId8,
    pub next_dl_time: Time32,
    #[asn1(optional)]
    pub acpc_tree_id: Option<AcpcTreeId>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `EeRaDownloadRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct EeRaDownloadRequest<'a> {
    pub generation_time: Time32,
    #[asn1(size(0..=255))]
    pub filename: Utf8String<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// The download file name of a successor enrollment certificate: the
/// request's HashedId8 (of the `EeRaSuccessorEnrollmentCertRequestSpdu`) in
/// upper-case hex, then `.oer` (the single-file counterpart of the butterfly
/// batches' `<requestHash>_<i>.zip`).
pub fn successor_enrollment_filename(request_hash: &HashedId8) -> String {
    let mut s: String = request_hash.iter().map(|b| format!("{b:02X}")).collect();
    s.push_str(".oer");
    s
}

/// The request hash named by [`successor_enrollment_filename`] (either case).
pub fn parse_successor_enrollment_filename(name: &str) -> Option<HashedId8> {
    let hex = name.strip_suffix(".oer")?;
    if hex.len() != 16 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 8];
    for (k, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod filename_tests {
    use super::*;

    #[test]
    fn successor_filename_round_trips() {
        let h = [0x01, 0xab, 0, 0xff, 0x10, 0x20, 0x30, 0x40];
        let name = successor_enrollment_filename(&h);
        assert_eq!(name, "01AB00FF10203040.oer");
        assert_eq!(parse_successor_enrollment_filename(&name), Some(h));
        assert_eq!(
            parse_successor_enrollment_filename("01ab00ff10203040.oer"),
            Some(h)
        );
        for bad in [
            "01AB00FF1020304.oer",
            "01AB00FF10203040.zip",
            "0xAB00FF10203040.oer",
            "é1AB00FF102030.oer",
        ] {
            assert_eq!(parse_successor_enrollment_filename(bad), None, "{bad}");
        }
    }
}
