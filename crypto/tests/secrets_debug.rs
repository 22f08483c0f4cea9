//! Every secret type formats without its secret: a `{:?}` in a log line or an
//! error message (the usual way a secret leaks) shows neither the hex nor the
//! decimal bytes. `SecretKey` and `SymmetricKey` have their own tests
//! (`ec_roundtrip.rs`, `sym_kat.rs`); these are the rest.

use scms_crypto::butterfly::{ButterflyExpansionKey, CaterpillarKeyPair};
use scms_crypto::linkage::{GroupLinkageSeed, LaId, LinkageSeed};
use scms_crypto::suite::{Curve, SecretKey};

/// The forms a byte string takes when printed: lower and upper hex, and the
/// decimal list of `[u8]`'s `Debug` (first 4 octets are enough to tell).
fn forms(bytes: &[u8]) -> Vec<String> {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let dec = format!("{:?}", &bytes[..4]);
    vec![
        hex[..16].to_string(),
        hex[..16].to_uppercase(),
        dec.trim_end_matches(']').to_string(),
    ]
}

fn assert_hidden(what: &str, printed: &str, secret: &[u8]) {
    for f in forms(secret) {
        assert!(
            !printed.contains(&f),
            "{what}: {printed:?} shows the secret ({f})"
        );
    }
}

#[test]
fn secret_types_print_no_secret() {
    let ek_bytes = [0xa7u8; 16];
    let ek = ButterflyExpansionKey::from_bytes(ek_bytes);
    assert_hidden("ButterflyExpansionKey", &format!("{ek:?}"), &ek_bytes);

    let sk_bytes = {
        let mut b = [0x5cu8; 32];
        b[0] = 0x1d;
        b
    };
    let sk = SecretKey::from_be_bytes(Curve::NistP256, &sk_bytes).expect("key");
    let pair =
        CaterpillarKeyPair::new(sk, ButterflyExpansionKey::from_bytes(ek_bytes)).expect("pair");
    let printed = format!("{pair:?}");
    assert_hidden("CaterpillarKeyPair (key)", &printed, &sk_bytes);
    assert_hidden("CaterpillarKeyPair (expansion key)", &printed, &ek_bytes);

    let seed_bytes = [0x3eu8; 16];
    let seed = LinkageSeed::from_bytes(seed_bytes);
    assert_hidden("LinkageSeed", &format!("{seed:?}"), &seed_bytes);
    let next = seed.next(LaId(1));
    assert_hidden("LinkageSeed::next", &format!("{next:?}"), next.as_bytes());
    let plv = seed.pre_linkage_value(LaId(1), 0);
    let plv_bytes = *plv.as_bytes();
    assert_hidden("PreLinkageValue", &format!("{plv:?}"), &plv_bytes);

    let gseed = GroupLinkageSeed::from_bytes(seed_bytes);
    assert_hidden("GroupLinkageSeed", &format!("{gseed:?}"), &seed_bytes);
    let gplv = gseed.pre_linkage_value(LaId(2), 1);
    let gplv_bytes = *gplv.as_bytes();
    assert_hidden("GroupPreLinkageValue", &format!("{gplv:?}"), &gplv_bytes);
}
