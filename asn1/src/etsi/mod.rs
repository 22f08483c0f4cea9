//! ETSI TS 103 097 (and the TS 102 941 trust lists).
pub mod ts102941_authorization;
pub mod ts102941_authorization_validation;
pub mod ts102941_base_types;
pub mod ts102941_ca_management;
pub mod ts102941_enrolment;
pub mod ts102941_link_certificate;
pub mod ts102941_messages_ca;
pub mod ts102941_trust_lists;
pub mod ts103097;
