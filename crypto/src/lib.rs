//! Cryptography of IEEE 1609.2 / 1609.2.1 and YD/T 3957.
//!
//! Algorithm suites sit behind one small trait so the backend can change; every
//! primitive has known-answer tests against the vectors in `shared/vectors/`.
//! Secrets are zeroized on drop and every operation on a secret is constant-time.
#![deny(unsafe_code)]

// Asymmetric side: suites, signing input, HashedId, ECQV, butterfly keys.
pub mod butterfly;
pub mod ecqv;
pub mod engine;
pub mod hash;
pub mod hashed_id;
pub mod signing_input;
pub mod suite;
pub mod verify;
pub mod wire;

// Symmetric side and encryption: CCM, KDF, MAC, ECIES, SM2 encryption, linkage values.
pub mod ccm;
pub mod ecies;
pub mod kdf;
pub mod linkage;
pub mod mac;
pub mod sm2_enc;
