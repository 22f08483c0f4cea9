//! What has been revoked, in a form each message can be checked against in O(1):
//! HashedId10s of revoked certificates, and the linkage values that the seeds of
//! linkage-based CRL entries produce for the current and following i-periods,
//! so a revoked device's pseudonyms of later periods (issued before or after the
//! report) are recognised too.
//!
//! A linkage entry carries the seeds `ls1(i_rev)`, `ls2(i_rev)` of LA1 and LA2;
//! for each i from `i_rev` and each j below `jmax` the receiver computes
//! `lv(i, j) = plv1(i, j) XOR plv2(i, j)` (1609.2 5.1.3.4, `scms_crypto::linkage`).

use scms_asn1::ieee1609dot2::crl_base_types::{CrlContents, TypeSpecificCrlContents};
use scms_crypto::linkage::{LaId, LinkageSeed, LinkageValue};
use std::collections::HashSet;

/// How far ahead linkage values are expanded, and the most values kept.
#[derive(Clone, Copy, Debug)]
pub struct RevocationConfig {
    /// i-periods after the current one to precompute (the pseudonyms a device
    /// already holds for the coming weeks).
    pub periods_ahead: u16,
    /// Upper bound on stored linkage values (memory bound on hostile CRLs).
    pub max_linkage_values: usize,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        Self {
            periods_ahead: 2,
            max_linkage_values: 4_000_000,
        }
    }
}

/// One linkage-based revocation: two seeds at `i_rev` and the j range.
#[derive(Clone, Debug)]
struct LinkageEntry {
    la1: u16,
    la2: u16,
    seed1: [u8; 16],
    seed2: [u8; 16],
    i_rev: u16,
    i_max: u16,
    jmax: u8,
}

/// The revocation state of a receiver.
#[derive(Default)]
pub struct RevocationList {
    config: RevocationConfig,
    hashes: HashSet<[u8; 10]>,
    entries: Vec<LinkageEntry>,
    /// (i, linkage value) of revoked pseudonyms for the periods expanded so far.
    linkage_values: HashSet<(u16, [u8; 9])>,
    expanded_to: Option<(u16, u16)>,
    /// (CRL series, CRACA) -> newest CRL number applied, so replays of old CRLs are ignored.
    applied: Vec<((u16, [u8; 8]), u32)>,
}

/// What applying a CRL did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrlApplied {
    pub hash_entries: usize,
    pub linkage_entries: usize,
    /// False when the CRL was older than one already applied (nothing changed).
    pub fresh: bool,
}

impl RevocationList {
    pub fn new(config: RevocationConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Applies the contents of a CRL whose signature the caller has checked.
    /// `current_i` is the receiver's current i-period.
    pub fn apply(&mut self, crl: &CrlContents, current_i: u16) -> CrlApplied {
        let serial = match &crl.type_specific {
            TypeSpecificCrlContents::FullHashCrl(h) | TypeSpecificCrlContents::DeltaHashCrl(h) => {
                h.crl_serial
            }
            TypeSpecificCrlContents::FullLinkedCrl(l)
            | TypeSpecificCrlContents::DeltaLinkedCrl(l) => {
                (u32::from(l.i_rev) << 8) | u32::from(l.index_within_i)
            }
            _ => 0,
        };
        let key = (crl.crl_series, crl.crl_craca);
        match self.applied.iter_mut().find(|(k, _)| *k == key) {
            Some((_, newest)) if *newest > serial => return CrlApplied::default(),
            Some((_, newest)) => *newest = serial,
            None => self.applied.push((key, serial)),
        }
        let mut out = CrlApplied {
            fresh: true,
            ..CrlApplied::default()
        };
        match &crl.type_specific {
            TypeSpecificCrlContents::FullHashCrl(h) | TypeSpecificCrlContents::DeltaHashCrl(h) => {
                for e in &h.entries {
                    self.hashes.insert(e.id);
                    out.hash_entries += 1;
                }
            }
            TypeSpecificCrlContents::FullLinkedCrl(l)
            | TypeSpecificCrlContents::DeltaLinkedCrl(l) => {
                for jg in l.individual.iter().flatten() {
                    for la in &jg.contents {
                        for ig in &la.contents {
                            for r in &ig.contents {
                                self.entries.push(LinkageEntry {
                                    la1: u16::from_be_bytes(la.la1_id),
                                    la2: u16::from_be_bytes(la.la2_id),
                                    seed1: r.linkage_seed1,
                                    seed2: r.linkage_seed2,
                                    i_rev: l.i_rev,
                                    i_max: ig.i_max,
                                    jmax: jg.jmax,
                                });
                                out.linkage_entries += 1;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        if out.linkage_entries > 0 {
            self.expanded_to = None;
            self.expand(current_i);
        }
        out
    }

    /// Recomputes the linkage values for `current_i ..= current_i + periods_ahead`
    /// (call when the i-period changes; cheap when nothing changed).
    pub fn expand(&mut self, current_i: u16) {
        let last = current_i.saturating_add(self.config.periods_ahead);
        if self.expanded_to == Some((current_i, last)) {
            return;
        }
        self.linkage_values.clear();
        'entries: for e in &self.entries {
            let from = current_i.max(e.i_rev);
            let to = last.min(e.i_max);
            if from > to {
                continue;
            }
            let (la1, la2) = (LaId(e.la1), LaId(e.la2));
            let s1 = LinkageSeed::from_bytes(e.seed1).at(la1, u32::from(from - e.i_rev));
            let s2 = LinkageSeed::from_bytes(e.seed2).at(la2, u32::from(from - e.i_rev));
            let (mut s1, mut s2) = (s1, s2);
            for i in from..=to {
                for j in 0..u32::from(e.jmax) {
                    if self.linkage_values.len() >= self.config.max_linkage_values {
                        break 'entries;
                    }
                    let lv = LinkageValue::compute(la1, &s1, la2, &s2, j);
                    self.linkage_values.insert((i, *lv.as_bytes()));
                }
                s1 = s1.next(la1);
                s2 = s2.next(la2);
            }
        }
        self.expanded_to = Some((current_i, last));
    }

    /// Whether a certificate with this HashedId10 is revoked.
    pub fn is_hash_revoked(&self, hashed_id10: &[u8; 10]) -> bool {
        self.hashes.contains(hashed_id10)
    }

    /// Whether a pseudonym with this (iCert, linkage value) is revoked.
    pub fn is_linkage_revoked(&self, i: u16, lv: &[u8; 9]) -> bool {
        self.linkage_values.contains(&(i, *lv))
    }

    pub fn linkage_value_count(&self) -> usize {
        self.linkage_values.len()
    }
}
