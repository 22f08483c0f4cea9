//! Encryption to a certificate through the SDK: ECIES for a NIST P-256
//! certificate, SM2 for an SM2 one (the RA certificates of a US and a CN
//! hierarchy carry encryption keys); the wrong recipient and a tampered
//! ciphertext are refused.

use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::Family;
use scms_hsm::envelope::EnvelopeError;
use scms_hsm::MemoryKeyStore;
use scms_sdk::encrypt::{decrypt, encrypt_to_certificate};

#[test]
fn ecies_and_sm2_to_a_certificate_round_trip() {
    for family in [Family::Us, Family::Cn] {
        let ks = MemoryKeyStore::new();
        let h = build(
            &ks,
            &HierarchyOptions::new(family, scms_ca::eca::system_now()),
        )
        .expect("hierarchy");
        let ra = h.certificate("ra").expect("ra").to_vec();
        let ra_enc = format!("{}-enc", h.key_labels["ra"]);
        let aca = h.certificate("aca").expect("aca").to_vec();
        let aca_enc = format!("{}-enc", h.key_labels["aca"]);
        let message = b"for the RSU only";

        let ct = encrypt_to_certificate(&ra, message).expect("encrypt");
        assert!(!ct.windows(message.len()).any(|w| w == message));
        // The key wrap of the recipient's curve.
        let data: scms_asn1::ieee1609dot2::Ieee1609Dot2Data<'_> =
            scms_asn1::decode(&ct).expect("Ieee1609Dot2Data");
        let text = format!("{data:?}");
        let wrap = match family {
            Family::Us => "EciesNistP256",
            Family::Cn => "EcencSm2256",
        };
        assert!(text.contains(wrap), "{family:?}: {text}");
        assert_eq!(
            decrypt(&ks, &ra_enc, &ra, &ct).expect("decrypt").as_slice(),
            message
        );
        // Another certificate is not named; another key fails the tag.
        assert!(matches!(
            decrypt(&ks, &aca_enc, &aca, &ct),
            Err(EnvelopeError::NotForUs)
        ));
        assert!(decrypt(&ks, &aca_enc, &ra, &ct).is_err());
        let mut tampered = ct.clone();
        let n = tampered.len();
        tampered[n - 1] ^= 1;
        assert!(matches!(
            decrypt(&ks, &ra_enc, &ra, &tampered),
            Err(EnvelopeError::Authentication)
        ));
        assert!(decrypt(&ks, &ra_enc, &ra, b"\x03\x82").is_err());
        // A certificate without an encryption key cannot be encrypted to.
        let root = h.certificate("root").expect("root").to_vec();
        assert!(matches!(
            encrypt_to_certificate(&root, message),
            Err(EnvelopeError::Unsupported(_))
        ));
    }
}

/// The C ABI: what `scms_encrypt_to_certificate` writes opens with the
/// recipient's key; `scms_decrypt` reports typed failures.
#[test]
fn encryption_through_the_c_abi() {
    use scms_sdk::ffi::*;
    let ks = MemoryKeyStore::new();
    let h = build(
        &ks,
        &HierarchyOptions::new(Family::Us, scms_ca::eca::system_now()),
    )
    .expect("hierarchy");
    let ra = h.certificate("ra").expect("ra").to_vec();
    let ra_enc = format!("{}-enc", h.key_labels["ra"]);
    let root = h.certificate("root").expect("root").to_vec();
    let message = b"to the RA, from C";
    let mut out = vec![0u8; 512];
    let mut len = 0usize;
    // SAFETY: valid buffers and lengths.
    unsafe {
        assert_eq!(
            scms_encrypt_to_certificate(
                ra.as_ptr(),
                ra.len(),
                message.as_ptr(),
                message.len(),
                out.as_mut_ptr(),
                8,
                &mut len
            ),
            ScmsStatus::BufferTooSmall
        );
        assert_eq!(
            scms_encrypt_to_certificate(
                ra.as_ptr(),
                ra.len(),
                message.as_ptr(),
                message.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut len
            ),
            ScmsStatus::Ok
        );
        assert_eq!(
            decrypt(&ks, &ra_enc, &ra, &out[..len])
                .expect("decrypt")
                .as_slice(),
            message
        );
        assert_eq!(
            scms_encrypt_to_certificate(
                root.as_ptr(),
                root.len(),
                message.as_ptr(),
                message.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut len
            ),
            ScmsStatus::UnsupportedAlgorithm
        );
        let ct = encrypt_to_certificate(&ra, message).expect("encrypt");
        let mut keys = core::ptr::null_mut();
        assert_eq!(scms_memory_keystore_new(&mut keys), ScmsStatus::Ok);
        let label = c"ra-enc";
        assert_eq!(
            scms_decrypt(
                keys,
                label.as_ptr(),
                ra.as_ptr(),
                ra.len(),
                ct.as_ptr(),
                ct.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut len
            ),
            ScmsStatus::KeyStoreError
        );
        assert_eq!(
            scms_decrypt(
                keys,
                label.as_ptr(),
                root.as_ptr(),
                root.len(),
                ct.as_ptr(),
                ct.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut len
            ),
            ScmsStatus::DecryptionFailed
        );
        assert_eq!(
            scms_decrypt(
                keys,
                label.as_ptr(),
                ra.as_ptr(),
                ra.len(),
                b"\x03".as_ptr(),
                1,
                out.as_mut_ptr(),
                out.len(),
                &mut len
            ),
            ScmsStatus::Malformed
        );
        scms_keystore_free(keys);
    }
}
