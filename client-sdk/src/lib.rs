//! The device side of the SCMS, for OBUs and RSUs: sign and verify IEEE 1609.2
//! SPDUs with every receiver check, keep the certificates of neighbours and the
//! revocation state.
//!
//! The core is sans-IO: bytes and time in, results out; no clock, no network,
//! no global state, so it fits an OBU event loop or an RSU thread pool.
//! Private keys are used only through `scms_hsm::KeyStore`.

pub mod bootstrap;
pub mod enroll;
#[cfg(feature = "http")]
pub mod http;
pub mod provision;
pub mod revocation;
pub mod sign;
pub mod store;
pub mod verify;
// Device lifecycle and the C ABI.
#[cfg(feature = "ffi")]
pub mod ffi;
pub mod pseudonym;
pub mod report;

pub use pseudonym::{PoolError, PseudonymPolicy, PseudonymPool};
pub use revocation::{RevocationConfig, RevocationList};
pub use sign::{Message, Signer, SigningIdentity};
pub use store::{CertInfo, CertificateStore};
pub use verify::{Rejection, Verified, Verifier, VerifierConfig};

/// The Rust snippets of `docs/sdk.md` compile (doctests), so the guide follows the API.
#[cfg(doctest)]
#[doc = include_str!("../../docs/sdk.md")]
pub struct SdkGuide;
