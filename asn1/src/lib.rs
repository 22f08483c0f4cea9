//! Strict canonical OER (COER) and the ASN.1 types of IEEE 1609.2-2022,
//! IEEE 1609.2.1-2022, ETSI TS 103 097 and the CAMP SCMS interfaces.
//!
//! Why our own codec: every RSU and every CA decodes untrusted bytes, so decoding
//! must be strict (one encoding per value), bounded (no allocation driven by a
//! count the input cannot back) and zero-copy (a verifier hashes the received
//! `ToBeSignedData` bytes, see [`codec::Spanned`]). Each ASN.1 type is declared
//! once with `#[derive(Asn1)]`; see the derive's documentation for the attributes.
#![forbid(unsafe_code)]

extern crate self as scms_asn1;

pub mod codec;

pub use codec::{
    decode, decode_prefix, encode, Decode, DecodeError, Describe, Encode, EncodeError, Generate,
};
pub use scms_asn1_derive::Asn1;
pub mod camp;
pub mod etsi;
pub mod ieee1609dot2;
pub mod ieee1609dot2dot1;
pub mod misbehavior;
pub mod pdu;
