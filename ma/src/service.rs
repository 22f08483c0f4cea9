//! The MA as a service: reports in over HTTP, the decision policy, the
//! investigation across the separated authorities, the revocation sent to the
//! CRL generator; state in the scms database (tables `ma_reports`,
//! `ma_decisions` of `migrations/*/0003_misbehavior.sql` and `0004`) and every
//! decision and investigation step in the hash-chained audit log
//! ([`Store::audit`]).
//!
//! Crashes: a decision to revoke is stored (`revoking`, with the reported
//! certificate) before the investigation starts and marked `revoked` after the
//! CRL generator has the entry; [`MaService::resume_revocations`] (run by
//! [`MaService::spawn_resumer`]) finishes the ones a crash or a failing peer
//! interrupted. Each step may run twice; its effect happens once.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use scms_asn1::ieee1609dot2::crl::SecuredCrl;
use scms_asn1::ieee1609dot2::time::unix_from_time32;
use scms_asn1::ieee1609dot2::{Certificate, CertificateId, ServiceSpecificPermissions, Time32};
use scms_asn1::ieee1609dot2dot1::protocol::{SecurityMgmtSsp, SECURITY_MGMT_PSID};
use scms_ca::aca::{spdu_hash, verify_signed_data, TrustStore};
use scms_ca::crl::{crl_contents, hash_entry, CrlBody, CrlHeader, IndividualEntry};
use scms_ca::spdu::{
    hostname, open_scms_signed_encrypted, scms_signed, scms_signed_encrypted, verify_scms_signed,
    ScmsSigned,
};
use scms_ca::store::{AuditEntry, Batch, Store, StoreError};
use scms_crypto::linkage::{LaId, LinkageSeed, LinkageValue};
use scms_hsm::KeyStore;
use scms_ra::http::call;
use scms_sdk::revocation::RevocationConfig;
use scms_sdk::verify::SspCheck;
use scms_sdk::RevocationList;
use sqlx::Row;
use tokio::sync::Mutex;

use crate::report::{open_report, OpenContext, OpenedReport, ReportError};
use crate::rules::{evaluate, Finding, Rule, RuleConfig};
use crate::{investigate, report};

/// The service's clock (Time32).
pub type Clock = Arc<dyn Fn() -> Time32 + Send + Sync>;

/// Largest report.
pub const MAX_REPORT: usize = 64 * 1024;

/// Where the other authorities answer (`http://HOST:PORT`), and the LA
/// certificates the MA's linkage-seed requests are encrypted to.
#[derive(Clone, Debug)]
pub struct MaPeers {
    pub aca: String,
    pub ra: String,
    pub la1: String,
    pub la2: String,
    /// The CRL generator.
    pub crl: String,
    /// LA1's certificate: the `SecuredLSRequest` to LA1 is encrypted to its
    /// `encryptionKey` (see [`la_recipient`]).
    pub la1_certificate: Vec<u8>,
    /// LA2's certificate, as LA1's.
    pub la2_certificate: Vec<u8>,
}

/// When the MA revokes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Distinct reporters (with at least one finding) needed to revoke.
    pub threshold: usize,
    /// Rules whose single verified finding revokes.
    pub severe: BTreeSet<Rule>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            threshold: 2,
            severe: [Rule::PsidNotPermitted, Rule::SspNotPermitted]
                .into_iter()
                .collect(),
        }
    }
}

/// The MA's configuration.
#[derive(Clone)]
pub struct MaConfig {
    /// The MA certificate (with an encryption key, `MaSsp` relevant PSIDs).
    pub certificate: Vec<u8>,
    /// Signing key label (CAMP requests to the other authorities).
    pub key_label: String,
    /// Label of the key of the certificate's encryption key.
    pub enc_key_label: String,
    /// Anchors and CAs: reporters', senders' and the authorities' certificates chain here
    /// (add the ACA as a CA so pseudonym certificates verify).
    pub trust: TrustStore,
    pub policy: Policy,
    pub rules: RuleConfig,
    /// The application's SSP judgement (none: every SSP is accepted).
    pub ssp_check: Option<SspCheck>,
    /// Start of i-period 0 (Unix seconds) and its length.
    pub iperiod_epoch_unix: i64,
    pub iperiod_secs: u32,
    /// Pseudonyms per i-period (the RA's `certs_per_period`): the CRL's `jMax`.
    pub jmax: u8,
    /// This MA's hostname in requests (`MaHostnameId`).
    pub hostname: String,
}

impl MaConfig {
    /// Defaults: two reporters, PSID/SSP violations severe, one-week i-periods, 20 per period.
    pub fn new(
        certificate: Vec<u8>,
        key_label: impl Into<String>,
        enc_key_label: impl Into<String>,
        trust: TrustStore,
        iperiod_epoch_unix: i64,
    ) -> Self {
        Self {
            certificate,
            key_label: key_label.into(),
            enc_key_label: enc_key_label.into(),
            trust,
            policy: Policy::default(),
            rules: RuleConfig::default(),
            ssp_check: None,
            iperiod_epoch_unix,
            iperiod_secs: 7 * 86_400,
            jmax: 20,
            hostname: "ma".into(),
        }
    }

    /// The i-period of a Time32 (0 before the epoch).
    pub fn iperiod_of(&self, t: Time32) -> u16 {
        let d = (unix_from_time32(t) - self.iperiod_epoch_unix).max(0);
        u16::try_from(d / i64::from(self.iperiod_secs.max(1))).unwrap_or(u16::MAX)
    }
}

/// How the MA's request to an authority goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RequestForm<'c> {
    /// A CAMP `Signed…` SPDU (to the ACA and the RA).
    Signed,
    /// Signed, then encrypted to the encryption key of this certificate (to
    /// the LAs, `SecuredLSRequest`: linkage chain identifiers).
    SignedThenEncryptedTo(&'c [u8]),
}

/// How an authority's answer to the MA comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AnswerForm {
    /// A CAMP `Signed…` SPDU (the ACA's and the RA's answers).
    Signed,
    /// Signed, then encrypted to the MA certificate's encryption key (the
    /// LAs' `SecuredLSReply`: linkage seeds).
    SignedThenEncrypted,
}

/// Why the MA refused or failed.
#[derive(Debug)]
pub enum MaError {
    Report(ReportError),
    /// A peer failed or answered something that does not verify (502).
    Investigation(String),
    Store(StoreError),
    /// The MA's configuration cannot work (an LA certificate it cannot
    /// encrypt its requests to).
    Config(String),
    Internal(String),
}

impl core::fmt::Display for MaError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Report(e) => write!(f, "{e}"),
            Self::Investigation(w) => write!(f, "investigation: {w}"),
            Self::Store(e) => write!(f, "{e}"),
            Self::Config(w) => write!(f, "configuration: {w}"),
            Self::Internal(w) => write!(f, "internal: {w}"),
        }
    }
}

impl std::error::Error for MaError {}

impl From<StoreError> for MaError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}
impl From<sqlx::Error> for MaError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::from(e))
    }
}

impl MaError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Report(ReportError::Malformed(_)) => StatusCode::BAD_REQUEST,
            Self::Report(ReportError::Reporter(_) | ReportError::Revoked) => StatusCode::FORBIDDEN,
            Self::Report(ReportError::Evidence(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Investigation(_) => StatusCode::BAD_GATEWAY,
            Self::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What became of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Stored; the target is not revoked (yet): `reporters` distinct reporters so far.
    Pending { reporters: usize },
    /// The target's device was revoked now.
    Revoked,
    /// The target was revoked before; the report was merged.
    AlreadyRevoked,
}

/// The outcome of one report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// HashedId8 of the reported certificate.
    pub target: [u8; 8],
    /// Names of the rules that fired.
    pub findings: Vec<&'static str>,
    pub decision: Decision,
}

/// The misbehavior authority.
pub struct MaService {
    config: MaConfig,
    ks: Arc<dyn KeyStore>,
    store: Store,
    clock: Clock,
    peers: MaPeers,
    /// What this MA revoked (reporters on it are refused).
    revocation: Mutex<RevocationList>,
    /// One report at a time (counting reporters and deciding is one step).
    lock: Mutex<()>,
}

/// `ma_decisions.decision`: decided, investigation not finished.
const REVOKING: &str = "revoking";
/// `ma_decisions.decision`: the CRL generator has the entry.
const REVOKED: &str = "revoked";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// HashedId8 of an encoded certificate in hex, for messages (empty if it
/// does not decode).
fn hid8_hex(cert: &[u8]) -> String {
    report::hid8(cert).map(|h| hex(&h)).unwrap_or_default()
}

fn inv(w: impl std::fmt::Display) -> MaError {
    MaError::Investigation(w.to_string())
}

/// Checks that `certificate` (of the LA named `which`, for the error) may
/// receive the MA's `SecuredLSRequest` at `now`: an LA certificate
/// (`SecurityMgmtSsp.la`) chaining in `trust`, with an `encryptionKey`. An LA
/// certificate of an older `scms init` has none: the MA refuses to send its
/// linkage chain identifiers unencrypted (and does not start, see
/// [`MaService::open`]).
pub fn la_recipient(
    which: &str,
    certificate: &[u8],
    trust: &TrustStore,
    now: Time32,
) -> Result<(), MaError> {
    let bad = |w: String| MaError::Config(format!("the {which} certificate {w}"));
    let c: Certificate<'_> =
        scms_asn1::decode(certificate).map_err(|e| bad(format!("does not decode: {e}")))?;
    let id = hid8_hex(certificate);
    if !scms_ca::aca::has_scms_role(&c, |s| matches!(s, SecurityMgmtSsp::La(_))) {
        return Err(bad(format!("{id} is not an LA certificate")));
    }
    trust
        .verify_chain(certificate, now)
        .map_err(|e| bad(format!("{id} does not chain: {e}")))?;
    if c.to_be_signed.encryption_key.is_none() {
        return Err(bad(format!(
            "{id} has no encryption key (encryptionKey): the linkage-seed request \
             (SecuredLSRequest) is encrypted to it; certificates of an scms init older \
             than the encrypted request have none (docs/operator.md)"
        )));
    }
    Ok(())
}

/// The relevant PSIDs of an MA certificate (`MaSsp`).
pub fn relevant_psids(cert: &[u8]) -> Vec<u64> {
    let Ok(c) = scms_asn1::decode::<Certificate<'_>>(cert) else {
        return Vec::new();
    };
    c.to_be_signed
        .app_permissions
        .iter()
        .flatten()
        .filter(|p| p.psid == SECURITY_MGMT_PSID)
        .filter_map(|p| match &p.ssp {
            Some(ServiceSpecificPermissions::Opaque(o)) => {
                scms_asn1::decode::<SecurityMgmtSsp>(o).ok()
            }
            _ => None,
        })
        .flat_map(|s| match s {
            SecurityMgmtSsp::Ma(m) => m.relevant_psids.iter().map(|p| p.0).collect(),
            _ => Vec::new(),
        })
        .collect()
}

impl MaService {
    /// Opens the MA over `store` (migrated) and applies the latest CRL the
    /// CRL generator serves, if it answers (reporters on it are refused).
    /// Refused when an LA certificate of `peers` cannot receive the
    /// encrypted linkage-seed request ([`la_recipient`]).
    pub async fn open(
        config: MaConfig,
        ks: Arc<dyn KeyStore>,
        store: Store,
        clock: Clock,
        peers: MaPeers,
    ) -> Result<Self, MaError> {
        scms_asn1::decode::<Certificate<'_>>(&config.certificate)
            .map_err(|e| MaError::Internal(format!("MA certificate: {e}")))?;
        for (which, c) in [
            ("LA1", &peers.la1_certificate),
            ("LA2", &peers.la2_certificate),
        ] {
            la_recipient(which, c, &config.trust, clock())?;
        }
        let s = Self {
            config,
            ks,
            store,
            clock,
            peers,
            revocation: Mutex::new(RevocationList::new(RevocationConfig::default())),
            lock: Mutex::new(()),
        };
        if let Ok(r) = call(&s.peers.crl, "GET", "/v3/crl", &[], &[]).await {
            if r.status == 200 {
                s.apply_crl(&r.body).await?;
            }
        }
        Ok(s)
    }

    /// The configuration.
    pub fn config(&self) -> &MaConfig {
        &self.config
    }

    /// The store (its audit log holds every decision and investigation step).
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn now(&self) -> Time32 {
        (self.clock)()
    }

    /// Verifies a CRL from the CRL generator (signer chaining in the trust
    /// store and on its allowlist of peers, CRL signing permission,
    /// signature) and applies it to the MA's revocation state.
    pub async fn apply_crl(&self, crl: &[u8]) -> Result<(), MaError> {
        let now = self.now();
        let c: SecuredCrl<'_> = scms_asn1::decode(crl).map_err(inv)?;
        let sd = c.signed_data().ok_or_else(|| inv("CRL: not signed"))?;
        let signer = verify_signed_data(&self.config.trust, sd, now)
            .map_err(|e| inv(format!("CRL: {e}")))?;
        let signer: Certificate<'_> = scms_asn1::decode(&signer).map_err(inv)?;
        self.config
            .trust
            .check_peer(&signer)
            .map_err(|e| inv(format!("CRL: {e}")))?;
        // The MA's trust store also holds the ECA and the ACA (for reports),
        // so a device certificate chains too: only a CRL signer may sign one.
        if scms_ca::crl::crl_ssp(&signer).is_none() {
            return Err(inv("CRL: the signer has no CRL permission (PSID 256)"));
        }
        let contents = c.crl_contents().map_err(inv)?;
        self.revocation
            .lock()
            .await
            .apply(&contents, self.config.iperiod_of(now));
        Ok(())
    }

    /// `POST /v3/misbehavior-report`: opens and checks the report, runs the
    /// rules, stores it (merged with an earlier one of the same reporter
    /// about the same certificate), decides, and on a revocation investigates
    /// and has the CRL reissued before answering.
    pub async fn handle_report(&self, bytes: &[u8]) -> Result<Outcome, MaError> {
        let now = self.now();
        let opened = {
            let rev = self.revocation.lock().await;
            let ctx = OpenContext {
                ks: self.ks.as_ref(),
                certificate: &self.config.certificate,
                enc_key_label: &self.config.enc_key_label,
                trust: &self.config.trust,
                ssp_check: self.config.ssp_check,
                revocation: &rev,
            };
            open_report(&ctx, bytes, now).map_err(MaError::Report)?
        };
        let findings = evaluate(
            &self.config.rules,
            &opened.evidence,
            &opened.target,
            opened.observed,
        );
        let _g = self.lock.lock().await;
        let now_unix = unix_from_time32(now);
        let names: BTreeSet<&'static str> = findings.iter().map(|f| f.rule.name()).collect();
        let severe = findings
            .iter()
            .any(|f| self.config.policy.severe.contains(&f.rule));
        self.merge_report(&opened, &names, severe, now_unix).await?;
        self.store
            .audit(
                vec![AuditEntry::json(
                    "ma-report",
                    &serde_json::json!({
                        "target": hex(&opened.target),
                        "reporter": hex(&opened.reporter),
                        "psid": opened.psid,
                        "findings": findings_json(&findings),
                        "claimed": opened.claimed,
                        "evidence_sha256": opened.evidence_hashes.iter().map(|h| hex(h)).collect::<Vec<_>>(),
                    }),
                )],
                now_unix,
            )
            .await?;
        let outcome = |decision| Outcome {
            target: opened.target,
            findings: names.iter().copied().collect(),
            decision,
        };
        match self.decision_of(&opened.target).await?.as_deref() {
            Some(REVOKED) => return Ok(outcome(Decision::AlreadyRevoked)),
            // Decided before a crash or a peer failure: finished now (the
            // background task of [`Self::spawn_resumer`] would too).
            Some(_) => {
                self.finish_revocation(&opened.target, &opened.target_certificate)
                    .await?;
                return Ok(outcome(Decision::Revoked));
            }
            None => {}
        }
        let (reporters, all_findings, any_severe) = self.case(&opened.target).await?;
        let revoke = any_severe || reporters.len() >= self.config.policy.threshold.max(1);
        let evidence = serde_json::json!({
            "target": hex(&opened.target),
            "reporters": reporters.iter().map(|r| hex(r)).collect::<Vec<_>>(),
            "findings": all_findings,
            "severe": any_severe,
            "threshold": self.config.policy.threshold,
        });
        if !revoke {
            self.store
                .audit(
                    vec![AuditEntry::json(
                        "ma-decision",
                        &serde_json::json!({"decision": "pending", "case": evidence}),
                    )],
                    now_unix,
                )
                .await?;
            return Ok(outcome(Decision::Pending {
                reporters: reporters.len(),
            }));
        }
        // The intent first: a crash from here on is resumed, not forgotten.
        sqlx::query(
            "INSERT INTO ma_decisions (target, decision, details, created_at, certificate) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(opened.target.to_vec())
        .bind(REVOKING)
        .bind(evidence.to_string())
        .bind(now_unix)
        .bind(opened.target_certificate.clone())
        .execute(self.store.pool())
        .await?;
        self.store
            .audit(
                vec![AuditEntry::json(
                    "ma-decision",
                    &serde_json::json!({"decision": "revoke", "case": evidence}),
                )],
                now_unix,
            )
            .await?;
        self.finish_revocation(&opened.target, &opened.target_certificate)
            .await?;
        Ok(outcome(Decision::Revoked))
    }

    /// Investigates and revokes `target` (decided, `revoking`), then marks it
    /// `revoked`. Every step may be repeated: the RA answers "already
    /// blocklisted", the CRL generator keeps an entry once. Call with
    /// `self.lock` held.
    async fn finish_revocation(&self, target: &[u8; 8], certificate: &[u8]) -> Result<(), MaError> {
        let result = self.revoke(certificate).await;
        let (decision, details) = match &result {
            Ok(d) => ("revoked", d.clone()),
            Err(e) => (
                "investigation-failed",
                serde_json::json!({"error": e.to_string()}),
            ),
        };
        let entry = step_entry(
            "revocation",
            serde_json::json!({"target": hex(target), "result": decision, "details": details}),
        );
        // The completion is logged and the decision marked `revoked` in one
        // transaction: an MA killed in between logs it once, when resumed.
        let batch = Batch {
            audit: vec![entry],
            ma_decisions: if result.is_ok() {
                vec![(*target, REVOKED)]
            } else {
                Vec::new()
            },
            ..Batch::default()
        };
        self.store
            .commit(&batch, unix_from_time32(self.now()))
            .await?;
        result.map(|_| ())
    }

    /// Finishes every revocation decided but not completed (the MA crashed
    /// or a peer failed during the investigation). Returns how many
    /// completed; the first failure stops the round (retried next time).
    pub async fn resume_revocations(&self) -> Result<usize, MaError> {
        let _g = self.lock.lock().await;
        let rows = sqlx::query(
            "SELECT target, certificate FROM ma_decisions WHERE decision = $1 ORDER BY created_at",
        )
        .bind(REVOKING)
        .fetch_all(self.store.pool())
        .await?;
        let mut done = 0;
        for r in rows {
            let target: Vec<u8> = r.try_get(0)?;
            let cert: Option<Vec<u8>> = r.try_get(1)?;
            let (Ok(target), Some(cert)) = (<[u8; 8]>::try_from(target.as_slice()), cert) else {
                return Err(MaError::Internal(
                    "stored decision without its certificate".into(),
                ));
            };
            self.finish_revocation(&target, &cert).await?;
            done += 1;
        }
        Ok(done)
    }

    /// Runs [`Self::resume_revocations`] now and every `period`.
    pub fn spawn_resumer(
        self: Arc<Self>,
        period: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                // A failure (a peer still down) is retried next round.
                let _ = self.resume_revocations().await;
                tokio::time::sleep(period).await;
            }
        })
    }

    async fn merge_report(
        &self,
        r: &OpenedReport,
        findings: &BTreeSet<&'static str>,
        severe: bool,
        now_unix: i64,
    ) -> Result<(), MaError> {
        let row = sqlx::query(
            "SELECT findings, severe, reports FROM ma_reports WHERE target = $1 AND reporter = $2",
        )
        .bind(r.target.to_vec())
        .bind(r.reporter.to_vec())
        .fetch_optional(self.store.pool())
        .await?;
        match row {
            None => {
                sqlx::query(
                    "INSERT INTO ma_reports (target, reporter, findings, severe, evidence, first_at, \
                     last_at, reports) VALUES ($1, $2, $3, $4, $5, $6, $6, 1)",
                )
                .bind(r.target.to_vec())
                .bind(r.reporter.to_vec())
                .bind(serde_json::json!(findings).to_string())
                .bind(i64::from(severe))
                .bind(r.signed.clone())
                .bind(now_unix)
                .execute(self.store.pool())
                .await?;
            }
            Some(row) => {
                let old: String = row.try_get(0)?;
                let old_severe: i64 = row.try_get(1)?;
                let n: i64 = row.try_get(2)?;
                let mut merged: BTreeSet<String> = serde_json::from_str(&old).unwrap_or_default();
                merged.extend(findings.iter().map(|s| s.to_string()));
                sqlx::query(
                    "UPDATE ma_reports SET findings = $1, severe = $2, last_at = $3, reports = $4 \
                     WHERE target = $5 AND reporter = $6",
                )
                .bind(serde_json::json!(merged).to_string())
                .bind(i64::from(severe || old_severe != 0))
                .bind(now_unix)
                .bind(n + 1)
                .bind(r.target.to_vec())
                .bind(r.reporter.to_vec())
                .execute(self.store.pool())
                .await?;
            }
        }
        Ok(())
    }

    /// The reporters with findings about `target`, the union of their
    /// findings, and whether one is severe.
    async fn case(
        &self,
        target: &[u8; 8],
    ) -> Result<(Vec<[u8; 8]>, BTreeSet<String>, bool), MaError> {
        let rows = sqlx::query(
            "SELECT reporter, findings, severe FROM ma_reports WHERE target = $1 ORDER BY reporter",
        )
        .bind(target.to_vec())
        .fetch_all(self.store.pool())
        .await?;
        let mut reporters = Vec::new();
        let mut all = BTreeSet::new();
        let mut severe = false;
        for r in rows {
            let rep: Vec<u8> = r.try_get(0)?;
            let f: String = r.try_get(1)?;
            let s: i64 = r.try_get(2)?;
            let f: BTreeSet<String> = serde_json::from_str(&f).unwrap_or_default();
            if f.is_empty() {
                continue;
            }
            severe |= s != 0;
            all.extend(f);
            if let Ok(rep) = <[u8; 8]>::try_from(rep.as_slice()) {
                reporters.push(rep);
            }
        }
        Ok((reporters, all, severe))
    }

    /// The decision recorded for `target`, if any: `revoking` (decided, the
    /// investigation not finished) or `revoked`.
    pub async fn decision_of(&self, target: &[u8; 8]) -> Result<Option<String>, MaError> {
        let row = sqlx::query("SELECT decision FROM ma_decisions WHERE target = $1")
            .bind(target.to_vec())
            .fetch_optional(self.store.pool())
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    /// Distinct reporters with findings about `target`.
    pub async fn reporters(&self, target: &[u8; 8]) -> Result<usize, MaError> {
        Ok(self.case(target).await?.0.len())
    }

    async fn step(&self, step: &str, details: serde_json::Value) -> Result<(), MaError> {
        self.store
            .audit(
                vec![step_entry(step, details)],
                unix_from_time32(self.now()),
            )
            .await?;
        Ok(())
    }

    /// Signs `scoped` (and encrypts it, `request`), posts it to `base` +
    /// `path`, opens the answer (`form`), verifies its signature and the
    /// answering authority's role, and returns the verified answer (its
    /// signer and payload) and the request's hash (the `requestHash` the
    /// answer must carry: of the SPDU sent).
    async fn exchange<T: scms_asn1::Encode>(
        &self,
        base: &str,
        path: &str,
        scoped: &T,
        request: RequestForm<'_>,
        form: AnswerForm,
        role: fn(&SecurityMgmtSsp) -> bool,
    ) -> Result<(ScmsSigned, [u8; 8]), MaError> {
        let (ks, label, cert) = (
            self.ks.as_ref(),
            &self.config.key_label,
            &self.config.certificate,
        );
        let req = match request {
            RequestForm::Signed => scms_signed(ks, label, cert, scoped),
            RequestForm::SignedThenEncryptedTo(to) => {
                scms_signed_encrypted(ks, label, cert, scoped, to)
            }
        }
        .map_err(|e| MaError::Internal(e.to_string()))?;
        let sm = scms_crypto::verify::certificate_public_key(
            &scms_asn1::decode(&self.config.certificate).map_err(inv)?,
            None,
        )
        .is_ok_and(|k| k.curve() == scms_crypto::suite::Curve::Sm2);
        let hash = spdu_hash(&req, sm);
        let r = call(base, "POST", path, &[], &req)
            .await
            .map_err(|e| inv(format!("{base}{path}: {e}")))?;
        if r.status != 200 {
            return Err(inv(format!(
                "{base}{path}: HTTP {}: {}",
                r.status,
                r.text()
            )));
        }
        let v = match form {
            AnswerForm::Signed => verify_scms_signed(&self.config.trust, &r.body, self.now(), role),
            AnswerForm::SignedThenEncrypted => open_scms_signed_encrypted(
                self.ks.as_ref(),
                &self.config.enc_key_label,
                &self.config.certificate,
                &self.config.trust,
                &r.body,
                self.now(),
                role,
            ),
        }
        .map_err(|e| inv(format!("{base}{path}: answer: {e}")))?;
        Ok((v, hash))
    }

    /// The investigation and the revocation of `r.target`'s device: the
    /// steps of [`investigate`], the seeds checked against the certificate,
    /// the CRL entry sent to the CRL generator and the new CRL applied.
    async fn revoke(&self, target_certificate: &[u8]) -> Result<serde_json::Value, MaError> {
        let cert: Certificate<'_> = scms_asn1::decode(target_certificate).map_err(inv)?;
        let ma_id = hostname(&self.config.hostname);
        let now = self.now();
        let i_now = self.config.iperiod_of(now);
        let CertificateId::LinkageData(ld) = &cert.to_be_signed.id else {
            // No linkage data: a hash-based entry for this certificate.
            let e = hash_entry(target_certificate).map_err(inv)?;
            let crl = self
                .send_entries(CrlBody::Hash {
                    delta: true,
                    crl_serial: 0,
                    entries: vec![e],
                })
                .await?;
            self.apply_crl(&crl).await?;
            return Ok(serde_json::json!({"kind": "hash", "hashed_id10": hex(&e.id)}));
        };
        let lv = ld.linkage_value;
        // 1. ACA: the HPCR.
        let (p, h) = self
            .exchange(
                &self.peers.aca,
                "/v3/ma-hpcr",
                &investigate::hpcr_request(ma_id.clone(), lv),
                RequestForm::Signed,
                AnswerForm::Signed,
                |s| matches!(s, SecurityMgmtSsp::Aca(_)),
            )
            .await?;
        let hpcr = investigate::hpcr_of(&p.payload, &lv, h).map_err(inv)?;
        self.step(
            "aca-hpcr",
            serde_json::json!({"peer": self.peers.aca, "linkage_value": hex(&lv), "i": ld.i_cert, "hpcr": hex(&hpcr)}),
        )
        .await?;
        // 2. RA: the linkage chain identifiers.
        let (p, h) = self
            .exchange(
                &self.peers.ra,
                "/v3/ma-lci",
                &investigate::lci_request(ma_id.clone(), hpcr),
                RequestForm::Signed,
                AnswerForm::Signed,
                |s| matches!(s, SecurityMgmtSsp::Ra(_)),
            )
            .await?;
        let chains = investigate::chains_of(&p.payload, &hpcr, h).map_err(inv)?;
        self.step(
            "ra-lci",
            serde_json::json!({"peer": self.peers.ra, "hpcr": hex(&hpcr), "i_max": chains.i_max}),
        )
        .await?;
        // 3. LA1 and LA2: the seeds of the current i-period. The request
        // (`SecuredLSRequest`) is encrypted to the LA's certificate, the
        // answer (`SecuredLSReply`) to the MA's: the linkage chain
        // identifiers and the seeds are for the two ends only.
        let mut seeds = Vec::with_capacity(2);
        for (which, base, la_cert, lci) in [
            (
                "LA1",
                &self.peers.la1,
                &self.peers.la1_certificate,
                &chains.la1_lci,
            ),
            (
                "LA2",
                &self.peers.la2,
                &self.peers.la2_certificate,
                &chains.la2_lci,
            ),
        ] {
            la_recipient(which, la_cert, &self.config.trust, now)?;
            let req = investigate::seed_request(ma_id.clone(), lci).map_err(inv)?;
            let (p, h) = self
                .exchange(
                    base,
                    "/v3/linkage-seed",
                    &req,
                    RequestForm::SignedThenEncryptedTo(la_cert),
                    AnswerForm::SignedThenEncrypted,
                    |s| matches!(s, SecurityMgmtSsp::La(_)),
                )
                .await?;
            // Encrypted to this LA's certificate, so answered by it: a seed
            // signed by another LA (even a peer) is not this LA's.
            if p.signer != *la_cert {
                return Err(inv(format!(
                    "{base}/v3/linkage-seed: answer signed by {}, not by {which}'s certificate {}",
                    hid8_hex(&p.signer),
                    hid8_hex(la_cert),
                )));
            }
            let (seed, la_id) = investigate::seed_of(&p.payload, h).map_err(inv)?;
            self.step(
                "la-seed",
                serde_json::json!({"peer": base, "la_id": u16::from_be_bytes(la_id), "i": i_now}),
            )
            .await?;
            seeds.push((seed, la_id));
        }
        let ((s1, la1), (s2, la2)) = (seeds[0], seeds[1]);
        // The seeds must link the reported certificate (when it is of this
        // i-period or later).
        let linked = if ld.i_cert >= i_now {
            let steps = u32::from(ld.i_cert - i_now);
            let (l1, l2) = (LaId(u16::from_be_bytes(la1)), LaId(u16::from_be_bytes(la2)));
            let a = LinkageSeed::from_bytes(s1).at(l1, steps);
            let b = LinkageSeed::from_bytes(s2).at(l2, steps);
            let ok = (0..u32::from(self.config.jmax))
                .any(|j| LinkageValue::compute(l1, &a, l2, &b, j).as_bytes() == &lv);
            if !ok {
                self.step(
                    "seed-check",
                    serde_json::json!({"result": "the seeds do not produce the certificate's linkage value"}),
                )
                .await?;
                return Err(inv("the LAs' seeds do not link the reported certificate"));
            }
            true
        } else {
            false
        };
        self.step("seed-check", serde_json::json!({"linked": linked}))
            .await?;
        // 4. RA: blocklist the device.
        let (p, h) = self
            .exchange(
                &self.peers.ra,
                "/v3/ma-blacklist",
                &investigate::blacklist_request(ma_id, hpcr),
                RequestForm::Signed,
                AnswerForm::Signed,
                |s| matches!(s, SecurityMgmtSsp::Ra(_)),
            )
            .await?;
        let newly = investigate::blacklisted(&p.payload, &hpcr, h).map_err(inv)?;
        self.step(
            "ra-blacklist",
            serde_json::json!({"peer": self.peers.ra, "hpcr": hex(&hpcr), "newly_blocked": newly}),
        )
        .await?;
        // 5. The CRL entry.
        let i_max = u16::try_from(chains.i_max).unwrap_or(u16::MAX).max(i_now);
        let crl = self
            .send_entries(CrlBody::Linkage {
                delta: true,
                i_rev: i_now,
                index_within_i: 0,
                individual: vec![IndividualEntry {
                    jmax: self.config.jmax,
                    la1_id: la1,
                    la2_id: la2,
                    i_max,
                    linkage_seed1: s1,
                    linkage_seed2: s2,
                }],
                groups: Vec::new(),
            })
            .await?;
        self.apply_crl(&crl).await?;
        self.step(
            "crl",
            serde_json::json!({"peer": self.peers.crl, "i_rev": i_now, "i_max": i_max, "jmax": self.config.jmax, "crl_sha256": hex(&sha256(&crl))}),
        )
        .await?;
        Ok(
            serde_json::json!({"kind": "linkage", "hpcr": hex(&hpcr), "i_rev": i_now, "i_max": i_max}),
        )
    }

    /// Sends revocation entries to the CRL generator (a delta `CrlContents`
    /// signed by the MA); returns the new `SecuredCrl`.
    async fn send_entries(&self, body: CrlBody) -> Result<Vec<u8>, MaError> {
        let now = self.now();
        let header = CrlHeader {
            series: match body {
                CrlBody::Linkage { .. } => scms_asn1::camp::base_types::OBE_PSEUDONYM_CRL_SERIES,
                CrlBody::Hash { .. } => scms_asn1::camp::base_types::EE_NON_PSEUDONYM_CRL_SERIES,
            },
            craca: [0; 8],
            issue_date: now,
            next_crl: now.saturating_add(1),
            priority: None,
        };
        let contents = crl_contents(&header, &body);
        let req = scms_signed(
            self.ks.as_ref(),
            &self.config.key_label,
            &self.config.certificate,
            &contents,
        )
        .map_err(|e| MaError::Internal(e.to_string()))?;
        let r = call(&self.peers.crl, "POST", "/v3/crl-entries", &[], &req)
            .await
            .map_err(|e| inv(format!("CRL generator: {e}")))?;
        if r.status != 200 {
            return Err(inv(format!(
                "CRL generator: HTTP {}: {}",
                r.status,
                r.text()
            )));
        }
        Ok(r.body)
    }
}

fn sha256(b: &[u8]) -> [u8; 32] {
    let d = scms_crypto::hash::digest(scms_crypto::hash::HashAlgorithm::Sha256, b);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_bytes());
    out
}

fn findings_json(f: &[Finding]) -> serde_json::Value {
    serde_json::Value::Array(
        f.iter()
            .map(|f| serde_json::json!({"rule": f.rule.name(), "evidence": f.index, "detail": f.detail}))
            .collect(),
    )
}

fn text(status: StatusCode, line: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}\n", line.replace(['\n', '\r'], " ")),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct PsidQuery {
    psid: Option<String>,
}

async fn get_certificate(State(s): State<Arc<MaService>>, Query(q): Query<PsidQuery>) -> Response {
    let cert = &s.config.certificate;
    if let Some(p) = q.psid {
        let Ok(psid) = u64::from_str_radix(p.trim_start_matches("0x"), 16) else {
            return text(StatusCode::BAD_REQUEST, "psid is not hex".into());
        };
        if !relevant_psids(cert).contains(&psid) {
            return text(
                StatusCode::NOT_FOUND,
                format!("this MA does not handle psid {psid:#x}"),
            );
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        cert.clone(),
    )
        .into_response()
}

async fn post_report(State(s): State<Arc<MaService>>, body: Bytes) -> Response {
    match s.handle_report(&body).await {
        // The reporter learns that the report was taken, nothing about the case.
        Ok(_) => text(StatusCode::ACCEPTED, "report accepted".into()),
        Err(e) => text(e.status(), e.to_string()),
    }
}

/// The audit entry of an investigation step.
fn step_entry(step: &str, details: serde_json::Value) -> AuditEntry {
    let mut d = details;
    d["step"] = serde_json::json!(step);
    AuditEntry::json("ma-investigation", &d)
}

/// The MA's HTTP interface: `GET /v3/ma-certificate?psid=<hex>`,
/// `POST /v3/misbehavior-report`.
pub fn router(s: Arc<MaService>) -> Router {
    Router::new()
        .route("/v3/ma-certificate", get(get_certificate))
        .route("/v3/misbehavior-report", post(post_report))
        .layer(DefaultBodyLimit::max(MAX_REPORT))
        .with_state(s)
}
