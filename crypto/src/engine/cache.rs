//! A bounded LRU cache of per-signer tables keyed by HashedId8.
//!
//! V2X neighbours sign about 10 times a second with the same pseudonym, so a
//! table (32 KiB, ~3 verifications to build) pays for itself within the first
//! second. The cache is a slab with an intrusive doubly-linked recency list and
//! a hash map from key to slot: O(1) lookup, insert and eviction.

use std::collections::HashMap;
use std::sync::Arc;

use super::curve::{CurveParams, P256};
use super::point::Affine;
use super::verify::{FullSignature, Signature, SignerTable};
use super::EngineError;

const NIL: usize = usize::MAX;

struct Slot<C: CurveParams> {
    key: [u8; 8],
    table: Arc<SignerTable<C>>,
    prev: usize,
    next: usize,
}

/// LRU map HashedId8 -> [`SignerTable`] of one curve.
pub struct SignerCache<C: CurveParams> {
    capacity: usize,
    map: HashMap<[u8; 8], usize>,
    slots: Vec<Slot<C>>,
    head: usize, // most recent
    tail: usize, // least recent
}

impl<C: CurveParams> SignerCache<C> {
    /// A cache holding at most `capacity` tables (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        SignerCache {
            capacity,
            map: HashMap::with_capacity(capacity),
            slots: Vec::with_capacity(capacity),
            head: NIL,
            tail: NIL,
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn unlink(&mut self, i: usize) {
        let (prev, next) = (self.slots[i].prev, self.slots[i].next);
        if prev != NIL {
            self.slots[prev].next = next;
        } else {
            self.head = next;
        }
        if next != NIL {
            self.slots[next].prev = prev;
        } else {
            self.tail = prev;
        }
    }

    fn push_front(&mut self, i: usize) {
        self.slots[i].prev = NIL;
        self.slots[i].next = self.head;
        if self.head != NIL {
            self.slots[self.head].prev = i;
        }
        self.head = i;
        if self.tail == NIL {
            self.tail = i;
        }
    }

    /// The cached table for `id`, marked most recently used.
    pub fn get(&mut self, id: &[u8; 8]) -> Option<Arc<SignerTable<C>>> {
        let i = *self.map.get(id)?;
        self.unlink(i);
        self.push_front(i);
        Some(self.slots[i].table.clone())
    }

    /// Inserts (or replaces) the table for `id`, evicting the least recent.
    pub fn insert(&mut self, id: [u8; 8], table: Arc<SignerTable<C>>) {
        if let Some(&i) = self.map.get(&id) {
            self.slots[i].table = table;
            self.unlink(i);
            self.push_front(i);
            return;
        }
        let i = if self.slots.len() < self.capacity {
            self.slots.push(Slot {
                key: id,
                table,
                prev: NIL,
                next: NIL,
            });
            self.slots.len() - 1
        } else {
            let i = self.tail;
            self.unlink(i);
            let old = self.slots[i].key;
            self.map.remove(&old);
            self.slots[i].key = id;
            self.slots[i].table = table;
            i
        };
        self.map.insert(id, i);
        self.push_front(i);
    }

    /// The table for `id`, built from `key` on a miss. A cached table whose key
    /// differs from `key` (a HashedId8 collision or a reused id) is rebuilt.
    pub fn get_or_build(
        &mut self,
        id: &[u8; 8],
        key: &Affine<C>,
    ) -> Result<Arc<SignerTable<C>>, EngineError> {
        if let Some(t) = self.get(id) {
            if t.key() == key {
                return Ok(t);
            }
        }
        let t = Arc::new(SignerTable::new(key)?);
        self.insert(*id, t.clone());
        Ok(t)
    }
}

/// ECDSA through the cache (SM2's is in `sm2`).
impl SignerCache<P256> {
    /// Verifies through the signer's cached table.
    pub fn verify_with_table(
        &mut self,
        id: &[u8; 8],
        key: &Affine<P256>,
        digest: &[u8; 32],
        sig: &Signature<P256>,
    ) -> Result<(), EngineError> {
        self.get_or_build(id, key)?.verify_prehash(digest, sig)
    }

    /// Full-R variant of [`SignerCache::verify_with_table`].
    pub fn verify_full_with_table(
        &mut self,
        id: &[u8; 8],
        key: &Affine<P256>,
        digest: &[u8; 32],
        sig: &FullSignature,
    ) -> Result<(), EngineError> {
        self.get_or_build(id, key)?.verify_prehash_full(digest, sig)
    }
}
