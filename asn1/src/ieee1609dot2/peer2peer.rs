//! `Ieee1609Dot2Peer2Peer` (IEEE 1609.2-2022 clause 8.4; major version 2,
//! minor 3): the peer-to-peer certificate distribution (P2PCD) PDU.

use super::base_types::Uint8;
use super::dot2::Certificate;
use crate::codec::UnknownAlternative;
use crate::Asn1;

/// `Ieee1609dot2Peer2PeerPDU`. `version` is 1.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, name = "Ieee1609dot2Peer2PeerPDU")]
pub struct Ieee1609dot2Peer2PeerPDU<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub content: Ieee1609dot2Peer2PeerPduContent<'a>,
}

impl Ieee1609dot2Peer2PeerPDU<'_> {
    /// The P2P PDU version of this standard.
    pub const VERSION: Uint8 = 1;
}

/// The inline `content CHOICE` of [`Ieee1609dot2Peer2PeerPDU`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum Ieee1609dot2Peer2PeerPduContent<'a> {
    CaCerts(CaCertP2pPDU<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `CaCertP2pPDU ::= SEQUENCE OF Certificate`.
pub type CaCertP2pPDU<'a> = Vec<Certificate<'a>>;
