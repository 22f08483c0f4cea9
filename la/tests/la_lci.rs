//! The LA service's linkage chain identifiers: every PLV answer carries one,
//! it names the chain only to this LA, and it survives the wire format.

use std::sync::Arc;

use scms_asn1::camp::base_types::LinkageChainId;
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::Family;
use scms_ca::store::Store;
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_la::service::{decode_plv_response, encode_plv_response, LaService};
use scms_la::PlvRequest;

#[tokio::test]
async fn plv_answers_carry_a_linkage_chain_id_only_their_la_opens() {
    let now_unix = 1_767_225_600;
    let ks = MemoryKeyStore::new();
    let h = build(
        &ks,
        &HierarchyOptions::new(
            Family::Us,
            scms_asn1::ieee1609dot2::time::time32_from_unix(now_unix),
        ),
    )
    .unwrap();
    let aca = h.certificate("aca").unwrap().to_vec();
    let ks: Arc<dyn KeyStore> = Arc::new(ks);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("la.db")).await.unwrap();
    let open = |id, seal: &'static str| {
        LaService::open(
            LaId(id),
            SymmAlgorithm::Aes128Ccm,
            ks.clone(),
            seal,
            store.clone(),
            &aca,
            now_unix,
        )
    };
    let la1 = open(1, "la1-seal").await.unwrap();
    let la2 = open(2, "la2-seal").await.unwrap();
    let req = PlvRequest {
        chain: None,
        i_first: 3,
        i_count: 1,
        j_count: 2,
    };
    let r = la1.handle(&req, now_unix).await.unwrap();
    assert!(!r.lci.is_empty());
    let back = decode_plv_response(&encode_plv_response(&r)).unwrap();
    assert_eq!(back, r);
    let lci: LinkageChainId<'_> = scms_asn1::decode(&r.lci).unwrap();
    assert_eq!(la1.open_linkage_chain_id(&lci).unwrap(), r.chain);
    // Another LA (another sealing key) cannot open it.
    assert!(la2.open_linkage_chain_id(&lci).is_err());
    // An answer without the trailer (an older LA) still decodes.
    let mut old = encode_plv_response(&r);
    old.truncate(old.len() - 4 - r.lci.len());
    assert!(decode_plv_response(&old).unwrap().lci.is_empty());
    // Seed requests are refused while investigation is not enabled.
    assert!(la1.handle_seed_request(b"\x03\x80\x00").await.is_err());
}
