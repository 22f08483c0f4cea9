//! Certificate authorities of the scms V2X SCMS (IEEE 1609.2 / 1609.2.1, YD/T 3957).
//!
//! Plain functions over a [`scms_hsm::KeyStore`] and values; no I/O, no clock
//! (the caller passes the time), no storage: every issuance returns an
//! [`issue::IssuanceRecord`] that a storage layer logs and commits before it
//! hands out the certificate.
//!
//! - [`profile`]: certificate profiles in TOML and the built-in `us` / `cn` ones;
//! - [`lint`]: the chain-consistency rules checked before any signature;
//! - [`issue`]: explicit and implicit (ECQV) certificate issuance;
//! - [`ctl`]: the elector-signed `MultiSignedCtl` (1609.2.1) and its verification;
//! - [`crl`]: `SecuredCrl` signing (hash-based and linkage-based) and verification;
//! - [`crl_service`]: the CRL generator as a service (the MA's revocation entries in,
//!   `GET /v3/crl` out);
//! - [`hierarchy`]: a complete hierarchy in one call;
//! - [`store`]: storage (sqlx, SQLite or PostgreSQL) with idempotency records and
//!   the hash-chained audit log;
//! - [`eca`]: the ECA's enrollment interface, a plain function and an axum router.
#![forbid(unsafe_code)]

pub mod aca;
pub mod aca_service;
pub mod crl;
pub mod crl_service;
pub mod ctl;
pub mod eca;
mod error;
pub mod hierarchy;
pub mod issue;
pub mod lint;
pub mod profile;
pub mod spdu;
pub mod store;

pub use error::CaError;
