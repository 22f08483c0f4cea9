//! LA: chains, encrypted pre-linkage values the ACA (and only it) opens, seeds
//! revealed for the MA, and one LA alone cannot compute a linkage value.

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2dot1::aca_ra::EncryptedIndividualPLV;
use scms_ca::aca::{Aca, TrustStore};
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::{builtin, Family};
use scms_crypto::ccm::{SymmAlgorithm, SymmetricKey};
use scms_crypto::linkage::{LaId, LinkageValue, PreLinkageValue};
use scms_hsm::envelope;
use scms_hsm::MemoryKeyStore;
use scms_la::{LinkageAuthority, MemoryChainStore, PlvRequest};

fn open(la: &LinkageAuthority, v: &[u8]) -> PreLinkageValue {
    let e: EncryptedIndividualPLV<'_> = scms_asn1::decode(v).unwrap();
    assert_eq!(e.la_id, la.la_id.to_bytes());
    let pt = envelope::decrypt_symmetric(la.aca_key().unwrap(), la.alg, &e.enc_plv).unwrap();
    let payload = envelope::unsecured_payload(&pt).unwrap();
    PreLinkageValue::from_bytes(payload[..].try_into().unwrap())
}

fn run(family: Family, alg: SymmAlgorithm) {
    let now = time32_from_unix(1_767_225_600);
    let ks = MemoryKeyStore::new();
    let h = build(&ks, &HierarchyOptions::new(family, now)).unwrap();
    let aca_cert = h.certificate("aca").unwrap().to_vec();
    let aca_enc = format!("{}-enc", h.key_labels["aca"]);
    let mut trust = TrustStore::new();
    trust.add_anchor(h.certificate("root").unwrap()).unwrap();
    let mut aca = Aca::new(
        aca_cert.clone(),
        h.key_labels["aca"].clone(),
        &aca_enc,
        builtin(family, "pseudonym").unwrap(),
        trust,
    );
    let mut la1 = LinkageAuthority::new(LaId(1), alg);
    let mut la2 = LinkageAuthority::new(LaId(2), alg);
    let (mut s1, mut s2) = (MemoryChainStore::new(), MemoryChainStore::new());
    assert!(la1
        .handle_plv_request(
            &mut s1,
            &PlvRequest {
                chain: None,
                i_first: 5,
                i_count: 1,
                j_count: 2
            }
        )
        .is_err());
    let id1 = aca
        .accept_la_key(&ks, &la1.share_key_with_aca(&aca_cert).unwrap())
        .unwrap();
    let id2 = aca
        .accept_la_key(&ks, &la2.share_key_with_aca(&aca_cert).unwrap())
        .unwrap();
    assert_eq!(
        id1,
        envelope::symmetric_key_id(la1.aca_key().unwrap(), alg).unwrap()
    );
    assert_ne!(id1, id2);

    let req = PlvRequest {
        chain: None,
        i_first: 500,
        i_count: 2,
        j_count: 3,
    };
    let r1 = la1.handle_plv_request(&mut s1, &req).unwrap();
    let r2 = la2.handle_plv_request(&mut s2, &req).unwrap();
    assert_eq!(r1.values.len(), 6);
    // A continuation of the chain gives the same values as before.
    let cont = la1
        .handle_plv_request(
            &mut s1,
            &PlvRequest {
                chain: Some(r1.chain),
                i_first: 501,
                i_count: 1,
                j_count: 3,
            },
        )
        .unwrap();
    for (a, b) in cont.values.iter().zip(&r1.values[3..]) {
        assert_eq!((a.i, a.j), (b.i, b.j));
        assert_eq!(open(&la1, &a.value), open(&la1, &b.value));
        assert_ne!(a.value, b.value, "fresh encryption each time");
    }
    // Before the chain start: refused.
    assert!(la1
        .handle_plv_request(
            &mut s1,
            &PlvRequest {
                chain: Some(r1.chain),
                i_first: 499,
                i_count: 1,
                j_count: 1
            }
        )
        .is_err());

    let wrong = SymmetricKey::from_bytes([9; 16]);
    for (v1, v2) in r1.values.iter().zip(&r2.values) {
        let (p1, p2) = (open(&la1, &v1.value), open(&la2, &v2.value));
        // The plaintext PLV does not appear in what the RA carries, and the RA cannot open it.
        assert!(!v1.value.windows(9).any(|w| w == p1.as_bytes()));
        let e: EncryptedIndividualPLV<'_> = scms_asn1::decode(&v1.value).unwrap();
        assert!(envelope::decrypt_symmetric(&wrong, alg, &e.enc_plv).is_err());
        // The MA's view: both seeds of period i give the linkage value.
        let ls1 = la1.reveal_seed(&s1, &r1.chain, v1.i).unwrap();
        let ls2 = la2.reveal_seed(&s2, &r2.chain, v2.i).unwrap();
        let lv = LinkageValue::compute(LaId(1), &ls1, LaId(2), &ls2, v1.j);
        assert_eq!(lv, LinkageValue::from_pre_linkage_values(&p1, &p2));
        // One LA alone: everything LA1 holds (all its seeds, every j) never gives lv.
        for (_, rec) in s1.chains() {
            for i in 0..3 {
                let s = rec.seed.at(LaId(1), i);
                for j in 0..8 {
                    assert_ne!(s.pre_linkage_value(LaId(1), j).as_bytes(), &lv.0);
                }
            }
        }
    }
}

#[test]
fn us_plvs_for_the_aca() {
    run(Family::Us, SymmAlgorithm::Aes128Ccm);
}

#[test]
fn cn_plvs_for_the_aca() {
    run(Family::Cn, SymmAlgorithm::Sm4Ccm);
}
