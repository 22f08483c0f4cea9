//! Pseudonym provisioning end to end, in process: two devices (original and
//! unified butterfly keys) -> RA -> LA1/LA2 -> shuffle (K = 2) -> ACA -> RA ->
//! download -> decrypt -> reconstruct -> sign a BSM -> verify to the root.
//! With the privacy checks: the RA never holds a pseudonym certificate or a
//! pre-linkage value in clear, the ACA gets no enrollment identity, one LA
//! alone cannot compute a linkage value. For the US and the CN families.

mod common;

use common::{now, Device, World};
use scms_asn1::ieee1609dot2::{Certificate, CertificateId};
use scms_ca::aca::spdu_hash;
use scms_ca::profile::Family;
use scms_crypto::linkage::{LaId, LinkageValue, PreLinkageValue};
use scms_crypto::verify::{certificate_hashed_id8, certificate_public_key};
use scms_hsm::MemoryKeyStore;
use scms_ra::RaError;
use scms_sdk::provision::{ButterflyKind, Pseudonym};
use scms_sdk::{Message, Signer, SigningIdentity, Verifier, VerifierConfig};
use std::collections::HashSet;

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn run(family: Family) {
    let mut w = World::new(family);
    let mut a = Device::new(&w, ButterflyKind::Original);
    let mut b = Device::new(&w, ButterflyKind::Unified);
    let ack_a = a.provision(&mut w);
    let ack_b = b.provision(&mut w);
    let i = u32::from(ack_a.first_i.unwrap());
    assert_eq!(ack_b.first_i, ack_a.first_i);
    // The i-period follows the family's epoch.
    let epoch = match family {
        Family::Us => 1_420_534_800,
        Family::Cn => 1_578_340_800,
    };
    assert_eq!(i64::from(i), (common::NOW_UNIX - epoch) / (7 * 86_400));

    assert_eq!(w.expand(), 40);

    // Too early to download.
    let dl = a.download_request(&w, i, now());
    assert!(matches!(
        w.ra.handle_download(&w.state, &w.ks, &dl, now()),
        Err(RaError::NotReady { .. })
    ));

    // Shuffle and ACA.
    let mut sent: Vec<Vec<u8>> = Vec::new();
    let mut aca_out: Vec<Vec<u8>> = Vec::new();
    let t = now() + 10;
    while let Some(batch) = w.ra.release_batch(&mut w.state, &w.ks, t).unwrap() {
        assert_eq!(batch.len(), 2, "K = 2 devices per batch");
        let sm = family == Family::Cn;
        let devices: Vec<[u8; 8]> = batch
            .iter()
            .map(|r| w.state.in_flight[&spdu_hash(r, sm)].request)
            .collect();
        assert_ne!(
            devices[0], devices[1],
            "never two requests of one device in a batch"
        );
        for r in batch {
            let out = w.aca.handle_ra_aca_request(&w.ks, &r, t).unwrap();
            w.ra.accept_aca_response(&mut w.state, &out.response, t)
                .unwrap();
            aca_out.push(out.response);
            sent.push(r);
        }
    }
    assert_eq!(sent.len(), 40);
    assert!(w.state.queue.is_empty() && w.state.in_flight.is_empty());

    // Download, decrypt, reconstruct.
    let t_dl = ack_a.next_dl_time;
    let mut all: Vec<Pseudonym> = Vec::new();
    for dev in [&a, &b] {
        let dl = dev.download_request(&w, i, t_dl);
        let zip = w.ra.handle_download(&w.state, &w.ks, &dl, t_dl).unwrap();
        let ps = dev
            .request
            .process_download(&zip, &w.ra.aca_certificate, i)
            .unwrap();
        assert_eq!(ps.len(), 20);
        let aca: Certificate<'_> = scms_asn1::decode(&w.ra.aca_certificate).unwrap();
        for (j, p) in ps.iter().enumerate() {
            assert_eq!(p.j as usize, j);
            let c: Certificate<'_> = scms_asn1::decode(&p.certificate).unwrap();
            assert!(!c.is_explicit(), "implicit by default");
            assert_eq!(
                p.key.public_key(),
                certificate_public_key(&c, Some(&aca)).unwrap()
            );
        }
        all.extend(ps);
    }
    // Another device cannot download a's batch (it names a's request, signs with its own enrollment).
    let own = b.request.request_hash;
    b.request.request_hash = a.request.request_hash;
    let b_as_a = b.download_request(&w, i, t_dl);
    b.request.request_hash = own;
    assert!(matches!(
        w.ra.handle_download(&w.state, &w.ks, &b_as_a, t_dl),
        Err(RaError::NotFound)
    ));

    // A BSM signed with a pseudonym verifies through the chain to the root.
    let p0 = &all[0];
    let keys = MemoryKeyStore::new();
    keys.insert("p0", p0.key.clone()).unwrap();
    let mut signer = Signer::new(SigningIdentity::new(p0.certificate.clone(), "p0").unwrap());
    let t64 = (u64::from(t_dl) + 60) * 1_000_000;
    let msg = signer
        .sign(
            &keys,
            &Message {
                psid: 32,
                payload: b"basic safety message",
                generation_time: t64,
                generation_location: None,
                expiry_time: None,
                p2pcd_learning_request: None,
            },
        )
        .unwrap();
    let mut v = Verifier::new(VerifierConfig::default());
    v.store
        .add_trust_anchor(w.h.certificate("root").unwrap())
        .unwrap();
    for c in [w.h.certificate("ica").unwrap(), &w.ra.aca_certificate[..]] {
        v.store
            .add_certificate(&scms_asn1::decode(c).unwrap())
            .unwrap();
    }
    let ok = v.verify(&msg, t64).expect("BSM verifies to the root");
    assert_eq!(ok.payload, b"basic safety message");

    // Privacy.
    let mut ra_bytes: Vec<u8> = Vec::new();
    for r in w.state.requests.values() {
        ra_bytes.extend_from_slice(&r.tbs_cert);
    }
    for files in w.state.responses.values() {
        for f in files.values() {
            ra_bytes.extend_from_slice(f);
        }
    }
    let enrollments: Vec<(Vec<u8>, [u8; 8])> = [&a, &b]
        .iter()
        .map(|d| {
            let c: Certificate<'_> = scms_asn1::decode(&d.enrollment).unwrap();
            (d.enrollment.clone(), certificate_hashed_id8(&c).unwrap().0)
        })
        .collect();
    let hashes = [a.request.request_hash.unwrap(), ack_b.request_hash];
    for r in &sent {
        for (cert, id) in &enrollments {
            assert!(!contains(r, cert), "the ACA gets no enrollment certificate");
            assert!(!contains(r, id), "nor its HashedId8");
        }
        for h in &hashes {
            assert!(!contains(r, h), "nor the device's request hash");
        }
    }
    // Every 9-byte window of what the RA holds and sends or receives.
    let mut windows: HashSet<[u8; 9]> = HashSet::new();
    for x in sent
        .iter()
        .chain(&aca_out)
        .chain(std::iter::once(&ra_bytes))
    {
        for win in x.windows(9) {
            windows.insert(win.try_into().unwrap());
        }
    }
    // Everything each LA alone can compute for period i.
    let mut plvs: Vec<(LaId, [u8; 9])> = Vec::new();
    for (store, la) in [(&w.s1, LaId(1)), (&w.s2, LaId(2))] {
        for (_, rec) in store.chains() {
            let s = rec.seed.at(la, i - rec.first_i);
            for j in 0..20 {
                plvs.push((la, *s.pre_linkage_value(la, j).as_bytes()));
            }
        }
    }
    assert_eq!(plvs.len(), 2 * 2 * 20);
    for (_, plv) in &plvs {
        assert!(
            !windows.contains(plv),
            "no pre-linkage value in clear at the RA"
        );
    }
    for p in &all {
        let c: Certificate<'_> = scms_asn1::decode(&p.certificate).unwrap();
        let lv = match &c.to_be_signed.id {
            CertificateId::LinkageData(l) => LinkageValue(l.linkage_value),
            _ => panic!("pseudonyms carry linkage data"),
        };
        assert!(
            !contains(&ra_bytes, &p.certificate),
            "RA state: no plaintext pseudonym"
        );
        for x in sent.iter().chain(&aca_out) {
            assert!(
                !contains(x, &p.certificate),
                "RA traffic: no plaintext pseudonym"
            );
        }
        assert!(!windows.contains(&lv.0), "nor a linkage value");
        // One LA alone never gives lv; both LAs' values (the MA's view) do.
        assert!(
            plvs.iter().all(|(_, plv)| plv != &lv.0),
            "one LA alone cannot compute lv"
        );
        let both = plvs.iter().any(|(la1, x)| {
            *la1 == LaId(1)
                && plvs.iter().any(|(la2, y)| {
                    *la2 == LaId(2)
                        && LinkageValue::from_pre_linkage_values(
                            &PreLinkageValue::from_bytes(*x),
                            &PreLinkageValue::from_bytes(*y),
                        ) == lv
                })
        });
        assert!(both, "lv = plv1 XOR plv2");
    }
}

#[test]
fn us_original_and_unified_end_to_end() {
    run(Family::Us);
}

#[test]
fn cn_original_and_unified_end_to_end() {
    run(Family::Cn);
}
