//! CAMP SCMS proof-of-concept interfaces (LA-RA, LA-PCA, LA-MA, MA-RA, MA-PCA, EE-MA, PCA-RA), rebased on the 1609.2-2022 base types.
//!
//! Source: `shared/asn1/camp-scms-poc/` (2016/2017), the only public definition of the
//! interfaces that IEEE 1609.2.1 still leaves NULL. One Rust module per ASN.1 module:
//! [`base_types`] (`Ieee1609dot2ScmsBaseTypes`), [`errors`] (`Ieee1609dot2ScmsError` and
//! the per-interface `*-errors` modules), [`la_ra`], [`la_pca`], [`la_ma`], [`ma_ra`],
//! [`ma_pca`], [`ee_ma`], [`pca_ra`] and [`protocol`] (`IEEE1609dot2ScmsProtocol`: the
//! `ScmsPDU` envelope, its `Scoped…` restrictions, the `Signed…`/`Secured…` SPDU
//! profiles and the SCMS SSPs).
//!
//! # What was rebased, and how
//!
//! The CAMP modules import IEEE 1609.2 types from the 2016-era modules
//! `IEEE1609dot2BaseTypes` and `IEEE1609dot2` (object identifiers without a version).
//! None of those is redefined here: every one is the 1609.2-2022 type of
//! [`crate::ieee1609dot2`], used by its ASN.1 name.
//!
//! - From [`crate::ieee1609dot2::base_types`]: `HashedId8`, `HashedId10`, `HashedId32`,
//!   `Uint8`, `Uint16`, `Uint32`, `Time32`, `IValue`, `LaId`, `LinkageSeed`,
//!   `LinkageValue`, `GroupLinkageValue`, `Hostname`, `Opaque`, `Psid`,
//!   `SequenceOfPsid`, `SequenceOfPsidSsp`, `SubjectAssurance`, `GeographicRegion`,
//!   `Duration`, `CrlSeries`, `CountryOnly`, `EccP256CurvePoint`, `Signature`,
//!   `HashAlgorithm`.
//! - From [`crate::ieee1609dot2::dot2`]: `Ieee1609Dot2Data` (also as
//!   `SecuredScmsPDU`), `EncryptedData`, `RecipientInfo`, `SignerIdentifier`,
//!   `Countersignature`, `Certificate` (a `Spanned` `CertificateBase`, so the received
//!   bytes are kept for hashing), `CertificateType`, `IssuerIdentifier`,
//!   `ToBeSignedCertificate`, `HeaderInfo`.
//! - `IValue`, which `pca-ra` imports from the SCMS base types, is the 1609.2 one.
//!
//! On the wire this changes nothing for values a 2016 peer sends: the 2022 types keep
//! the 2016 root encodings and add extension alternatives and components (P-384 and
//! SM2 signatures, SM4-CCM ciphertext, SHA-384/SM3 hashes and issuers, the
//! certificate and header extension fields, `signedX509CertificateRequest`), which a
//! 2022 peer may now use inside CAMP messages. The 2022 types' own constraints
//! (`Certificate` is implicit or explicit, `SignedDataPayload` has a payload, ...)
//! apply as well.
//!
//! The `WITH COMPONENTS` constraints CAMP puts on the imported types become
//! `#[asn1(validate)]` checks on the CAMP type that contains them: encrypted PLVs and
//! linkage chain identifiers have exactly one `symmRecipInfo` recipient, the LA-PCA key
//! agreement ciphertexts one `certRecipInfo`, `EncryptedCertificateData` one
//! `rekRecipInfo`; `IdCertRequestInfo` has `crlSeries` 0 and `appPermissions`;
//! certificates in PCA responses are implicit/explicit as named, issued by
//! `sha256AndDigest`; the `Signed…` SPDUs have the header profile of the module
//! (PSID, which header fields are present) and `unsecuredData` CONTAINING the scoped
//! PDU (see [`base_types::SignedProfile`]).
//!
//! CAMP value-set subtypes of imported types (`BsmPsid ::= Psid (32)`,
//! `CrlgCertExpiration ::= Duration (...)`, `USA ::= CountryOnly (840)`, ...) are
//! constants in [`base_types`].
//!
//! # Naming
//!
//! Types keep the ASN.1 names (hyphens removed, `PDU`, `PLV`, `HPCR`, `LCI` as spelt).
//! Anonymous inline types are named after their parent and component
//! (`LaRaPreLinkageValueResponseMsgReply`, `LinkageInformationScalar`, ...); identical
//! inline reply CHOICEs shared by two messages have one type (`LaPcaKeyAgreementReply`,
//! `BlacklistReply`).
//!
//! # Left out
//!
//! The CAMP modules that 1609.2.1 defines itself (`eca-ee`, `ee-ra`,
//! `component-cert-management`), and `ra-pg`, `scms-policy`, `cert-chain-files`,
//! `cert-profile`. The corresponding alternatives of `ScmsPDU` (`ccm`, `eca-ee`,
//! `ee-ra`, `ra-pg`) are rejected when decoding rather than misread.
pub mod base_types;
pub mod ee_ma;
pub mod errors;
pub mod la_ma;
pub mod la_pca;
pub mod la_ra;
pub mod ma_pca;
pub mod ma_ra;
pub mod pca_ra;
pub mod protocol;
