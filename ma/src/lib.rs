//! Misbehavior authority (MA) of the scms V2X SCMS, and how it revokes.
//!
//! A device reports a sender it judged misbehaving (`scms_sdk::report`): a
//! `SecuredMisbehaviorReport` signed with its pseudonym certificate and
//! encrypted to the MA certificate, carrying the evidence SPDUs. The MA
//! ([`report::open_report`]) decrypts it, verifies the reporter (chain,
//! PSID 38, not revoked) and every evidence SPDU's signature, runs the
//! detection rules ([`rules`]), stores the report (one row per reporter and
//! reported certificate: duplicates merge) and decides ([`service::Policy`]):
//! revoke when at least `threshold` distinct reporters found something, or one
//! verified severe violation (PSID or SSP not permitted). Below that nothing
//! is unmasked. A revocation is investigated across the separated authorities
//! with CAMP signed SPDUs ([`investigate`]): ACA (linkage value -> HPCR), RA
//! (HPCR -> linkage chain identifiers), LA1/LA2 (LCI -> seed of the current
//! i-period; the request encrypted to the LA's certificate, the answer to the
//! MA's), RA (HPCR -> blocklist the enrollment certificate, which the MA
//! never sees); the seeds go to the CRL generator
//! (`scms_ca::crl_service`), which issues the new `SecuredCrl`. Every report,
//! decision and investigation step is in the audit log (`ma-report`,
//! `ma-decision`, `ma-investigation`).
//!
//! # Public API (what `scms serve` / `scms demo` call)
//!
//! ```text
//! let config = MaConfig::new(ma_cert, ma_key_label, ma_enc_key_label, trust, iperiod_epoch_unix);
//! let ma: MaService = MaService::open(config, ks: Arc<dyn KeyStore>, store: Store,
//!                                     clock: Clock, peers: MaPeers { aca, ra, la1, la2, crl,
//!                                     la1_certificate, la2_certificate }).await?;
//! let app: axum::Router = scms_ma::service::router(Arc::new(ma));
//! ```
//!
//! `trust` must hold the root as anchor and the ICA and the ACA as CAs (the
//! reporters' pseudonym certificates and the authorities' certificates chain
//! there). `la1_certificate`, `la2_certificate`: the LA certificates (with
//! an `encryptionKey`, else `open` refuses) the seed requests are encrypted
//! to. HTTP: `GET /v3/ma-certificate?psid=<hex>` (404 for a PSID the MA
//! does not handle), `POST /v3/misbehavior-report` (202; 400 malformed, 403
//! reporter not valid or revoked, 422 evidence does not verify, 502 a peer
//! failed during the investigation). See `docs/misbehavior.md`.
#![forbid(unsafe_code)]

pub mod investigate;
pub mod report;
pub mod rules;
pub mod service;

pub use report::{open_report, OpenContext, OpenedReport, ReportError};
pub use rules::{evaluate, Evidence, Finding, Rule, RuleConfig};
pub use service::{
    router, Clock, Decision, MaConfig, MaError, MaPeers, MaService, Outcome, Policy,
};
