//! The ECDSA* batch verifier agrees with single verification on every input.
//!
//! Each 97-octet chunk of the input is one signature: an operation octet,
//! then d, k and the digest (32 octets each). The signature is made with the
//! engine's signer (k as given), then damaged as the operation says (or
//! not), so batches mix valid signatures with near misses: a flipped digest
//! bit, -R, s + 1, R or key of the neighbouring signature, R with its
//! compressed parity flipped, and raw octets parsed as (rSig, s). The batch
//! verdicts (automatic backend, then portable) must equal
//! `verify_prehash_full` one by one, and undamaged signatures must pass.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scms_crypto::engine::sign::sign_with_k;
use scms_crypto::engine::{
    self, parse_full_signatures, verify_batch, verify_batch_with, Backend, BatchItem,
    FullSignature, Sc,
};

fn arr(b: &[u8]) -> [u8; 32] {
    let mut a = [0u8; 32];
    a.copy_from_slice(&b[..32]);
    a
}

fuzz_target!(|data: &[u8]| {
    let mut items: Vec<BatchItem> = Vec::new();
    let mut genuine: Vec<bool> = Vec::new();
    for chunk in data.chunks_exact(97).take(64) {
        let (op, d, k, z) = (chunk[0], arr(&chunk[1..]), arr(&chunk[33..]), arr(&chunk[65..]));
        let Some(dsc) = Sc::from_bytes(&d).filter(|s| !s.is_zero()) else {
            continue;
        };
        let Some(key) = engine::sign::mul_base(&dsc) else {
            continue;
        };
        let Ok(sig) = sign_with_k(&d, &k, &z) else {
            continue;
        };
        let mut item = BatchItem {
            key,
            digest: z,
            sig: FullSignature {
                r_point: sig.r_point,
                s: sig.s,
            },
        };
        let prev = items.last().copied();
        let mut ok = true;
        match op % 8 {
            0 | 1 => {}
            2 => {
                item.digest[usize::from(op >> 3) % 32] ^= 1 << (op % 8);
                ok = false;
            }
            3 => {
                item.sig.r_point = item.sig.r_point.neg();
                ok = false;
            }
            4 => {
                let mut one = [0u8; 32];
                one[31] = 1;
                item.sig.s = item.sig.s.add(&Sc::from_bytes_reduced(&one));
                ok = false;
            }
            5 => {
                if let Some(p) = prev {
                    item.key = p.key;
                    ok = p.key == key;
                }
            }
            6 => {
                if let Some(p) = prev {
                    item.sig.r_point = p.sig.r_point;
                    ok = p.sig.r_point == sig.r_point;
                }
            }
            _ => {
                // The chunk's own octets as (rSig, s): compressed R from k, s from z.
                let mut r = [0u8; 33];
                r[0] = 0x02 | (op >> 7);
                r[1..].copy_from_slice(&k);
                match &parse_full_signatures(&[(&r[..], &z)])[..] {
                    [Ok(parsed)] => {
                        assert_eq!(FullSignature::from_sec1(&r, &z).ok(), Some(*parsed));
                        item.sig = *parsed;
                        ok = false;
                    }
                    [Err(_)] => {
                        assert!(FullSignature::from_sec1(&r, &z).is_err());
                        continue;
                    }
                    _ => unreachable!("one answer per signature"),
                }
            }
        }
        genuine.push(ok && op % 8 < 2);
        items.push(item);
    }
    if items.is_empty() {
        return;
    }
    let single: Vec<bool> = items
        .iter()
        .map(|i| engine::verify_prehash_full(&i.key, &i.digest, &i.sig).is_ok())
        .collect();
    for (g, s) in genuine.iter().zip(&single) {
        assert!(!g || *s, "an undamaged signature failed single verification");
    }
    assert_eq!(verify_batch(&items).ok(), Some(single.clone()), "automatic backend");
    assert_eq!(
        verify_batch_with(&items, Backend::Portable).ok(),
        Some(single),
        "portable backend"
    );
});
