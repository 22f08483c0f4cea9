//! A CA hierarchy (root -> ICA -> ACA -> implicit pseudonyms, and a CRL signer)
//! issued by our CA crate, and the private keys of a device's pseudonyms.
#![allow(dead_code)]

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::Certificate;
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::issue::{issue, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_crypto::ecqv;
use scms_crypto::suite::{os_rng, Curve, SecretKey};
use scms_hsm::MemoryKeyStore;
use scms_sdk::{Message, Verifier, VerifierConfig};

pub const BSM: u64 = 32;

/// 2026-01-01 00:00:00 UTC as Time32.
pub fn now32() -> u32 {
    time32_from_unix(1_767_225_600)
}

/// An hour after `now32()` plus `offset_s`, as Time64.
pub fn now64(offset_s: u64) -> u64 {
    (u64::from(now32()) + 3600 + offset_s) * 1_000_000
}

pub struct World {
    pub ca_keys: MemoryKeyStore,
    pub h: Hierarchy,
    pub device_keys: MemoryKeyStore,
}

impl World {
    pub fn new() -> Self {
        let ca_keys = MemoryKeyStore::new();
        let h = build(&ca_keys, &HierarchyOptions::new(Family::Us, now32())).expect("hierarchy");
        Self {
            ca_keys,
            h,
            device_keys: MemoryKeyStore::new(),
        }
    }

    /// An implicit pseudonym valid from `start` (Time32); returns the
    /// certificate and its reconstructed private key.
    pub fn pseudonym_key_at(&self, start: u32) -> (Vec<u8>, SecretKey) {
        let profile = builtin(Family::Us, "pseudonym").expect("profile");
        let request = SecretKey::generate(Curve::NistP256, &mut os_rng()).expect("key");
        let params = IssueParams::new(&profile, SubjectId::None, request.public_key(), start);
        let issued = issue(
            &self.ca_keys,
            &self.h.issuer_ref("aca").expect("aca"),
            &params,
        )
        .expect("pseudonym");
        let aca = self.h.certificate("aca").expect("aca");
        let cert: Certificate<'_> = scms_asn1::decode(issued.certificate()).expect("cert");
        let e = ecqv::certificate_e(
            Curve::NistP256,
            &cert.to_be_signed.to_bytes().expect("tbs"),
            aca,
        );
        let d = ecqv::reconstruct_private_key(
            &request,
            &e,
            issued.reconstruction.as_ref().expect("reconstruction"),
        )
        .expect("reconstruct");
        (issued.certificate().to_vec(), d)
    }

    /// An implicit pseudonym whose key goes into `device_keys` under `label`.
    pub fn pseudonym(&self, label: &str) -> Vec<u8> {
        self.pseudonym_at(label, now32())
    }

    pub fn pseudonym_at(&self, label: &str, start: u32) -> Vec<u8> {
        let (cert, d) = self.pseudonym_key_at(start);
        self.device_keys.insert(label, d).expect("insert");
        cert
    }

    pub fn certificate(&self, role: &str) -> Vec<u8> {
        self.h.certificate(role).expect("role").to_vec()
    }

    /// A verifier with the root as anchor and the ICA, ACA and CRL signer known.
    pub fn verifier(&self) -> Verifier {
        let mut v = Verifier::new(VerifierConfig::default());
        v.store
            .add_trust_anchor(self.h.certificate("root").expect("root"))
            .expect("root");
        for role in ["ica", "aca", "crl"] {
            let c: Certificate<'_> =
                scms_asn1::decode(self.h.certificate(role).expect("role")).expect("cert");
            v.store
                .add_certificate(&c)
                .unwrap_or_else(|e| panic!("{role}: {e}"));
        }
        v
    }
}

pub fn bsm(t: u64) -> Message<'static> {
    Message {
        psid: BSM,
        payload: b"basic safety message",
        generation_time: t,
        generation_location: None,
        expiry_time: None,
        p2pcd_learning_request: None,
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
