//! `Ieee1609Dot2Dot1CertManagement` (IEEE 1609.2.1-2022): composite CRL/CTL,
//! certificate chains, the multi-signed certificate trust list (CTL) and the
//! certificate management information status.

use crate::codec::{
    decode, DecodeError, EncodeError, ErrorKind, Open, UnknownAlternative, UnknownExtensions,
};
use crate::ieee1609dot2::base_types::{
    CrlSeries, HashedId32, HashedId48, HashedId8, SequenceOfPsid, Time32,
};
use crate::ieee1609dot2::crl::SecuredCrl;
use crate::ieee1609dot2::dot2::{Certificate, SequenceOfCertificate};
use crate::Asn1;

use super::protocol::{CtlSignatureSpdu, MultiSignedCtlSpdu};

/// `CertManagementPdu`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum CertManagementPdu<'a> {
    CompositeCrl(CompositeCrl<'a>),
    CertificateChain(CertificateChain<'a>),
    MultiSignedCtl(MultiSignedCtl<'a>),
    TbsCtlSignature(ToBeSignedCtlSignature),
    InfoStatus(CertificateManagementInfoStatus),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `CompositeCrl`: the CRLs of an electorate with its home CTL.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct CompositeCrl<'a> {
    pub crl: Vec<SecuredCrl<'a>>,
    pub home_ctl: MultiSignedCtlSpdu<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `CertificateChain`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct CertificateChain<'a> {
    pub home_ctl: MultiSignedCtlSpdu<'a>,
    pub others: Vec<Certificate<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `MultiSignedCtl`: a CTL signed by a quorum of electors.
///
/// `tbsCtl` and `unsigned` are the open types `IEEE-1609-2-1-MSCTL.&TbsCtl` and
/// `&UnsignedCtlMaterial` selected by `type` from `Ieee1609dot2dot1Ctls`. For the
/// one known type, [`FULL_IEEE_CTL`], decoding checks the table constraint (they
/// are a `FullIeeeTbsCtl` and a `SequenceOfCertificate`); other types (the object
/// set is extensible) are kept as bytes. Signatures cover `tbsCtl` (see
/// `ToBeSignedCtlSignature.tbsCtlHash`), whose bytes are [`MultiSignedCtl::tbs_ctl`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    validate = "check_multi_signed_ctl",
    fixup = "fix_multi_signed_ctl"
)]
pub struct MultiSignedCtl<'a> {
    pub r#type: Ieee1609dot2dot1MsctlType,
    pub tbs_ctl: Open<'a>,
    pub unsigned: Open<'a>,
    #[asn1(size(1..))]
    pub signatures: Vec<CtlSignatureSpdu<'a>>,
}

fn check_multi_signed_ctl(v: &MultiSignedCtl<'_>) -> Result<(), &'static str> {
    if v.r#type == FULL_IEEE_CTL {
        v.full_ieee_tbs_ctl()
            .map_err(|_| "MultiSignedCtl: tbsCtl is not a FullIeeeTbsCtl")?;
        v.full_ieee_unsigned()
            .map_err(|_| "MultiSignedCtl: unsigned is not a SequenceOfCertificate")?;
    }
    Ok(())
}

fn fix_multi_signed_ctl<'a>(
    v: &mut MultiSignedCtl<'a>,
    u: &mut arbitrary::Unstructured<'a>,
) -> arbitrary::Result<()> {
    use crate::codec::Generate;
    if u.arbitrary::<bool>()? {
        // A well-formed fullIeeeCtl.
        let tbs = FullIeeeTbsCtl::generate(u)?;
        let unsigned = SequenceOfCertificate::generate(u)?;
        v.r#type = FULL_IEEE_CTL;
        v.tbs_ctl = Open::from_value(&tbs).map_err(|_| arbitrary::Error::IncorrectFormat)?;
        v.unsigned = Open::from_value(&unsigned).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    } else if v.r#type == FULL_IEEE_CTL {
        v.r#type = 0;
    }
    Ok(())
}

impl<'a> MultiSignedCtl<'a> {
    /// A `fullIeeeCtl` MultiSignedCtl from its typed parts.
    pub fn full_ieee(
        tbs_ctl: &FullIeeeTbsCtl,
        unsigned: &SequenceOfCertificate<'_>,
        signatures: Vec<CtlSignatureSpdu<'a>>,
    ) -> Result<Self, EncodeError> {
        Ok(Self {
            r#type: FULL_IEEE_CTL,
            tbs_ctl: Open::from_value(tbs_ctl)?,
            unsigned: Open::from_value(unsigned)?,
            signatures,
        })
    }

    /// `tbsCtl` as a `FullIeeeTbsCtl` (type must be `fullIeeeCtl`).
    pub fn full_ieee_tbs_ctl(&self) -> Result<FullIeeeTbsCtl, DecodeError> {
        if self.r#type != FULL_IEEE_CTL {
            return Err(DecodeError::new(
                ErrorKind::Constraint("MultiSignedCtl: type is not fullIeeeCtl"),
                0,
            ));
        }
        decode(self.tbs_ctl.bytes())
    }

    /// `unsigned` as the `SequenceOfCertificate` of a `fullIeeeCtl`.
    pub fn full_ieee_unsigned(&self) -> Result<SequenceOfCertificate<'_>, DecodeError> {
        if self.r#type != FULL_IEEE_CTL {
            return Err(DecodeError::new(
                ErrorKind::Constraint("MultiSignedCtl: type is not fullIeeeCtl"),
                0,
            ));
        }
        decode(self.unsigned.bytes())
    }
}

/// `Ieee1609dot2dot1MsctlType ::= INTEGER (0..255)`.
pub type Ieee1609dot2dot1MsctlType = u8;

/// `fullIeeeCtl Ieee1609dot2dot1MsctlType ::= 1`.
pub const FULL_IEEE_CTL: Ieee1609dot2dot1MsctlType = 1;

/// `FullIeeeTbsCtl`: the to-be-signed full IEEE CTL.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct FullIeeeTbsCtl {
    /// `Ieee1609dot2dot1MsctlType (fullIeeeCtl)`: always 1.
    #[asn1(range(1..=1))]
    pub r#type: Ieee1609dot2dot1MsctlType,
    pub ctl_series_id: CtlSeriesId,
    pub sequence_number: CtlSequenceNumber,
    pub effective_date: Time32,
    pub elector_approve: Vec<CtlElectorEntry>,
    pub elector_remove: Vec<CtlElectorEntry>,
    pub root_ca_approve: Vec<CtlRootCaEntry>,
    pub root_ca_remove: Vec<CtlRootCaEntry>,
    /// Unconstrained `INTEGER`; values outside `i64` are rejected.
    #[asn1(ext, range(..))]
    pub quorum: Option<i64>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `CtlSeriesId ::= OCTET STRING (SIZE(8))`.
pub type CtlSeriesId = [u8; 8];

/// `CtlSequenceNumber ::= INTEGER(0..65535)`.
pub type CtlSequenceNumber = u16;

/// `CtlElectorEntry ::= HashedId48`.
pub type CtlElectorEntry = HashedId48;

/// `CtlRootCaEntry ::= HashedId32`.
pub type CtlRootCaEntry = HashedId32;

/// `ToBeSignedCtlSignature`: what each elector signs for a CTL.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct ToBeSignedCtlSignature {
    pub ctl_series_id: CtlSeriesId,
    pub ctl_type: Ieee1609dot2dot1MsctlType,
    pub sequence_number: CtlSequenceNumber,
    pub tbs_ctl_hash: HashedId48,
}

/// `CertificateManagementInfoStatus`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct CertificateManagementInfoStatus {
    pub crl: SequenceOfCrlInfoStatus,
    pub ctl: SequenceOfCtlInfoStatus,
    pub ca_ccf: Time32,
    pub ma: SequenceOfMaInfoStatus,
    #[asn1(optional)]
    pub ra: Option<Time32>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SequenceOfCtlInfoStatus ::= SEQUENCE OF CtlInfoStatus`.
pub type SequenceOfCtlInfoStatus = Vec<CtlInfoStatus>;

/// `CtlInfoStatus`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct CtlInfoStatus {
    pub ctl_series_id: CtlSeriesId,
    pub sequence_number: CtlSequenceNumber,
    pub last_update: Time32,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SequenceOfCrlInfoStatus ::= SEQUENCE OF CrlInfoStatus`.
pub type SequenceOfCrlInfoStatus = Vec<CrlInfoStatus>;

/// `CrlInfoStatus`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct CrlInfoStatus {
    pub craca_id: HashedId8,
    pub series: CrlSeries,
    pub issue_date: Time32,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SequenceOfMaInfoStatus ::= SEQUENCE OF MaInfoStatus`.
pub type SequenceOfMaInfoStatus = Vec<MaInfoStatus>;

/// `MaInfoStatus`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct MaInfoStatus {
    pub psids: SequenceOfPsid,
    pub updated: Time32,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}
