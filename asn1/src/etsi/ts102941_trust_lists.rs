//! `EtsiTs102941TrustLists` (ETSI TS 102 941 v2.2.1, major 3 minor 1): the CRL content
//! and the certificate trust lists signed by the TLM (ECTL) and by root CAs (CTL).
//!
//! `ToBeSignedTlmCtl`, `ToBeSignedRcaCtl` and `FullCtl` carry constraints inside comments
//! in the published module; TS 102 941 clause 6.3 states them in text (a TLM list adds
//! only root CAs, TLMs and DCs; an RCA list adds only EAs, AAs and DCs; a full list
//! deletes nothing), and they are enforced here.

use crate::codec::{Ia5String, UnknownAlternative, UnknownExtensions};
use crate::etsi::ts102941_base_types::{HashedId8, Time32, Version};
use crate::etsi::ts103097::EtsiTs103097Certificate;
use crate::Asn1;
use arbitrary::Unstructured;

/// `ToBeSignedCrl`: the content of a CA's CRL (revoked certificates by HashedId8).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedCrl {
    pub version: Version,
    pub this_update: Time32,
    pub next_update: Time32,
    pub entries: Vec<CrlEntry>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `CrlEntry ::= HashedId8`.
pub type CrlEntry = HashedId8;

/// `ToBeSignedTlmCtl ::= CtlFormat (FullCtl | DeltaCtl)`: the European CTL (ECTL) of the
/// TLM; it adds no EA and no AA.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_tlm_ctl", fixup = "fix_tlm_ctl")]
pub struct ToBeSignedTlmCtl<'a>(pub CtlFormat<'a>);

fn check_tlm_ctl(v: &ToBeSignedTlmCtl<'_>) -> Result<(), &'static str> {
    check_full_or_delta(&v.0)?;
    if v.0.ctl_commands.iter().any(|c| {
        matches!(
            c,
            CtlCommand::Add(CtlEntry::Ea(_)) | CtlCommand::Add(CtlEntry::Aa(_))
        )
    }) {
        return Err("ToBeSignedTlmCtl: a TLM list adds no EA or AA");
    }
    Ok(())
}

fn fix_tlm_ctl(v: &mut ToBeSignedTlmCtl<'_>, _u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    v.0.ctl_commands.retain(|c| {
        !matches!(
            c,
            CtlCommand::Add(CtlEntry::Ea(_)) | CtlCommand::Add(CtlEntry::Aa(_))
        )
    });
    fix_full_or_delta(&mut v.0);
    Ok(())
}

/// `ToBeSignedRcaCtl ::= CtlFormat (FullCtl | DeltaCtl)`: the CTL of a root CA; it adds
/// no root CA and no TLM.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_rca_ctl", fixup = "fix_rca_ctl")]
pub struct ToBeSignedRcaCtl<'a>(pub CtlFormat<'a>);

fn check_rca_ctl(v: &ToBeSignedRcaCtl<'_>) -> Result<(), &'static str> {
    check_full_or_delta(&v.0)?;
    if v.0.ctl_commands.iter().any(|c| {
        matches!(
            c,
            CtlCommand::Add(CtlEntry::Rca(_)) | CtlCommand::Add(CtlEntry::Tlm(_))
        )
    }) {
        return Err("ToBeSignedRcaCtl: a root CA list adds no root CA or TLM");
    }
    Ok(())
}

fn fix_rca_ctl(v: &mut ToBeSignedRcaCtl<'_>, _u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    v.0.ctl_commands.retain(|c| {
        !matches!(
            c,
            CtlCommand::Add(CtlEntry::Rca(_)) | CtlCommand::Add(CtlEntry::Tlm(_))
        )
    });
    fix_full_or_delta(&mut v.0);
    Ok(())
}

fn check_full_or_delta(v: &CtlFormat<'_>) -> Result<(), &'static str> {
    if v.is_full_ctl {
        check_full(v)
    } else {
        Ok(())
    }
}

fn fix_full_or_delta(v: &mut CtlFormat<'_>) {
    if v.is_full_ctl {
        v.ctl_commands
            .retain(|c| !matches!(c, CtlCommand::Delete(_)));
    }
}

fn check_full(v: &CtlFormat<'_>) -> Result<(), &'static str> {
    if !v.is_full_ctl {
        return Err("FullCtl: isFullCtl must be TRUE");
    }
    if v.ctl_commands
        .iter()
        .any(|c| matches!(c, CtlCommand::Delete(_)))
    {
        return Err("FullCtl: a full list has no delete command");
    }
    Ok(())
}

/// `FullCtl`: a complete list (`isFullCtl` TRUE, only additions).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_full_ctl", fixup = "fix_full_ctl")]
pub struct FullCtl<'a>(pub CtlFormat<'a>);

fn check_full_ctl(v: &FullCtl<'_>) -> Result<(), &'static str> {
    check_full(&v.0)
}

fn fix_full_ctl(v: &mut FullCtl<'_>, _u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    v.0.is_full_ctl = true;
    fix_full_or_delta(&mut v.0);
    Ok(())
}

/// `DeltaCtl`: changes since the previous list (`isFullCtl` FALSE).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_delta_ctl", fixup = "fix_delta_ctl")]
pub struct DeltaCtl<'a>(pub CtlFormat<'a>);

fn check_delta_ctl(v: &DeltaCtl<'_>) -> Result<(), &'static str> {
    if v.0.is_full_ctl {
        Err("DeltaCtl: isFullCtl must be FALSE")
    } else {
        Ok(())
    }
}

fn fix_delta_ctl(v: &mut DeltaCtl<'_>, _u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    v.0.is_full_ctl = false;
    Ok(())
}

/// `CtlFormat`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct CtlFormat<'a> {
    pub version: Version,
    pub next_update: Time32,
    pub is_full_ctl: bool,
    pub ctl_sequence: u8,
    pub ctl_commands: Vec<CtlCommand<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `CtlCommand`.
// Messages are decoded once and not moved around: no boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum CtlCommand<'a> {
    Add(CtlEntry<'a>),
    Delete(CtlDelete<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `CtlEntry`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum CtlEntry<'a> {
    Rca(RootCaEntry<'a>),
    Ea(EaEntry<'a>),
    Aa(AaEntry<'a>),
    Dc(DcEntry<'a>),
    Tlm(TlmEntry<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `CtlDelete`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum CtlDelete<'a> {
    Cert(HashedId8),
    Dc(DcDelete<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `TlmEntry`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct TlmEntry<'a> {
    #[asn1(name = "selfSignedTLMCertificate")]
    pub self_signed_tlm_certificate: EtsiTs103097Certificate<'a>,
    #[asn1(optional)]
    pub successor_to: Option<EtsiTs103097Certificate<'a>>,
    pub access_point: Url<'a>,
}

/// `RootCaEntry`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct RootCaEntry<'a> {
    pub selfsigned_root_ca: EtsiTs103097Certificate<'a>,
    #[asn1(optional)]
    pub successor_to: Option<EtsiTs103097Certificate<'a>>,
}

/// `EaEntry`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct EaEntry<'a> {
    pub ea_certificate: EtsiTs103097Certificate<'a>,
    pub aa_access_point: Url<'a>,
    #[asn1(optional)]
    pub its_access_point: Option<Url<'a>>,
}

/// `AaEntry`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct AaEntry<'a> {
    pub aa_certificate: EtsiTs103097Certificate<'a>,
    pub access_point: Url<'a>,
}

/// `DcEntry`: a distribution centre and the root CAs it serves.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct DcEntry<'a> {
    pub url: Url<'a>,
    pub cert: Vec<HashedId8>,
}

/// `DcDelete ::= Url`.
pub type DcDelete<'a> = Url<'a>;

/// `Url ::= IA5String`.
pub type Url<'a> = Ia5String<'a>;
