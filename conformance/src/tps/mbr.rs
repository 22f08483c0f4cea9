//! Misbehavior reports: a device writes one (signed, then encrypted to the
//! MA certificate, the evidence inside), and an SCMS publishes its MA
//! certificate and takes reports at `POST /v3/misbehavior-report`.

use super::scms_common::{needs, provisioned, pseudonyms};
use super::{pseudonym, Stimulus};
use crate::device::PSID_MISBEHAVIOR;
use crate::fixtures::{hashed_id8, Identity};
use crate::tp::{offered, Ctx, Group, Needs, Stop, TestPurpose, TpResult};
use crate::{ensure, inconclusive};
use scms_asn1::camp::ee_ma::EndEntityMaInterfacePDU;
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data, RecipientInfo, SignedData};
use scms_hsm::envelope::{decrypt_for_certificate, Decryptor};
use scms_sdk::provision::ButterflyKind;

fn tp(
    id: &'static str,
    needs: Needs,
    purpose: &'static str,
    run: fn(&mut Ctx<'_>) -> TpResult,
) -> TestPurpose {
    TestPurpose {
        id,
        group: Group::Misbehavior,
        needs,
        purpose,
        run,
    }
}

pub fn purposes() -> Vec<TestPurpose> {
    let (d, s) = (Needs::Device, Needs::Scms);
    vec![
        tp("TP_MBR_SND_01", d, "The report is encryptedData addressed to the MA certificate (certRecipInfo with its HashedId8).", report_encrypted),
        tp("TP_MBR_SND_02", d, "Decrypted with the MA's key, the report is signed data of PSID 38 whose signature verifies with the reporter's identity.", report_signed),
        tp("TP_MBR_SND_03", d, "The decrypted report is a MisbehaviorReport carrying the evidence SPDU unchanged and naming the suspect's HashedId8.", report_evidence),
        tp("TP_MBR_SND_04", d, "The report and its decrypted content are canonical COER.", report_canonical),
        tp("TP_MBR_SCMS_01", s, "GET /v3/ma-certificate?psid=20 is an MA certificate with an encryption key, chaining to the root.", ma_certificate),
        tp("TP_MBR_SCMS_02", s, "A valid report (evidence: a BSM; reporter: a provisioned pseudonym) is accepted with HTTP 2xx.", report_accepted),
        tp("TP_MBR_SCMS_03", s, "Octets that are not a report are refused with HTTP 4xx.", report_garbage),
        tp("TP_MBR_SCMS_04", s, "A signed but unencrypted report is refused with HTTP 4xx.", report_unencrypted),
    ]
}

/// The device reports a BSM of another pseudonym to the fixture MA.
fn device_report(ctx: &mut Ctx<'_>) -> Result<(Identity, Vec<u8>, Vec<u8>), Stop> {
    ctx.reset_default()?;
    let w = ctx.world;
    let reporter = pseudonym(w)?;
    let suspect = pseudonym(w)?;
    ctx.load_identity(&reporter.certificate, &reporter.key)?;
    let evidence = Stimulus::bsm(w.at(0)).sign(&suspect)?;
    let report = ctx.report(std::slice::from_ref(&evidence), &w.cert("ma"), w.at(1))?;
    Ok((suspect, evidence, report))
}

fn open(ctx: &Ctx<'_>, report: &[u8]) -> Result<Vec<u8>, Stop> {
    let w = ctx.world;
    let d: Ieee1609Dot2Data<'_> =
        scms_asn1::decode(report).map_err(|e| Stop::Fail(format!("report: {e}")))?;
    let pt = decrypt_for_certificate(
        Decryptor::Store(&w.ks, &w.ma_enc_label()),
        &w.cert("ma"),
        &d,
    )
    .map_err(|e| Stop::Fail(format!("the MA cannot decrypt the report: {e}")))?;
    Ok(pt.to_vec())
}

fn with_signed<T>(
    pt: &[u8],
    f: impl FnOnce(&SignedData<'_>) -> Result<T, Stop>,
) -> Result<T, Stop> {
    let d: Ieee1609Dot2Data<'_> =
        scms_asn1::decode(pt).map_err(|e| Stop::Fail(format!("decrypted report: {e}")))?;
    match &d.content {
        Ieee1609Dot2Content::SignedData(sd) => f(sd),
        _ => Err(Stop::Fail("the decrypted report is not signed data".into())),
    }
}

fn report_encrypted(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, _, report) = device_report(ctx)?;
    let d: Ieee1609Dot2Data<'_> =
        scms_asn1::decode(&report).map_err(|e| Stop::Fail(format!("report: {e}")))?;
    let Ieee1609Dot2Content::EncryptedData(e) = &d.content else {
        return Err(Stop::Fail("the report is not encryptedData".into()));
    };
    let ma = hashed_id8(&ctx.world.cert("ma"));
    ensure!(
        e.recipients
            .iter()
            .any(|r| matches!(r, RecipientInfo::CertRecipInfo(p) if p.recipient_id == ma)),
        "no certRecipInfo for the MA certificate {}",
        hex::encode(ma)
    );
    open(ctx, &report)?;
    Ok("encrypted to the MA".into())
}

fn report_signed(ctx: &mut Ctx<'_>) -> TpResult {
    let w = ctx.world;
    ctx.reset_default()?;
    let reporter = pseudonym(w)?;
    let suspect = pseudonym(w)?;
    ctx.load_identity(&reporter.certificate, &reporter.key)?;
    let evidence = Stimulus::bsm(w.at(0)).sign(&suspect)?;
    let report = ctx.report(&[evidence], &w.cert("ma"), w.at(1))?;
    let pt = open(ctx, &report)?;
    let key = reporter.key.public_key();
    with_signed(&pt, |sd| {
        ensure!(
            sd.tbs_data.header_info.psid.0 == PSID_MISBEHAVIOR,
            "PSID {}",
            sd.tbs_data.header_info.psid.0
        );
        scms_crypto::verify::verify_signed_data_with_key(sd, &key, &reporter.certificate)
            .map_err(|e| Stop::Fail(format!("signature: {e}")))?;
        Ok("signed by the reporter, PSID 38".to_string())
    })
}

fn report_evidence(ctx: &mut Ctx<'_>) -> TpResult {
    let (suspect, evidence, report) = device_report(ctx)?;
    let pt = open(ctx, &report)?;
    with_signed(&pt, |sd| {
        let Some(Ieee1609Dot2Content::UnsecuredData(o)) =
            sd.tbs_data.payload.data.as_deref().map(|d| &d.content)
        else {
            return Err(Stop::Fail("no report payload".into()));
        };
        let pdu: EndEntityMaInterfacePDU<'_> = scms_asn1::decode(&o[..])
            .map_err(|e| Stop::Fail(format!("EndEntityMaInterfacePDU: {e}")))?;
        let EndEntityMaInterfacePDU::MisbehaviorReport(r) = &pdu else {
            return Err(Stop::Fail("not a misbehaviorReport".into()));
        };
        let bsms = r.misbehaving_device_bsms.as_deref().unwrap_or(&[]);
        ensure!(
            super::rcv::find(bsms, &evidence).is_some(),
            "the evidence SPDU is not in misbehavingDeviceBSMs"
        );
        ensure!(
            r.misbehaving_device_info[..] == suspect.hashed_id8()[..],
            "misbehavingDeviceInfo {} is not the suspect's HashedId8",
            hex::encode(&r.misbehaving_device_info[..])
        );
        Ok("evidence carried".to_string())
    })
}

fn report_canonical(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, _, report) = device_report(ctx)?;
    for (what, bytes) in [
        ("report", report.clone()),
        ("decrypted report", open(ctx, &report)?),
    ] {
        let d: Ieee1609Dot2Data<'_> =
            scms_asn1::decode(&bytes).map_err(|e| Stop::Fail(format!("{what}: {e}")))?;
        let again = scms_asn1::encode(&d).map_err(|e| Stop::Fail(e.to_string()))?;
        ensure!(again == bytes, "{what}: not canonical");
    }
    Ok("canonical".into())
}

fn ma_cert(ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Stop> {
    ctx.get_offered("/v3/ma-certificate?psid=20")
}

fn ma_certificate(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(super::scms_common::bootstrap(ctx))?;
    let ma = ma_cert(ctx)?;
    let c: scms_asn1::ieee1609dot2::Certificate<'_> =
        scms_asn1::decode(&ma).map_err(|e| Stop::Fail(format!("MA certificate: {e}")))?;
    ensure!(c.to_be_signed.encryption_key.is_some(), "no encryptionKey");
    b.store()
        .add_certificate(&c)
        .map_err(|e| Stop::Fail(format!("does not chain to the root: {e}")))?;
    Ok("MA certificate".into())
}

fn post_report(ctx: &mut Ctx<'_>, body: &[u8]) -> Result<crate::scms::HttpAnswer, Stop> {
    let a = ctx.http("POST", "/v3/misbehavior-report", &[], body)?;
    offered("/v3/misbehavior-report", &a)?;
    Ok(a)
}

/// A signed report by a provisioned pseudonym on a BSM of another one.
fn signed_report(ctx: &mut Ctx<'_>) -> Result<(Vec<u8>, Vec<u8>), Stop> {
    let ma = needs(ma_cert(ctx))?;
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    let opened = needs(pseudonyms(ctx, &p))?;
    let ps = &opened.pseudonyms;
    if ps.len() < 2 {
        inconclusive!("fewer than two pseudonyms downloaded");
    }
    let cert: scms_asn1::ieee1609dot2::Certificate<'_> =
        scms_asn1::decode(&ps[0].certificate).map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let start = cert.to_be_signed.validity_period.start;
    let t = (u64::from(start.max(crate::scms::scms_now())) + 60) * 1_000_000;
    let suspect = Identity {
        certificate: ps[1].certificate.clone(),
        key: ps[1].key.clone(),
    };
    let evidence = Stimulus::bsm(t).sign(&suspect)?;
    let mut dev = crate::device::SdkDevice::new();
    crate::device::Device::load_identity(&mut dev, &ps[0].certificate, &ps[0].key)
        .map_err(Stop::Inconclusive)?;
    let signed =
        crate::device::unencrypted_report(&mut dev, &[evidence], t).map_err(Stop::Inconclusive)?;
    Ok((signed, ma))
}

fn report_accepted(ctx: &mut Ctx<'_>) -> TpResult {
    let (signed, ma) = signed_report(ctx)?;
    let enc = scms_hsm::envelope::encrypt_to_certificate(&ma, &signed)
        .map_err(|e| Stop::Inconclusive(e.to_string()))?;
    let a = post_report(ctx, &enc)?;
    ensure!(
        (200..300).contains(&a.status),
        "HTTP {} {}",
        a.status,
        a.text()
    );
    Ok(format!("HTTP {}", a.status))
}

fn report_garbage(ctx: &mut Ctx<'_>) -> TpResult {
    let a = post_report(ctx, b"\x03\x82not a report")?;
    ensure!(a.is_client_error(), "HTTP {}", a.status);
    Ok(format!("HTTP {} {}", a.status, a.text()))
}

fn report_unencrypted(ctx: &mut Ctx<'_>) -> TpResult {
    let (signed, _) = signed_report(ctx)?;
    let a = post_report(ctx, &signed)?;
    ensure!(
        a.is_client_error(),
        "HTTP {} for an unencrypted report",
        a.status
    );
    Ok(format!("HTTP {} {}", a.status, a.text()))
}
