//! PKCS#11 store and wrapped store against a real SoftHSM2 token.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` at `C_Initialize`, so this binary has a
//! single test function: the variable is set once, before the module loads,
//! and no other test races on it. A missing SoftHSM2 is a failure, not a
//! skip: `scripts/test.sh` installs it.

use scms_crypto::hash::digest;
use scms_crypto::suite::{Curve, EcScalar, PublicKey, SecretKey, SignatureR};
use scms_hsm::der::{ecdsa_sig_der, spki_der};
use scms_hsm::{KeyStore, KeyStoreError, MemoryKeyStore, Pkcs11KeyStore, WrappedKeyStore};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const PIN: &str = "1234-user";
const SO_PIN: &str = "5678-so";
const TOKEN: &str = "scms-test";

fn softhsm_module() -> PathBuf {
    let candidates = [
        std::env::var("SCMS_PKCS11_MODULE").unwrap_or_default(),
        "/usr/lib/softhsm/libsofthsm2.so".into(),
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so".into(),
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so".into(),
        "/usr/local/lib/softhsm/libsofthsm2.so".into(),
    ];
    candidates
        .iter()
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "SoftHSM2 is not installed (no libsofthsm2.so in {candidates:?}): \
                 run `apt-get install -y softhsm2` (scripts/test.sh does) or set SCMS_PKCS11_MODULE"
            )
        })
}

/// A fresh token in `dir`; returns the SOFTHSM2_CONF path.
fn init_token(dir: &Path) -> PathBuf {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let out = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args(["--init-token", "--free", "--label", TOKEN])
        .args(["--pin", PIN, "--so-pin", SO_PIN])
        .output()
        .unwrap_or_else(|e| {
            panic!("softhsm2-util not runnable ({e}): apt-get install -y softhsm2")
        });
    assert!(
        out.status.success(),
        "softhsm2-util --init-token: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    conf
}

fn openssl_verify(dir: &Path, pk: &PublicKey, dgst: &[u8], sig_der: &[u8]) -> bool {
    let (p, d, s) = (
        dir.join("pub.der"),
        dir.join("dgst.bin"),
        dir.join("sig.der"),
    );
    std::fs::write(&p, spki_der(pk)).unwrap();
    std::fs::write(&d, dgst).unwrap();
    std::fs::write(&s, sig_der).unwrap();
    let out = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey"])
        .arg(&p)
        .arg("-in")
        .arg(&d)
        .arg("-sigfile")
        .arg(&s)
        .output()
        .expect("openssl must be installed (scripts/test.sh installs it)");
    out.status.success()
}

const TOKEN_CURVES: [Curve; 4] = [
    Curve::NistP256,
    Curve::NistP384,
    Curve::BrainpoolP256r1,
    Curve::BrainpoolP384r1,
];

#[test]
fn softhsm2_token_and_wrapped_store() {
    let module = softhsm_module();
    let tmp = tempfile::tempdir().unwrap();
    let conf = init_token(tmp.path());
    // Set before the first C_Initialize of this process; the only test here.
    std::env::set_var("SOFTHSM2_CONF", &conf);

    // A wrong PIN is a typed error; an unknown token is NotFound.
    assert!(matches!(
        Pkcs11KeyStore::open(&module, TOKEN, "wrong-pin"),
        Err(KeyStoreError::WrongPassphrase(_))
    ));
    assert!(matches!(
        Pkcs11KeyStore::open(&module, "no-such-token", PIN),
        Err(KeyStoreError::NotFound(_))
    ));

    let store = Pkcs11KeyStore::open(&module, TOKEN, PIN).unwrap();
    let soft = MemoryKeyStore::new();
    for curve in TOKEN_CURVES {
        let label = format!("ca-{curve:?}");
        let info = store.generate(&label, curve).unwrap();
        assert_eq!(info.curve, curve);
        assert!(!info.extractable);

        // The key is protected as required, as the token itself reports.
        let f = store.private_key_flags(&label).unwrap();
        assert!(
            f.token && f.private && f.sensitive && !f.extractable,
            "{f:?}"
        );
        assert!(f.always_sensitive && f.never_extractable, "{f:?}");

        // Raw ECDSA over our digest: verifies with our verifier and OpenSSL.
        let pk = store.public_key(&label).unwrap();
        assert_eq!(pk.to_sec1(true), info.public_key);
        let d = digest(curve.hash(), b"1609.2 tbsData || signer");
        let sig = store.sign_digest(&label, d.as_bytes()).unwrap();
        assert!(matches!(sig.r, SignatureR::X(_)));
        pk.verify_digest(d.as_bytes(), &sig).unwrap();
        assert!(
            openssl_verify(tmp.path(), &pk, d.as_bytes(), &ecdsa_sig_der(&sig)),
            "openssl rejects the {curve:?} token signature"
        );
        let other = digest(curve.hash(), b"something else");
        assert!(pk.verify_digest(other.as_bytes(), &sig).is_err());
        assert!(!openssl_verify(
            tmp.path(),
            &pk,
            other.as_bytes(),
            &ecdsa_sig_der(&sig)
        ));

        // ECDH on the token agrees with a software key.
        let peer = format!("peer-{curve:?}");
        soft.generate(&peer, curve).unwrap();
        let on_token = store
            .ecdh(&label, &soft.public_key(&peer).unwrap())
            .unwrap();
        let in_software = soft.ecdh(&peer, &pk).unwrap();
        assert_eq!(*on_token, *in_software);

        assert!(matches!(
            store.generate(&label, curve),
            Err(KeyStoreError::Exists(_))
        ));
    }
    // Curve mismatch, SM2, ECQV, unknown and invalid labels.
    let p384_peer = soft.public_key("peer-NistP384").unwrap();
    assert!(store.ecdh("ca-NistP256", &p384_peer).is_err());
    match store.generate("sm2", Curve::Sm2) {
        Err(KeyStoreError::Unsupported(m)) => assert!(m.contains("vendor HSM"), "{m}"),
        other => panic!("{other:?}"),
    }
    let mut rng = scms_crypto::suite::os_rng();
    let e = EcScalar::random(Curve::NistP256, &mut rng).unwrap();
    match store.ecqv_reconstruction("ca-NistP256", &e, &e) {
        Err(KeyStoreError::Unsupported(m)) => assert!(m.contains("docs/keys.md"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store.sign_digest("absent", &[0; 32]),
        Err(KeyStoreError::NotFound(_))
    ));
    assert!(matches!(
        store.generate("../x", Curve::NistP256),
        Err(KeyStoreError::InvalidLabel(_))
    ));
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), TOKEN_CURVES.len());
    assert!(listed.iter().all(|k| !k.extractable));

    // Wrapped store: software scalars sealed by a token AES key.
    let store = Arc::new(store);
    let wdir = tmp.path().join("wrapped");
    let wrapped = WrappedKeyStore::open(store.clone(), "aca-kek", &wdir).unwrap();
    let kek = store.secret_key_flags("aca-kek").unwrap();
    assert!(kek.token && kek.sensitive && !kek.extractable, "{kek:?}");
    for curve in Curve::ALL {
        let label = format!("aca-{curve:?}");
        let key = SecretKey::generate(curve, &mut rng).unwrap();
        wrapped.import(&label, &key).unwrap();
        let file = std::fs::read(wrapped.path_of(&label).unwrap()).unwrap();
        let scalar = key.to_be_bytes();
        assert!(!file.windows(scalar.len()).any(|w| w == scalar.as_slice()));
        let pk = wrapped.public_key(&label).unwrap();
        assert_eq!(pk, key.public_key());
        let d = digest(curve.hash(), b"issue");
        let sig = wrapped.sign_digest(&label, d.as_bytes()).unwrap();
        pk.verify_digest(d.as_bytes(), &sig).unwrap();
        // ECQV: the token-unwrapped scalar gives s with s*G = e*(k*G) + Q.
        let e = EcScalar::random(curve, &mut rng).unwrap();
        let k = EcScalar::random(curve, &mut rng).unwrap();
        let s = wrapped.ecqv_reconstruction(&label, &e, &k).unwrap();
        let rhs = PublicKey::mul_generator(&k)
            .unwrap()
            .mul(&e)
            .unwrap()
            .add(&pk)
            .unwrap();
        assert_eq!(PublicKey::mul_generator(&s).unwrap(), rhs);
    }
    wrapped.generate("aca-new", Curve::NistP256).unwrap();
    assert_eq!(wrapped.list().unwrap().len(), Curve::ALL.len() + 1);
    // A tampered wrapped file and a file moved to another label both fail.
    let path = wrapped.path_of("aca-NistP256").unwrap();
    let good = std::fs::read(&path).unwrap();
    let mut bad = good.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    std::fs::write(&path, &bad).unwrap();
    assert!(matches!(
        wrapped.sign_digest("aca-NistP256", &[1; 32]),
        Err(KeyStoreError::Corrupt(_))
    ));
    std::fs::write(wrapped.path_of("aca-moved").unwrap(), &good).unwrap();
    assert!(matches!(
        wrapped.sign_digest("aca-moved", &[1; 32]),
        Err(KeyStoreError::Corrupt(_))
    ));
    drop(wrapped);

    // Keys are token objects: a new session (new process state) finds them.
    drop(store);
    let store = Pkcs11KeyStore::open(&module, TOKEN, PIN).unwrap();
    assert_eq!(store.list().unwrap().len(), TOKEN_CURVES.len());
    let d = digest(Curve::NistP256.hash(), b"after reopen");
    let sig = store.sign_digest("ca-NistP256", d.as_bytes()).unwrap();
    store
        .public_key("ca-NistP256")
        .unwrap()
        .verify_digest(d.as_bytes(), &sig)
        .unwrap();
}
