//! Enrollment (1609.2.1 clause 6.3.3, EE-ECA): `POST /v3/enrollment-certificate`.

use super::scms_common::{
    bootstrap, enroll, enrollment_request_body, needs, post_enrollment, sign_enrollment_request,
    with_enrollment_response, DeviceKeys,
};
use crate::ensure;
use crate::scms::scms_now;
use crate::tp::{Ctx, Group, Needs, Stop, TestPurpose, TpResult};
use scms_asn1::ieee1609dot2::Certificate;
use scms_asn1::ieee1609dot2::CertificateType;
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::verify::{
    certificate_public_key, verify_certificate, verify_signed_data_with_key,
};
use scms_hsm::KeyStore;

fn tp(id: &'static str, purpose: &'static str, run: fn(&mut Ctx<'_>) -> TpResult) -> TestPurpose {
    TestPurpose {
        id,
        group: Group::Enrollment,
        needs: Needs::Scms,
        purpose,
        run,
    }
}

pub fn purposes() -> Vec<TestPurpose> {
    vec![
        tp("TP_ENR_01", "A valid initial (self-signed) EeEcaCertRequest gets HTTP 200 and an enrollment certificate for the requested key.", valid_request),
        tp("TP_ENR_02", "The EcaEeCertResponseSpdu is signed by the ECA certificate at the head of its ecaCertChain, and the signature verifies.", response_signed),
        tp("TP_ENR_03", "The response's requestHash is the last 8 octets of SHA-256 of the request SPDU.", response_request_hash),
        tp("TP_ENR_04", "The enrollment certificate is issued by the ECA and verifies against the ECA certificate.", certificate_verifies),
        tp("TP_ENR_05", "A request whose signature does not verify is refused with HTTP 4xx.", bad_signature),
        tp("TP_ENR_06", "A truncated request is refused with HTTP 400 and a reason.", truncated),
        tp("TP_ENR_07", "A request for an implicit enrollment certificate is refused with HTTP 4xx.", implicit_type),
        tp("TP_ENR_08", "A request generated an hour in the ECA's future is refused with HTTP 4xx.", future_request),
        tp("TP_ENR_09", "The same request sent twice gets the same answer (idempotent).", idempotent),
        tp("TP_ENR_10", "A successor request signed by the device's enrollment certificate gets a new certificate for the new key.", successor),
        tp("TP_ENR_11", "A successor request signed by an enrollment certificate of another SCMS is refused with HTTP 4xx.", successor_foreign),
        tp("TP_ENR_12", "Octets that are not an Ieee1609Dot2Data are refused with HTTP 400 and a reason.", garbage),
    ]
}

fn valid_request(ctx: &mut Ctx<'_>) -> TpResult {
    let e = enroll(ctx)?;
    let cert: Certificate<'_> =
        scms_asn1::decode(&e.certificate).map_err(|x| Stop::Fail(format!("certificate: {x}")))?;
    let key = certificate_public_key(&cert, None)
        .map_err(|x| Stop::Fail(format!("certificate key: {x}")))?;
    let want = e
        .keys
        .ks
        .public_key(&e.keys.label)
        .map_err(|x| Stop::Inconclusive(x.to_string()))?;
    ensure!(key == want, "the certificate is for another key");
    Ok("enrolled".into())
}

fn response_signed(ctx: &mut Ctx<'_>) -> TpResult {
    let e = enroll(ctx)?;
    with_enrollment_response(&e.response, |spdu, r| {
        let eca = r
            .eca_cert_chain
            .first()
            .ok_or_else(|| Stop::Fail("empty ecaCertChain".into()))?;
        let eca_bytes = eca.to_bytes().map_err(|x| Stop::Fail(x.to_string()))?;
        let sd = spdu.signed_data().map_err(|x| Stop::Fail(x.to_string()))?;
        let key = certificate_public_key(eca, None).map_err(|x| Stop::Fail(x.to_string()))?;
        verify_signed_data_with_key(sd, &key, &eca_bytes)
            .map_err(|x| Stop::Fail(format!("the response signature: {x}")))?;
        Ok("signed by the ECA".to_string())
    })
}

fn response_request_hash(ctx: &mut Ctx<'_>) -> TpResult {
    let e = enroll(ctx)?;
    let h = digest(HashAlgorithm::Sha256, &e.request);
    with_enrollment_response(&e.response, |_, r| {
        ensure!(
            h.as_bytes()[24..] == r.request_hash[..],
            "requestHash {}, SHA-256 of the request ends {}",
            hex::encode(r.request_hash),
            hex::encode(&h.as_bytes()[24..])
        );
        Ok(format!("requestHash {}", hex::encode(r.request_hash)))
    })
}

fn certificate_verifies(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(bootstrap(ctx))?;
    let e = enroll(ctx)?;
    let Some(eca) = b.issuer_of(&e.certificate) else {
        return Err(Stop::Fail(
            "the certificate's issuer is not in /v3/ca-certificate".into(),
        ));
    };
    let eca: Certificate<'_> = scms_asn1::decode(eca).map_err(|x| Stop::Fail(x.to_string()))?;
    let cert: Certificate<'_> =
        scms_asn1::decode(&e.certificate).map_err(|x| Stop::Fail(x.to_string()))?;
    verify_certificate(&cert, Some(&eca)).map_err(|x| Stop::Fail(format!("certificate: {x}")))?;
    Ok("verifies against the ECA".into())
}

/// Sends `request` and requires a 4xx.
pub fn refused(ctx: &mut Ctx<'_>, request: &[u8]) -> TpResult {
    let a = post_enrollment(ctx, request)?;
    ensure!(
        a.is_client_error(),
        "HTTP {} where a refusal (4xx) is due",
        a.status
    );
    Ok(format!("HTTP {} {}", a.status, a.text()))
}

fn fresh_request(
    ctx: &mut Ctx<'_>,
    f: impl FnOnce(&mut scms_asn1::ieee1609dot2dot1::eca_ee::EeEcaCertRequest<'static>),
) -> Result<Vec<u8>, Stop> {
    let keys = DeviceKeys::new(ctx)?;
    let mut body = enrollment_request_body(ctx, &keys, scms_now())?;
    f(&mut body);
    sign_enrollment_request(body, &keys, None)
}

fn bad_signature(ctx: &mut Ctx<'_>) -> TpResult {
    let mut r = fresh_request(ctx, |_| {})?;
    let n = r.len();
    r[n - 1] ^= 0x01;
    refused(ctx, &r)
}

fn truncated(ctx: &mut Ctx<'_>) -> TpResult {
    let r = fresh_request(ctx, |_| {})?;
    let a = post_enrollment(ctx, &r[..r.len() / 2])?;
    ensure!(a.status == 400, "HTTP {} where 400 is due", a.status);
    ensure!(!a.text().is_empty(), "400 without a reason");
    Ok(format!("HTTP 400 {}", a.text()))
}

fn implicit_type(ctx: &mut Ctx<'_>) -> TpResult {
    let r = fresh_request(ctx, |b| b.r#type = CertificateType::Implicit)?;
    refused(ctx, &r)
}

fn future_request(ctx: &mut Ctx<'_>) -> TpResult {
    let r = fresh_request(ctx, |b| b.generation_time += 3600)?;
    refused(ctx, &r)
}

fn idempotent(ctx: &mut Ctx<'_>) -> TpResult {
    let e = enroll(ctx)?;
    let again = post_enrollment(ctx, &e.request)?;
    ensure!(again.status == 200, "HTTP {} the second time", again.status);
    ensure!(again.body == e.response, "another answer the second time");
    Ok("same answer".into())
}

fn successor(ctx: &mut Ctx<'_>) -> TpResult {
    let first = needs(enroll(ctx))?;
    let keys = DeviceKeys::new(ctx)?;
    let body = enrollment_request_body(ctx, &keys, scms_now())?;
    let r = sign_enrollment_request(
        body,
        &keys,
        Some((&first.keys.ks, &first.keys.label, &first.certificate)),
    )?;
    let a = post_enrollment(ctx, &r)?;
    ensure!(a.status == 200, "HTTP {} {}", a.status, a.text());
    let cert = with_enrollment_response(&a.body, |_, r| {
        r.certificate
            .to_bytes()
            .map(|b| b.into_owned())
            .map_err(|x| Stop::Fail(x.to_string()))
    })?;
    let c: Certificate<'_> = scms_asn1::decode(&cert).map_err(|x| Stop::Fail(x.to_string()))?;
    let key = certificate_public_key(&c, None).map_err(|x| Stop::Fail(x.to_string()))?;
    let want = keys
        .ks
        .public_key(&keys.label)
        .map_err(|x| Stop::Inconclusive(x.to_string()))?;
    ensure!(key == want, "the successor certificate is for another key");
    Ok("successor issued".into())
}

fn successor_foreign(ctx: &mut Ctx<'_>) -> TpResult {
    // An enrollment certificate of the suite's own hierarchy: another SCMS.
    let w = ctx.world;
    let old = DeviceKeys::new(ctx)?;
    let profile = scms_ca::profile::builtin(ctx.family, "enrollment")
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let public = old
        .ks
        .public_key(&old.label)
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let params =
        scms_ca::issue::IssueParams::new(&profile, scms_ca::issue::SubjectId::None, public, w.t0);
    let eca =
        w.h.issuer_ref("eca")
            .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let foreign = scms_ca::issue::issue(&w.ks, &eca, &params)
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let keys = DeviceKeys::new(ctx)?;
    let body = enrollment_request_body(ctx, &keys, scms_now())?;
    let r = sign_enrollment_request(
        body,
        &keys,
        Some((&old.ks, &old.label, foreign.certificate())),
    )?;
    refused(ctx, &r)
}

fn garbage(ctx: &mut Ctx<'_>) -> TpResult {
    let a = post_enrollment(ctx, b"\xff\x00not an SPDU")?;
    ensure!(a.status == 400, "HTTP {} where 400 is due", a.status);
    ensure!(!a.text().is_empty(), "400 without a reason");
    Ok(format!("HTTP 400 {}", a.text()))
}
