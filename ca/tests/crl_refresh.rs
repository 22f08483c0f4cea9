//! The CRL signer keeps its CRLs current on its own
//! (`CrlService::refresh_due`): a full CRL of each series at first, none
//! while they are fresh, a new one when `nextCrl` comes within the margin,
//! and a new linkage CRL as soon as an i-period begins (its seeds advance),
//! each with a higher serial.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use scms_ca::aca::TrustStore;
use scms_ca::crl::IndividualEntry;
use scms_ca::crl_service::{CrlEntry, CrlService, CrlServiceConfig};
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::{builtin, Family};
use scms_ca::store::Store;
use scms_crypto::linkage::{LaId, LinkageSeed};
use scms_hsm::{KeyStore, MemoryKeyStore};

/// A CRL generator on SQLite whose clock is `now`, at 12 hours before an
/// i-period ends (well after the epoch).
struct Setup {
    crl: CrlService,
    config: CrlServiceConfig,
    now: Arc<AtomicU32>,
    t0: u32,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let profile = builtin(Family::Us, "pseudonym").unwrap();
    let epoch = profile.iperiod_epoch_unix.unwrap();
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
    let crl = CrlService::open(config.clone(), ks, store, clock)
        .await
        .unwrap();
    Setup {
        crl,
        config,
        now,
        t0,
        _dir: dir,
    }
}

#[tokio::test]
async fn crls_are_reissued_before_next_crl_and_each_iperiod() {
    let Setup {
        crl,
        config,
        now,
        t0,
        _dir,
    } = setup().await;
    let (linkage, hash, period) = (
        config.linkage_series,
        config.hash_series,
        config.next_crl_secs,
    );
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

/// An MA killed during a revocation and resumed in a later i-period sends
/// the device again with the seeds of that i-period: the generator keeps one
/// entry (the earliest `iRev`, the larger `iMax`), and the CRL lists the
/// device once.
#[tokio::test]
async fn one_device_sent_from_several_iperiods_is_one_entry() {
    let Setup {
        crl,
        config,
        t0,
        _dir,
        ..
    } = setup().await;
    let i = config.iperiod_of(t0);
    let (la1, la2) = (LaId(7), LaId(9));
    // The device's seeds at i - 1, i and i + 1.
    let s0 = (
        LinkageSeed::from_bytes([0x11; 16]),
        LinkageSeed::from_bytes([0x22; 16]),
    );
    let at = |steps: u32| {
        (
            *s0.0.at(la1, steps).as_bytes(),
            *s0.1.at(la2, steps).as_bytes(),
        )
    };
    let entry = |i_rev: u16, steps: u32, i_max: u16| {
        let (linkage_seed1, linkage_seed2) = at(steps);
        CrlEntry::Linkage {
            i_rev,
            entry: IndividualEntry {
                jmax: 20,
                la1_id: 7u16.to_be_bytes(),
                la2_id: 9u16.to_be_bytes(),
                i_max,
                linkage_seed1,
                linkage_seed2,
            },
        }
    };
    let issued = |v: Vec<scms_ca::crl::SignedCrl>| v.iter().map(|c| c.entries).sum::<usize>();

    assert_eq!(issued(crl.add(&[entry(i, 1, i + 10)]).await.unwrap()), 1);
    // Again from the next i-period: the same single entry.
    assert_eq!(
        issued(crl.add(&[entry(i + 1, 2, i + 10)]).await.unwrap()),
        1
    );
    assert_eq!(crl.entries().await.unwrap(), [entry(i, 1, i + 10)]);
    // With a later iMax: merged.
    assert_eq!(
        issued(crl.add(&[entry(i + 1, 2, i + 12)]).await.unwrap()),
        1
    );
    assert_eq!(crl.entries().await.unwrap(), [entry(i, 1, i + 12)]);
    // From the i-period before: that one is kept (it covers more).
    assert_eq!(issued(crl.add(&[entry(i - 1, 0, i + 3)]).await.unwrap()), 1);
    assert_eq!(crl.entries().await.unwrap(), [entry(i - 1, 0, i + 12)]);
    // Another device of the same LAs: two.
    let other = CrlEntry::Linkage {
        i_rev: i,
        entry: IndividualEntry {
            jmax: 20,
            la1_id: 7u16.to_be_bytes(),
            la2_id: 9u16.to_be_bytes(),
            i_max: i + 10,
            linkage_seed1: [0x33; 16],
            linkage_seed2: [0x44; 16],
        },
    };
    assert_eq!(issued(crl.add(&[other]).await.unwrap()), 2);
    assert_eq!(crl.entries().await.unwrap().len(), 2);
    // The CRL lists the device once, with its seeds of the current i-period.
    let latest = crl.latest(config.linkage_series).await.unwrap();
    let signer = config.certificate.clone();
    let contents = scms_ca::crl::verify_crl(&latest, &[&signer]).unwrap();
    let text = format!("{:?}", contents);
    let (s1, _) = at(1);
    assert_eq!(text.matches(&format!("{:?}", s1)).count(), 1, "{text}");
}
