//! The CRL signer keeps its CRLs current on its own
//! (`CrlService::refresh_due`): a full CRL of each series at first, none
//! while they are fresh, a new one when `nextCrl` comes within the margin,
//! and a new linkage CRL as soon as an i-period begins (its seeds advance),
//! each with a higher serial.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use scms_ca::aca::TrustStore;
use scms_ca::crl_service::{CrlService, CrlServiceConfig};
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::{builtin, Family};
use scms_ca::store::Store;
use scms_hsm::{KeyStore, MemoryKeyStore};

#[tokio::test]
async fn crls_are_reissued_before_next_crl_and_each_iperiod() {
    let profile = builtin(Family::Us, "pseudonym").unwrap();
    let epoch = profile.iperiod_epoch_unix.unwrap();
    // 12 hours before an i-period ends, well after the epoch.
    let week = 7 * 86_400;
    let t0_unix = epoch + 1_000 * week + 6 * 86_400 + 12 * 3600;
    let t0 = scms_asn1::ieee1609dot2::time::time32_from_unix(t0_unix);
    let mem = MemoryKeyStore::new();
    let h = build(&mem, &HierarchyOptions::new(Family::Us, t0 - 30 * 86_400)).unwrap();
    let ks: Arc<dyn KeyStore> = Arc::new(mem);
    let mut trust = TrustStore::new();
    trust.add_anchor(h.certificate("root").unwrap()).unwrap();
    trust.add_ca(h.certificate("ica").unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("crl.db"))
        .await
        .unwrap();
    let now = Arc::new(AtomicU32::new(t0));
    let clock = {
        let now = now.clone();
        Arc::new(move || now.load(Ordering::SeqCst))
    };
    let config = CrlServiceConfig::new(
        h.certificate("crl").unwrap().to_vec(),
        h.key_labels["crl"].clone(),
        trust,
        epoch,
    );
    let (linkage, hash, period) = (
        config.linkage_series,
        config.hash_series,
        config.next_crl_secs,
    );
    let crl = CrlService::open(config, ks, store, clock).await.unwrap();
    let margin = 3600;
    let series = |v: &[scms_ca::crl::SignedCrl]| -> Vec<u16> {
        let mut s: Vec<u16> = v.iter().map(|c| c.header.series).collect();
        s.sort();
        s
    };

    // None yet: both series.
    let first = crl.refresh_due(margin).await.unwrap();
    assert_eq!(series(&first), [linkage.min(hash), linkage.max(hash)]);
    assert!(first.iter().all(|c| c.header.next_crl == t0 + period));
    // Fresh: nothing.
    assert!(crl.refresh_due(margin).await.unwrap().is_empty());
    // The next i-period begins (before nextCrl): the linkage CRL only.
    let next_period = t0 + 12 * 3600;
    now.store(next_period, Ordering::SeqCst);
    let second = crl.refresh_due(margin).await.unwrap();
    assert_eq!(series(&second), [linkage]);
    assert_eq!(crl.latest(linkage).await.unwrap(), second[0].bytes);
    assert!(crl.refresh_due(margin).await.unwrap().is_empty());
    // Just outside the margin of the hash CRL's nextCrl: nothing; within it:
    // the hash CRL (the linkage CRL, issued later, is still fresh).
    now.store(t0 + period - margin - 1, Ordering::SeqCst);
    assert!(crl.refresh_due(margin).await.unwrap().is_empty());
    now.store(t0 + period - margin, Ordering::SeqCst);
    let third = crl.refresh_due(margin).await.unwrap();
    assert_eq!(series(&third), [hash]);
    assert_eq!(third[0].header.next_crl, t0 + 2 * period - margin);
    assert!(crl.refresh_due(margin).await.unwrap().is_empty());
}

/// An MA that finishes a revocation in a later i-period than it started it
/// (it crashed after the generator had the entry) sends the device's seeds
/// of that i-period: the generator keeps the device once, and each CRL
/// lists it once.
#[tokio::test]
async fn a_device_sent_again_under_a_later_irev_is_kept_once() {
    use scms_ca::crl::IndividualEntry;
    use scms_ca::crl_service::{entries_of, CrlEntry};
    use scms_crypto::linkage::{LaId, LinkageSeed};

    let profile = builtin(Family::Us, "pseudonym").unwrap();
    let epoch = profile.iperiod_epoch_unix.unwrap();
    let t0_unix = epoch + 1_000 * 7 * 86_400 + 86_400;
    let t0 = scms_asn1::ieee1609dot2::time::time32_from_unix(t0_unix);
    let mem = MemoryKeyStore::new();
    let h = build(&mem, &HierarchyOptions::new(Family::Us, t0 - 30 * 86_400)).unwrap();
    let ks: Arc<dyn KeyStore> = Arc::new(mem);
    let mut trust = TrustStore::new();
    trust.add_anchor(h.certificate("root").unwrap()).unwrap();
    trust.add_ca(h.certificate("ica").unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("crl.db"))
        .await
        .unwrap();
    let now = Arc::new(AtomicU32::new(t0));
    let clock = {
        let now = now.clone();
        Arc::new(move || now.load(Ordering::SeqCst))
    };
    let config = CrlServiceConfig::new(
        h.certificate("crl").unwrap().to_vec(),
        h.key_labels["crl"].clone(),
        trust,
        epoch,
    );
    let linkage = config.linkage_series;
    let i = config.iperiod_of(t0);
    let crl = CrlService::open(config, ks, store, clock).await.unwrap();

    let (la1, la2) = ([0, 1], [0, 2]);
    let entry = |i_rev: u16, s1: [u8; 16], s2: [u8; 16]| CrlEntry::Linkage {
        i_rev,
        entry: IndividualEntry {
            jmax: 20,
            la1_id: la1,
            la2_id: la2,
            i_max: i + 10,
            linkage_seed1: s1,
            linkage_seed2: s2,
        },
    };
    let at = |s: [u8; 16], la: [u8; 2], steps: u32| {
        *LinkageSeed::from_bytes(s)
            .at(LaId(u16::from_be_bytes(la)), steps)
            .as_bytes()
    };
    let (s1, s2) = ([7u8; 16], [9u8; 16]);
    let listed = |crl_bytes: Vec<u8>| {
        let secured: scms_asn1::ieee1609dot2::crl::SecuredCrl<'_> =
            scms_asn1::decode(&crl_bytes).unwrap();
        entries_of(&secured.crl_contents().unwrap()).unwrap().len()
    };

    crl.add(&[entry(i, s1, s2)]).await.unwrap();
    // The next i-period: the same device again, its seeds of then.
    now.store(t0 + 7 * 86_400, Ordering::SeqCst);
    let again = entry(i + 1, at(s1, la1, 1), at(s2, la2, 1));
    assert!(scms_ca::crl_service::same_device(&entry(i, s1, s2), &again));
    let issued = crl.add(&[again]).await.unwrap();
    assert_eq!(issued.len(), 1, "the CRL is issued again all the same");
    assert_eq!(crl.entries().await.unwrap().len(), 1);
    assert_eq!(listed(crl.latest(linkage).await.unwrap()), 1);
    // Another device (one seed differs), and the same LAs' seeds advanced
    // by the wrong number of i-periods: listed.
    crl.add(&[entry(i + 1, at(s1, la1, 1), [3u8; 16])])
        .await
        .unwrap();
    crl.add(&[entry(i + 1, at(s1, la1, 2), at(s2, la2, 2))])
        .await
        .unwrap();
    assert_eq!(crl.entries().await.unwrap().len(), 3);
    assert_eq!(listed(crl.latest(linkage).await.unwrap()), 3);
}
