//! ETSI TS 103 097 (and the TS 102 941 trust lists).
//!
//! [`ts103097`] is the European profile of 1609.2 certificates and SPDUs
//! (`EtsiTs103097Module` v2.1.1) on the 1609.2-2022 types of [`crate::ieee1609dot2`].
//! The `ts102941_*` modules are ETSI TS 102 941 v2.2.1 (trust and privacy management):
//! base types, trust lists (ECTL/CTL, CRL), enrolment, authorization, authorization
//! validation, CA management, link certificates, and the CA message set
//! (`EtsiTs102941MessagesCa`, a superset of the ITS-S message modules).
//!
//! TS 102 941 imports TS 103 097 and 1609.2 types: they are used from [`ts103097`] and
//! [`crate::ieee1609dot2`], never redefined (1609.2-2022, which TS 102 941 v2.2.1 already
//! targets with `WITH SUCCESSORS`).
pub mod ts102941_authorization;
pub mod ts102941_authorization_validation;
pub mod ts102941_base_types;
pub mod ts102941_ca_management;
pub mod ts102941_enrolment;
pub mod ts102941_link_certificate;
pub mod ts102941_messages_ca;
pub mod ts102941_trust_lists;
pub mod ts103097;
