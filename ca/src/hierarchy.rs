//! A complete hierarchy in one call, into a [`KeyStore`]:
//!
//! ```text
//! root (self-signed) ─┬─ ica ─┬─ eca
//!                     │       ├─ aca
//!                     │       ├─ ra
//!                     │       ├─ la1, la2
//!                     │       └─ ma
//!                     └─ crl (CRL signer, CRACA = root)
//! elector-1..N (self-signed) ── sign the CTL approving the root and the electors
//! ```
//!
//! Every certificate after the root carries the root's HashedId3 as `cracaId`.
//! Keys are labelled `<prefix><role>` (`us-root`, `us-elector-1`...). The
//! returned [`Hierarchy`] holds the certificates by role name, the CTL
//! (`MultiSignedCtlSpdu`) and the [`IssuanceRecord`]s in issuance order, for
//! `scms init` to commit and `scms export` to write.

use std::collections::BTreeMap;

use scms_asn1::ieee1609dot2::Time32;
use scms_crypto::suite::Curve;
use scms_hsm::KeyStore;

use crate::ctl::{elector_entry, root_ca_entry, sign_ctl, CtlContent, Elector, SignedCtl};
use crate::issue::{issue, issue_self_signed, IssuanceRecord, IssueParams, IssuerRef, SubjectId};
use crate::profile::{builtin, CurveName, Family, Profile};
use crate::CaError;

/// How to build a hierarchy.
#[derive(Clone, Debug)]
pub struct HierarchyOptions {
    pub family: Family,
    /// Issuance time (`Time32`), the start of every validity period.
    pub now: Time32,
    /// Number of electors (at least 1).
    pub electors: usize,
    /// Electors needed for the next CTL (default: a majority).
    pub quorum: Option<usize>,
    /// Prefix of the key labels (default `<family>-`).
    pub label_prefix: Option<String>,
    /// The root's curve (`us` allows P-384); default the family's.
    pub root_curve: Option<Curve>,
    /// `ctlSeriesId` of the CTL.
    pub ctl_series_id: [u8; 8],
    /// Domain used in the authorities' certificate names (`root.<domain>`...).
    pub domain: String,
}

impl HierarchyOptions {
    pub fn new(family: Family, now: Time32) -> Self {
        let mut series = *b"scms-\0\0\0";
        series[5..7].copy_from_slice(family.as_str().as_bytes());
        Self {
            family,
            now,
            electors: 3,
            quorum: None,
            label_prefix: None,
            root_curve: None,
            ctl_series_id: series,
            domain: format!("{}.scms.invalid", family.as_str()),
        }
    }
}

/// Role names of the authority certificates, in issuance order (then `elector-N`).
pub const ROLES: [&str; 9] = ["root", "ica", "eca", "aca", "ra", "la1", "la2", "ma", "crl"];

/// A built hierarchy.
#[derive(Clone, Debug)]
pub struct Hierarchy {
    pub family: Family,
    /// COER certificates by role name (`root, ica, eca, aca, ra, la1, la2, ma, crl, elector-N`).
    pub certificates: BTreeMap<String, Vec<u8>>,
    /// Key labels by role name.
    pub key_labels: BTreeMap<String, String>,
    /// The profile each role was issued with.
    pub profiles: BTreeMap<String, Profile>,
    /// Issuance records, in order.
    pub records: Vec<IssuanceRecord>,
    /// The CTL signed by every elector.
    pub ctl: SignedCtl,
}

impl Hierarchy {
    /// The certificate of a role.
    pub fn certificate(&self, role: &str) -> Result<&[u8], CaError> {
        self.certificates
            .get(role)
            .map(Vec::as_slice)
            .ok_or_else(|| CaError::invalid("role", format!("no {role} in the hierarchy")))
    }

    /// The issuer of a role, by name (`None` for self-signed ones).
    pub fn issuer_of(role: &str) -> Option<&'static str> {
        match role {
            "root" => None,
            r if r.starts_with("elector") => None,
            "ica" | "crl" => Some("root"),
            _ => Some("ica"),
        }
    }

    /// The issuer reference of a role (certificate and key label), to issue
    /// under it (e.g. `eca` for enrollment, `aca` for pseudonyms).
    pub fn issuer_ref(&self, role: &str) -> Result<IssuerRef<'_>, CaError> {
        Ok(IssuerRef {
            certificate: self.certificate(role)?,
            key_label: self
                .key_labels
                .get(role)
                .ok_or_else(|| CaError::invalid("role", format!("no key for {role}")))?,
        })
    }

    /// The files of `scms export`: `<role>.oer` for every certificate and
    /// `ctl.oer` (the `MultiSignedCtlSpdu`), sorted by name.
    pub fn export_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = self
            .certificates
            .iter()
            .map(|(role, c)| (format!("{role}.oer"), c.clone()))
            .collect();
        files.push(("ctl.oer".to_string(), self.ctl.spdu.clone()));
        files.sort();
        files
    }

    /// The `cracaId` used in the hierarchy (the root's HashedId3).
    pub fn craca_id(&self) -> Result<[u8; 3], CaError> {
        Ok(scms_crypto::verify::certificate_hashed_id3(
            &scms_asn1::decode(self.certificate("root")?)?,
        )?)
    }
}

/// Roles whose certificates carry an encryption key (`<key label>-enc`).
pub const ENCRYPTING_ROLES: [&str; 5] = ["ra", "aca", "la1", "la2", "ma"];

/// Builds a hierarchy: generates every key in `ks`, issues every certificate
/// (linted, signed, verified) and signs the CTL.
pub fn build(ks: &dyn KeyStore, opts: &HierarchyOptions) -> Result<Hierarchy, CaError> {
    if opts.electors == 0 {
        return Err(CaError::invalid("electors", "at least one elector"));
    }
    let prefix = opts
        .label_prefix
        .clone()
        .unwrap_or_else(|| format!("{}-", opts.family.as_str()));
    let mut h = Hierarchy {
        family: opts.family,
        certificates: BTreeMap::new(),
        key_labels: BTreeMap::new(),
        profiles: BTreeMap::new(),
        records: Vec::new(),
        ctl: SignedCtl {
            spdu: Vec::new(),
            multi_signed_ctl: Vec::new(),
            tbs_ctl: Vec::new(),
        },
    };

    // Root.
    let mut root_profile = builtin(opts.family, "root")?;
    if let Some(c) = opts.root_curve {
        root_profile.curve = CurveName::from_curve(c);
        if opts.family == Family::Cn && c != Curve::Sm2 {
            return Err(CaError::invalid("root curve", "the cn hierarchy is SM2"));
        }
        if opts.family == Family::Us && c == Curve::Sm2 {
            return Err(CaError::invalid(
                "root curve",
                "the us hierarchy has no SM2 root",
            ));
        }
    }
    self_signed(ks, &mut h, opts, &prefix, "root", root_profile)?;
    let craca_id = h.craca_id()?;

    // Everything below the root.
    for role in &ROLES[1..] {
        let profile_name = *role;
        let profile = builtin(opts.family, profile_name)?;
        let label = format!("{prefix}{role}");
        let key = ks.generate(&label, profile.curve.curve())?;
        let key = scms_crypto::suite::PublicKey::from_sec1(key.curve, &key.public_key)?;
        let issuer_role = Hierarchy::issuer_of(role).unwrap_or("root");
        let mut params = IssueParams::new(
            &profile,
            SubjectId::Name(format!("{role}.{}", opts.domain)),
            key,
            opts.now,
        );
        params.craca_id = craca_id;
        // Authorities that receive encrypted requests carry an encryption key:
        // the RA (provisioning requests), the ACA (pre-linkage values, RA
        // requests), the LAs (the MA's `SecuredLSRequest`) and the MA
        // (misbehavior reports, the LAs' `SecuredLSReply`). Its label is
        // `<label>-enc`.
        if ENCRYPTING_ROLES.contains(role) {
            let enc = ks.generate(&format!("{label}-enc"), profile.curve.curve())?;
            params.encryption_key = Some(scms_crypto::suite::PublicKey::from_sec1(
                enc.curve,
                &enc.public_key,
            )?);
        }
        let issued = issue(ks, &h.issuer_ref(issuer_role)?, &params)?;
        h.certificates
            .insert(role.to_string(), issued.record.certificate.clone());
        h.key_labels.insert(role.to_string(), label);
        h.profiles.insert(role.to_string(), profile);
        h.records.push(issued.record);
    }

    // Electors and the CTL.
    let mut names = Vec::with_capacity(opts.electors);
    for n in 1..=opts.electors {
        let name = format!("elector-{n}");
        self_signed(
            ks,
            &mut h,
            opts,
            &prefix,
            &name,
            builtin(opts.family, "elector")?,
        )?;
        names.push(name);
    }
    let root = h.certificate("root")?.to_vec();
    let elector_certs: Vec<Vec<u8>> = names
        .iter()
        .map(|n| h.certificate(n).map(<[u8]>::to_vec))
        .collect::<Result<_, _>>()?;
    let content = CtlContent {
        series_id: opts.ctl_series_id,
        sequence_number: 1,
        effective_date: opts.now,
        elector_approve: elector_certs
            .iter()
            .map(|c| elector_entry(c))
            .collect::<Result<_, _>>()?,
        elector_remove: Vec::new(),
        root_ca_approve: vec![root_ca_entry(&root)?],
        root_ca_remove: Vec::new(),
        quorum: Some(opts.quorum.unwrap_or(opts.electors / 2 + 1) as i64),
    };
    let electors: Vec<Elector<'_>> = names
        .iter()
        .zip(&elector_certs)
        .map(|(n, c)| {
            Ok(Elector {
                certificate: c,
                key_label: h
                    .key_labels
                    .get(n)
                    .ok_or_else(|| CaError::invalid("role", n.clone()))?,
            })
        })
        .collect::<Result<_, CaError>>()?;
    let mut unsigned: Vec<&[u8]> = vec![&root];
    unsigned.extend(elector_certs.iter().map(Vec::as_slice));
    let ctl = sign_ctl(ks, &content, &unsigned, &electors)?;
    h.ctl = ctl;
    Ok(h)
}

fn self_signed(
    ks: &dyn KeyStore,
    h: &mut Hierarchy,
    opts: &HierarchyOptions,
    prefix: &str,
    role: &str,
    profile: Profile,
) -> Result<(), CaError> {
    let label = format!("{prefix}{role}");
    let info = ks.generate(&label, profile.curve.curve())?;
    let key = scms_crypto::suite::PublicKey::from_sec1(info.curve, &info.public_key)?;
    let params = IssueParams::new(
        &profile,
        SubjectId::Name(format!("{role}.{}", opts.domain)),
        key,
        opts.now,
    );
    let issued = issue_self_signed(ks, &label, &params)?;
    h.certificates
        .insert(role.to_string(), issued.record.certificate.clone());
    h.key_labels.insert(role.to_string(), label);
    h.profiles.insert(role.to_string(), profile);
    h.records.push(issued.record);
    Ok(())
}
