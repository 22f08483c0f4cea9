//! Issuance linting: a new certificate must fit inside its issuer (IEEE 1609.2
//! clause 5.1.2 chain consistency, the field rules of 6.4.8 and the notes on
//! `PsidGroupPermissions`, `SspRange` and `BitmapSspRange`), and inside the
//! `certRequestPermissions` of whoever requested it.
//!
//! Every rule returns a [`LintError`] naming the [`LintRule`] and the field of
//! the new certificate's `toBeSigned` at fault. [`lint_certificate`] is called
//! by [`crate::issue`] before any signature; it is public so a storage or HTTP
//! layer can check a request before queueing it.
//!
//! | rule | what must hold |
//! |---|---|
//! | `IssuerCannotIssue` | the issuer has `certIssuePermissions` |
//! | `ValidityStart` / `ValidityEnd` | `[start, start+duration)` inside the issuer's |
//! | `Region` | the region inside the issuer's (see [`region_within`]) |
//! | `AppPermission` | every `appPermissions` PSID/SSP is in an issuer group with `eeType` app that allows an end entity right below |
//! | `IssuePermission` | every `certIssuePermissions` group is a sub-range of one issuer group (PSIDs, SSP ranges, `eeType`) |
//! | `RequestPermission` | every `certRequestPermissions` PSID/SSP range is in an issuer group with `eeType` enrol |
//! | `ChainLength` | `minChainLength >= 1` in `certIssuePermissions`, and the subject's chain range lies inside the issuer's minus one |
//! | `Assurance` | assurance level (bits 7-5) not above the issuer's (absent = 0) |
//! | `Request` | the certificate's permissions and region fit the requester's `certRequestPermissions` / region |

use core::fmt;

use scms_asn1::ieee1609dot2::{
    PsidGroupPermissions, PsidSsp, PsidSspRange, ServiceSpecificPermissions, SspRange,
    SubjectPermissions, ToBeSignedCertificate,
};

use scms_asn1::ieee1609dot2::region::region_within;
use scms_asn1::ieee1609dot2::time::validity_end;

/// The rule a certificate broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LintRule {
    IssuerCannotIssue,
    ValidityStart,
    ValidityEnd,
    Region,
    AppPermission,
    IssuePermission,
    RequestPermission,
    ChainLength,
    Assurance,
    Request,
}

impl LintRule {
    pub fn as_str(self) -> &'static str {
        match self {
            LintRule::IssuerCannotIssue => "issuer-cannot-issue",
            LintRule::ValidityStart => "validity-start",
            LintRule::ValidityEnd => "validity-end",
            LintRule::Region => "region",
            LintRule::AppPermission => "app-permission",
            LintRule::IssuePermission => "issue-permission",
            LintRule::RequestPermission => "request-permission",
            LintRule::ChainLength => "chain-length",
            LintRule::Assurance => "assurance",
            LintRule::Request => "request",
        }
    }
}

/// A refusal: the rule, the field of the new certificate (`toBeSigned.` path,
/// ASN.1 names), and a readable detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintError {
    pub rule: LintRule,
    pub field: String,
    pub detail: String,
}

impl LintError {
    fn new(rule: LintRule, field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            rule,
            field: field.into(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.rule.as_str(),
            self.field,
            self.detail
        )
    }
}

impl std::error::Error for LintError {}

// ---------------------------------------------------------------------------
// Entry points

/// Checks that `subject` fits inside `issuer` (both `toBeSigned`).
pub fn lint_certificate(
    subject: &ToBeSignedCertificate<'_>,
    issuer: &ToBeSignedCertificate<'_>,
) -> Result<(), LintError> {
    let groups = issuer.cert_issue_permissions.as_deref().unwrap_or(&[]);
    if groups.is_empty() {
        return Err(LintError::new(
            LintRule::IssuerCannotIssue,
            "issuer.certIssuePermissions",
            "the issuer certificate has no certIssuePermissions",
        ));
    }
    lint_validity(subject, issuer)?;
    lint_region(subject, issuer)?;
    lint_assurance(subject, issuer)?;
    lint_chain_fields(subject)?;
    lint_permissions(subject, groups)?;
    Ok(())
}

/// Checks a self-signed certificate on its own (its permission groups are well formed).
pub fn lint_self_signed(subject: &ToBeSignedCertificate<'_>) -> Result<(), LintError> {
    lint_chain_fields(subject)
}

/// Checks that `subject` is consistent with the `certRequestPermissions` and
/// region of `requester` (the enrollment certificate, or the RA, that asked).
pub fn lint_request(
    subject: &ToBeSignedCertificate<'_>,
    requester: &ToBeSignedCertificate<'_>,
) -> Result<(), LintError> {
    let groups = requester.cert_request_permissions.as_deref().unwrap_or(&[]);
    if groups.is_empty() {
        return Err(LintError::new(
            LintRule::Request,
            "requester.certRequestPermissions",
            "the requester has no certRequestPermissions",
        ));
    }
    for (i, p) in subject.app_permissions.iter().flatten().enumerate() {
        if !groups
            .iter()
            .any(|g| g.ee_type.is_app() && group_permits_ssp(g, p))
        {
            return Err(LintError::new(
                LintRule::Request,
                format!("toBeSigned.appPermissions[{i}]"),
                format!(
                    "PSID {} not in the requester's certRequestPermissions",
                    p.psid.0
                ),
            ));
        }
    }
    for (gi, g) in subject
        .cert_request_permissions
        .iter()
        .flatten()
        .enumerate()
    {
        for (i, r) in explicit_or_all(g).iter().enumerate() {
            let ok = match r {
                None => groups
                    .iter()
                    .any(|q| matches!(q.subject_permissions, SubjectPermissions::All)),
                Some(r) => groups.iter().any(|q| group_permits_range(q, r)),
            };
            if !ok {
                return Err(LintError::new(
                    LintRule::Request,
                    format!("toBeSigned.certRequestPermissions[{gi}].subjectPermissions[{i}]"),
                    "not in the requester's certRequestPermissions",
                ));
            }
        }
    }
    if let Some(r) = &requester.region {
        match &subject.region {
            None => {
                return Err(LintError::new(
                    LintRule::Request,
                    "toBeSigned.region",
                    "the requester is restricted to a region; the certificate must be too",
                ))
            }
            Some(s) => region_within(s, r).map_err(|why| {
                LintError::new(
                    LintRule::Request,
                    "toBeSigned.region",
                    format!("outside the requester's region: {why}"),
                )
            })?,
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Validity, assurance, chain length

fn lint_validity(
    s: &ToBeSignedCertificate<'_>,
    i: &ToBeSignedCertificate<'_>,
) -> Result<(), LintError> {
    let (ss, is) = (s.validity_period.start, i.validity_period.start);
    if ss < is {
        return Err(LintError::new(
            LintRule::ValidityStart,
            "toBeSigned.validityPeriod.start",
            format!("starts at {ss}, before the issuer ({is})"),
        ));
    }
    let (se, ie) = (
        validity_end(&s.validity_period),
        validity_end(&i.validity_period),
    );
    if se > ie {
        return Err(LintError::new(
            LintRule::ValidityEnd,
            "toBeSigned.validityPeriod.duration",
            format!("ends at {se}, after the issuer ({ie})"),
        ));
    }
    Ok(())
}

/// The assurance level (bits 7-5 of `SubjectAssurance`); absent is level 0.
pub fn assurance_level(t: &ToBeSignedCertificate<'_>) -> u8 {
    t.assurance_level.map_or(0, |a| a[0] >> 5)
}

fn lint_assurance(
    s: &ToBeSignedCertificate<'_>,
    i: &ToBeSignedCertificate<'_>,
) -> Result<(), LintError> {
    let (sl, il) = (assurance_level(s), assurance_level(i));
    if sl > il {
        return Err(LintError::new(
            LintRule::Assurance,
            "toBeSigned.assuranceLevel",
            format!("level {sl} above the issuer's {il}"),
        ));
    }
    Ok(())
}

fn lint_chain_fields(s: &ToBeSignedCertificate<'_>) -> Result<(), LintError> {
    for (gi, g) in s.cert_issue_permissions.iter().flatten().enumerate() {
        if g.min_chain_length < 1 {
            return Err(LintError::new(
                LintRule::ChainLength,
                format!("toBeSigned.certIssuePermissions[{gi}].minChainLength"),
                "minChainLength 0 is not permitted in certIssuePermissions",
            ));
        }
        if g.chain_length_range < -1 {
            return Err(LintError::new(
                LintRule::ChainLength,
                format!("toBeSigned.certIssuePermissions[{gi}].chainLengthRange"),
                "chainLengthRange below -1",
            ));
        }
    }
    Ok(())
}

/// Largest chain length a group allows (`None`: unbounded).
fn max_chain(g: &PsidGroupPermissions<'_>) -> Option<i64> {
    (g.chain_length_range >= 0).then(|| g.min_chain_length.saturating_add(g.chain_length_range))
}

/// The group allows an end-entity certificate directly below (chain length 1).
fn allows_ee(g: &PsidGroupPermissions<'_>) -> bool {
    g.min_chain_length <= 1 && max_chain(g).is_none_or(|m| m >= 1)
}

/// A subject group (chain lengths counted from the subject) fits an issuer
/// group (counted from the issuer, one more).
fn chain_within(s: &PsidGroupPermissions<'_>, i: &PsidGroupPermissions<'_>) -> bool {
    if s.min_chain_length.saturating_add(1) < i.min_chain_length {
        return false;
    }
    match (max_chain(s), max_chain(i)) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(sm), Some(im)) => sm < im,
    }
}

// ---------------------------------------------------------------------------
// Permissions

fn ssp_bytes<'s>(s: &'s ServiceSpecificPermissions<'_>) -> Option<&'s [u8]> {
    match s {
        ServiceSpecificPermissions::Opaque(o) => Some(o),
        ServiceSpecificPermissions::BitmapSsp(b) => Some(&b.0),
        ServiceSpecificPermissions::Unknown(_) => None,
    }
}

/// Bits set in `mask` agree between `a` and `value` (all the same length).
fn bits_agree(a: &[u8], value: &[u8], mask: &[u8]) -> bool {
    a.len() == value.len()
        && a.len() == mask.len()
        && a.iter()
            .zip(value)
            .zip(mask)
            .all(|((a, v), m)| (a ^ v) & m == 0)
}

/// An SSP (or none) is inside an SSP range (absent range: any SSP).
pub fn ssp_in_range(
    ssp: Option<&ServiceSpecificPermissions<'_>>,
    range: Option<&SspRange<'_>>,
) -> bool {
    match range {
        None | Some(SspRange::All) => true,
        Some(SspRange::Opaque(list)) => match ssp {
            None => list.iter().any(|o| o.is_empty()),
            Some(ServiceSpecificPermissions::Opaque(o)) => list.iter().any(|x| x[..] == o[..]),
            Some(_) => false,
        },
        Some(SspRange::BitmapSspRange(r)) => match ssp {
            Some(ServiceSpecificPermissions::BitmapSsp(b)) => {
                bits_agree(&b.0, &r.ssp_value, &r.ssp_bitmask)
            }
            _ => false,
        },
        Some(SspRange::Unknown(_)) => false,
    }
}

/// An SSP range is inside another (absent: any SSP).
pub fn range_in_range(sub: Option<&SspRange<'_>>, iss: Option<&SspRange<'_>>) -> bool {
    if !ssp_unknown_free(sub) {
        return false;
    }
    match iss {
        None | Some(SspRange::All) => true,
        Some(SspRange::Opaque(list)) => match sub {
            Some(SspRange::Opaque(s)) => s.iter().all(|x| list.iter().any(|y| x[..] == y[..])),
            _ => false,
        },
        Some(SspRange::BitmapSspRange(r)) => match sub {
            Some(SspRange::BitmapSspRange(s)) => {
                s.ssp_value.len() == r.ssp_value.len()
                    && s.ssp_bitmask.len() == r.ssp_bitmask.len()
                    && s.ssp_bitmask
                        .iter()
                        .zip(r.ssp_bitmask.iter())
                        .all(|(sm, rm)| sm & rm == *rm)
                    && bits_agree(&s.ssp_value, &r.ssp_value, &r.ssp_bitmask)
            }
            _ => false,
        },
        Some(SspRange::Unknown(_)) => false,
    }
}

fn ssp_unknown_free(r: Option<&SspRange<'_>>) -> bool {
    !matches!(r, Some(SspRange::Unknown(_)))
}

fn group_permits_ssp(g: &PsidGroupPermissions<'_>, p: &PsidSsp<'_>) -> bool {
    if p.ssp.as_ref().is_some_and(|s| ssp_bytes(s).is_none()) {
        return false;
    }
    match &g.subject_permissions {
        SubjectPermissions::All => true,
        SubjectPermissions::Explicit(list) => list
            .iter()
            .any(|r| r.psid == p.psid && ssp_in_range(p.ssp.as_ref(), r.ssp_range.as_ref())),
        SubjectPermissions::Unknown(_) => false,
    }
}

fn group_permits_range(g: &PsidGroupPermissions<'_>, p: &PsidSspRange<'_>) -> bool {
    match &g.subject_permissions {
        SubjectPermissions::All => ssp_unknown_free(p.ssp_range.as_ref()),
        SubjectPermissions::Explicit(list) => list.iter().any(|r| {
            r.psid == p.psid && range_in_range(p.ssp_range.as_ref(), r.ssp_range.as_ref())
        }),
        SubjectPermissions::Unknown(_) => false,
    }
}

/// The entries of a group (`None` for `all`).
fn explicit_or_all<'g, 'a>(g: &'g PsidGroupPermissions<'a>) -> Vec<Option<&'g PsidSspRange<'a>>> {
    match &g.subject_permissions {
        SubjectPermissions::Explicit(list) => list.iter().map(Some).collect(),
        _ => vec![None],
    }
}

fn ee_subset(s: &PsidGroupPermissions<'_>, i: &PsidGroupPermissions<'_>) -> bool {
    (!s.ee_type.is_app() || i.ee_type.is_app()) && (!s.ee_type.is_enrol() || i.ee_type.is_enrol())
}

fn lint_permissions(
    s: &ToBeSignedCertificate<'_>,
    groups: &[PsidGroupPermissions<'_>],
) -> Result<(), LintError> {
    for (i, p) in s.app_permissions.iter().flatten().enumerate() {
        let field = format!("toBeSigned.appPermissions[{i}]");
        let candidates: Vec<_> = groups.iter().filter(|g| group_permits_ssp(g, p)).collect();
        if candidates.is_empty() {
            return Err(LintError::new(
                LintRule::AppPermission,
                field,
                format!(
                    "PSID {} (with this SSP) not in the issuer's certIssuePermissions",
                    p.psid.0
                ),
            ));
        }
        if !candidates.iter().any(|g| g.ee_type.is_app()) {
            return Err(LintError::new(
                LintRule::AppPermission,
                field,
                format!(
                    "PSID {} is granted by the issuer for eeType enrol only",
                    p.psid.0
                ),
            ));
        }
        if !candidates
            .iter()
            .any(|g| g.ee_type.is_app() && allows_ee(g))
        {
            return Err(LintError::new(
                LintRule::ChainLength,
                field,
                format!("the issuer's group for PSID {} does not allow an end entity directly below (minChainLength)", p.psid.0),
            ));
        }
    }
    for (gi, sg) in s.cert_issue_permissions.iter().flatten().enumerate() {
        let field = format!("toBeSigned.certIssuePermissions[{gi}]");
        let entries = explicit_or_all(sg);
        let covers = |ig: &PsidGroupPermissions<'_>| {
            entries.iter().all(|e| match e {
                None => matches!(ig.subject_permissions, SubjectPermissions::All),
                Some(r) => group_permits_range(ig, r),
            })
        };
        let candidates: Vec<_> = groups.iter().filter(|ig| covers(ig)).collect();
        if candidates.is_empty() {
            return Err(LintError::new(
                LintRule::IssuePermission,
                format!("{field}.subjectPermissions"),
                "PSIDs or SSP ranges not within one of the issuer's certIssuePermissions groups",
            ));
        }
        let typed: Vec<_> = candidates
            .into_iter()
            .filter(|ig| ee_subset(sg, ig))
            .collect();
        if typed.is_empty() {
            return Err(LintError::new(
                LintRule::IssuePermission,
                format!("{field}.eeType"),
                "eeType not within the issuer's group",
            ));
        }
        if !typed.iter().any(|ig| chain_within(sg, ig)) {
            return Err(LintError::new(
                LintRule::ChainLength,
                format!("{field}.minChainLength"),
                "chain length range not within the issuer's (minus one level)",
            ));
        }
    }
    for (gi, sg) in s.cert_request_permissions.iter().flatten().enumerate() {
        for (i, e) in explicit_or_all(sg).iter().enumerate() {
            let field = format!("toBeSigned.certRequestPermissions[{gi}].subjectPermissions[{i}]");
            let candidates: Vec<_> = groups
                .iter()
                .filter(|ig| match e {
                    None => matches!(ig.subject_permissions, SubjectPermissions::All),
                    Some(r) => group_permits_range(ig, r),
                })
                .collect();
            if candidates.is_empty() {
                return Err(LintError::new(
                    LintRule::RequestPermission,
                    field,
                    "not within the issuer's certIssuePermissions",
                ));
            }
            if !candidates.iter().any(|g| g.ee_type.is_enrol()) {
                return Err(LintError::new(
                    LintRule::RequestPermission,
                    field,
                    "the issuer grants these PSIDs for eeType app only (certRequestPermissions need enrol)",
                ));
            }
            if !candidates
                .iter()
                .any(|g| g.ee_type.is_enrol() && allows_ee(g))
            {
                return Err(LintError::new(
                    LintRule::ChainLength,
                    field,
                    "the issuer's enrol group does not allow an end entity directly below",
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Regions

fn lint_region(
    s: &ToBeSignedCertificate<'_>,
    i: &ToBeSignedCertificate<'_>,
) -> Result<(), LintError> {
    match (&s.region, &i.region) {
        // Absent in the subject: the issuer's region applies. Absent in the issuer: worldwide.
        (None, _) | (_, None) => Ok(()),
        (Some(sr), Some(ir)) => region_within(sr, ir)
            .map_err(|why| LintError::new(LintRule::Region, "toBeSigned.region", why)),
    }
}
