//! `EtsiTs103097ExtensionModule` (ETSI TS 103 097 header-info extensions, as
//! distributed with IEEE 1609.2-2022; major version 1, minor 0).

use super::base_types::ExtId;
use crate::codec::{DecodeError, Null, Open};
use crate::Asn1;

/// `ExtensionModuleVersion ::= INTEGER(1)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(newtype, range(1..=1))]
pub struct ExtensionModuleVersion(pub u8);

impl ExtensionModuleVersion {
    pub const V1: Self = Self(1);
}

/// `EtsiOriginatingHeaderInfoExtension ::= Extension{{EtsiTs103097HeaderInfoExtensions}}`:
/// an ETSI header-info extension (carried in a `ContributedExtensionBlock` with
/// contributor id `etsiHeaderInfoContributorId`).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct EtsiOriginatingHeaderInfoExtension<'a> {
    pub id: EtsiTs103097HeaderInfoExtensionId,
    pub content: Open<'a>,
}

/// The known objects of `EtsiTs103097HeaderInfoExtensions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EtsiTs103097HeaderInfoExtension {
    /// `etsiTs102941CrlRequest` (content `EtsiTs102941CrlRequest ::= NULL`).
    CrlRequest,
    /// `etsiTs102941DeltaCtlRequest` (content `EtsiTs102941DeltaCtlRequest ::= NULL`).
    DeltaCtlRequest,
}

impl EtsiOriginatingHeaderInfoExtension<'_> {
    /// The extension of the known object set, checking that the content is the
    /// type its id names; `None` for ids outside the set (the set is extensible).
    pub fn known(&self) -> Option<Result<EtsiTs103097HeaderInfoExtension, DecodeError>> {
        let kind = match self.id {
            ETSI_TS102941_CRL_REQUEST_ID => EtsiTs103097HeaderInfoExtension::CrlRequest,
            ETSI_TS102941_DELTA_CTL_REQUEST_ID => EtsiTs103097HeaderInfoExtension::DeltaCtlRequest,
            _ => return None,
        };
        Some(crate::decode::<Null>(self.content.bytes()).map(|_| kind))
    }

    /// True if this is a valid `etsiTs102941CrlRequest`.
    pub fn is_crl_request(&self) -> bool {
        matches!(
            self.known(),
            Some(Ok(EtsiTs103097HeaderInfoExtension::CrlRequest))
        )
    }

    /// True if this is a valid `etsiTs102941DeltaCtlRequest`.
    pub fn is_delta_ctl_request(&self) -> bool {
        matches!(
            self.known(),
            Some(Ok(EtsiTs103097HeaderInfoExtension::DeltaCtlRequest))
        )
    }

    /// An `etsiTs102941CrlRequest` extension.
    pub fn crl_request() -> EtsiOriginatingHeaderInfoExtension<'static> {
        EtsiOriginatingHeaderInfoExtension {
            id: ETSI_TS102941_CRL_REQUEST_ID,
            content: Open(std::borrow::Cow::Borrowed(&[])),
        }
    }

    /// An `etsiTs102941DeltaCtlRequest` extension.
    pub fn delta_ctl_request() -> EtsiOriginatingHeaderInfoExtension<'static> {
        EtsiOriginatingHeaderInfoExtension {
            id: ETSI_TS102941_DELTA_CTL_REQUEST_ID,
            content: Open(std::borrow::Cow::Borrowed(&[])),
        }
    }
}

/// `EtsiTs103097HeaderInfoExtensionId ::= ExtId`.
pub type EtsiTs103097HeaderInfoExtensionId = ExtId;
/// `etsiTs102941CrlRequestId EtsiTs103097HeaderInfoExtensionId ::= 1`.
pub const ETSI_TS102941_CRL_REQUEST_ID: EtsiTs103097HeaderInfoExtensionId = 1;
/// `etsiTs102941DeltaCtlRequestId EtsiTs103097HeaderInfoExtensionId ::= 2`.
pub const ETSI_TS102941_DELTA_CTL_REQUEST_ID: EtsiTs103097HeaderInfoExtensionId = 2;

/// `EtsiTs102941CrlRequest ::= NULL`.
pub type EtsiTs102941CrlRequest = Null;
/// `EtsiTs102941CtlRequest ::= NULL`.
pub type EtsiTs102941CtlRequest = Null;
/// `EtsiTs102941DeltaCtlRequest ::= EtsiTs102941CtlRequest`.
pub type EtsiTs102941DeltaCtlRequest = EtsiTs102941CtlRequest;
