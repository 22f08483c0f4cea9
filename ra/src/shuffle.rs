//! The RA's shuffle: certificate requests of many devices are mixed before
//! they go to the ACA, so that the ACA cannot group a device's requests by
//! arrival. A batch never holds two requests of one device, and it is
//! released only when it mixes at least `min_devices` devices or when its
//! oldest request has waited `max_wait_secs`; inside a batch the order is
//! random. Request generation times are set at release, not at expansion.

use scms_asn1::ieee1609dot2::Time32;
use scms_crypto::suite::{CryptoProvider, RustCryptoProvider};

/// When to release a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShuffleConfig {
    /// `K`: devices a batch must mix before the wait is over.
    pub min_devices: usize,
    /// `T`: longest wait of a queued request, in seconds.
    pub max_wait_secs: u32,
    /// Largest batch.
    pub max_batch: usize,
}

impl Default for ShuffleConfig {
    fn default() -> Self {
        Self {
            min_devices: 100,
            max_wait_secs: 600,
            max_batch: 1000,
        }
    }
}

/// One pending certificate request, without any enrollment identity: the
/// `device` key is an opaque per-request token used only for mixing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShuffleItem {
    /// Opaque device token (the RA's request hash of the device's request).
    pub device: [u8; 8],
    pub i: u32,
    pub j: u32,
    /// When it was queued (Time32).
    pub enqueued: Time32,
    /// Explicit certificate requested.
    pub explicit: bool,
    /// COER `ToBeSignedCertificate` of the `RaAcaCertRequest`.
    pub tbs_cert: Vec<u8>,
    /// COER `LinkageInfo`.
    pub linkage_info: Vec<u8>,
    /// COER `PublicEncryptionKey` (`certEncKey`); absent for compact unified
    /// butterfly keys, whose response the ACA encrypts to the cocoon key.
    pub cert_enc_key: Option<Vec<u8>>,
}

/// The queue (a storage layer persists its items).
#[derive(Clone, Debug, Default)]
pub struct ShuffleQueue {
    pub items: Vec<ShuffleItem>,
}

impl ShuffleQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues an item.
    pub fn push(&mut self, item: ShuffleItem) {
        self.items.push(item);
    }

    /// Queued items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Releases one batch if the rule allows it at `now`: at most one item per
    /// device (each device's oldest), in random order.
    pub fn release(&mut self, cfg: &ShuffleConfig, now: Time32) -> Option<Vec<ShuffleItem>> {
        let mut picked: Vec<usize> = Vec::new();
        let mut devices: Vec<[u8; 8]> = Vec::new();
        for (n, it) in self.items.iter().enumerate() {
            if picked.len() >= cfg.max_batch.max(1) {
                break;
            }
            if !devices.contains(&it.device) {
                devices.push(it.device);
                picked.push(n);
            }
        }
        let oldest = self.items.iter().map(|i| i.enqueued).min()?;
        let waited = now.saturating_sub(oldest) >= cfg.max_wait_secs;
        if devices.len() < cfg.min_devices.max(1) && !waited {
            return None;
        }
        let mut batch = Vec::with_capacity(picked.len());
        for n in picked.into_iter().rev() {
            batch.push(self.items.remove(n));
        }
        shuffle(&mut batch);
        Some(batch)
    }
}

/// Fisher-Yates with the system RNG (a failing RNG leaves the order as is,
/// which still never groups a device).
fn shuffle<T>(v: &mut [T]) {
    for n in (1..v.len()).rev() {
        let mut r = [0u8; 8];
        if RustCryptoProvider.fill_random(&mut r).is_err() {
            return;
        }
        let k = (u64::from_le_bytes(r) % (n as u64 + 1)) as usize;
        v.swap(n, k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(d: u8, j: u32, t: Time32) -> ShuffleItem {
        ShuffleItem {
            device: [d; 8],
            i: 0,
            j,
            enqueued: t,
            explicit: false,
            tbs_cert: vec![],
            linkage_info: vec![],
            cert_enc_key: None,
        }
    }

    #[test]
    fn one_item_per_device_and_k_or_t() {
        let cfg = ShuffleConfig {
            min_devices: 2,
            max_wait_secs: 60,
            max_batch: 10,
        };
        let mut q = ShuffleQueue::new();
        for j in 0..3 {
            q.push(item(1, j, 100));
        }
        assert!(q.release(&cfg, 100).is_none(), "one device only");
        q.push(item(2, 0, 110));
        let b = q.release(&cfg, 110).unwrap();
        assert_eq!(b.len(), 2);
        assert_ne!(b[0].device, b[1].device);
        // Device 1 alone again: waits T from its oldest item.
        assert!(q.release(&cfg, 150).is_none());
        let b = q.release(&cfg, 160).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].j, 1);
        assert_eq!(q.len(), 1);
    }
}
