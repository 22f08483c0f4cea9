//! Mutants: our SDK and authorities with exactly one check disabled or one
//! defect injected, by wrapping them (the SDK and the authorities are not
//! edited). Each names the test purposes that must catch it; run against a
//! mutant, those fail and every other test purpose passes, which shows the
//! suite can fail.

use crate::device::{rejection_answer, unencrypted_report, Answer, Device, SdkDevice, SignRequest};
use crate::scms::ScmsDefect;
use scms_asn1::ieee1609dot2::crl_base_types::CrlContents;
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data, SignerIdentifier};
use scms_crypto::suite::SecretKey;
use scms_sdk::Rejection;

/// A defect of a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceDefect {
    SkipsRegion,
    AcceptsExpiredCertificate,
    IgnoresLinkageCrl,
    IgnoresHashCrl,
    AcceptsReplay,
    SkipsSignature,
    IgnoresSsp,
    AcceptsStale,
    IgnoresP2pcd,
    AcceptsUnauthorizedCrl,
    NonCanonicalLength,
    UnencryptedReport,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MutantKind {
    Device(DeviceDefect),
    Scms(ScmsDefect),
}

pub struct Mutant {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: MutantKind,
    /// The test purposes that must fail against it (all others pass).
    pub caught_by: &'static [&'static str],
}

const SND_ALL: &[&str] = &[
    "TP_SPDU_SND_COER_01",
    "TP_SPDU_SND_BASIC_01",
    "TP_SPDU_SND_HDR_01",
    "TP_SPDU_SND_HDR_02",
    "TP_SPDU_SND_HDR_03",
    "TP_SPDU_SND_HDR_04",
    "TP_SPDU_SND_PAYLOAD_01",
    "TP_SPDU_SND_SIG_01",
    "TP_SPDU_SND_SIG_02",
    "TP_SPDU_SND_SIG_03",
    "TP_SPDU_SND_SIGNER_01",
    "TP_SPDU_SND_SIGNER_02",
    "TP_SPDU_SND_SIGNER_03",
    "TP_SPDU_SND_P2PCD_01",
    "TP_SPDU_SND_P2PCD_02",
    "TP_SPDU_SND_P2PCD_03",
    "TP_SPDU_RCV_P2PCD_02",
];

/// Every shipped mutant.
pub fn mutants() -> Vec<Mutant> {
    use DeviceDefect as D;
    use MutantKind::{Device as Dev, Scms};
    vec![
        Mutant {
            name: "verifier-skips-region",
            description: "a verifier that does not check the generation location against the certificate's region",
            kind: Dev(D::SkipsRegion),
            caught_by: &["TP_SPDU_RCV_REGION_01"],
        },
        Mutant {
            name: "verifier-accepts-expired",
            description: "a verifier that accepts SPDUs of expired certificates (signature still checked)",
            kind: Dev(D::AcceptsExpiredCertificate),
            caught_by: &["TP_SPDU_RCV_VALIDITY_02"],
        },
        Mutant {
            name: "verifier-ignores-linkage-crl",
            description: "a verifier that ignores linkage-based CRL entries",
            kind: Dev(D::IgnoresLinkageCrl),
            caught_by: &["TP_SPDU_RCV_REVOKED_LV_01", "TP_SPDU_RCV_REVOKED_LV_02"],
        },
        Mutant {
            name: "verifier-ignores-hash-crl",
            description: "a verifier that ignores hash-based CRL entries",
            kind: Dev(D::IgnoresHashCrl),
            caught_by: &["TP_SPDU_RCV_REVOKED_HASH_01", "TP_SPDU_RCV_REVOKED_HASH_02"],
        },
        Mutant {
            name: "verifier-accepts-replay",
            description: "a verifier without replay detection",
            kind: Dev(D::AcceptsReplay),
            caught_by: &["TP_SPDU_RCV_REPLAY_01"],
        },
        Mutant {
            name: "verifier-skips-signature",
            description: "a verifier that accepts SPDUs whose signature does not verify",
            kind: Dev(D::SkipsSignature),
            caught_by: &[
                "TP_SPDU_RCV_SIG_01",
                "TP_SPDU_RCV_SIG_02",
                "TP_SPDU_RCV_SIG_03",
                "TP_SPDU_RCV_SIG_04",
            ],
        },
        Mutant {
            name: "verifier-ignores-ssp",
            description: "a verifier that does not apply the application's SSP rule",
            kind: Dev(D::IgnoresSsp),
            caught_by: &["TP_SPDU_RCV_SSP_02"],
        },
        Mutant {
            name: "verifier-accepts-stale",
            description: "a verifier without a freshness limit on the generation time",
            kind: Dev(D::AcceptsStale),
            caught_by: &["TP_SPDU_RCV_GENTIME_02"],
        },
        Mutant {
            name: "device-ignores-p2pcd",
            description: "a device that neither asks for unknown certificates nor answers P2PCD requests",
            kind: Dev(D::IgnoresP2pcd),
            caught_by: &[
                "TP_SPDU_SND_P2PCD_01",
                "TP_SPDU_RCV_CHAIN_04",
                "TP_SPDU_RCV_UNKNOWN_01",
                "TP_SPDU_RCV_P2PCD_02",
            ],
        },
        Mutant {
            name: "crl-accepts-unauthorized-signer",
            description: "a device that applies CRLs whatever the signer's CRL permissions (PSID 256, CrlSsp series and CRACA)",
            kind: Dev(D::AcceptsUnauthorizedCrl),
            caught_by: &["TP_CRL_RCV_04", "TP_CRL_RCV_05", "TP_CRL_RCV_06"],
        },
        Mutant {
            name: "encoder-noncanonical-length",
            description: "an encoder that writes the payload length in long form (non-canonical COER)",
            kind: Dev(D::NonCanonicalLength),
            caught_by: SND_ALL,
        },
        Mutant {
            name: "mbr-unencrypted",
            description: "a device that sends misbehavior reports signed but not encrypted to the MA",
            kind: Dev(D::UnencryptedReport),
            caught_by: &["TP_MBR_SND_01", "TP_MBR_SND_02", "TP_MBR_SND_03", "TP_MBR_SND_04"],
        },
        Mutant {
            name: "ra-ignores-blocklist",
            description: "an RA that does not consult its blocklist of enrollment certificates",
            kind: Scms(ScmsDefect::RaIgnoresBlocklist),
            caught_by: &["TP_PROV_06"],
        },
        Mutant {
            name: "ra-drops-certificate",
            description: "an RA whose downloads lack the first certificate of each batch",
            kind: Scms(ScmsDefect::RaDropsCertificate),
            caught_by: &["TP_DL_03"],
        },
        Mutant {
            name: "eca-wrong-request-hash",
            description: "an ECA whose responses name another requestHash",
            kind: Scms(ScmsDefect::EcaWrongRequestHash),
            caught_by: &["TP_ENR_03"],
        },
        Mutant {
            name: "eca-wrong-craca",
            description: "an ECA that puts a cracaId other than the root's into enrollment certificates",
            kind: Scms(ScmsDefect::EcaWrongCraca),
            caught_by: &["TP_PROF_ENR_02"],
        },
        Mutant {
            name: "crl-bad-signature",
            description: "a CRL endpoint serving a CRL whose signature does not verify",
            kind: Scms(ScmsDefect::CrlBadSignature),
            caught_by: &["TP_CRL_SCMS_01"],
        },
    ]
}

pub fn find(name: &str) -> Option<Mutant> {
    mutants().into_iter().find(|m| m.name == name)
}

/// Our SDK device with one defect.
pub struct MutantDevice {
    pub inner: SdkDevice,
    pub defect: DeviceDefect,
}

impl MutantDevice {
    pub fn new(defect: DeviceDefect) -> Self {
        let mut d = Self {
            inner: SdkDevice::new(),
            defect,
        };
        d.configure();
        d
    }

    /// Defects that are receiver policy switches of the SDK.
    fn configure(&mut self) {
        let c = &mut self.inner.verifier.config;
        match self.defect {
            DeviceDefect::SkipsRegion => c.check_region = false,
            DeviceDefect::AcceptsReplay => c.replay_window_us = 0,
            DeviceDefect::IgnoresSsp => c.ssp_check = None,
            DeviceDefect::AcceptsStale => c.max_age_us = u64::MAX / 2,
            _ => {}
        }
    }

    /// Accepts `spdu` if its signature verifies with its signer's key
    /// (the store learned the signer while verifying), the check the
    /// disabled one would have come before.
    fn accept_if_signed(&self, spdu: &[u8], check_signature: bool) -> Answer {
        let refuse = |why: &str| Answer {
            accepted: false,
            reason: why.to_string(),
            ..Answer::default()
        };
        let Ok(d) = scms_asn1::decode::<Ieee1609Dot2Data<'_>>(spdu) else {
            return refuse("malformed");
        };
        let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
            return refuse("not signed");
        };
        let id = match &sd.signer {
            SignerIdentifier::Digest(h) => *h,
            SignerIdentifier::Certificate(c) => c
                .first()
                .and_then(|c| scms_crypto::verify::certificate_hashed_id8(c).ok())
                .map(|h| h.0)
                .unwrap_or_default(),
            _ => return refuse("signer"),
        };
        let Some(info) = self.inner.verifier.store.get(&id) else {
            return refuse("unknown signer");
        };
        if check_signature
            && scms_crypto::verify::verify_signed_data_with_key(sd, &info.public_key, &info.bytes)
                .is_err()
        {
            return refuse("BadSignature");
        }
        let payload = match sd.tbs_data.payload.data.as_deref().map(|x| &x.content) {
            Some(Ieee1609Dot2Content::UnsecuredData(o)) => Some(o.to_vec()),
            _ => None,
        };
        Answer {
            accepted: true,
            reason: "accepted (mutant)".into(),
            p2pcd: None,
            psid: Some(sd.tbs_data.header_info.psid.0),
            payload,
            ssp: info
                .permission(sd.tbs_data.header_info.psid.0)
                .flatten()
                .map(<[u8]>::to_vec),
        }
    }
}

/// The payload length octet rewritten in long form (`81 LEN`).
fn non_canonical(spdu: &[u8], payload: &[u8]) -> Vec<u8> {
    match crate::tps::rcv::find(spdu, payload) {
        Some(p) if p > 0 && usize::from(spdu[p - 1]) == payload.len() && payload.len() < 128 => {
            [&spdu[..p - 1], &[0x81, spdu[p - 1]][..], &spdu[p..]].concat()
        }
        _ => spdu.to_vec(),
    }
}

impl Device for MutantDevice {
    fn reset(&mut self, anchors: &[Vec<u8>], certificates: &[Vec<u8>]) -> Result<usize, String> {
        let n = self.inner.reset(anchors, certificates)?;
        self.configure();
        Ok(n)
    }

    fn load_identity(&mut self, certificate: &[u8], key: &SecretKey) -> Result<(), String> {
        self.inner.load_identity(certificate, key)
    }

    fn sign(&mut self, req: &SignRequest) -> Result<Vec<u8>, String> {
        let out = self.inner.sign(req)?;
        Ok(match self.defect {
            DeviceDefect::NonCanonicalLength => non_canonical(&out, &req.payload),
            _ => out,
        })
    }

    fn p2pcd_request(&mut self, hashed_id3: [u8; 3]) -> Result<(), String> {
        if self.defect == DeviceDefect::IgnoresP2pcd {
            return Ok(());
        }
        self.inner.p2pcd_request(hashed_id3)
    }

    fn verify(&mut self, spdu: &[u8], now: u64) -> Result<Answer, String> {
        let ignores_p2pcd = self.defect == DeviceDefect::IgnoresP2pcd;
        let r = match self.inner.verify_typed(spdu, now, !ignores_p2pcd) {
            Ok(a) => return Ok(a),
            Err(r) => r,
        };
        Ok(match (self.defect, &r) {
            (DeviceDefect::IgnoresP2pcd, _) => Answer {
                p2pcd: None,
                ..rejection_answer(&r)
            },
            (
                DeviceDefect::AcceptsExpiredCertificate,
                Rejection::CertificateNotValid { at, end, .. },
            ) if u64::from(*at) >= *end => self.accept_if_signed(spdu, true),
            (DeviceDefect::IgnoresLinkageCrl, Rejection::RevokedByLinkage)
            | (DeviceDefect::IgnoresHashCrl, Rejection::RevokedByHash { .. }) => {
                self.accept_if_signed(spdu, true)
            }
            (DeviceDefect::SkipsSignature, Rejection::BadSignature) => {
                self.accept_if_signed(spdu, false)
            }
            _ => rejection_answer(&r),
        })
    }

    fn apply_crl(&mut self, crl: &[u8], now: u64, current_i: u16) -> Result<Answer, String> {
        let r = match self.inner.apply_crl_typed(crl, now, current_i) {
            Ok(a) => return Ok(a),
            Err(r) => r,
        };
        let permission = matches!(
            r,
            Rejection::PsidNotPermitted { .. } | Rejection::SspNotPermitted { .. }
        );
        if self.defect != DeviceDefect::AcceptsUnauthorizedCrl || !permission {
            return Ok(rejection_answer(&r));
        }
        // Refused for its signer's permissions: apply the contents anyway.
        let Some(bytes) = crl_contents(crl) else {
            return Ok(rejection_answer(&r));
        };
        let Ok(c) = scms_asn1::decode::<CrlContents>(&bytes) else {
            return Ok(rejection_answer(&r));
        };
        let x = self.inner.verifier.revocation.apply(&c, current_i);
        Ok(Answer {
            accepted: true,
            reason: format!("applied (mutant): {x:?}"),
            ..Answer::default()
        })
    }

    fn report(
        &mut self,
        evidence: &[Vec<u8>],
        ma_certificate: &[u8],
        now: u64,
    ) -> Result<Vec<u8>, String> {
        match self.defect {
            DeviceDefect::UnencryptedReport => unencrypted_report(&mut self.inner, evidence, now),
            _ => self.inner.report(evidence, ma_certificate, now),
        }
    }
}

/// The unsecured payload of a signed SPDU (CRL contents).
fn crl_contents(crl: &[u8]) -> Option<Vec<u8>> {
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(crl).ok()?;
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        return None;
    };
    match sd.tbs_data.payload.data.as_deref().map(|x| &x.content) {
        Some(Ieee1609Dot2Content::UnsecuredData(o)) => Some(o.to_vec()),
        _ => None,
    }
}
