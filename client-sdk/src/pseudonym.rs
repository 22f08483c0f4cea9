//! The pseudonym certificates of a device and when to change them.
//!
//! A device holds many pseudonym (authorization) certificates valid at once
//! (20 per week in the US profile) and changes the one it signs with so that
//! its messages cannot be linked over a long time. [`PseudonymPolicy`] says
//! when: every `change_interval_us` (5 minutes by default) and at each trip
//! start. Each message stream (for example the BSM stream, PSID 32) signs with
//! one pseudonym at a time; a change picks a pseudonym valid now, other than
//! the current one, used least recently, and preferably not in use by another
//! stream. A new pseudonym starts with a fresh [`Signer`], so its first message
//! carries the full certificate.
//!
//! Sans-IO: time comes in as 1609.2 `Time64` (µs since 2004-01-01 TAI).

use crate::sign::{Message, Signer, SigningIdentity};
use scms_asn1::ieee1609dot2::time::{time32_of, validity_end};
use scms_asn1::ieee1609dot2::{Certificate, Time64};
use scms_hsm::spdu::SpduError;
use scms_hsm::KeyStore;
use std::collections::HashMap;

/// When a stream changes its pseudonym.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PseudonymPolicy {
    /// Maximum time one pseudonym signs a stream (µs); 0 disables timed changes.
    pub change_interval_us: u64,
    /// Whether [`PseudonymPool::start_trip`] changes every stream's pseudonym.
    pub change_at_trip_start: bool,
}

impl Default for PseudonymPolicy {
    fn default() -> Self {
        Self {
            change_interval_us: 5 * 60 * 1_000_000,
            change_at_trip_start: true,
        }
    }
}

/// Why the pool cannot sign.
#[derive(Debug)]
pub enum PoolError {
    /// No pseudonym certificate of the pool is valid at this time.
    NoValidPseudonym { at: u32 },
    /// Signing failed (key store, encoding).
    Sign(SpduError),
}

impl core::fmt::Display for PoolError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NoValidPseudonym { at } => {
                write!(f, "no pseudonym certificate valid at Time32 {at}")
            }
            Self::Sign(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PoolError {}

impl From<SpduError> for PoolError {
    fn from(e: SpduError) -> Self {
        Self::Sign(e)
    }
}

struct Entry {
    identity: SigningIdentity,
    /// Validity in Time32 seconds: `start <= t < end`.
    start: u32,
    end: u64,
    last_used: Option<Time64>,
}

impl Entry {
    fn valid_at(&self, t: u32) -> bool {
        self.start <= t && u64::from(t) < self.end
    }
}

struct Stream {
    entry: usize,
    since: Time64,
    signer: Signer,
}

/// The pseudonym certificates of a device and the one each stream signs with.
pub struct PseudonymPool {
    pub policy: PseudonymPolicy,
    entries: Vec<Entry>,
    streams: HashMap<u64, Stream>,
    /// Streams that must change at their next message (trip start).
    change_pending: Vec<u64>,
}

impl PseudonymPool {
    pub fn new(policy: PseudonymPolicy) -> Self {
        Self {
            policy,
            entries: Vec::new(),
            streams: HashMap::new(),
            change_pending: Vec::new(),
        }
    }

    /// Adds a pseudonym certificate (COER) whose private key is `key_label` in
    /// the key store the caller signs with.
    pub fn add(&mut self, certificate: Vec<u8>, key_label: &str) -> Result<(), SpduError> {
        let (start, end) = {
            let cert: Certificate<'_> = scms_asn1::decode(&certificate)?;
            let v = &cert.to_be_signed.validity_period;
            (v.start, validity_end(v))
        };
        let identity = SigningIdentity::new(certificate, key_label)?;
        if self
            .entries
            .iter()
            .any(|e| e.identity.hashed_id8 == identity.hashed_id8)
        {
            return Ok(());
        }
        self.entries.push(Entry {
            identity,
            start,
            end,
            last_used: None,
        });
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many certificates of the pool are valid at `now`.
    pub fn valid_count(&self, now: Time64) -> usize {
        let t = time32_of(now);
        self.entries.iter().filter(|e| e.valid_at(t)).count()
    }

    /// Drops certificates that expired before `now` (streams using one change
    /// at their next message).
    pub fn remove_expired(&mut self, now: Time64) {
        let t = u64::from(time32_of(now));
        let current: Vec<(u64, [u8; 8])> = self
            .streams
            .iter()
            .filter_map(|(s, st)| {
                self.entries
                    .get(st.entry)
                    .map(|e| (*s, e.identity.hashed_id8))
            })
            .collect();
        self.entries.retain(|e| e.end > t);
        for (stream, id) in current {
            match self
                .entries
                .iter()
                .position(|e| e.identity.hashed_id8 == id)
            {
                Some(i) => {
                    if let Some(st) = self.streams.get_mut(&stream) {
                        st.entry = i;
                    }
                }
                None => {
                    self.streams.remove(&stream);
                }
            }
        }
    }

    /// A trip starts (ignition on): with `change_at_trip_start`, every stream
    /// changes its pseudonym at its next message.
    pub fn start_trip(&mut self) {
        if self.policy.change_at_trip_start {
            self.change_pending = self.streams.keys().copied().collect();
        }
    }

    /// The certificate (HashedId8) `stream` signs with now, if it has one.
    pub fn current(&self, stream: u64) -> Option<[u8; 8]> {
        self.streams
            .get(&stream)
            .and_then(|s| self.entries.get(s.entry))
            .map(|e| e.identity.hashed_id8)
    }

    /// The signer of `stream` at `now`, changing its pseudonym first when the
    /// policy says so or when the current one is not valid at `now`.
    pub fn signer(&mut self, stream: u64, now: Time64) -> Result<&mut Signer, PoolError> {
        let t = time32_of(now);
        let pending = self.change_pending.iter().position(|s| *s == stream);
        let must_change = match self.streams.get(&stream) {
            None => true,
            Some(st) => {
                pending.is_some()
                    || !self.entries.get(st.entry).is_some_and(|e| e.valid_at(t))
                    || (self.policy.change_interval_us > 0
                        && now.saturating_sub(st.since) >= self.policy.change_interval_us)
            }
        };
        if let Some(p) = pending {
            self.change_pending.swap_remove(p);
        }
        if must_change {
            let current = self.streams.get(&stream).map(|s| s.entry);
            let next = self.pick(stream, current, t)?;
            let signer = Signer::new(self.entries[next].identity.clone());
            self.streams.insert(
                stream,
                Stream {
                    entry: next,
                    since: now,
                    signer,
                },
            );
        }
        let st = self
            .streams
            .get_mut(&stream)
            .ok_or(PoolError::NoValidPseudonym { at: t })?;
        if let Some(e) = self.entries.get_mut(st.entry) {
            e.last_used = Some(now);
        }
        Ok(&mut st.signer)
    }

    /// Signs `msg` on `stream` with the pseudonym the policy selects at the
    /// message's generation time.
    pub fn sign(
        &mut self,
        keys: &dyn KeyStore,
        stream: u64,
        msg: &Message<'_>,
    ) -> Result<Vec<u8>, PoolError> {
        let signer = self.signer(stream, msg.generation_time)?;
        Ok(signer.sign(keys, msg)?)
    }

    /// A valid certificate for `stream` other than `current`: not used by
    /// another stream if possible, least recently used first; `current` only
    /// when it is the one valid certificate.
    fn pick(&self, stream: u64, current: Option<usize>, t: u32) -> Result<usize, PoolError> {
        let in_use: Vec<usize> = self
            .streams
            .iter()
            .filter(|(s, _)| **s != stream)
            .map(|(_, st)| st.entry)
            .collect();
        let rank = |i: usize| {
            (
                Some(i) == current,
                in_use.contains(&i),
                self.entries[i].last_used,
                i,
            )
        };
        (0..self.entries.len())
            .filter(|&i| self.entries[i].valid_at(t))
            .min_by_key(|&i| rank(i))
            .ok_or(PoolError::NoValidPseudonym { at: t })
    }
}
