//! What the SCMS test purposes share: bootstrapping from `/v3/ca-certificate`,
//! enrolling a test device, provisioning and downloading pseudonyms. Each
//! result is computed once per run and reused; a prerequisite that fails
//! makes the test purposes that need it inconclusive, not failed.

use crate::scms::{scms_now, HttpAnswer};
use crate::tp::{Ctx, Stop};
use base64::Engine;
use scms_asn1::codec::{Octets, Spanned};
use scms_asn1::ieee1609dot2::CertificateType;
use scms_asn1::ieee1609dot2::{Certificate, Ieee1609Dot2Content, Ieee1609Dot2Data, Time32};
use scms_asn1::ieee1609dot2dot1::cert_management::CertManagementPdu;
use scms_asn1::ieee1609dot2dot1::eca_ee::{EcaEeCertResponse, EcaEeInterfacePdu, EeEcaCertRequest};
use scms_asn1::ieee1609dot2dot1::protocol::{
    AcaEeCertResponsePrivateSpdu, EcaEeCertResponseSpdu, MultiSignedCtlSpdu, ScmsPdu,
    ScmsPduContent, ScopedCertificateRequest, SignedCertificateRequest,
};
use scms_ca::issue::{to_be_signed, IssueParams, SubjectId};
use scms_ca::profile::builtin;
use scms_crypto::suite::{os_rng, SecretKey};
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_sdk::provision::{Ack, ButterflyKind, ButterflyRequest, Pseudonym, RequestParams};
use scms_sdk::CertificateStore;
use std::time::{Duration, Instant};

/// State shared by the SCMS test purposes of one run.
#[derive(Default)]
pub struct ScmsSession {
    bootstrap: Option<Result<Bootstrap, Stop>>,
    ra_certificate: Option<Result<Vec<u8>, Stop>>,
    provisioned: Vec<(ButterflyKind, Result<std::rc::Rc<Provisioned>, Stop>)>,
    opened: Vec<(ButterflyKind, Result<std::rc::Rc<Opened>, Stop>)>,
}

/// A provisioned device's pseudonyms of its first i-period, and the ACA certificate.
pub struct Opened {
    pub pseudonyms: Vec<Pseudonym>,
    pub aca: Vec<u8>,
}

/// Trust from `/v3/ca-certificate`: the CTL's roots and the certificates under them.
#[derive(Clone, Debug)]
pub struct Bootstrap {
    pub chain_spdu: Vec<u8>,
    pub roots: Vec<Vec<u8>>,
    /// ECA, ICA... as given (each checked against its issuer).
    pub cas: Vec<Vec<u8>>,
    /// The certificates of the home CTL's unsigned part (roots, electors).
    pub ctl_certificates: Vec<Vec<u8>>,
    pub home_ctl: Vec<u8>,
}

impl Bootstrap {
    /// The certificate of the chain (or a root) that issued `cert`.
    pub fn issuer_of(&self, cert: &[u8]) -> Option<&[u8]> {
        let c: Certificate<'_> = scms_asn1::decode(cert).ok()?;
        let want = scms_crypto::verify::issuer_digest(&c)?;
        self.cas
            .iter()
            .chain(&self.roots)
            .map(Vec::as_slice)
            .find(|x| crate::fixtures::hashed_id8(x) == want)
    }

    /// A store trusting the roots and holding the CAs.
    pub fn store(&self) -> CertificateStore {
        let mut s = CertificateStore::new(1024, 8);
        for r in &self.roots {
            let _ = s.add_trust_anchor(r);
        }
        for c in &self.cas {
            if let Ok(c) = scms_asn1::decode::<Certificate<'_>>(c) {
                let _ = s.add_certificate(&c);
            }
        }
        s
    }
}

fn fail(e: impl std::fmt::Display) -> Stop {
    Stop::Fail(e.to_string())
}

/// A `CertificateChainSpdu`: its home CTL, its other certificates, the CTL's
/// unsigned certificates.
pub type ParsedChain = (Vec<u8>, Vec<Vec<u8>>, Vec<Vec<u8>>);

/// The CTL inside a `CertificateChainSpdu`, and the chain's other certificates.
pub fn parse_chain(bytes: &[u8]) -> Result<ParsedChain, String> {
    let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(bytes).map_err(|e| e.to_string())?;
    let Ieee1609Dot2Content::UnsecuredData(inner) = &data.content else {
        return Err("CertificateChainSpdu: not unsecuredData".into());
    };
    let pdu: ScmsPdu<'_> = scms_asn1::decode(&inner[..]).map_err(|e| e.to_string())?;
    let ScmsPduContent::Cert(CertManagementPdu::CertificateChain(chain)) = &pdu.content else {
        return Err("not a certificateChain".into());
    };
    let ctl = scms_asn1::encode(&chain.home_ctl).map_err(|e| e.to_string())?;
    let others = chain
        .others
        .iter()
        .map(|c| {
            c.to_bytes()
                .map(|b| b.into_owned())
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let unsigned = ctl_certificates(&ctl)?;
    Ok((ctl, others, unsigned))
}

/// The certificates of a `MultiSignedCtlSpdu`'s unsigned part.
pub fn ctl_certificates(ctl: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let outer: MultiSignedCtlSpdu<'_> = scms_asn1::decode(ctl).map_err(|e| e.to_string())?;
    let pdu = outer.scms_pdu().map_err(|e| e.to_string())?;
    let ScmsPduContent::Cert(CertManagementPdu::MultiSignedCtl(m)) = &pdu.content else {
        return Err("not a multiSignedCtl".into());
    };
    let certs = m.full_ieee_unsigned().map_err(|e| e.to_string())?;
    certs
        .iter()
        .map(|c| {
            c.to_bytes()
                .map(|b| b.into_owned())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Bootstraps from `/v3/ca-certificate` (electors: those the home CTL carries,
/// trusted on first use; a lab pins them in a later version of the suite).
pub fn bootstrap(ctx: &mut Ctx<'_>) -> Result<Bootstrap, Stop> {
    if let Some(b) = &ctx.session.bootstrap {
        return b.clone();
    }
    let r = (|| {
        let bytes = ctx.get_offered("/v3/ca-certificate")?;
        let (home_ctl, _, unsigned) = parse_chain(&bytes).map_err(fail)?;
        let electors: Vec<&[u8]> = unsigned.iter().map(Vec::as_slice).collect();
        let mut store = CertificateStore::new(1024, 8);
        let (trusted, cas) =
            scms_sdk::bootstrap::process_certificate_chain(&mut store, &bytes, &electors, 1)
                .map_err(|e| fail(format!("bootstrap from /v3/ca-certificate: {e}")))?;
        Ok(Bootstrap {
            chain_spdu: bytes,
            roots: trusted.roots.clone(),
            cas,
            ctl_certificates: unsigned,
            home_ctl,
        })
    })();
    // Stored as it is: the test purposes that need it as a prerequisite
    // turn a failure into inconclusive with `needs`.
    ctx.session.bootstrap = Some(r.clone());
    r
}

/// A failure of a prerequisite, as seen by the test purposes that need it.
pub fn prerequisite(s: Stop) -> Stop {
    match s {
        Stop::Fail(e) | Stop::Inconclusive(e) => Stop::Inconclusive(format!("prerequisite: {e}")),
    }
}

/// Runs `f` for a prerequisite: its failure is inconclusive for the caller.
pub fn needs<T>(r: Result<T, Stop>) -> Result<T, Stop> {
    r.map_err(prerequisite)
}

pub fn ra_certificate(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Stop> {
    if let Some(r) = &ctx.session.ra_certificate {
        return r.clone();
    }
    let r = ctx.get_offered("/v3/ra-certificate");
    ctx.session.ra_certificate = Some(r.clone());
    r
}

/// A device's key store and key label.
pub struct DeviceKeys {
    pub ks: MemoryKeyStore,
    pub label: String,
}

impl DeviceKeys {
    pub fn new(ctx: &Ctx<'_>) -> Result<Self, Stop> {
        let ks = MemoryKeyStore::new();
        let key = SecretKey::generate(ctx.world.curve, &mut os_rng())
            .map_err(|e| Stop::Inconclusive(e.to_string()))?;
        ks.insert("device", key)
            .map_err(|e| Stop::Inconclusive(e.to_string()))?;
        Ok(Self {
            ks,
            label: "device".into(),
        })
    }
}

/// The `EeEcaCertRequest` a device of the profile asks for: the enrollment
/// profile's request permissions, validity and region, its key.
pub fn enrollment_request_body(
    ctx: &Ctx<'_>,
    keys: &DeviceKeys,
    now: Time32,
) -> Result<EeEcaCertRequest<'static>, Stop> {
    let profile =
        builtin(ctx.family, "enrollment").map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let public = keys
        .ks
        .public_key(&keys.label)
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let params = IssueParams::new(&profile, SubjectId::None, public, now);
    let vki = scms_asn1::ieee1609dot2::VerificationKeyIndicator::VerificationKey(
        scms_crypto::wire::verification_key(&public)
            .map_err(|e| Stop::Inconclusive(e.to_string()))?,
    );
    let mut tbs =
        to_be_signed(&params, None, vki).map_err(|e| Stop::Inconclusive(e.to_string()))?;
    tbs.craca_id = [0; 3];
    tbs.crl_series = 0;
    tbs.app_permissions = None;
    tbs.cert_issue_permissions = None;
    Ok(EeEcaCertRequest {
        version: 2,
        generation_time: now,
        r#type: CertificateType::Explicit,
        tbs_cert: tbs,
        canonical_id: None,
        unknown_extensions: Default::default(),
    })
}

/// Signs an `EeEcaCertRequest`: self-signed by the requested key, or by an
/// enrollment certificate (`signer`: its key store, label and certificate).
pub fn sign_enrollment_request(
    req: EeEcaCertRequest<'_>,
    keys: &DeviceKeys,
    signer: Option<(&dyn KeyStore, &str, &[u8])>,
) -> Result<Vec<u8>, Stop> {
    let e = |e: &dyn std::fmt::Display| Stop::Inconclusive(format!("building the request: {e}"));
    let scoped = ScopedCertificateRequest(ScmsPdu::new(ScmsPduContent::EcaEe(
        EcaEeInterfacePdu::EeEcaCertRequest(req),
    )));
    let tbs = scms_asn1::encode(&scoped).map_err(|x| e(&x))?;
    let (ks, label, cert): (&dyn KeyStore, &str, &[u8]) = match signer {
        Some(s) => s,
        None => (&keys.ks, &keys.label, &[]),
    };
    let signature = scms_hsm::spdu::sign_data(ks, label, cert, &tbs).map_err(|x| e(&x))?;
    let curve = ks.public_key(label).map_err(|x| e(&x))?.curve();
    let signer_id = match signer {
        None => scms_asn1::ieee1609dot2::SignerIdentifier::SelfSigned,
        Some((_, _, c)) => {
            scms_asn1::ieee1609dot2::SignerIdentifier::Certificate(vec![scms_asn1::decode::<
                Certificate<'_>,
            >(c)
            .map_err(|x| e(&x))?])
        }
    };
    let scr = SignedCertificateRequest {
        hash_algorithm_id: scms_crypto::wire::hash_algorithm(curve),
        tbs_request: Spanned::new(scoped),
        signer: signer_id,
        signature,
    };
    let data = Ieee1609Dot2Data::new(Ieee1609Dot2Content::SignedCertificateRequest(Octets::from(
        scms_asn1::encode(&scr).map_err(|x| e(&x))?,
    )));
    scms_asn1::encode(&data).map_err(|x| e(&x))
}

/// The decoded `EcaEeCertResponse` of a response SPDU, and the SPDU's signed data check.
pub fn with_enrollment_response<T>(
    bytes: &[u8],
    f: impl FnOnce(&EcaEeCertResponseSpdu<'_>, &EcaEeCertResponse<'_>) -> Result<T, Stop>,
) -> Result<T, Stop> {
    let spdu: EcaEeCertResponseSpdu<'_> =
        scms_asn1::decode(bytes).map_err(|e| fail(format!("EcaEeCertResponseSpdu: {e}")))?;
    let pdu = spdu
        .scms_pdu()
        .map_err(|e| fail(format!("EcaEeCertResponseSpdu: {e}")))?;
    let ScmsPduContent::EcaEe(EcaEeInterfacePdu::EcaEeCertResponse(r)) = &pdu.content else {
        return Err(fail("not an ecaEeCertResponse"));
    };
    f(&spdu, r)
}

/// An enrolled test device.
pub struct Enrolled {
    pub keys: DeviceKeys,
    pub certificate: Vec<u8>,
    pub request: Vec<u8>,
    pub response: Vec<u8>,
}

/// POSTs an enrollment request.
pub fn post_enrollment(ctx: &mut Ctx<'_>, request: &[u8]) -> Result<HttpAnswer, Stop> {
    let a = ctx.http("POST", "/v3/enrollment-certificate", &[], request)?;
    crate::tp::offered("/v3/enrollment-certificate", &a)?;
    Ok(a)
}

/// Enrolls a fresh device (initial, self-signed request).
pub fn enroll(ctx: &mut Ctx<'_>) -> Result<Enrolled, Stop> {
    let keys = DeviceKeys::new(ctx)?;
    let body = enrollment_request_body(ctx, &keys, scms_now())?;
    let request = sign_enrollment_request(body, &keys, None)?;
    let a = post_enrollment(ctx, &request)?;
    if a.status != 200 {
        return Err(fail(format!("enrollment: HTTP {} {}", a.status, a.text())));
    }
    let certificate = with_enrollment_response(&a.body, |_, r| {
        r.certificate
            .to_bytes()
            .map(|b| b.into_owned())
            .map_err(fail)
    })?;
    Ok(Enrolled {
        keys,
        certificate,
        request,
        response: a.body,
    })
}

/// A device with a provisioning request acknowledged.
pub struct Provisioned {
    pub enrolled: Enrolled,
    pub request: ButterflyRequest,
    pub request_bytes: Vec<u8>,
    pub ack: Ack,
    pub ack_bytes: Vec<u8>,
    pub params: RequestParams,
}

impl Provisioned {
    pub fn first_i(&self) -> u32 {
        self.ack.first_i.map(u32::from).unwrap_or(0)
    }
}

/// The PSIDs pseudonyms are requested for.
pub const PSEUDONYM_PSIDS: [u64; 2] = [32, 38];

/// Builds a provisioning request of `enrolled` (encrypted to the RA).
pub fn provisioning_request(
    ctx: &mut Ctx<'_>,
    enrolled: &Enrolled,
    kind: ButterflyKind,
    params: &RequestParams,
) -> Result<(ButterflyRequest, Vec<u8>), Stop> {
    let ra = needs(ra_certificate(ctx))?;
    let mut request = ButterflyRequest::generate(kind, ctx.world.curve)
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let bytes = request
        .build_request(
            &enrolled.keys.ks,
            &enrolled.keys.label,
            &enrolled.certificate,
            &ra,
            params,
            scms_now(),
        )
        .map_err(|e| Stop::Inconclusive(format!("building the request: {e}")))?;
    Ok((request, bytes))
}

pub fn default_params() -> RequestParams {
    RequestParams {
        psids: PSEUDONYM_PSIDS.to_vec(),
        start: scms_now(),
        hours: 168,
        explicit: false,
    }
}

pub fn post_provisioning(ctx: &mut Ctx<'_>, body: &[u8]) -> Result<HttpAnswer, Stop> {
    let a = ctx.http("POST", "/v3/authorization-certificate", &[], body)?;
    crate::tp::offered("/v3/authorization-certificate", &a)?;
    Ok(a)
}

/// Enrolls and provisions a device of `kind` (once per run and kind).
pub fn provisioned(
    ctx: &mut Ctx<'_>,
    kind: ButterflyKind,
) -> Result<std::rc::Rc<Provisioned>, Stop> {
    if let Some((_, r)) = ctx.session.provisioned.iter().find(|(k, _)| *k == kind) {
        return r.clone();
    }
    let r = (|| {
        let enrolled = needs(enroll(ctx))?;
        let params = default_params();
        let (request, request_bytes) = provisioning_request(ctx, &enrolled, kind, &params)?;
        let a = post_provisioning(ctx, &request_bytes)?;
        if a.status != 200 {
            return Err(fail(format!(
                "provisioning: HTTP {} {}",
                a.status,
                a.text()
            )));
        }
        let ra = needs(ra_certificate(ctx))?;
        let ack = request
            .process_ack(&a.body, &ra)
            .map_err(|e| fail(format!("the RA's acknowledgement: {e}")))?;
        Ok(std::rc::Rc::new(Provisioned {
            enrolled,
            request,
            request_bytes,
            ack,
            ack_bytes: a.body,
            params,
        }))
    })();
    ctx.session.provisioned.push((kind, r.clone()));
    r
}

/// `GET /v3/authorization-certificate` with a download request signed by
/// `enrolled` for `p`'s request and i-period `i`.
pub fn download_as(
    ctx: &mut Ctx<'_>,
    p: &Provisioned,
    enrolled: &Enrolled,
    i: u32,
) -> Result<HttpAnswer, Stop> {
    let ra = needs(ra_certificate(ctx))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let dl = p
            .request
            .download_request(
                &enrolled.keys.ks,
                &enrolled.keys.label,
                &enrolled.certificate,
                &ra,
                i,
                scms_now(),
            )
            .map_err(|e| Stop::Inconclusive(format!("download request: {e}")))?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&dl);
        ctx.log("to_target", "Download-Req", &dl);
        let a = ctx.http(
            "GET",
            "/v3/authorization-certificate",
            &[("Download-Req", &b64)],
            &[],
        )?;
        crate::tp::offered("/v3/authorization-certificate", &a)?;
        if a.status != 503 {
            return Ok(a);
        }
        let wait: u64 = a
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
            .clamp(1, 10);
        if Instant::now() + Duration::from_secs(wait) > deadline {
            return Err(Stop::Inconclusive(
                "the download was not ready within 30 s".into(),
            ));
        }
        std::thread::sleep(Duration::from_secs(wait));
    }
}

/// The downloaded archive of a provisioned device's first i-period.
pub fn download(ctx: &mut Ctx<'_>, p: &Provisioned) -> Result<Vec<u8>, Stop> {
    let a = download_as(ctx, p, &p.enrolled, p.first_i())?;
    if a.status != 200 {
        return Err(fail(format!("download: HTTP {} {}", a.status, a.text())));
    }
    Ok(a.body)
}

/// The ACA certificate: the signer of the first response in the archive.
pub fn aca_certificate(archive: &[u8]) -> Result<Vec<u8>, Stop> {
    let files = scms_asn1::ieee1609dot2dot1::zip::read(archive)
        .map_err(|e| fail(format!("the archive is not a ZIP: {e}")))?;
    let (_, first) = files
        .iter()
        .find(|(n, _)| n != "info")
        .ok_or_else(|| fail("the archive holds no certificate response"))?;
    let spdu: AcaEeCertResponsePrivateSpdu<'_> =
        scms_asn1::decode(first).map_err(|e| fail(format!("AcaEeCertResponsePrivateSpdu: {e}")))?;
    let sd = spdu.signed_data().map_err(fail)?;
    match &sd.signer {
        scms_asn1::ieee1609dot2::SignerIdentifier::Certificate(c) if c.len() == 1 => {
            c[0].to_bytes().map(|b| b.into_owned()).map_err(fail)
        }
        _ => Err(fail("the response does not carry the ACA certificate")),
    }
}

/// Downloads and opens the pseudonyms (decrypt, reconstruct), once per run and kind.
pub fn pseudonyms(ctx: &mut Ctx<'_>, p: &Provisioned) -> Result<std::rc::Rc<Opened>, Stop> {
    let kind = p.request.kind;
    if let Some((_, r)) = ctx.session.opened.iter().find(|(k, _)| *k == kind) {
        return r.clone();
    }
    let r = (|| {
        let zip = download(ctx, p)?;
        let aca = aca_certificate(&zip)?;
        let pseudonyms = p
            .request
            .process_download(&zip, &aca, p.first_i())
            .map_err(|e| fail(format!("opening the download: {e}")))?;
        Ok(std::rc::Rc::new(Opened { pseudonyms, aca }))
    })();
    ctx.session.opened.push((kind, r.clone()));
    r
}
