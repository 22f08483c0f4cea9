//! IEEE 1609.2-2022: base types, certificates, SPDUs, CRLs, P2PCD.
//!
//! One Rust module per ASN.1 module; the base types and the `Ieee1609Dot2`
//! types are re-exported here.

pub mod base_types;
pub mod crl;
pub mod crl_base_types;
pub mod crl_ssp;
pub mod dot2;
pub mod etsi_extension;
pub mod peer2peer;
pub mod region;
pub mod time;

pub use base_types::*;
pub use dot2::*;
