//! Per-sender batch sizing for the batch verifier.
//!
//! A failed batch costs a bisection, so a sender whose signatures keep failing
//! should be verified in smaller batches (down to single verification) until
//! it behaves again. The size for a sender halves on every failure and
//! doubles on every clean batch, between `min` and `max`. Only senders below
//! `max` are remembered, at most `capacity` of them: a sender that does not fit
//! simply keeps the full size, which costs time but never correctness.

use std::collections::HashMap;

/// Batch size per HashedId8.
#[derive(Debug, Clone)]
pub struct BatchSizer {
    min: usize,
    max: usize,
    capacity: usize,
    reduced: HashMap<[u8; 8], usize>,
}

impl BatchSizer {
    /// Sizes between `min` and `max` (both at least 1), remembering at most
    /// `capacity` reduced senders.
    pub fn new(min: usize, max: usize, capacity: usize) -> BatchSizer {
        let min = min.max(1);
        BatchSizer {
            min,
            max: max.max(min),
            capacity,
            reduced: HashMap::new(),
        }
    }

    /// How many of this sender's signatures to put in one batch.
    pub fn size_for(&self, id: &[u8; 8]) -> usize {
        self.reduced.get(id).copied().unwrap_or(self.max)
    }

    /// Records the outcome of a batch that held signatures of `id`.
    pub fn record(&mut self, id: &[u8; 8], batch_failed: bool) {
        let cur = self.size_for(id);
        let next = if batch_failed {
            (cur / 2).max(self.min)
        } else {
            cur.saturating_mul(2).min(self.max)
        };
        if next >= self.max {
            self.reduced.remove(id);
        } else if self.reduced.contains_key(id) || self.reduced.len() < self.capacity {
            self.reduced.insert(*id, next);
        }
    }

    /// Number of senders currently below the full size.
    pub fn reduced_senders(&self) -> usize {
        self.reduced.len()
    }
}
