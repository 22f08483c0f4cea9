//! Enrollment (IEEE 1609.2.1-2022 clause 6.3.3, EE-ECA), sans-IO.
//!
//! 1. [`build_enrollment_request`]: the `EeEcaCertRequestSpdu` for *initial*
//!    enrollment, a `SignedCertificateRequest` (`signer` = `self`) over an
//!    `eeEcaCertRequest` whose `tbsCert` carries the key being certified; the
//!    request is signed by that same key (through the `KeyStore`), as the ECA
//!    requires for initial enrollment.
//! 2. [`process_enrollment_response`]: the ECA's `EcaEeCertResponseSpdu`:
//!    `requestHash` names our request, the ECA chain reaches a trust anchor of
//!    the [`CertificateStore`] (its ICA and ECA are checked and added), the
//!    response is signed by that ECA, the certificate is issued by it and
//!    certifies our key.
//!
//! Successor enrollment (1609.2.1 `EeRaSuccessorEnrollmentCertRequestSpdu`),
//! before the enrollment certificate expires:
//! 1. [`build_successor_request`]: an initial-style request self-signed by the
//!    new key, wrapped in `eeRaSuccessorEnrollmentCertRequest`, signed with
//!    the current enrollment certificate and encrypted to the RA certificate;
//!    `POST /v3/successor-enrollment-certificate`.
//! 2. [`process_successor_ack`]: the signed `RaEeEnrollmentCertAckSpdu`.
//! 3. [`successor_download_request`]: the `EeRaDownloadRequestSpdu` for the
//!    file `<requestHash>.oer`; `GET /v3/successor-enrollment-certificate`.
//! 4. [`process_enrollment_response`] with the new key's label and the
//!    request bytes of step 1 (the response's `requestHash` names them).

use core::fmt;

use std::borrow::Cow;

use scms_asn1::codec::{Spanned, Utf8String};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateType, Ieee1609Dot2Content, Ieee1609Dot2Data, SignerIdentifier, Time32,
    ToBeSignedCertificate, VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2dot1::eca_ee::{EcaEeInterfacePdu, EeEcaCertRequest};
use scms_asn1::ieee1609dot2dot1::ee_ra::{
    successor_enrollment_filename, EeRaDownloadRequest, EeRaInterfacePdu,
};
use scms_asn1::ieee1609dot2dot1::protocol::{
    EcaEeCertResponseSpdu, EeEcaCertRequestSpdu, RaEeEnrollmentCertAckSpdu, ScmsPdu,
    ScmsPduContent, ScopedCertificateRequest, SignedCertificateRequest,
};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::verify::{
    certificate_hashed_id8, certificate_public_key, issuer_digest, verify_certificate,
    verify_signed_data, verify_signed_data_with_key,
};
use scms_crypto::wire;
use scms_hsm::spdu::SignerForm;
use scms_hsm::KeyStore;

use crate::store::CertificateStore;
use crate::Rejection;

/// Why enrollment failed on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollError {
    /// Bytes that are not the expected SPDU.
    Malformed(String),
    /// The response does not answer our request (`requestHash`).
    NotOurRequest,
    /// The ECA chain does not reach a trust anchor, or a certificate of it is refused.
    Chain(Rejection),
    /// The response or the certificate is not signed by the ECA.
    BadSignature(String),
    /// The certificate does not certify our key.
    KeyMismatch,
    /// Keys, encoding or signing failed.
    Internal(String),
}

impl fmt::Display for EnrollError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed: {w}"),
            Self::NotOurRequest => f.write_str("the response answers another request"),
            Self::Chain(r) => write!(f, "ECA chain refused: {r}"),
            Self::BadSignature(w) => write!(f, "bad signature: {w}"),
            Self::KeyMismatch => f.write_str("the certificate does not certify our key"),
            Self::Internal(w) => write!(f, "internal: {w}"),
        }
    }
}

impl std::error::Error for EnrollError {}

macro_rules! from_err {
    ($v:ident: $($t:ty),*) => {$(impl From<$t> for EnrollError {
        fn from(e: $t) -> Self { Self::$v(e.to_string()) }
    })*};
}
from_err!(Malformed: scms_asn1::DecodeError);
from_err!(Internal: scms_asn1::EncodeError, scms_crypto::suite::Error, scms_hsm::KeyStoreError, scms_hsm::spdu::SpduError, scms_hsm::envelope::EnvelopeError);

/// The `EeEcaCertRequestSpdu` (COER) for initial enrollment of the key
/// `key_label` of `keys`.
///
/// `tbs_cert` is what the device asks for (id, validity, region,
/// `certRequestPermissions`, assurance level: typically its enrollment
/// profile); the SDK sets the 1609.2.1 request constraints on it (cracaId
/// `000000`H, crlSeries 0, no appPermissions or certIssuePermissions) and the
/// verification key to the public key of `key_label`.
pub fn build_enrollment_request(
    keys: &dyn KeyStore,
    key_label: &str,
    tbs_cert: &ToBeSignedCertificate<'_>,
    now: Time32,
) -> Result<Vec<u8>, EnrollError> {
    let public = keys.public_key(key_label)?;
    let mut tbs = tbs_cert.clone();
    tbs.craca_id = [0; 3];
    tbs.crl_series = 0;
    tbs.app_permissions = None;
    tbs.cert_issue_permissions = None;
    tbs.verify_key_indicator =
        VerificationKeyIndicator::VerificationKey(wire::verification_key(&public)?);
    let req = EeEcaCertRequest {
        version: 2,
        generation_time: now,
        r#type: CertificateType::Explicit,
        tbs_cert: tbs,
        canonical_id: None,
        unknown_extensions: Default::default(),
    };
    req.check_tbs_cert()
        .map_err(|e| EnrollError::Malformed(e.to_string()))?;
    let scoped = ScopedCertificateRequest(ScmsPdu::new(ScmsPduContent::EcaEe(
        EcaEeInterfacePdu::EeEcaCertRequest(req),
    )));
    let tbs_bytes = scms_asn1::encode(&scoped)?;
    // Self-signed: the signer part of the signing input is the empty string.
    let signature = scms_hsm::spdu::sign_data(keys, key_label, &[], &tbs_bytes)?;
    let signed = SignedCertificateRequest {
        hash_algorithm_id: wire::hash_algorithm(public.curve()),
        tbs_request: Spanned::new(scoped),
        signer: SignerIdentifier::SelfSigned,
        signature,
    };
    Ok(scms_asn1::encode(&Ieee1609Dot2Data::new(
        Ieee1609Dot2Content::SignedCertificateRequest(scms_asn1::encode(&signed)?.into()),
    ))?)
}

/// What enrollment gives the device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrollment {
    /// The enrollment certificate (COER).
    pub certificate: Vec<u8>,
    /// The ECA chain as sent: ECA, ICA..., root (COER).
    pub chain: Vec<Vec<u8>>,
    /// When the ECA answered.
    pub generation_time: Time32,
}

/// Checks the ECA's `EcaEeCertResponseSpdu` for `request` (the bytes sent)
/// and returns the enrollment certificate of `key_label`.
///
/// The root of the ECA chain must already be a trust anchor of `store` (see
/// `bootstrap`); the certificates under it are checked and added to `store`.
pub fn process_enrollment_response(
    store: &mut CertificateStore,
    keys: &dyn KeyStore,
    key_label: &str,
    request: &[u8],
    response: &[u8],
) -> Result<Enrollment, EnrollError> {
    let spdu: EcaEeCertResponseSpdu<'_> = scms_asn1::decode(response)?;
    let sd = spdu.signed_data()?;
    let pdu = spdu.scms_pdu()?;
    let ScmsPduContent::EcaEe(EcaEeInterfacePdu::EcaEeCertResponse(r)) = &pdu.content else {
        return Err(EnrollError::Malformed(
            "not an ecaEeCertResponse".to_string(),
        ));
    };
    let h = digest(HashAlgorithm::Sha256, request);
    if h.as_bytes().get(24..) != Some(&r.request_hash[..]) {
        return Err(EnrollError::NotOurRequest);
    }
    // The chain, root last: the root must be an anchor, the rest is checked.
    let eca_cert = r
        .eca_cert_chain
        .first()
        .ok_or_else(|| EnrollError::Malformed("empty ecaCertChain".to_string()))?;
    let mut eca = None;
    for c in r.eca_cert_chain.iter().rev() {
        let info = if c.is_self_signed() {
            let id = certificate_hashed_id8(c)
                .map_err(|e| EnrollError::Malformed(e.to_string()))?
                .0;
            match store.get(&id) {
                Some(i) if i.depth == 0 => i,
                _ => return Err(EnrollError::Chain(Rejection::NotATrustAnchor)),
            }
        } else {
            store.add_certificate(c).map_err(EnrollError::Chain)?
        };
        eca = Some(info);
    }
    let eca = eca.ok_or_else(|| EnrollError::Malformed("empty ecaCertChain".to_string()))?;
    // Signed by that ECA.
    match &sd.signer {
        SignerIdentifier::Certificate(c) if c.len() == 1 && &c[0] == eca_cert => {}
        SignerIdentifier::Digest(d) if *d == eca.hashed_id8 => {}
        _ => {
            return Err(EnrollError::BadSignature(
                "the response is not signed by the ECA of its chain".to_string(),
            ))
        }
    }
    verify_signed_data_with_key(sd, &eca.public_key, &eca.bytes)
        .map_err(|e| EnrollError::BadSignature(format!("response: {e}")))?;
    // The certificate: issued by the ECA, for our key.
    let cert = &r.certificate;
    if issuer_digest(cert) != Some(eca.hashed_id8) {
        return Err(EnrollError::BadSignature(
            "the certificate is not issued by the ECA".to_string(),
        ));
    }
    let eca_parsed: Certificate<'_> = scms_asn1::decode(&eca.bytes)?;
    verify_certificate(cert, Some(&eca_parsed))
        .map_err(|e| EnrollError::BadSignature(format!("certificate: {e}")))?;
    let key = certificate_public_key(cert, None)
        .map_err(|e| EnrollError::Malformed(format!("certificate key: {e}")))?;
    if key != keys.public_key(key_label)? {
        return Err(EnrollError::KeyMismatch);
    }
    let chain = r
        .eca_cert_chain
        .iter()
        .map(|c| Ok(c.to_bytes()?.into_owned()))
        .collect::<Result<Vec<_>, EnrollError>>()?;
    Ok(Enrollment {
        certificate: cert.to_bytes()?.into_owned(),
        chain,
        generation_time: r.generation_time,
    })
}

/// A successor enrollment request as sent, and the hash that names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuccessorRequest {
    /// The `EeRaSuccessorEnrollmentCertRequestSpdu` (COER): POST these bytes,
    /// and pass them to [`process_enrollment_response`] with the answer.
    pub request: Vec<u8>,
    /// Its HashedId8 (SHA-256): names the download file.
    pub request_hash: [u8; 8],
}

/// The `EeRaSuccessorEnrollmentCertRequestSpdu` asking to certify the key
/// `new_label` (`tbs_cert` as for [`build_enrollment_request`]), signed with
/// the current enrollment key `current_label` and certificate
/// `current_cert`, encrypted to `recipient_cert` (the RA's, which carries an
/// encryption key).
#[allow(clippy::too_many_arguments)]
pub fn build_successor_request(
    keys: &dyn KeyStore,
    current_label: &str,
    current_cert: &[u8],
    new_label: &str,
    tbs_cert: &ToBeSignedCertificate<'_>,
    recipient_cert: &[u8],
    now: Time32,
) -> Result<SuccessorRequest, EnrollError> {
    let current: Certificate<'_> = scms_asn1::decode(current_cert)?;
    let inner_bytes = build_enrollment_request(keys, new_label, tbs_cert, now)?;
    let inner: EeEcaCertRequestSpdu<'_> = scms_asn1::decode(&inner_bytes)?;
    let scoped = ScopedCertificateRequest(ScmsPdu::new(ScmsPduContent::EeRa(
        EeRaInterfacePdu::EeRaSuccessorEnrollmentCertRequest(inner),
    )));
    let tbs_bytes = scms_asn1::encode(&scoped)?;
    let signature = scms_hsm::spdu::sign_data(keys, current_label, current_cert, &tbs_bytes)?;
    let signed = SignedCertificateRequest {
        hash_algorithm_id: wire::hash_algorithm(keys.public_key(current_label)?.curve()),
        tbs_request: Spanned::new(scoped),
        signer: SignerIdentifier::Certificate(vec![current]),
        signature,
    };
    let signed = scms_asn1::encode(&Ieee1609Dot2Data::new(
        Ieee1609Dot2Content::SignedCertificateRequest(scms_asn1::encode(&signed)?.into()),
    ))?;
    let request = scms_hsm::envelope::encrypt_to_certificate(recipient_cert, &signed)?;
    let mut request_hash = [0u8; 8];
    request_hash.copy_from_slice(&digest(HashAlgorithm::Sha256, &request).as_bytes()[24..]);
    Ok(SuccessorRequest {
        request,
        request_hash,
    })
}

/// Checks the `RaEeEnrollmentCertAckSpdu` answering `request`: signed by
/// `recipient_cert` (the certificate the request was encrypted to), for this
/// request. Returns the time after which the certificate can be downloaded.
pub fn process_successor_ack(
    ack: &[u8],
    recipient_cert: &[u8],
    request: &SuccessorRequest,
) -> Result<Time32, EnrollError> {
    let spdu: RaEeEnrollmentCertAckSpdu<'_> = scms_asn1::decode(ack)?;
    let sd = spdu.signed_data()?;
    if !crate::provision::signer_is(sd, recipient_cert) {
        return Err(EnrollError::BadSignature(
            "the ack is not signed by the certificate the request was sent to".into(),
        ));
    }
    let signer: Certificate<'_> = scms_asn1::decode(recipient_cert)?;
    verify_signed_data(sd, &signer, None)
        .map_err(|e| EnrollError::BadSignature(format!("ack: {e}")))?;
    let pdu = spdu.scms_pdu()?;
    let ScmsPduContent::EeRa(EeRaInterfacePdu::RaEeCertInfo(info)) = &pdu.content else {
        return Err(EnrollError::Malformed("not a raEeCertInfo".into()));
    };
    if info.request_hash != request.request_hash {
        return Err(EnrollError::NotOurRequest);
    }
    Ok(info.next_dl_time)
}

/// The `EeRaDownloadRequestSpdu` for the successor certificate of `request`
/// (file [`successor_enrollment_filename`]), signed with the current
/// enrollment key and certificate, encrypted to `recipient_cert`.
pub fn successor_download_request(
    keys: &dyn KeyStore,
    current_label: &str,
    current_cert: &[u8],
    recipient_cert: &[u8],
    request: &SuccessorRequest,
    now: Time32,
) -> Result<Vec<u8>, EnrollError> {
    let pdu = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaDownloadRequest(
        EeRaDownloadRequest {
            generation_time: now,
            filename: Utf8String(Cow::Owned(successor_enrollment_filename(
                &request.request_hash,
            ))),
            unknown_extensions: Default::default(),
        },
    )));
    let tbs = crate::provision::signed_unsecured_tbs(scms_asn1::encode(&pdu)?);
    let signed = scms_hsm::spdu::signed_data(
        keys,
        current_label,
        current_cert,
        tbs,
        SignerForm::Certificate,
    )?;
    Ok(scms_hsm::envelope::encrypt_to_certificate(
        recipient_cert,
        &signed,
    )?)
}
