//! Interoperability with the `openssl` command (OpenSSL 3): signatures made by
//! this crate verify with OpenSSL and the other way round, for ECDSA on P-256,
//! P-384, brainpoolP256r1, brainpoolP384r1 (over a prehashed digest, as 1609.2
//! signs `H(H(tbs) || H(signer))`) and for SM2 with a distinguishing ID
//! (the GB/T default `1234567812345678` and a YD/T 3957-style 32-byte binary
//! `ID_A`). ECDH is checked with `openssl pkeyutl -derive`. Skipped with a
//! message when no `openssl` binary is on the PATH.

mod ec_util;

use std::path::Path;
use std::process::Command;

use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::signing_input::{ecdsa_signing_digest, sm2_digest_with_id, SigningInputHashes};
use scms_crypto::suite::{Curve, EcPoint, SecretKey, Signature, SignatureR};

const ECDSA_CURVES: [Curve; 4] = [
    Curve::NistP256,
    Curve::NistP384,
    Curve::BrainpoolP256r1,
    Curve::BrainpoolP384r1,
];

fn openssl_available() -> bool {
    match Command::new("openssl").arg("version").output() {
        Ok(o) if o.status.success() => true,
        _ => {
            println!("SKIPPED: no usable `openssl` binary on the PATH");
            false
        }
    }
}

fn openssl(args: &[&str]) -> (bool, String) {
    let o = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), text)
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 128 {
        out.push(n as u8);
    } else if n < 256 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let mut b: Vec<u8> = bytes.iter().copied().skip_while(|&x| x == 0).collect();
    if b.is_empty() || b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    der(0x02, &b)
}

fn curve_oid(curve: Curve) -> Vec<u8> {
    let body: &[u8] = match curve {
        Curve::NistP256 => &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
        Curve::NistP384 => &[0x2B, 0x81, 0x04, 0x00, 0x22],
        Curve::BrainpoolP256r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
        Curve::BrainpoolP384r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B],
        Curve::Sm2 => &[0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D],
    };
    der(0x06, body)
}

/// SubjectPublicKeyInfo DER of `q`.
fn spki(q: &EcPoint) -> Vec<u8> {
    let ec_public_key = der(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]);
    let alg = der(0x30, &[ec_public_key, curve_oid(q.curve())].concat());
    let mut bits = vec![0u8];
    bits.extend_from_slice(&q.to_sec1(false));
    der(0x30, &[alg, der(0x03, &bits)].concat())
}

/// SEC1 `ECPrivateKey` DER of `d`.
fn sec1_private(d: &SecretKey) -> Vec<u8> {
    let body = [
        der(0x02, &[1]),
        der(0x04, d.to_be_bytes().as_slice()),
        der(0xA0, &curve_oid(d.curve())),
    ]
    .concat();
    der(0x30, &body)
}

/// `ECDSA-Sig-Value` / SM2 signature DER.
fn sig_der(sig: &Signature) -> Vec<u8> {
    der(0x30, &[der_uint(&sig.r_bytes()), der_uint(&sig.s)].concat())
}

fn parse_sig_der(b: &[u8], field_len: usize) -> Signature {
    fn read(b: &[u8], at: usize) -> (usize, usize) {
        // (content start, content length); short or 0x81 long form
        if b[at + 1] == 0x81 {
            (at + 3, b[at + 2] as usize)
        } else {
            (at + 2, b[at + 1] as usize)
        }
    }
    assert_eq!(b[0], 0x30);
    let (seq, _) = read(b, 0);
    assert_eq!(b[seq], 0x02);
    let (r_at, r_len) = read(b, seq);
    let s_tag = r_at + r_len;
    assert_eq!(b[s_tag], 0x02);
    let (s_at, s_len) = read(b, s_tag);
    let fix = |v: &[u8]| {
        ec_util::pad(
            v.iter().copied().skip_while(|&x| x == 0).collect(),
            field_len,
        )
    };
    Signature {
        r: SignatureR::X(fix(&b[r_at..r_at + r_len])),
        s: fix(&b[s_at..s_at + s_len]),
    }
}

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write");
    p.to_str().expect("utf-8 path").to_string()
}

fn rng() -> getrandom::SysRng {
    getrandom::SysRng
}

#[test]
fn ecdsa_interop_every_curve() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for curve in ECDSA_CURVES {
        let key = SecretKey::generate(curve, &mut rng()).expect("key");
        let q = key.public_key();
        let pubf = write(dir.path(), "pub.der", &spki(&q));
        let keyf = write(dir.path(), "key.der", &sec1_private(&key));
        // A 1609.2 self-signed signing input as the digest.
        let h = SigningInputHashes::for_data(curve);
        let d = ecdsa_signing_digest(h, b"ToBeSignedData of a test SPDU", None);
        let dgf = write(dir.path(), "dgst.bin", d.as_bytes());

        // Ours -> OpenSSL.
        let sig = key.sign_digest(d.as_bytes(), &mut rng()).expect("sign");
        let sigf = write(dir.path(), "ours.sig", &sig_der(&sig));
        let (ok, out) = openssl(&[
            "pkeyutl", "-verify", "-pubin", "-inkey", &pubf, "-keyform", "DER", "-in", &dgf,
            "-sigfile", &sigf,
        ]);
        assert!(
            ok && out.contains("Verified Successfully"),
            "{curve:?}: {out}"
        );
        // One flipped bit in s: OpenSSL refuses it.
        let mut bad = sig.clone();
        bad.s = ec_util::flip(&bad.s, 5, 1);
        let badf = write(dir.path(), "bad.sig", &sig_der(&bad));
        let (ok, _) = openssl(&[
            "pkeyutl", "-verify", "-pubin", "-inkey", &pubf, "-keyform", "DER", "-in", &dgf,
            "-sigfile", &badf,
        ]);
        assert!(!ok, "{curve:?}: OpenSSL accepted a corrupted signature");

        // OpenSSL -> ours.
        let osf = dir.path().join("openssl.sig");
        let osf_s = osf.to_str().expect("path");
        let (ok, out) = openssl(&[
            "pkeyutl", "-sign", "-inkey", &keyf, "-keyform", "DER", "-in", &dgf, "-out", osf_s,
        ]);
        assert!(ok, "{curve:?}: {out}");
        let os_sig = parse_sig_der(&std::fs::read(&osf).expect("sig"), curve.field_len());
        q.verify_digest(d.as_bytes(), &os_sig)
            .expect("OpenSSL signature verifies with ours");
        let flipped = ec_util::flip(d.as_bytes(), 0, 0);
        assert!(q.verify_digest(&flipped, &os_sig).is_err());
    }
}

#[test]
fn p256_interop_over_message_with_dgst() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let key = SecretKey::generate(Curve::NistP256, &mut rng()).expect("key");
    let msg = b"a message hashed by openssl dgst";
    let msgf = write(dir.path(), "msg", msg);
    let pubf = write(dir.path(), "pub.der", &spki(&key.public_key()));
    let sig = key
        .sign_digest(digest(HashAlgorithm::Sha256, msg).as_bytes(), &mut rng())
        .expect("sign");
    let sigf = write(dir.path(), "sig", &sig_der(&sig));
    let (ok, out) = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        &pubf,
        "-keyform",
        "DER",
        "-signature",
        &sigf,
        &msgf,
    ]);
    assert!(ok && out.contains("Verified OK"), "{out}");
}

#[test]
fn sm2_interop_with_distinguishing_ids() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let key = SecretKey::generate(Curve::Sm2, &mut rng()).expect("key");
    let q = key.public_key();
    let pubf = write(dir.path(), "pub.der", &spki(&q));
    let keyf = write(dir.path(), "key.der", &sec1_private(&key));
    let msg = b"COER ToBeSignedData";
    let msgf = write(dir.path(), "msg", msg);
    // GB/T default ID, and a YD/T 3957 ID_A = SM3(signer certificate).
    let id_a = digest(HashAlgorithm::Sm3, b"COER signer certificate");
    let ids: [(Vec<u8>, String); 2] = [
        (
            b"1234567812345678".to_vec(),
            "distid:1234567812345678".to_string(),
        ),
        (
            id_a.as_bytes().to_vec(),
            format!("hexdistid:{}", hex::encode(id_a.as_bytes())),
        ),
    ];
    for (id, opt) in ids {
        let e = sm2_digest_with_id(&q, &id, msg).expect("e");
        // Ours -> OpenSSL.
        let sig = key.sign_digest(e.as_bytes(), &mut rng()).expect("sign");
        let sigf = write(dir.path(), "ours.sig", &sig_der(&sig));
        let verify = |sigf: &str| {
            openssl(&[
                "pkeyutl", "-verify", "-pubin", "-inkey", &pubf, "-keyform", "DER", "-rawin",
                "-in", &msgf, "-digest", "sm3", "-pkeyopt", &opt, "-sigfile", sigf,
            ])
        };
        let (ok, out) = verify(&sigf);
        assert!(ok && out.contains("Verified Successfully"), "{opt}: {out}");
        let mut bad = sig.clone();
        bad.s = ec_util::flip(&bad.s, 31, 0);
        let badf = write(dir.path(), "bad.sig", &sig_der(&bad));
        assert!(
            !verify(&badf).0,
            "OpenSSL accepted a corrupted SM2 signature"
        );

        // OpenSSL -> ours.
        let osf = dir.path().join("openssl.sig");
        let osf_s = osf.to_str().expect("path");
        let (ok, out) = openssl(&[
            "pkeyutl", "-sign", "-inkey", &keyf, "-keyform", "DER", "-rawin", "-in", &msgf,
            "-digest", "sm3", "-pkeyopt", &opt, "-out", osf_s,
        ]);
        assert!(ok, "{opt}: {out}");
        let os_sig = parse_sig_der(&std::fs::read(&osf).expect("sig"), 32);
        q.verify_digest(e.as_bytes(), &os_sig)
            .expect("OpenSSL SM2 signature verifies with ours");
        // The same signature under another ID must fail.
        let other = sm2_digest_with_id(&q, b"another id", msg).expect("e");
        assert!(q.verify_digest(other.as_bytes(), &os_sig).is_err());
    }
}

#[test]
fn ecdh_interop_every_curve() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for curve in Curve::ALL {
        let a = SecretKey::generate(curve, &mut rng()).expect("a");
        let b = SecretKey::generate(curve, &mut rng()).expect("b");
        let keyf = write(dir.path(), "a.der", &sec1_private(&a));
        let peerf = write(dir.path(), "b.der", &spki(&b.public_key()));
        let outf = dir.path().join("z.bin");
        let outf_s = outf.to_str().expect("path");
        let (ok, out) = openssl(&[
            "pkeyutl",
            "-derive",
            "-inkey",
            &keyf,
            "-keyform",
            "DER",
            "-peerkey",
            &peerf,
            "-peerform",
            "DER",
            "-out",
            outf_s,
        ]);
        if curve == Curve::Sm2 && !ok {
            // OpenSSL 3 has no plain ECDH on SM2 keys; ours is checked by agreement.
            println!(
                "SKIPPED: openssl ECDH on SM2: {}",
                out.lines().next().unwrap_or("")
            );
            continue;
        }
        assert!(ok, "{curve:?}: {out}");
        let z = std::fs::read(&outf).expect("z");
        assert_eq!(
            z.as_slice(),
            a.ecdh(&b.public_key()).expect("ecdh").as_slice(),
            "{curve:?}"
        );
    }
}
