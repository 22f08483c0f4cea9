//! The device under test, as the suite's upper tester sees it: reset its trust
//! state, give it a signing identity, ask it to sign, verify, apply a CRL and
//! write a misbehavior report. [`SdkDevice`] is our SDK in process; the
//! adapter protocol (`crate::adapter`) carries the same calls over stdio.

use scms_asn1::camp::ee_ma::{EndEntityMaInterfacePDU, MisbehaviorReportContents};
use scms_asn1::codec::Octets;
use scms_asn1::ieee1609dot2::{
    Certificate, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, NinetyDegreeInt,
    OneEightyDegreeInt, Psid, SignedDataPayload, ThreeDLocation, Time64, ToBeSignedData,
};
use scms_crypto::suite::{Curve, SecretKey};
use scms_hsm::spdu::SignerForm;
use scms_hsm::MemoryKeyStore;
use scms_sdk::{Message, Rejection, Signer, SigningIdentity, Verifier, VerifierConfig};

/// The PSID of misbehavior reports (`scms_ca::profile::PSID_MISBEHAVIOR`).
pub const PSID_MISBEHAVIOR: u64 = 38;

/// A location in degrees and metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub elevation: u16,
}

impl Location {
    pub fn to_asn1(self) -> ThreeDLocation {
        ThreeDLocation {
            latitude: NinetyDegreeInt((self.latitude * 1e7).round() as i32),
            longitude: OneEightyDegreeInt((self.longitude * 1e7).round() as i32),
            elevation: self.elevation,
        }
    }
}

/// "Sign this".
#[derive(Clone, Debug, PartialEq)]
pub struct SignRequest {
    pub psid: u64,
    pub payload: Vec<u8>,
    pub generation_time: Time64,
    pub location: Option<Location>,
    pub expiry_time: Option<Time64>,
    /// Ask neighbours for a certificate (HashedId3) in the header.
    pub p2pcd_learning_request: Option<[u8; 3]>,
}

/// The device's answer to "verify this" or "apply this CRL".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    pub accepted: bool,
    /// Why (free text; the suite only reads `accepted` and the fields below).
    pub reason: String,
    /// After a rejection for an unknown signer or issuer: the HashedId3 the
    /// device asks for by P2PCD.
    pub p2pcd: Option<[u8; 3]>,
    /// After acceptance: the PSID, payload and the SSP the signer certificate grants.
    pub psid: Option<u64>,
    pub payload: Option<Vec<u8>>,
    pub ssp: Option<Vec<u8>>,
}

/// What the suite drives. Every call may fail (transport, device error): the
/// test purpose is then inconclusive.
pub trait Device {
    /// Forget everything (certificates, revocation, replay state, identity);
    /// trust `anchors`, learn `certificates` (issuers first; a device may
    /// refuse some, e.g. beyond its chain-depth limit). Returns how many
    /// certificates it kept.
    fn reset(&mut self, anchors: &[Vec<u8>], certificates: &[Vec<u8>]) -> Result<usize, String>;
    /// The certificate and private key to sign with (test mode).
    fn load_identity(&mut self, certificate: &[u8], key: &SecretKey) -> Result<(), String>;
    fn sign(&mut self, req: &SignRequest) -> Result<Vec<u8>, String>;
    /// A neighbour asked (P2PCD) for the certificate with this HashedId3.
    fn p2pcd_request(&mut self, hashed_id3: [u8; 3]) -> Result<(), String>;
    fn verify(&mut self, spdu: &[u8], now: Time64) -> Result<Answer, String>;
    fn apply_crl(&mut self, crl: &[u8], now: Time64, current_i: u16) -> Result<Answer, String>;
    /// A misbehavior report on `evidence` (SPDUs) for the MA of `ma_certificate`,
    /// signed with the loaded identity then encrypted to the MA.
    fn report(
        &mut self,
        evidence: &[Vec<u8>],
        ma_certificate: &[u8],
        now: Time64,
    ) -> Result<Vec<u8>, String>;
}

/// The SSP rule of the conformance test application (1609.2 leaves SSP
/// semantics to applications): when the signer certificate grants an SSP for
/// the PSID, the first payload octet is a message type and must have its bit
/// set in the SSP's first octet. No SSP, or an empty payload: permitted.
pub fn conformance_ssp_rule(_psid: u64, ssp: Option<&[u8]>, payload: &[u8]) -> bool {
    match (ssp.and_then(|s| s.first()), payload.first()) {
        (Some(mask), Some(kind)) => mask & kind != 0,
        _ => true,
    }
}

/// The receiver policy the suite assumes of a device under test (its stimuli
/// stay far from these limits, so a device with other tolerances still fits).
pub fn verifier_config() -> VerifierConfig {
    VerifierConfig {
        ssp_check: Some(conformance_ssp_rule),
        ..VerifierConfig::default()
    }
}

/// The answer for a rejection (reason text and the P2PCD request).
pub fn rejection_answer(r: &Rejection) -> Answer {
    let p2pcd = match r {
        Rejection::UnknownSigner { p2pcd } => Some(*p2pcd),
        Rejection::UnknownIssuer { issuer } => Some([issuer[5], issuer[6], issuer[7]]),
        _ => None,
    };
    Answer {
        accepted: false,
        reason: r.to_string(),
        p2pcd,
        ..Answer::default()
    }
}

const IDENTITY: &str = "conformance-identity";

/// Our SDK in process: a `Verifier`, a `Signer` and a key store.
pub struct SdkDevice {
    pub verifier: Verifier,
    pub keys: MemoryKeyStore,
    pub signer: Option<Signer>,
}

impl Default for SdkDevice {
    fn default() -> Self {
        Self {
            verifier: Verifier::new(verifier_config()),
            keys: MemoryKeyStore::new(),
            signer: None,
        }
    }
}

impl SdkDevice {
    pub fn new() -> Self {
        Self::default()
    }

    /// Verifies with the SDK, keeping its typed rejection. With
    /// `answer_p2pcd`, a P2PCD learning request for our certificate in an
    /// accepted SPDU makes our next SPDU carry it.
    pub fn verify_typed(
        &mut self,
        spdu: &[u8],
        now: Time64,
        answer_p2pcd: bool,
    ) -> Result<Answer, Rejection> {
        let v = self.verifier.verify(spdu, now)?;
        if let (true, Some(id3), Some(s)) = (answer_p2pcd, v.p2pcd_request, self.signer.as_mut()) {
            s.on_p2pcd_request(id3);
        }
        Ok(Answer {
            accepted: true,
            reason: "accepted".into(),
            p2pcd: None,
            psid: Some(v.psid),
            payload: Some(v.payload),
            ssp: v.ssp,
        })
    }

    pub fn apply_crl_typed(
        &mut self,
        crl: &[u8],
        now: Time64,
        current_i: u16,
    ) -> Result<Answer, Rejection> {
        let a = self.verifier.apply_crl(crl, now, current_i)?;
        Ok(Answer {
            accepted: true,
            reason: format!(
                "applied: {} hash entries, {} linkage entries",
                a.hash_entries, a.linkage_entries
            ),
            ..Answer::default()
        })
    }

    /// The signed bytes of a report (before encryption): `EndEntityMaInterfacePDU`
    /// in signed data of PSID 38, signer named by certificate.
    fn signed_report(&mut self, evidence: &[Vec<u8>], now: Time64) -> Result<Vec<u8>, String> {
        let signer = self.signer.as_ref().ok_or("no identity loaded")?;
        let first = evidence.first().ok_or("no evidence")?;
        // The misbehaving device: the signer HashedId8 of the first evidence
        // SPDU (or its certificate's), as 1609.2 names certificates.
        let culprit = evidence_signer(first).unwrap_or_default();
        let contents = EndEntityMaInterfacePDU::MisbehaviorReport(MisbehaviorReportContents {
            version: 1,
            misbehaving_device_info: Octets::from(culprit),
            misbehaving_device_bsms: Some(Octets::from(evidence.concat())),
            reporter_device_bsms: None,
            sensor_info: None,
            unknown_extensions: Default::default(),
        });
        let payload = scms_asn1::encode(&contents).map_err(|e| e.to_string())?;
        let mut header = HeaderInfo::new(Psid(PSID_MISBEHAVIOR));
        header.generation_time = Some(now);
        let tbs = ToBeSignedData {
            payload: SignedDataPayload {
                data: Some(Box::new(Ieee1609Dot2Data::new(
                    Ieee1609Dot2Content::UnsecuredData(Octets::from(payload)),
                ))),
                ext_data_hash: None,
                omitted: None,
                unknown_extensions: Default::default(),
            },
            header_info: header,
        };
        scms_hsm::spdu::signed_data(
            &self.keys,
            &signer.identity.key_label,
            &signer.identity.certificate,
            tbs,
            SignerForm::Certificate,
        )
        .map_err(|e| e.to_string())
    }
}

/// The HashedId8 naming the signer of an SPDU (digest, or of its certificate).
pub fn evidence_signer(spdu: &[u8]) -> Option<Vec<u8>> {
    use scms_asn1::ieee1609dot2::SignerIdentifier;
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(spdu).ok()?;
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        return None;
    };
    match &sd.signer {
        SignerIdentifier::Digest(h) => Some(h.to_vec()),
        SignerIdentifier::Certificate(c) => c
            .first()
            .and_then(|c| scms_crypto::verify::certificate_hashed_id8(c).ok())
            .map(|h| h.0.to_vec()),
        _ => None,
    }
}

impl Device for SdkDevice {
    fn reset(&mut self, anchors: &[Vec<u8>], certificates: &[Vec<u8>]) -> Result<usize, String> {
        *self = Self::default();
        for a in anchors {
            self.verifier
                .store
                .add_trust_anchor(a)
                .map_err(|e| format!("trust anchor: {e}"))?;
        }
        let mut kept = 0;
        for c in certificates {
            let Ok(cert) = scms_asn1::decode::<Certificate<'_>>(c) else {
                continue;
            };
            if self.verifier.store.add_certificate(&cert).is_ok() {
                kept += 1;
            }
        }
        Ok(kept)
    }

    fn load_identity(&mut self, certificate: &[u8], key: &SecretKey) -> Result<(), String> {
        self.keys.clear();
        self.keys
            .insert(IDENTITY, key.clone())
            .map_err(|e| e.to_string())?;
        let id = SigningIdentity::new(certificate.to_vec(), IDENTITY).map_err(|e| e.to_string())?;
        self.signer = Some(Signer::new(id));
        Ok(())
    }

    fn sign(&mut self, req: &SignRequest) -> Result<Vec<u8>, String> {
        let signer = self.signer.as_mut().ok_or("no identity loaded")?;
        signer
            .sign(
                &self.keys,
                &Message {
                    psid: req.psid,
                    payload: &req.payload,
                    generation_time: req.generation_time,
                    generation_location: req.location.map(Location::to_asn1),
                    expiry_time: req.expiry_time,
                    p2pcd_learning_request: req.p2pcd_learning_request,
                },
            )
            .map_err(|e| e.to_string())
    }

    fn p2pcd_request(&mut self, hashed_id3: [u8; 3]) -> Result<(), String> {
        if let Some(s) = self.signer.as_mut() {
            s.on_p2pcd_request(hashed_id3);
        }
        Ok(())
    }

    fn verify(&mut self, spdu: &[u8], now: Time64) -> Result<Answer, String> {
        Ok(self
            .verify_typed(spdu, now, true)
            .unwrap_or_else(|r| rejection_answer(&r)))
    }

    fn apply_crl(&mut self, crl: &[u8], now: Time64, current_i: u16) -> Result<Answer, String> {
        Ok(self
            .apply_crl_typed(crl, now, current_i)
            .unwrap_or_else(|r| rejection_answer(&r)))
    }

    fn report(
        &mut self,
        evidence: &[Vec<u8>],
        ma_certificate: &[u8],
        now: Time64,
    ) -> Result<Vec<u8>, String> {
        let signed = self.signed_report(evidence, now)?;
        scms_hsm::envelope::encrypt_to_certificate(ma_certificate, &signed)
            .map_err(|e| e.to_string())
    }
}

/// The curve of a profile family's end-entity keys.
pub fn family_curve(family: scms_ca::profile::Family) -> Curve {
    match family {
        scms_ca::profile::Family::Us => Curve::NistP256,
        scms_ca::profile::Family::Cn => Curve::Sm2,
    }
}

/// Signs an unencrypted report (for the mutant that forgets the encryption).
pub fn unencrypted_report(
    dev: &mut SdkDevice,
    evidence: &[Vec<u8>],
    now: Time64,
) -> Result<Vec<u8>, String> {
    dev.signed_report(evidence, now)
}
