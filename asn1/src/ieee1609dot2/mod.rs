//! IEEE 1609.2-2022: base types, certificates, SPDUs, CRLs, P2PCD.

pub mod base_types;

pub use base_types::*;
