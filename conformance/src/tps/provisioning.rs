//! Provisioning (1609.2.1 clause 6.3.4, EE-RA, original and unified
//! butterfly keys) and download (clause 6.3.5).

use super::scms_common::{
    default_params, download_as, enroll, needs, post_provisioning, provisioned,
    provisioning_request, pseudonyms, ra_certificate,
};
use crate::fixtures::hashed_id8;
use crate::scms::scms_now;
use crate::tp::{Ctx, Group, Needs, Stop, TestPurpose, TpResult};
use crate::{ensure, inconclusive};
use scms_sdk::provision::ButterflyKind;

fn tp(
    id: &'static str,
    group: Group,
    purpose: &'static str,
    run: fn(&mut Ctx<'_>) -> TpResult,
) -> TestPurpose {
    TestPurpose {
        id,
        group,
        needs: Needs::Scms,
        purpose,
        run,
    }
}

pub fn provisioning_purposes() -> Vec<TestPurpose> {
    let g = Group::Provisioning;
    vec![
        tp("TP_PROV_01", g, "An original-butterfly EeRaCertRequest, signed by a valid enrollment certificate and encrypted to the RA, is acknowledged (HTTP 200).", original),
        tp("TP_PROV_02", g, "A unified-butterfly EeRaCertRequest is acknowledged (HTTP 200).", unified),
        tp("TP_PROV_03", g, "The acknowledgement is signed by the RA certificate and names the request's hash and the next download time.", ack_checked),
        tp("TP_PROV_04", g, "Octets that are not an encrypted request are refused with HTTP 4xx and a reason.", garbage),
        tp("TP_PROV_05", g, "A request signed by an enrollment certificate of another SCMS is refused with HTTP 4xx.", foreign_enrollment),
        tp("TP_PROV_06", g, "A request signed by a blocklisted enrollment certificate is refused (HTTP 403).", blocklisted),
        tp("TP_PROV_07", g, "A request for a year of pseudonyms in one go is refused with HTTP 4xx.", too_many_periods),
        tp("TP_PROV_08", g, "The same request sent twice gets the same acknowledgement (idempotent).", idempotent),
        tp("TP_PROV_09", g, "A request for a PSID outside the enrollment certificate's certRequestPermissions is refused with HTTP 4xx.", psid_not_permitted),
    ]
}

pub fn download_purposes() -> Vec<TestPurpose> {
    let g = Group::Download;
    vec![
        tp("TP_DL_01", g, "The download of an original-butterfly request is a ZIP whose responses all decrypt and whose keys reconstruct.", dl_original),
        tp("TP_DL_02", g, "The download of a unified-butterfly request decrypts and reconstructs likewise.", dl_unified),
        tp("TP_DL_03", g, "The batch holds the certificates j = 0 .. n-1 of the i-period, none missing.", dl_complete),
        tp("TP_DL_04", g, "Another enrolled device cannot download the batch (HTTP 403 or 404).", dl_other_device),
        tp("TP_DL_05", g, "A Download-Req header that is not base64 of a download request is refused with HTTP 4xx.", dl_malformed),
        tp("TP_DL_06", g, "A BSM signed with a downloaded pseudonym verifies to the root of /v3/ca-certificate (reference verifier).", dl_pseudonym_signs),
    ]
}

fn original(ctx: &mut Ctx<'_>) -> TpResult {
    let p = provisioned(ctx, ButterflyKind::Original)?;
    Ok(format!("acknowledged, i = {:?}", p.ack.first_i))
}

fn unified(ctx: &mut Ctx<'_>) -> TpResult {
    let p = provisioned(ctx, ButterflyKind::Unified)?;
    Ok(format!("acknowledged, i = {:?}", p.ack.first_i))
}

fn ack_checked(ctx: &mut Ctx<'_>) -> TpResult {
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    ensure!(
        Some(p.ack.request_hash) == p.request.request_hash,
        "the acknowledgement names another request"
    );
    ensure!(
        p.ack.next_dl_time + 300 >= scms_now().saturating_sub(3600),
        "nextDlTime {} lies in the past",
        p.ack.next_dl_time
    );
    Ok(format!(
        "requestHash {}, nextDlTime {}",
        hex::encode(p.ack.request_hash),
        p.ack.next_dl_time
    ))
}

fn refused(ctx: &mut Ctx<'_>, body: &[u8], want: &[u16]) -> TpResult {
    let a = post_provisioning(ctx, body)?;
    ensure!(
        if want.is_empty() {
            a.is_client_error()
        } else {
            want.contains(&a.status)
        },
        "HTTP {} where a refusal ({}) is due",
        a.status,
        if want.is_empty() {
            "4xx".to_string()
        } else {
            format!("{want:?}")
        }
    );
    Ok(format!("HTTP {} {}", a.status, a.text()))
}

fn garbage(ctx: &mut Ctx<'_>) -> TpResult {
    let r = refused(ctx, b"\x03\x82garbage", &[])?;
    Ok(r)
}

fn foreign_enrollment(ctx: &mut Ctx<'_>) -> TpResult {
    let w = ctx.world;
    let keys = super::scms_common::DeviceKeys::new(ctx)?;
    let profile = scms_ca::profile::builtin(ctx.family, "enrollment")
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let public = scms_hsm::KeyStore::public_key(&keys.ks, &keys.label)
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let params =
        scms_ca::issue::IssueParams::new(&profile, scms_ca::issue::SubjectId::None, public, w.t0);
    let eca =
        w.h.issuer_ref("eca")
            .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let cert = scms_ca::issue::issue(&w.ks, &eca, &params)
        .map_err(|e| Stop::Inconclusive(e.to_string()))?
        .certificate()
        .to_vec();
    let enrolled = super::scms_common::Enrolled {
        keys,
        certificate: cert,
        request: Vec::new(),
        response: Vec::new(),
    };
    let (_, body) =
        provisioning_request(ctx, &enrolled, ButterflyKind::Original, &default_params())?;
    refused(ctx, &body, &[])
}

fn blocklisted(ctx: &mut Ctx<'_>) -> TpResult {
    let enrolled = needs(enroll(ctx))?;
    let id = hashed_id8(&enrolled.certificate);
    let Some(scms) = ctx.scms.as_deref_mut() else {
        inconclusive!("not applicable: the target is not an SCMS");
    };
    match scms.block(id) {
        None => inconclusive!("the target offers no way to blocklist an enrollment certificate"),
        Some(Err(e)) => inconclusive!("blocklisting failed: {e}"),
        Some(Ok(())) => {}
    }
    let (_, body) =
        provisioning_request(ctx, &enrolled, ButterflyKind::Original, &default_params())?;
    refused(ctx, &body, &[403])
}

fn too_many_periods(ctx: &mut Ctx<'_>) -> TpResult {
    let enrolled = needs(enroll(ctx))?;
    let mut params = default_params();
    params.hours = 52 * 168;
    let (_, body) = provisioning_request(ctx, &enrolled, ButterflyKind::Original, &params)?;
    refused(ctx, &body, &[])
}

fn idempotent(ctx: &mut Ctx<'_>) -> TpResult {
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    let a = post_provisioning(ctx, &p.request_bytes)?;
    ensure!(
        a.status == 200,
        "HTTP {} the second time: {}",
        a.status,
        a.text()
    );
    ensure!(
        a.body == p.ack_bytes,
        "another acknowledgement the second time"
    );
    Ok("same acknowledgement".into())
}

fn psid_not_permitted(ctx: &mut Ctx<'_>) -> TpResult {
    let enrolled = needs(enroll(ctx))?;
    let mut params = default_params();
    params.psids = vec![0x20_40_97];
    let (_, body) = provisioning_request(ctx, &enrolled, ButterflyKind::Original, &params)?;
    refused(ctx, &body, &[])
}

fn opened(ctx: &mut Ctx<'_>, kind: ButterflyKind) -> TpResult {
    let p = needs(provisioned(ctx, kind))?;
    let ps = &pseudonyms(ctx, &p)?.pseudonyms;
    ensure!(!ps.is_empty(), "the download holds no certificate");
    Ok(format!("{} pseudonyms opened", ps.len()))
}

fn dl_original(ctx: &mut Ctx<'_>) -> TpResult {
    opened(ctx, ButterflyKind::Original)
}

fn dl_unified(ctx: &mut Ctx<'_>) -> TpResult {
    opened(ctx, ButterflyKind::Unified)
}

fn dl_complete(ctx: &mut Ctx<'_>) -> TpResult {
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    let opened = needs(pseudonyms(ctx, &p))?;
    let ps = &opened.pseudonyms;
    let js: Vec<u32> = ps.iter().map(|p| p.j).collect();
    let want: Vec<u32> = (0..js.len() as u32).collect();
    ensure!(!js.is_empty(), "no certificate");
    ensure!(js == want, "j values {js:?}: not 0 .. {}", js.len() - 1);
    Ok(format!("j = 0 .. {}", js.len() - 1))
}

fn dl_other_device(ctx: &mut Ctx<'_>) -> TpResult {
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    let other = needs(enroll(ctx))?;
    let a = download_as(ctx, &p, &other, p.first_i())?;
    ensure!(
        matches!(a.status, 403 | 404),
        "HTTP {} for another device's batch",
        a.status
    );
    Ok(format!("HTTP {}", a.status))
}

fn dl_malformed(ctx: &mut Ctx<'_>) -> TpResult {
    // The interface must exist (a provisioned device proves it) before a 4xx means anything.
    needs(provisioned(ctx, ButterflyKind::Original))?;
    let a = ctx.http(
        "GET",
        "/v3/authorization-certificate",
        &[("Download-Req", "%%% not base64 %%%")],
        &[],
    )?;
    ensure!(a.is_client_error(), "HTTP {}", a.status);
    Ok(format!("HTTP {} {}", a.status, a.text()))
}

fn dl_pseudonym_signs(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(super::scms_common::bootstrap(ctx))?;
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    let opened = needs(pseudonyms(ctx, &p))?;
    let (ps, aca) = (&opened.pseudonyms, &opened.aca);
    let _ = needs(ra_certificate(ctx))?;
    let first = ps
        .first()
        .ok_or_else(|| Stop::Fail("no pseudonym".into()))?;
    // Sign at a time inside the pseudonym's validity (its i-period may start later).
    let cert: scms_asn1::ieee1609dot2::Certificate<'_> =
        scms_asn1::decode(&first.certificate).map_err(|e| Stop::Fail(e.to_string()))?;
    let start = cert.to_be_signed.validity_period.start;
    let t = (u64::from(start.max(scms_now())) + 60) * 1_000_000;
    let ks = scms_hsm::MemoryKeyStore::new();
    ks.insert("p", first.key.clone())
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let id = scms_sdk::SigningIdentity::new(first.certificate.clone(), "p")
        .map_err(|e| Stop::Fail(e.to_string()))?;
    let spdu = scms_sdk::Signer::new(id)
        .sign(
            &ks,
            &scms_sdk::Message {
                psid: 32,
                payload: b"\x01provisioned",
                generation_time: t,
                generation_location: None,
                expiry_time: None,
                p2pcd_learning_request: None,
            },
        )
        .map_err(|e| Stop::Fail(format!("signing with the pseudonym: {e}")))?;
    let mut v = scms_sdk::Verifier::new(crate::device::verifier_config());
    for r in &b.roots {
        v.store
            .add_trust_anchor(r)
            .map_err(|e| Stop::Fail(format!("root: {e}")))?;
    }
    // The ACA's issuers: whatever of the chain and CTL fits, then the ACA.
    for c in b.cas.iter().chain(std::iter::once(aca)) {
        if let Ok(c) = scms_asn1::decode(c) {
            let _ = v.store.add_certificate(&c);
        }
    }
    let r = v.verify(&spdu, t);
    ensure!(
        r.is_ok(),
        "the reference verifier rejects it: {:?}",
        r.err()
    );
    Ok("verifies to the root".into())
}
