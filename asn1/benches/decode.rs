//! Decode throughput of real SPDUs (SPDUs/s): a BSM signed with a digest, a MAP
//! signed with its (implicit) certificate, and a BSM that carries its certificate
//! (the BSM of `ShortMsgData.bin` with the signer certificate of `udp-data.bin`,
//! the form an OBU sends about once a second).
//!
//! `cargo bench -p scms-asn1 --bench decode`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Data, SignerIdentifier};
use std::path::Path;

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/samples")
            .join(rel),
    )
    .expect("sample")
}

/// The BSM of ShortMsgData.bin with the MAP's signer certificate in place of the digest.
fn bsm_with_certificate() -> Vec<u8> {
    let bsm_bytes = sample("spdu/ShortMsgData.bin");
    let map_bytes = sample("spdu/udp-data.bin");
    let mut bsm: Ieee1609Dot2Data = scms_asn1::decode(&bsm_bytes).expect("BSM");
    let map: Ieee1609Dot2Data = scms_asn1::decode(&map_bytes).expect("MAP");
    let cert = match &map.signed_data().expect("signed").signer {
        SignerIdentifier::Certificate(c) => c.clone(),
        _ => panic!("the MAP carries its certificate"),
    };
    if let scms_asn1::ieee1609dot2::Ieee1609Dot2Content::SignedData(sd) = &mut bsm.content {
        sd.signer = SignerIdentifier::Certificate(cert);
    }
    scms_asn1::encode(&bsm).expect("encode")
}

fn decode(c: &mut Criterion) {
    let cases = [
        ("bsm_with_certificate", bsm_with_certificate()),
        ("bsm_digest", sample("spdu/ShortMsgData.bin")),
        ("map_with_certificate", sample("spdu/udp-data.bin")),
    ];
    let mut g = c.benchmark_group("decode_spdu");
    g.throughput(Throughput::Elements(1));
    for (name, bytes) in &cases {
        g.bench_function(*name, |b| {
            b.iter(|| scms_asn1::decode::<Ieee1609Dot2Data>(black_box(bytes)).expect("decodes"))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("encode_spdu");
    g.throughput(Throughput::Elements(1));
    let (name, bytes) = &cases[0];
    let v: Ieee1609Dot2Data = scms_asn1::decode(bytes).expect("decodes");
    // Re-encode a decoded value (its tbsData and certificate spans are reused).
    let fresh = scms_asn1::ieee1609dot2::Ieee1609Dot2Data::new(v.content.clone());
    g.bench_function(*name, |b| {
        b.iter(|| scms_asn1::encode(black_box(&fresh)).expect("encodes"))
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
