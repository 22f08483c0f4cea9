//! The C ABI called from Rust: the soft key store by directory and passphrase,
//! CRLs through the ABI, and buffer handling of the signer.

mod common;

use common::{bsm, hex, now64, World};
use scms_ca::crl::{hash_entry, sign_crl, CrlBody, CrlHeader};
use scms_ca::spdu::SignerForm;
use scms_crypto::verify::certificate_hashed_id8;
use scms_sdk::ffi::*;
use std::ffi::CString;
use std::ptr::{null, null_mut};

fn verifier(w: &World) -> *mut ScmsVerifier {
    let mut v = null_mut();
    // SAFETY: valid pointers and lengths throughout.
    unsafe {
        assert_eq!(scms_verifier_new(&mut v), ScmsStatus::Ok);
        let root = w.certificate("root");
        assert_eq!(
            scms_verifier_add_trust_anchor(v, root.as_ptr(), root.len()),
            ScmsStatus::Ok
        );
        for role in ["ica", "aca", "crl"] {
            let c = w.certificate(role);
            assert_eq!(
                scms_verifier_add_certificate(v, c.as_ptr(), c.len()),
                ScmsStatus::Ok,
                "{role}"
            );
        }
    }
    v
}

#[test]
fn soft_store_signer_and_crl_through_the_abi() {
    let w = World::new();
    let (cert, key) = w.pseudonym_key_at(common::now32());
    let dir = std::env::temp_dir().join(format!("scms-sdk-ffi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cdir = CString::new(dir.to_str().expect("utf-8")).expect("path");
    let label = CString::new("p0").expect("label");
    let pass = b"correct horse";
    // SAFETY: valid pointers and lengths throughout.
    unsafe {
        let mut ks = null_mut();
        assert_eq!(
            scms_soft_keystore_open(cdir.as_ptr(), pass.as_ptr(), pass.len(), &mut ks),
            ScmsStatus::Ok
        );
        let key_hex = CString::new(hex(&key.to_be_bytes())).expect("hex");
        assert_eq!(
            scms_keystore_import_private_key_hex(ks, label.as_ptr(), key_hex.as_ptr()),
            ScmsStatus::Ok
        );
        scms_keystore_free(ks);
        // The wrong passphrase does not open it.
        let mut bad = null_mut();
        assert_eq!(
            scms_soft_keystore_open(cdir.as_ptr(), b"wrong".as_ptr(), 5, &mut bad),
            ScmsStatus::KeyStoreError
        );
        assert!(bad.is_null());
        let mut ks = null_mut();
        assert_eq!(
            scms_soft_keystore_open(cdir.as_ptr(), pass.as_ptr(), pass.len(), &mut ks),
            ScmsStatus::Ok
        );

        let mut signer = null_mut();
        assert_eq!(
            scms_signer_new(cert.as_ptr(), cert.len(), label.as_ptr(), &mut signer),
            ScmsStatus::Ok
        );
        let payload = b"from the soft store";
        let loc = ScmsLocation {
            latitude: 423_300_000,
            longitude: -830_500_000,
            elevation: 1800,
        };
        // Too small: the length needed, and the schedule is unchanged (the
        // next SPDU still carries the certificate, so it has that length).
        let mut need = 0usize;
        assert_eq!(
            scms_signer_sign(
                signer,
                ks,
                32,
                payload.as_ptr(),
                payload.len(),
                now64(0),
                &loc,
                null_mut(),
                0,
                &mut need
            ),
            ScmsStatus::BufferTooSmall
        );
        let mut spdu = vec![0u8; need];
        let mut len = 0usize;
        assert_eq!(
            scms_signer_sign(
                signer,
                ks,
                32,
                payload.as_ptr(),
                payload.len(),
                now64(0),
                &loc,
                spdu.as_mut_ptr(),
                spdu.len(),
                &mut len
            ),
            ScmsStatus::Ok
        );
        assert_eq!(len, need);

        let v = verifier(&w);
        let (mut psid, mut plen) = (0u64, 0usize);
        let mut out = vec![0u8; spdu.len()];
        assert_eq!(
            scms_verifier_verify(
                v,
                spdu.as_ptr(),
                len,
                now64(0),
                &mut psid,
                out.as_mut_ptr(),
                out.len(),
                &mut plen
            ),
            ScmsStatus::Ok
        );
        assert_eq!((psid, &out[..plen]), (32, &payload[..]));

        // A hash CRL through the ABI revokes the pseudonym.
        let header = CrlHeader {
            series: 1,
            craca: certificate_hashed_id8(
                &scms_asn1::decode(&w.certificate("root")).expect("root"),
            )
            .expect("id")
            .0,
            issue_date: common::now32() + 60,
            next_crl: common::now32() + 7 * 86_400,
            priority: None,
        };
        let body = CrlBody::Hash {
            delta: false,
            crl_serial: 1,
            entries: vec![hash_entry(&cert).expect("entry")],
        };
        let crl = sign_crl(
            &w.ca_keys,
            &w.h.issuer_ref("crl").expect("crl"),
            &header,
            &body,
            SignerForm::Digest,
        )
        .expect("crl");
        let mut tampered = crl.bytes.clone();
        let n = tampered.len();
        tampered[n - 1] ^= 1;
        assert_eq!(
            scms_verifier_apply_crl(v, tampered.as_ptr(), n, now64(0), 0),
            ScmsStatus::BadSignature
        );
        assert_eq!(
            scms_verifier_apply_crl(v, crl.bytes.as_ptr(), n, now64(0), 0),
            ScmsStatus::Ok
        );
        let m = bsm(now64(1));
        assert_eq!(
            scms_signer_sign(
                signer,
                ks,
                m.psid,
                m.payload.as_ptr(),
                m.payload.len(),
                m.generation_time,
                null(),
                spdu.as_mut_ptr(),
                spdu.len(),
                &mut len
            ),
            ScmsStatus::Ok
        );
        assert_eq!(
            scms_verifier_verify(
                v,
                spdu.as_ptr(),
                len,
                now64(1),
                &mut psid,
                out.as_mut_ptr(),
                out.len(),
                &mut plen
            ),
            ScmsStatus::RevokedByHash
        );
        // A key label the store does not hold is a key store error with a text.
        let mut other = null_mut();
        let missing = CString::new("missing").expect("label");
        assert_eq!(
            scms_signer_new(cert.as_ptr(), cert.len(), missing.as_ptr(), &mut other),
            ScmsStatus::Ok
        );
        assert_eq!(
            scms_signer_sign(
                other,
                ks,
                32,
                payload.as_ptr(),
                payload.len(),
                now64(2),
                null(),
                spdu.as_mut_ptr(),
                spdu.len(),
                &mut len
            ),
            ScmsStatus::SignError
        );
        let mut buf = vec![0 as std::ffi::c_char; 256];
        let mut tlen = 0usize;
        assert_eq!(
            scms_last_error(buf.as_mut_ptr(), buf.len(), &mut tlen),
            ScmsStatus::Ok
        );
        let text = std::ffi::CStr::from_ptr(buf.as_ptr()).to_string_lossy();
        assert!(text.contains("missing"), "{text}");

        scms_signer_free(other);
        scms_signer_free(signer);
        scms_verifier_free(v);
        scms_keystore_free(ks);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
