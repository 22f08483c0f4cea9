//! IEEE 1609.2-2022: base types, certificates, SPDUs, CRLs, P2PCD.
