//! A whole SCMS in one process for the provisioning tests: hierarchy, RA and
//! ACA certificates with encryption keys, LA1/LA2 sharing keys with the ACA,
//! and enrolled devices.
#![allow(dead_code)]

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::Time32;
use scms_ca::aca::{Aca, TrustStore};
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::issue::{issue, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_crypto::suite::{Curve, PublicKey};
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_la::{LinkageAuthority, MemoryChainStore};
use scms_ra::{LocalLinkageAuthorities, MemoryBlocklist, Ra, RaConfig, RaState};
use scms_sdk::provision::{Ack, ButterflyKind, ButterflyRequest, RequestParams};

/// 2026-01-01 00:00:00 UTC.
pub const NOW_UNIX: i64 = 1_767_225_600;

pub fn now() -> Time32 {
    time32_from_unix(NOW_UNIX)
}

pub struct World {
    pub family: Family,
    pub ks: MemoryKeyStore,
    pub h: Hierarchy,
    pub ra: Ra,
    pub aca: Aca,
    pub la1: LinkageAuthority,
    pub la2: LinkageAuthority,
    pub s1: MemoryChainStore,
    pub s2: MemoryChainStore,
    pub state: RaState,
    pub blocklist: MemoryBlocklist,
}

pub fn curve(family: Family) -> Curve {
    match family {
        Family::Us => Curve::NistP256,
        Family::Cn => Curve::Sm2,
    }
}

impl World {
    pub fn new(family: Family) -> Self {
        // The hierarchy is a month old when the devices ask.
        let t0 = time32_from_unix(NOW_UNIX - 30 * 86_400);
        let ks = MemoryKeyStore::new();
        let h = build(&ks, &HierarchyOptions::new(family, t0)).unwrap();
        let ra_cert = h.certificate("ra").unwrap().to_vec();
        let ra_enc = format!("{}-enc", h.key_labels["ra"]);
        let aca_cert = h.certificate("aca").unwrap().to_vec();
        let aca_enc = format!("{}-enc", h.key_labels["aca"]);
        let mut trust = TrustStore::new();
        trust.add_anchor(h.certificate("root").unwrap()).unwrap();
        for role in ["ica", "eca"] {
            trust.add_ca(h.certificate(role).unwrap()).unwrap();
        }
        let profile = builtin(family, "pseudonym").unwrap();
        let epoch = profile.iperiod_epoch_unix.unwrap();
        let mut aca = Aca::new(
            aca_cert.clone(),
            h.key_labels["aca"].clone(),
            &aca_enc,
            profile,
            trust.clone(),
        );
        let alg = match family {
            Family::Us => SymmAlgorithm::Aes128Ccm,
            Family::Cn => SymmAlgorithm::Sm4Ccm,
        };
        let mut la1 = LinkageAuthority::new(LaId(1), alg);
        let mut la2 = LinkageAuthority::new(LaId(2), alg);
        aca.accept_la_key(&ks, &la1.share_key_with_aca(&aca_cert).unwrap())
            .unwrap();
        aca.accept_la_key(&ks, &la2.share_key_with_aca(&aca_cert).unwrap())
            .unwrap();
        let mut config = RaConfig::new(epoch);
        config.shuffle.min_devices = 2;
        config.shuffle.max_wait_secs = 60;
        let ra = Ra {
            certificate: ra_cert,
            key_label: h.key_labels["ra"].clone(),
            enc_key_label: ra_enc.clone(),
            aca_certificate: aca_cert,
            trust,
            config,
        };
        World {
            family,
            ks,
            h,
            ra,
            aca,
            la1,
            la2,
            s1: MemoryChainStore::new(),
            s2: MemoryChainStore::new(),
            state: RaState::default(),
            blocklist: MemoryBlocklist::default(),
        }
    }

    /// A device's enrollment certificate from the ECA; its key goes into `dev_ks` as `label`.
    pub fn enroll(&self, dev_ks: &MemoryKeyStore, label: &str) -> Vec<u8> {
        let profile = builtin(self.family, "enrollment").unwrap();
        let info = dev_ks.generate(label, curve(self.family)).unwrap();
        let key = PublicKey::from_sec1(info.curve, &info.public_key).unwrap();
        let mut p = IssueParams::new(
            &profile,
            SubjectId::None,
            key,
            time32_from_unix(NOW_UNIX - 30 * 86_400),
        );
        p.craca_id = self.h.craca_id().unwrap();
        issue(&self.ks, &self.h.issuer_ref("eca").unwrap(), &p)
            .unwrap()
            .record
            .certificate
    }

    pub fn params(&self) -> RequestParams {
        RequestParams {
            psids: vec![32, 38],
            start: now(),
            hours: 168,
            explicit: false,
        }
    }

    pub fn expand(&mut self) -> usize {
        let mut las = LocalLinkageAuthorities {
            la1: (&self.la1, &mut self.s1),
            la2: (&self.la2, &mut self.s2),
        };
        self.ra
            .expand_pending(&mut self.state, &mut las, now())
            .unwrap()
    }
}

/// A device: its key store, enrollment certificate and butterfly request.
pub struct Device {
    pub ks: MemoryKeyStore,
    pub enrollment: Vec<u8>,
    pub request: ButterflyRequest,
}

impl Device {
    pub fn new(w: &World, kind: ButterflyKind) -> Self {
        let ks = MemoryKeyStore::new();
        let enrollment = w.enroll(&ks, "enrol");
        Device {
            ks,
            enrollment,
            request: ButterflyRequest::generate(kind, curve(w.family)).unwrap(),
        }
    }

    pub fn request_bytes(&mut self, w: &World, params: &RequestParams, t: Time32) -> Vec<u8> {
        self.request
            .build_request(
                &self.ks,
                "enrol",
                &self.enrollment,
                &w.ra.certificate,
                params,
                t,
            )
            .unwrap()
    }

    pub fn provision(&mut self, w: &mut World) -> Ack {
        let params = w.params();
        let req = self.request_bytes(w, &params, now());
        let ack =
            w.ra.handle_cert_request(&mut w.state, &w.ks, &w.blocklist, &req, now())
                .unwrap();
        self.request.process_ack(&ack, &w.ra.certificate).unwrap()
    }

    pub fn download_request(&self, w: &World, i: u32, t: Time32) -> Vec<u8> {
        self.request
            .download_request(&self.ks, "enrol", &self.enrollment, &w.ra.certificate, i, t)
            .unwrap()
    }
}
