//! The device side of pseudonym provisioning with butterfly keys
//! (IEEE 1609.2.1-2022 clauses 8 and 9.3), sans-IO: bytes and time in, bytes
//! and keys out.
//!
//! 1. [`ButterflyRequest::generate`] draws the caterpillar key pair(s) and
//!    expansion key(s): *original* (signing and encryption), *unified*
//!    (one pair for both) or *compact unified* (unified, and the ACA's
//!    response is encrypted but not signed; the ACA certificate must have
//!    `usesCubk`).
//! 2. [`ButterflyRequest::build_request`]: the `EeRaCertRequestSpdu`, signed
//!    with the enrollment key and certificate, encrypted to the RA certificate.
//! 3. [`ButterflyRequest::process_ack`]: the RA's signed `RaEeCertAckSpdu`
//!    (first i-period, download time).
//! 4. [`ButterflyRequest::download_request`]: the `EeRaDownloadRequestSpdu`
//!    for an i-period (file `<requestHash>_<i>.zip`).
//! 5. [`ButterflyRequest::process_download`]: for each `<i>_<j>` response the
//!    ACA signature is checked (except compact unified), the response decrypted with the butterfly
//!    encryption private key `a_enc + f_enc(i, j)` (original) or the cocoon
//!    private key `a + f_sig(i, j)` (unified, compact unified), and the pseudonym private key
//!    reconstructed: implicit `d = e·(a + f_sig(i, j)) + s`, explicit
//!    `d = a + f_sig(i, j) + c`; a key whose public key is not the
//!    certificate's is rejected.

use core::fmt;
use std::borrow::Cow;

use scms_asn1::codec::{Spanned, Utf8String};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, Duration, HeaderInfo, Ieee1609Dot2Content,
    Ieee1609Dot2Data, PsidSsp, PublicEncryptionKey, SignedDataPayload, SignerIdentifier, Time32,
    ToBeSignedCertificate, ToBeSignedData, ValidityPeriod, VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2dot1::aca_ee::AcaEeInterfacePdu;
use scms_asn1::ieee1609dot2dot1::ee_ra::{
    AdditionalParams, ButterflyExpansion, ButterflyParamsOriginal, EeRaCertRequest,
    EeRaDownloadRequest, EeRaInterfacePdu,
};
use scms_asn1::ieee1609dot2dot1::protocol::{
    AcaEeCertResponseCubkSpdu, AcaEeCertResponsePrivateSpdu, RaEeCertAckSpdu, ScmsPdu,
    ScmsPduContent, ScopedCertificateRequest, SignedCertificateRequest, SECURITY_MGMT_PSID,
};
use scms_crypto::butterfly::{CaterpillarKeyPair, ExpansionKind};
use scms_crypto::ecqv;
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::hashed_id::HashedId8;
use scms_crypto::suite::{os_rng, Curve, EcScalar, SecretKey};
use scms_crypto::verify::{
    certificate_public_key, point256, verify_certificate, verify_signed_data,
};
use scms_crypto::wire;
use scms_hsm::spdu::SignerForm;
use scms_hsm::KeyStore;

use scms_asn1::ieee1609dot2dot1::zip;
use scms_hsm::envelope::{self, Decryptor};

/// Why provisioning failed on the device.
#[derive(Debug)]
pub enum ProvisionError {
    /// Bytes that are not the expected SPDU or archive.
    Malformed(String),
    /// A signature (RA or ACA) does not verify, or the signer is not the expected one.
    BadSignature(String),
    /// A response cannot be decrypted with the expected key.
    Decryption(String),
    /// The reconstructed key does not match the certificate.
    KeyMismatch { i: u32, j: u32 },
    /// Keys, encoding or signing failed.
    Internal(String),
}

impl fmt::Display for ProvisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed: {w}"),
            Self::BadSignature(w) => write!(f, "bad signature: {w}"),
            Self::Decryption(w) => write!(f, "decryption: {w}"),
            Self::KeyMismatch { i, j } => {
                write!(
                    f,
                    "pseudonym ({i}, {j}): the key does not match the certificate"
                )
            }
            Self::Internal(w) => write!(f, "internal: {w}"),
        }
    }
}

impl std::error::Error for ProvisionError {}

macro_rules! from_err {
    ($v:ident: $($t:ty),*) => {$(impl From<$t> for ProvisionError {
        fn from(e: $t) -> Self { Self::$v(e.to_string()) }
    })*};
}
from_err!(Malformed: scms_asn1::DecodeError, zip::ZipError);
from_err!(Internal: scms_asn1::EncodeError, scms_crypto::suite::Error, scms_hsm::KeyStoreError, scms_hsm::spdu::SpduError, envelope::EnvelopeError);

/// Which butterfly variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButterflyKind {
    /// Separate signing and encryption caterpillar keys and expansion keys.
    Original,
    /// One caterpillar key and expansion key for both.
    Unified,
    /// Unified, and the ACA's response is encrypted to the cocoon key without
    /// a signature (`AcaEeCertResponseCubkSpdu`): the key check against the
    /// certificate is what authenticates it.
    CompactUnified,
}

/// What the device asks for.
#[derive(Clone, Debug)]
pub struct RequestParams {
    /// PSIDs of the pseudonyms (`appPermissions`, no SSP).
    pub psids: Vec<u64>,
    /// Requested start (Time32).
    pub start: Time32,
    /// Requested duration in hours (one i-period per 168).
    pub hours: u16,
    /// Implicit (default) or explicit certificates.
    pub explicit: bool,
}

/// The RA's acknowledgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    pub request_hash: [u8; 8],
    pub first_i: Option<u16>,
    pub next_dl_time: Time32,
}

/// A provisioned pseudonym: its certificate and private key (zeroized on drop).
#[derive(Debug)]
pub struct Pseudonym {
    pub i: u32,
    pub j: u32,
    /// COER certificate.
    pub certificate: Vec<u8>,
    pub key: SecretKey,
}

/// The device's butterfly key material for one provisioning request (secret;
/// kept until every i-period is downloaded).
#[derive(Debug)]
pub struct ButterflyRequest {
    pub kind: ButterflyKind,
    signing: CaterpillarKeyPair,
    encryption: Option<CaterpillarKeyPair>,
    /// Set by [`Self::build_request`]: the hash the RA names the request by.
    pub request_hash: Option<[u8; 8]>,
}

fn spdu_hash(bytes: &[u8], sm: bool) -> [u8; 8] {
    let alg = if sm {
        HashAlgorithm::Sm3
    } else {
        HashAlgorithm::Sha256
    };
    HashedId8::from_digest(&digest(alg, bytes)).0
}

/// The download file name (same rule as the RA's): request hash in upper-case
/// hex, `_`, i in hex, `.zip`.
pub fn download_filename(request_hash: &[u8; 8], i: u32) -> String {
    let h: String = request_hash.iter().map(|b| format!("{b:02X}")).collect();
    format!("{h}_{i:X}.zip")
}

fn signed_unsecured_tbs(payload: Vec<u8>) -> ToBeSignedData<'static> {
    ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(Ieee1609Dot2Data::new(
                Ieee1609Dot2Content::UnsecuredData(payload.into()),
            ))),
            ext_data_hash: None,
            omitted: None,
            unknown_extensions: Default::default(),
        },
        header_info: HeaderInfo::new(SECURITY_MGMT_PSID),
    }
}

fn signer_is(sd: &scms_asn1::ieee1609dot2::SignedData<'_>, cert: &[u8]) -> bool {
    matches!(&sd.signer, SignerIdentifier::Certificate(c)
        if c.len() == 1 && c[0].to_bytes().is_ok_and(|b| b.as_ref() == cert))
}

impl ButterflyRequest {
    /// Fresh key material on `curve` (P-256 / brainpoolP256r1 / SM2).
    pub fn generate(kind: ButterflyKind, curve: Curve) -> Result<Self, ProvisionError> {
        let signing = CaterpillarKeyPair::generate(curve, &mut os_rng())?;
        let encryption = match kind {
            ButterflyKind::Original => Some(CaterpillarKeyPair::generate(curve, &mut os_rng())?),
            ButterflyKind::Unified | ButterflyKind::CompactUnified => None,
        };
        Ok(Self {
            kind,
            signing,
            encryption,
            request_hash: None,
        })
    }

    fn curve(&self) -> Curve {
        self.signing.secret().curve()
    }

    /// The `EeRaCertRequestSpdu`: signed with `enrollment_label`
    /// (`enrollment_cert`), encrypted to `ra_cert`.
    pub fn build_request(
        &mut self,
        ks: &dyn KeyStore,
        enrollment_label: &str,
        enrollment_cert: &[u8],
        ra_cert: &[u8],
        params: &RequestParams,
        now: Time32,
    ) -> Result<Vec<u8>, ProvisionError> {
        let cert: Certificate<'_> = scms_asn1::decode(enrollment_cert)?;
        let tbs = ToBeSignedCertificate {
            id: CertificateId::None,
            craca_id: [0; 3],
            crl_series: 0,
            validity_period: ValidityPeriod {
                start: params.start,
                duration: Duration::Hours(params.hours),
            },
            // The enrollment certificate's region: a request may not be wider.
            region: cert.to_be_signed.region.clone(),
            assurance_level: None,
            app_permissions: Some(
                params
                    .psids
                    .iter()
                    .map(|p| PsidSsp {
                        psid: (*p).into(),
                        ssp: None,
                    })
                    .collect(),
            ),
            cert_issue_permissions: None,
            cert_request_permissions: None,
            can_request_rollover: None,
            encryption_key: None,
            verify_key_indicator: VerificationKeyIndicator::VerificationKey(
                wire::verification_key(&self.signing.public_key())?,
            ),
            flags: None,
            app_extensions: None,
            cert_issue_extensions: None,
            cert_request_extension: None,
            unknown_extensions: Default::default(),
        };
        let exp =
            |k: &CaterpillarKeyPair| ButterflyExpansion::Aes128(*k.expansion_key().as_bytes());
        let additional = match &self.encryption {
            Some(enc) => AdditionalParams::Original(ButterflyParamsOriginal {
                signing_expansion: exp(&self.signing),
                encryption_key: wire::encryption_key(&enc.public_key())?,
                encryption_expansion: exp(enc),
            }),
            None if self.kind == ButterflyKind::CompactUnified => {
                AdditionalParams::CompactUnified(exp(&self.signing))
            }
            None => AdditionalParams::Unified(exp(&self.signing)),
        };
        let req = EeRaCertRequest {
            version: 2,
            generation_time: now,
            r#type: if params.explicit {
                CertificateType::Explicit
            } else {
                CertificateType::Implicit
            },
            tbs_cert: tbs,
            additional_params: Some(additional),
            unknown_extensions: Default::default(),
        };
        let pdu = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaCertRequest(req)));
        // Ieee1609Dot2Data-SignedCertRequest by the enrollment certificate.
        let cert = cert.clone();
        let scoped = ScopedCertificateRequest(pdu);
        let tbs_bytes = scms_asn1::encode(&scoped)?;
        let signature =
            scms_hsm::spdu::sign_data(ks, enrollment_label, enrollment_cert, &tbs_bytes)?;
        let signed = SignedCertificateRequest {
            hash_algorithm_id: wire::hash_algorithm(ks.public_key(enrollment_label)?.curve()),
            tbs_request: Spanned::new(scoped),
            signer: SignerIdentifier::Certificate(vec![cert]),
            signature,
        };
        let signed = scms_asn1::encode(&Ieee1609Dot2Data::new(
            Ieee1609Dot2Content::SignedCertificateRequest(scms_asn1::encode(&signed)?.into()),
        ))?;
        let spdu = envelope::encrypt_to_certificate(ra_cert, &signed)?;
        self.request_hash = Some(spdu_hash(&spdu, self.curve() == Curve::Sm2));
        Ok(spdu)
    }

    /// Checks the RA's `RaEeCertAckSpdu` (signed by `ra_cert`, for this request).
    pub fn process_ack(&self, ack: &[u8], ra_cert: &[u8]) -> Result<Ack, ProvisionError> {
        let spdu: RaEeCertAckSpdu<'_> = scms_asn1::decode(ack)?;
        let sd = spdu.signed_data()?;
        let ra: Certificate<'_> = scms_asn1::decode(ra_cert)?;
        if !signer_is(sd, ra_cert) {
            return Err(ProvisionError::BadSignature(
                "the ack is not signed by the RA".into(),
            ));
        }
        verify_signed_data(sd, &ra, None)
            .map_err(|e| ProvisionError::BadSignature(e.to_string()))?;
        let pdu = spdu.scms_pdu()?;
        let a = match &pdu.content {
            ScmsPduContent::EeRa(EeRaInterfacePdu::RaEeCertAck(a)) => a,
            _ => return Err(ProvisionError::Malformed("not an raEeCertAck".into())),
        };
        if Some(a.request_hash) != self.request_hash {
            return Err(ProvisionError::Malformed(
                "the ack is for another request".into(),
            ));
        }
        Ok(Ack {
            request_hash: a.request_hash,
            first_i: a.first_i,
            next_dl_time: a.next_dl_time,
        })
    }

    /// The `EeRaDownloadRequestSpdu` for i-period `i`: signed with the
    /// enrollment key, encrypted to `ra_cert`.
    pub fn download_request(
        &self,
        ks: &dyn KeyStore,
        enrollment_label: &str,
        enrollment_cert: &[u8],
        ra_cert: &[u8],
        i: u32,
        now: Time32,
    ) -> Result<Vec<u8>, ProvisionError> {
        let hash = self
            .request_hash
            .ok_or_else(|| ProvisionError::Malformed("no request sent".into()))?;
        let pdu = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaDownloadRequest(
            EeRaDownloadRequest {
                generation_time: now,
                filename: Utf8String(Cow::Owned(download_filename(&hash, i))),
                unknown_extensions: Default::default(),
            },
        )));
        let tbs = signed_unsecured_tbs(scms_asn1::encode(&pdu)?);
        let signed = scms_hsm::spdu::signed_data(
            ks,
            enrollment_label,
            enrollment_cert,
            tbs,
            SignerForm::Certificate,
        )?;
        Ok(envelope::encrypt_to_certificate(ra_cert, &signed)?)
    }

    /// Opens a downloaded batch (the ZIP the RA serves) for i-period `i`:
    /// checks each response's ACA signature (`aca_cert`), decrypts it,
    /// reconstructs and checks each key. Returns the pseudonyms by j.
    pub fn process_download(
        &self,
        archive: &[u8],
        aca_cert: &[u8],
        i: u32,
    ) -> Result<Vec<Pseudonym>, ProvisionError> {
        let aca: Certificate<'_> = scms_asn1::decode(aca_cert)?;
        let aca_key = certificate_public_key(&aca, None)
            .map_err(|e| ProvisionError::Malformed(e.to_string()))?;
        let mut out = Vec::new();
        for (name, data) in zip::read(archive)? {
            if name == "info" {
                continue;
            }
            let (fi, fj) = name
                .split_once('_')
                .and_then(|(a, b)| {
                    Some((
                        u32::from_str_radix(a, 16).ok()?,
                        u32::from_str_radix(b, 16).ok()?,
                    ))
                })
                .ok_or_else(|| ProvisionError::Malformed(format!("file name {name:?}")))?;
            if fi != i {
                return Err(ProvisionError::Malformed(format!(
                    "{name}: not i-period {i}"
                )));
            }
            out.push(self.open_response(&data, &aca, aca_cert, &aca_key, i, fj)?);
        }
        out.sort_by_key(|p| p.j);
        Ok(out)
    }

    fn open_response(
        &self,
        data: &[u8],
        aca: &Certificate<'_>,
        aca_cert: &[u8],
        aca_key: &scms_crypto::suite::PublicKey,
        i: u32,
        j: u32,
    ) -> Result<Pseudonym, ProvisionError> {
        let cocoon = self
            .signing
            .expand_private_key(ExpansionKind::Signing, i, j)?;
        let (dec_key, pek): (SecretKey, PublicEncryptionKey) = match &self.encryption {
            Some(enc) => {
                let k = enc.expand_private_key(ExpansionKind::Encryption, i, j)?;
                let pek = wire::encryption_key(&k.public_key())?;
                (k, pek)
            }
            None => (cocoon.clone(), wire::encryption_key(&cocoon.public_key())?),
        };
        let decrypt = |encrypted: &Ieee1609Dot2Data<'_>| {
            envelope::decrypt_for_rek(Decryptor::Key(&dec_key), &pek, encrypted)
                .map_err(|e| ProvisionError::Decryption(e.to_string()))
        };
        let pt = if self.kind == ButterflyKind::CompactUnified {
            // Not signed: valid only from an ACA whose certificate says usesCubk;
            // the reconstructed key must match the certificate (checked below).
            if !aca.to_be_signed.uses_cubk() {
                return Err(ProvisionError::Malformed(
                    "a compact unified response from an ACA without usesCubk".into(),
                ));
            }
            let spdu: AcaEeCertResponseCubkSpdu<'_> = scms_asn1::decode(data)?;
            decrypt(&spdu.0)?
        } else {
            let spdu: AcaEeCertResponsePrivateSpdu<'_> = scms_asn1::decode(data)?;
            let sd = spdu.signed_data()?;
            if !signer_is(sd, aca_cert) {
                return Err(ProvisionError::BadSignature(
                    "a response not signed by the ACA".into(),
                ));
            }
            verify_signed_data(sd, aca, None)
                .map_err(|e| ProvisionError::BadSignature(e.to_string()))?;
            decrypt(&spdu.encrypted()?)?
        };
        let pt: Ieee1609Dot2Data<'_> = scms_asn1::decode(&pt)?;
        let pdu = AcaEeCertResponsePrivateSpdu::check_decrypted(&pt)?;
        let resp = match &pdu.content {
            ScmsPduContent::AcaEe(AcaEeInterfacePdu::AcaEeCertResponse(r)) => r,
            _ => return Err(ProvisionError::Malformed("not an acaEeCertResponse".into())),
        };
        let cert = &resp.certificate;
        match &cert.to_be_signed.id {
            CertificateId::LinkageData(l) if u32::from(l.i_cert) == i => {}
            _ => {
                return Err(ProvisionError::Malformed(
                    "not a pseudonym of this i-period".into(),
                ))
            }
        }
        let curve = self.curve();
        let info = resp
            .private_key_info
            .ok_or_else(|| ProvisionError::Malformed("privateKeyInfo absent".into()))?;
        let scalar = EcScalar::from_be_bytes(curve, &info)?;
        let key = match &cert.to_be_signed.verify_key_indicator {
            VerificationKeyIndicator::ReconstructionValue(p) => {
                let p_u =
                    point256(curve, p).map_err(|e| ProvisionError::Malformed(e.to_string()))?;
                let tbs = cert.to_be_signed.to_bytes()?;
                let e = ecqv::certificate_e(curve, &tbs, aca_cert);
                ecqv::reconstruct_key_pair(&cocoon, &e, &scalar, &p_u, aca_key)
                    .map_err(|_| ProvisionError::KeyMismatch { i, j })?
            }
            VerificationKeyIndicator::VerificationKey(_) => {
                verify_certificate(cert, Some(aca))
                    .map_err(|e| ProvisionError::BadSignature(e.to_string()))?;
                let d = SecretKey::from_scalar(cocoon.as_scalar().add(&scalar)?)?;
                let q = certificate_public_key(cert, None)
                    .map_err(|e| ProvisionError::Malformed(e.to_string()))?;
                if d.public_key() != q {
                    return Err(ProvisionError::KeyMismatch { i, j });
                }
                d
            }
            VerificationKeyIndicator::Unknown(_) => {
                return Err(ProvisionError::Malformed("verifyKeyIndicator".into()))
            }
        };
        Ok(Pseudonym {
            i,
            j,
            certificate: cert.to_bytes()?.into_owned(),
            key,
        })
    }
}
