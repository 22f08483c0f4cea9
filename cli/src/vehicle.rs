//! The device side of enrollment and provisioning over HTTP, through the
//! client SDK: what `scms device enroll|provision` and the vehicles of
//! `scms demo` do.

use std::time::{Duration, Instant};

use scms_asn1::ieee1609dot2::{ToBeSignedCertificate, VerificationKeyIndicator};
use scms_ca::issue::{to_be_signed, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_crypto::suite::{Curve, PublicKey};
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_sdk::http::{EcaClient, HttpError, RaClient};
use scms_sdk::provision::{ButterflyKind, ButterflyRequest, Pseudonym, RequestParams};
use scms_sdk::CertificateStore;

/// The curve of a family's end-entity keys.
pub fn curve(family: Family) -> Curve {
    match family {
        Family::Us => Curve::NistP256,
        Family::Cn => Curve::Sm2,
    }
}

/// The trust of a device before enrollment: with elector certificates, the
/// roots the CTL in the ECA's `GET /v3/ca-certificate` approves (a majority
/// of the electors must have signed it); without, `anchors` (self-signed
/// root certificates the device was built with).
pub fn bootstrap_trust(
    eca: &EcaClient,
    electors: &[Vec<u8>],
    anchors: &[Vec<u8>],
) -> Result<CertificateStore, String> {
    let mut store = CertificateStore::new(64, 4);
    if electors.is_empty() {
        for a in anchors {
            store.add_trust_anchor(a).map_err(|e| e.to_string())?;
        }
        if store.is_empty() {
            return Err("no root or elector certificate".into());
        }
    } else {
        let chain = eca.certificate_chain().map_err(|e| format!("ECA: {e}"))?;
        let refs: Vec<&[u8]> = electors.iter().map(Vec::as_slice).collect();
        scms_sdk::bootstrap::process_certificate_chain(
            &mut store,
            &chain,
            &refs,
            electors.len() / 2 + 1,
        )
        .map_err(|e| format!("ECA certificate chain: {e}"))?;
    }
    Ok(store)
}

/// What a device asks the ECA for: the enrollment profile's permissions and
/// region, for `public`.
pub fn enrollment_tbs(
    family: Family,
    public: &PublicKey,
    now: u32,
) -> Result<ToBeSignedCertificate<'static>, String> {
    let profile = builtin(family, "enrollment").map_err(|e| e.to_string())?;
    let params = IssueParams::new(&profile, SubjectId::None, *public, now);
    let vki = VerificationKeyIndicator::VerificationKey(
        scms_crypto::wire::verification_key(public).map_err(|e| e.to_string())?,
    );
    to_be_signed(&params, None, vki).map_err(|e| e.to_string())
}

/// Enrolls the key `label` of `keys` with the ECA at `now` (Time32): the
/// enrollment certificate, checked against `store`.
pub fn enroll(
    family: Family,
    eca: &EcaClient,
    store: &mut CertificateStore,
    keys: &dyn KeyStore,
    label: &str,
    now: u32,
) -> Result<Vec<u8>, String> {
    let public = keys.public_key(label).map_err(|e| e.to_string())?;
    let tbs = enrollment_tbs(family, &public, now)?;
    let request = scms_sdk::enroll::build_enrollment_request(keys, label, &tbs, now)
        .map_err(|e| e.to_string())?;
    let response = eca.enroll(&request).map_err(|e| format!("ECA: {e}"))?;
    let e = scms_sdk::enroll::process_enrollment_response(store, keys, label, &request, &response)
        .map_err(|e| format!("ECA response: {e}"))?;
    Ok(e.certificate)
}

/// How a device reaches the RA: [`RaClient`], or a wrapper around it
/// (`scms bench load` times each exchange and spreads them over RA nodes).
pub trait RaTransport {
    /// `POST /v3/authorization-certificate`.
    fn provision(&self, request: &[u8]) -> Result<Vec<u8>, HttpError>;
    /// `GET /v3/authorization-certificate`.
    fn download(&self, request: &[u8]) -> Result<Vec<u8>, HttpError>;
}

impl RaTransport for RaClient {
    fn provision(&self, request: &[u8]) -> Result<Vec<u8>, HttpError> {
        RaClient::provision(self, request)
    }
    fn download(&self, request: &[u8]) -> Result<Vec<u8>, HttpError> {
        RaClient::download(self, request)
    }
}

/// A provisioning request under way: the butterfly keys and the RA's ack.
pub struct Provisioning {
    pub request: ButterflyRequest,
    pub first_i: u32,
    pub i_count: u32,
}

/// Sends a butterfly request (signed with the enrollment key `label`) for
/// `params` to the RA.
#[allow(clippy::too_many_arguments)]
pub fn request_pseudonyms(
    family: Family,
    ra: &impl RaTransport,
    ra_cert: &[u8],
    keys: &MemoryKeyStore,
    label: &str,
    enrollment: &[u8],
    params: &RequestParams,
    now: u32,
) -> Result<Provisioning, String> {
    let (req, request) = pseudonym_request(family, ra_cert, keys, label, enrollment, params, now)?;
    let ack = ra.provision(&request).map_err(|e| format!("RA: {e}"))?;
    accept_ack(req, &ack, ra_cert, params)
}

/// A butterfly request for `params`, signed with the enrollment key
/// `label`: the keys and the `EeRaCertRequestSpdu`. When no answer comes
/// back, send the same bytes again: the RA answers them with the
/// acknowledgement it stored (a new request would be refused as overlapping).
pub fn pseudonym_request(
    family: Family,
    ra_cert: &[u8],
    keys: &MemoryKeyStore,
    label: &str,
    enrollment: &[u8],
    params: &RequestParams,
    now: u32,
) -> Result<(ButterflyRequest, Vec<u8>), String> {
    let mut req = ButterflyRequest::generate(ButterflyKind::Original, curve(family))
        .map_err(|e| e.to_string())?;
    let request = req
        .build_request(keys, label, enrollment, ra_cert, params, now)
        .map_err(|e| e.to_string())?;
    Ok((req, request))
}

/// The RA's acknowledgement of a [`pseudonym_request`], checked.
pub fn accept_ack(
    req: ButterflyRequest,
    ack: &[u8],
    ra_cert: &[u8],
    params: &RequestParams,
) -> Result<Provisioning, String> {
    let ack = req
        .process_ack(ack, ra_cert)
        .map_err(|e| format!("RA ack: {e}"))?;
    Ok(Provisioning {
        request: req,
        first_i: u32::from(ack.first_i.unwrap_or(0)),
        i_count: u32::from(params.hours).div_ceil(168).max(1),
    })
}

/// Downloads i-period `i` (while the RA answers 503, waiting its
/// Retry-After but at most `max_pause` at a time, `wait` in all; while it
/// cannot be reached or answers 502/504, asking again): the pseudonyms,
/// decrypted and reconstructed.
#[allow(clippy::too_many_arguments)]
pub fn download(
    p: &Provisioning,
    ra: &impl RaTransport,
    ra_cert: &[u8],
    aca_cert: &[u8],
    keys: &MemoryKeyStore,
    label: &str,
    enrollment: &[u8],
    i: u32,
    now: impl Fn() -> u32,
    wait: Duration,
    max_pause: Duration,
) -> Result<Vec<Pseudonym>, String> {
    let deadline = Instant::now() + wait;
    let archive = loop {
        let download = p
            .request
            .download_request(keys, label, enrollment, ra_cert, i, now())
            .map_err(|e| e.to_string())?;
        let pause = match ra.download(&download) {
            Ok(a) => break a,
            Err(HttpError::NotReady { retry_after_s }) => {
                Duration::from_secs(retry_after_s.unwrap_or(5).clamp(1, 60))
            }
            // The RA restarting: a download changes nothing, so it is asked again.
            Err(
                HttpError::Transport(_)
                | HttpError::Status {
                    code: 502 | 504, ..
                },
            ) => Duration::from_millis(500),
            Err(e) => return Err(format!("RA download: {e}")),
        }
        .min(max_pause);
        if Instant::now() + pause > deadline {
            return Err(format!("RA: the batch for i-period {i} is not ready yet"));
        }
        std::thread::sleep(pause);
    };
    p.request
        .process_download(&archive, aca_cert, i)
        .map_err(|e| format!("download: {e}"))
}
