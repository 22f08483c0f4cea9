//! Known-answer tests of the asymmetric side against the vectors in `shared/vectors/`:
//! CAMP `bfkeyexp.txt`, `implicit.txt`, `ecdh.txt`, and the SM2/SM3 entries of
//! `sm/sm_known_answers.json`, plus HashedId8 of the ISS production root.

mod ec_util;

use ec_util::*;
use scms_crypto::butterfly::{
    expand_cocoon_key, expansion_input, ButterflyExpansionKey, CaterpillarKeyPair, ExpansionKind,
};
use scms_crypto::ecqv::{reconstruct_private_key, reconstruct_public_key, EcqvIssuance};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::hashed_id::{HashedId3, HashedId8};
use scms_crypto::signing_input::{sm2_digest_with_id, sm2_z_a};
use scms_crypto::suite::{
    hazmat, Curve, EcPoint, EcScalar, Error, SecretKey, Signature, SignatureR,
};

fn sm_json() -> serde_json::Value {
    serde_json::from_str(&read_shared_str("vectors/sm/sm_known_answers.json")).expect("json")
}

fn jhex(v: &serde_json::Value, k: &str) -> Vec<u8> {
    hex(v[k].as_str().unwrap_or_else(|| panic!("missing {k}")))
}

#[test]
fn iss_root_hashed_id8() {
    let cert = read_shared("samples/iss/iss_v2x_root.oer");
    let id = HashedId8::of_certificate(HashAlgorithm::Sha256, &cert);
    assert_eq!(id.to_string(), "7ac9efd3cc396921");
    let d = digest(HashAlgorithm::Sha256, &cert);
    assert_eq!(HashedId3::from_digest(&d).0, id.0[5..]);
}

#[test]
fn sm3_known_answers() {
    let j = sm_json();
    for v in j["sm3"]["vectors"].as_array().expect("vectors") {
        let msg = match v["msg_ascii"].as_str().expect("msg") {
            "abcd x16" => "abcd".repeat(16),
            m => m.to_string(),
        };
        assert_eq!(
            digest(HashAlgorithm::Sm3, msg.as_bytes()).as_bytes(),
            jhex(v, "digest").as_slice()
        );
    }
}

fn assert_sm2_verifies_and_flips_fail(q: &EcPoint, e: &[u8], r: &[u8], s: &[u8]) {
    let sig = Signature {
        r: SignatureR::X(r.to_vec()),
        s: s.to_vec(),
    };
    q.verify_digest(e, &sig).expect("valid SM2 signature");
    for byte in [0, 17, 31] {
        for bit in [0, 7] {
            let bad_e = flip(e, byte, bit);
            assert!(q.verify_digest(&bad_e, &sig).is_err());
            let bad_r = Signature {
                r: SignatureR::X(flip(r, byte, bit)),
                s: s.to_vec(),
            };
            assert!(q.verify_digest(e, &bad_r).is_err());
            let bad_s = Signature {
                r: SignatureR::X(r.to_vec()),
                s: flip(s, byte, bit),
            };
            assert!(q.verify_digest(e, &bad_s).is_err());
        }
    }
}

#[test]
fn sm2_sign_recommended_curve() {
    let j = sm_json();
    let v = &j["sm2_sign_recommended_curve"];
    let d = SecretKey::from_be_bytes(Curve::Sm2, &jhex(v, "d")).expect("d");
    let q = EcPoint::from_xy(Curve::Sm2, &jhex(v, "Qx"), &jhex(v, "Qy")).expect("Q");
    assert_eq!(d.public_key(), q);
    let id = v["id"].as_str().expect("id").as_bytes();
    assert_eq!(
        sm2_z_a(&q, id).expect("za").as_bytes(),
        jhex(v, "ZA").as_slice()
    );
    let e =
        sm2_digest_with_id(&q, id, v["msg_ascii"].as_str().expect("msg").as_bytes()).expect("e");
    let k = EcScalar::from_be_bytes(Curve::Sm2, &jhex(v, "k")).expect("k");
    let sig = hazmat::sign_digest_with_nonce(&d, &k, e.as_bytes()).expect("sign");
    assert_eq!(sig.r, SignatureR::X(jhex(v, "r")));
    assert_eq!(sig.s, jhex(v, "s"));
    assert_sm2_verifies_and_flips_fail(&q, e.as_bytes(), &jhex(v, "r"), &jhex(v, "s"));
    // The message itself, one bit off, gives another e that does not verify.
    let e2 = sm2_digest_with_id(&q, id, b"message digesu").expect("e");
    assert!(q.verify_digest(e2.as_bytes(), &sig).is_err());
}

#[test]
fn ydt3957_spdu_sm2_signature_example() {
    let j = sm_json();
    let v = &j["ydt3957_spdu_sm2_signature_example"];
    let d = SecretKey::from_be_bytes(Curve::Sm2, &jhex(v, "signer_private_key")).expect("d");
    let q = EcPoint::from_xy(
        Curve::Sm2,
        &jhex(v, "signer_pub_x"),
        &jhex(v, "signer_pub_y"),
    )
    .expect("Q");
    assert_eq!(d.public_key(), q);
    // ID_A = SM3(COER(signer certificate)), 32 bytes, ENTL_A = 256.
    let id_a = jhex(v, "signer_cert_sm3");
    assert_eq!(id_a.len(), 32);
    let za = sm2_z_a(&q, &id_a).expect("za");
    assert_eq!(
        za.as_bytes(),
        jhex(v, "ZA_with_IDA_equal_signer_cert_sm3_ENTL_256").as_slice()
    );
    let tbs = jhex(v, "tbsData_coer");
    let e = sm2_digest_with_id(&q, &id_a, &tbs).expect("e");
    assert_eq!(
        e.as_bytes(),
        jhex(v, "e_equal_SM3_ZA_concat_tbs").as_slice()
    );
    assert_sm2_verifies_and_flips_fail(&q, e.as_bytes(), &jhex(v, "r"), &jhex(v, "s"));
}

#[test]
fn camp_ecdh() {
    let text = read_shared_str("vectors/camp/ecdh.txt");
    let kv = assignments(&text);
    let mut n = 0;
    let mut it = kv.iter();
    while let Some((ka, a)) = it.next() {
        assert_eq!(ka, "a");
        let (kbx, bx) = it.next().expect("Bx");
        let (kby, by) = it.next().expect("By");
        let (kz, z) = it.next().expect("Z");
        assert_eq!((kbx.as_str(), kby.as_str(), kz.as_str()), ("Bx", "By", "Z"));
        let a = SecretKey::from_be_bytes(Curve::NistP256, &pad(a.clone(), 32)).expect("a");
        let b = EcPoint::from_xy(Curve::NistP256, &pad(bx.clone(), 32), &pad(by.clone(), 32))
            .expect("B");
        let shared = a.ecdh(&b).expect("ecdh");
        assert_eq!(
            shared.as_slice(),
            pad(z.clone(), 32).as_slice(),
            "vector {}",
            n + 1
        );
        n += 1;
    }
    assert_eq!(n, 25, "ECDH vectors parsed");
}

#[test]
fn camp_butterfly_expansion() {
    let text = read_shared_str("vectors/camp/bfkeyexp.txt");
    let lines: Vec<&str> = text.lines().collect();
    let (i, _) = value_after(&lines, "i (32 bits)", 0);
    let (j, _) = value_after(&lines, "j (in range", 0);
    let i = u32::from_be_bytes(hex(i).try_into().expect("i"));
    let j = u32::from_be_bytes(hex(j).try_into().expect("j"));
    let split = lines
        .iter()
        .position(|l| l.starts_with("Expanding Encryption key pair"))
        .expect("enc section");
    let cases = [
        (
            ExpansionKind::Signing,
            0,
            "ck:",
            "a:",
            "A:",
            "x_cert:",
            "a + f_k",
            "A + f_k",
        ),
        (
            ExpansionKind::Encryption,
            split,
            "ek:",
            "h:",
            "H:",
            "x_enc:",
            "h + f_k",
            "H + f_k",
        ),
    ];
    for (kind, from, lk, lpriv, lpub, lx, lexp_priv, lexp_pub) in cases {
        let (k, _) = value_after(&lines, lk, from);
        let key = ButterflyExpansionKey::from_slice(&hex(k)).expect("key");
        let (x, _) = value_after(&lines, lx, from);
        assert_eq!(expansion_input(kind, i, j).to_vec(), hex(x));
        let (fint, _) = value_after(&lines, "f_k^{int}(x) = block1", from);
        assert_eq!(
            key.f_k_int(&expansion_input(kind, i, j)).to_vec(),
            hex(fint)
        );
        let (f, _) = value_after(&lines, "f_k(x) = f_k^{int}(x) mod l", from);
        let fs = key
            .expansion_scalar(Curve::NistP256, kind, i, j)
            .expect("f");
        assert_eq!(fs.to_be_bytes().as_slice(), pad(hex(f), 32).as_slice());

        let (a, _) = value_after(&lines, lpriv, from);
        let (apub, _) = value_after(&lines, lpub, from);
        let (ax, ay) = point_pair(apub);
        let a = SecretKey::from_be_bytes(Curve::NistP256, &pad(hex(a), 32)).expect("a");
        let big_a = EcPoint::from_xy(Curve::NistP256, &ax, &ay).expect("A");
        assert_eq!(a.public_key(), big_a);

        let (exp_priv, _) = value_after(&lines, lexp_priv, from);
        let (exp_pub, _) = value_after(&lines, lexp_pub, from);
        let (ex, ey) = point_pair(exp_pub);
        let expected_pub = EcPoint::from_xy(Curve::NistP256, &ex, &ey).expect("A_exp");

        let cocoon = expand_cocoon_key(&big_a, &key, kind, i, j).expect("cocoon");
        assert_eq!(cocoon.0, expected_pub);
        let pair = CaterpillarKeyPair::new(a, key.clone()).expect("pair");
        let d = pair.expand_private_key(kind, i, j).expect("d");
        assert_eq!(
            d.to_be_bytes().as_slice(),
            pad(hex(exp_priv), 32).as_slice()
        );
        assert_eq!(d.public_key(), expected_pub);
        // The other input or a neighbouring j gives another key.
        let other = match kind {
            ExpansionKind::Signing => ExpansionKind::Encryption,
            ExpansionKind::Encryption => ExpansionKind::Signing,
        };
        assert_ne!(
            expand_cocoon_key(&big_a, &key, other, i, j).expect("c").0,
            expected_pub
        );
        assert_ne!(
            expand_cocoon_key(&big_a, &key, kind, i, j + 1)
                .expect("c")
                .0,
            expected_pub
        );
    }
}

#[test]
fn camp_implicit_certificates() {
    // implicit.txt uses the illustrative e = SHA-256(tbs || P_U) >> 1; the
    // formulas below are the ones of SEC 4 and 1609.2 whatever e is.
    let text = read_shared_str("vectors/camp/implicit.txt");
    let kv = assignments(&text);
    let get = |name: &str, nth: usize| -> Vec<u8> {
        kv.iter()
            .filter(|(k, _)| k == name)
            .nth(nth)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} #{nth}"))
    };
    let c = Curve::NistP256;
    for t in 0..2 {
        let cert_u = get("CertU", t);
        let mut e_bytes = digest(HashAlgorithm::Sha256, &cert_u).as_bytes().to_vec();
        // >> 1 over the 256-bit big-endian integer.
        let mut carry = 0u8;
        for b in e_bytes.iter_mut() {
            let next = *b & 1;
            *b = (*b >> 1) | (carry << 7);
            carry = next;
        }
        let e = EcScalar::from_be_bytes(c, &e_bytes).expect("e");
        let ku = SecretKey::from_be_bytes(c, &pad(get("kU", t), 32)).expect("kU");
        let ru = EcPoint::from_xy(c, &pad(get("RUx", t), 32), &pad(get("RUy", t), 32)).expect("RU");
        assert_eq!(ku.public_key(), ru);
        let dca = SecretKey::from_be_bytes(c, &pad(get("dCA", t), 32)).expect("dCA");
        let qca =
            EcPoint::from_xy(c, &pad(get("QCAx", t), 32), &pad(get("QCAy", t), 32)).expect("QCA");
        assert_eq!(dca.public_key(), qca);
        let k = EcScalar::from_be_bytes(c, &pad(get("k", t), 32)).expect("k");
        let pu = EcPoint::from_xy(c, &pad(get("PUx", t), 32), &pad(get("PUy", t), 32)).expect("PU");
        // CertU = tbs || compressed(P_U), as the file says.
        assert!(cert_u.ends_with(&pu.to_sec1(true)));

        let issuance = EcqvIssuance::with_nonce(&ru, k).expect("issue");
        assert_eq!(issuance.reconstruction_value(), &pu);
        let s = issuance.finish(&e, &dca).expect("s");
        assert_eq!(s.to_be_bytes().as_slice(), pad(get("r", t), 32).as_slice());

        let du = reconstruct_private_key(&ku, &e, &s).expect("dU");
        assert_eq!(
            du.to_be_bytes().as_slice(),
            pad(get("dU", t), 32).as_slice()
        );
        let qu = reconstruct_public_key(&e, &pu, &qca).expect("QU");
        let expected_qu =
            EcPoint::from_xy(c, &pad(get("QUx", t), 32), &pad(get("QUy", t), 32)).expect("QU");
        assert_eq!(qu, expected_qu);
        assert_eq!(du.public_key(), qu);
        // A one-bit different e reconstructs another key.
        let e_bad = EcScalar::from_be_bytes(c, &flip(&e_bytes, 31, 0)).expect("e");
        assert_ne!(
            reconstruct_public_key(&e_bad, &pu, &qca).expect("q"),
            expected_qu
        );
    }
}

#[test]
fn errors_are_typed() {
    assert_eq!(
        EcPoint::from_sec1(Curve::NistP256, &[0]).unwrap_err(),
        Error::InvalidPoint
    );
    assert_eq!(
        SecretKey::from_be_bytes(Curve::NistP256, &[0; 32]).unwrap_err(),
        Error::InvalidScalar
    );
}

fn assert_ecdsa_verifies_and_flips_fail(q: &EcPoint, z: &[u8], sig: &Signature) {
    q.verify_digest(z, sig).expect("valid ECDSA signature");
    let r = sig.r_bytes();
    for byte in [0, 13, r.len() - 1] {
        for bit in [0, 6] {
            assert!(q.verify_digest(&flip(z, byte, bit), sig).is_err());
            let bad_r = Signature {
                r: SignatureR::X(flip(&r, byte, bit)),
                s: sig.s.clone(),
            };
            assert!(q.verify_digest(z, &bad_r).is_err());
            let bad_s = Signature {
                r: sig.r.clone(),
                s: flip(&sig.s, byte, bit),
            };
            assert!(q.verify_digest(z, &bad_s).is_err());
        }
    }
}

/// RFC 6979 appendix A.2.5 (P-256, SHA-256, message "sample"), with its `k`.
#[test]
fn ecdsa_p256_rfc6979_a25_with_nonce() {
    let d = SecretKey::from_be_bytes(
        Curve::NistP256,
        &hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721"),
    )
    .expect("x");
    let q = EcPoint::from_xy(
        Curve::NistP256,
        &hex("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"),
        &hex("7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"),
    )
    .expect("U");
    assert_eq!(d.public_key(), q);
    let k = EcScalar::from_be_bytes(
        Curve::NistP256,
        &hex("A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60"),
    )
    .expect("k");
    let z = digest(HashAlgorithm::Sha256, b"sample");
    let sig = hazmat::sign_digest_with_nonce(&d, &k, z.as_bytes()).expect("sign");
    assert_eq!(
        sig.r_bytes(),
        hex("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716")
    );
    assert_eq!(
        sig.s,
        hex("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8")
    );
    // R = kG, returned as a point.
    let SignatureR::Point(big_r) = &sig.r else {
        panic!("R must be a point")
    };
    assert_eq!(*big_r, EcPoint::mul_generator(&k).expect("kG"));
    assert_ecdsa_verifies_and_flips_fail(&q, z.as_bytes(), &sig);
    assert_ecdsa_verifies_and_flips_fail(&q, z.as_bytes(), &sig.to_x_only());
}

/// RFC 6979 appendix A.2.6 (P-384, SHA-384, message "sample"): verification.
#[test]
fn ecdsa_p384_rfc6979_a26_verify() {
    let d = SecretKey::from_be_bytes(
        Curve::NistP384,
        &hex("6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5"),
    )
    .expect("x");
    let q = d.public_key();
    let z = digest(HashAlgorithm::Sha384, b"sample");
    let sig = Signature {
        r: SignatureR::X(hex(
            "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
        )),
        s: hex("99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8"),
    };
    assert_ecdsa_verifies_and_flips_fail(&q, z.as_bytes(), &sig);
}
