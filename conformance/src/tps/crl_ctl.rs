//! Certificate profiles and issuance linting (what the SCMS issues must fit
//! inside its issuer and its profile; requests beyond the profile are
//! refused), and CRL/CTL: the SCMS's `/v3/crl`, `/v3/ctl`,
//! `/v3/ca-certificate`, `/v3/ra-certificate`, and a device's CRL handling.

use super::fixture;
use super::scms_common::{
    bootstrap, ctl_certificates, enroll, enrollment_request_body, needs, parse_chain, provisioned,
    pseudonyms, sign_enrollment_request, DeviceKeys,
};
use crate::fixtures::{hashed_id3, hashed_id8};
use crate::scms::scms_now;
use crate::tp::{Ctx, Group, Needs, Stop, TestPurpose, TpResult};
use crate::{ensure, inconclusive};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, GeographicRegion, IdentifiedRegion, SubjectPermissions,
    ToBeSignedCertificate, VerificationKeyIndicator,
};
use scms_ca::crl::{hash_entry, CrlBody, IndividualEntry};
use scms_ca::lint::lint_certificate;
use scms_sdk::provision::ButterflyKind;

fn tp(
    id: &'static str,
    group: Group,
    needs: Needs,
    purpose: &'static str,
    run: fn(&mut Ctx<'_>) -> TpResult,
) -> TestPurpose {
    TestPurpose {
        id,
        group,
        needs,
        purpose,
        run,
    }
}

pub fn profile_purposes() -> Vec<TestPurpose> {
    let (g, s) = (Group::ProfilesLinting, Needs::Scms);
    vec![
        tp("TP_PROF_CA_01", g, s, "Each CA certificate of /v3/ca-certificate fits inside its issuer (validity, region, assurance, permissions, chain length).", ca_chain_lint),
        tp("TP_PROF_CA_02", g, s, "The CA certificates use the profile's algorithms (P-256 or P-384 for us, SM2 for cn).", ca_curves),
        tp("TP_PROF_ENR_01", g, s, "The enrollment certificate fits inside the ECA certificate (issuance linting).", enr_lint),
        tp("TP_PROF_ENR_02", g, s, "The enrollment certificate names the root as CRACA (cracaId = HashedId3 of the root) and a non-zero crlSeries.", enr_craca),
        tp("TP_PROF_ENR_03", g, s, "The enrollment certificate is explicit, without certIssuePermissions, with certRequestPermissions.", enr_shape),
        tp("TP_PROF_PSE_01", g, s, "Every downloaded pseudonym fits inside the ACA certificate (issuance linting).", pse_lint),
        tp("TP_PROF_PSE_02", g, s, "Pseudonyms carry linkageData of the download's i-period and only the PSIDs requested.", pse_linkage_psids),
        tp("TP_PROF_PSE_03", g, s, "A pseudonym is valid for at most one week plus one hour of overlap.", pse_validity),
        tp("TP_LINT_ENR_01", g, s, "The ECA refuses a request for all PSIDs where the enrollment profile grants a few (HTTP 4xx).", lint_psids),
        tp("TP_LINT_ENR_02", g, s, "A request for a 40-year enrollment certificate is refused (HTTP 4xx) or granted a validity inside the ECA's.", lint_validity),
        tp("TP_LINT_ENR_03", g, s, "The ECA refuses a request for a region outside the enrollment profile's (HTTP 4xx).", lint_region),
    ]
}

pub fn purposes() -> Vec<TestPurpose> {
    let (g, s, d) = (Group::CrlCtl, Needs::Scms, Needs::Device);
    vec![
        tp("TP_CTL_01", g, s, "GET /v3/ctl is a MultiSignedCtlSpdu in canonical COER.", ctl_canonical),
        tp("TP_CTL_02", g, s, "The CTL's elector signatures verify and reach a majority of the electors it carries.", ctl_signatures),
        tp("TP_CTL_03", g, s, "The CTL approves the root that /v3/ca-certificate chains to.", ctl_root),
        tp("TP_CA_01", g, s, "GET /v3/ca-certificate is a CertificateChainSpdu whose home CTL and certificates bootstrap a device.", ca_chain),
        tp("TP_CA_02", g, s, "GET /v3/ra-certificate is an RA certificate chaining to the root, with an encryption key.", ra_cert),
        tp("TP_CRL_SCMS_01", g, s, "GET /v3/crl is a SecuredCrl that a device trusting the root applies (signer with CRL permission, valid signature).", crl_applies),
        tp("TP_CRL_SCMS_02", g, s, "The published CRL is current: issueDate <= now (5 min clock tolerance) < nextCrl.", crl_current),
        tp("TP_CRL_RCV_01", g, d, "A hash-based CRL signed by the CRL signer is applied.", crl_valid_hash),
        tp("TP_CRL_RCV_02", g, d, "A linkage-based CRL signed by the CRL signer is applied.", crl_valid_linkage),
        tp("TP_CRL_RCV_03", g, d, "A CRL whose signature does not verify is refused.", crl_tampered),
        tp("TP_CRL_RCV_04", g, d, "A CRL signed by a certificate without the CRL PSID (256) is refused.", crl_no_permission),
        tp("TP_CRL_RCV_05", g, d, "A CRL of a series its signer's CrlSsp does not list is refused.", crl_series),
        tp("TP_CRL_RCV_06", g, d, "A CRL naming a CRACA other than the one its signer's CrlSsp designates is refused.", crl_craca),
    ]
}

fn decode_cert(b: &[u8]) -> Result<Certificate<'_>, Stop> {
    scms_asn1::decode(b).map_err(|e| Stop::Fail(format!("certificate: {e}")))
}

fn issuer_of<'c>(cert: &Certificate<'_>, pool: &'c [Vec<u8>]) -> Option<&'c [u8]> {
    let want = scms_crypto::verify::issuer_digest(cert)?;
    pool.iter()
        .map(Vec::as_slice)
        .find(|c| hashed_id8(c) == want)
}

fn ca_chain_lint(ctx: &mut Ctx<'_>) -> TpResult {
    let b = bootstrap(ctx)?;
    let pool: Vec<Vec<u8>> = b.cas.iter().chain(&b.roots).cloned().collect();
    let mut n = 0;
    for c in &b.cas {
        let sub = decode_cert(c)?;
        let Some(iss) = issuer_of(&sub, &pool) else {
            inconclusive!("the issuer of a chain certificate is not in the chain");
        };
        let iss = decode_cert(iss)?;
        lint_certificate(sub.to_be_signed.value(), iss.to_be_signed.value())
            .map_err(|e| Stop::Fail(format!("{e}")))?;
        n += 1;
    }
    Ok(format!("{n} certificates fit inside their issuers"))
}

fn ca_curves(ctx: &mut Ctx<'_>) -> TpResult {
    let b = bootstrap(ctx)?;
    let pool: Vec<Vec<u8>> = b.cas.iter().chain(&b.roots).cloned().collect();
    for c in &pool {
        let cert = decode_cert(c)?;
        let curve = scms_crypto::verify::certificate_curve(&cert)
            .ok_or_else(|| Stop::Fail("a certificate without a known curve".into()))?;
        let ok = match ctx.family {
            scms_ca::profile::Family::Us => matches!(
                curve,
                scms_crypto::suite::Curve::NistP256 | scms_crypto::suite::Curve::NistP384
            ),
            scms_ca::profile::Family::Cn => curve == scms_crypto::suite::Curve::Sm2,
        };
        ensure!(
            ok,
            "a CA certificate on {curve:?}, not the {} profile's",
            ctx.family.as_str()
        );
    }
    Ok(format!(
        "{} certificates on the profile's curves",
        pool.len()
    ))
}

fn enr_lint(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(bootstrap(ctx))?;
    let e = enroll(ctx)?;
    let Some(eca) = b.issuer_of(&e.certificate) else {
        return Err(Stop::Fail(
            "the certificate's issuer is not in /v3/ca-certificate".into(),
        ));
    };
    let (sub, iss) = (decode_cert(&e.certificate)?, decode_cert(eca)?);
    lint_certificate(sub.to_be_signed.value(), iss.to_be_signed.value())
        .map_err(|x| Stop::Fail(x.to_string()))?;
    Ok("fits inside the ECA".into())
}

fn enr_craca(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(bootstrap(ctx))?;
    let e = enroll(ctx)?;
    let cert = decode_cert(&e.certificate)?;
    let t = cert.to_be_signed.value();
    let roots: Vec<[u8; 3]> = b.roots.iter().map(|r| hashed_id3(r)).collect();
    ensure!(
        roots.contains(&t.craca_id),
        "cracaId {} is not a root's HashedId3 ({})",
        hex::encode(t.craca_id),
        roots.iter().map(hex::encode).collect::<Vec<_>>().join(", ")
    );
    ensure!(t.crl_series != 0, "crlSeries 0");
    Ok(format!(
        "cracaId {}, crlSeries {}",
        hex::encode(t.craca_id),
        t.crl_series
    ))
}

fn enr_shape(ctx: &mut Ctx<'_>) -> TpResult {
    let e = enroll(ctx)?;
    let cert = decode_cert(&e.certificate)?;
    let t = cert.to_be_signed.value();
    ensure!(
        matches!(
            t.verify_key_indicator,
            VerificationKeyIndicator::VerificationKey(_)
        ),
        "not explicit"
    );
    ensure!(
        t.cert_issue_permissions.is_none(),
        "certIssuePermissions present"
    );
    ensure!(
        t.cert_request_permissions.is_some(),
        "no certRequestPermissions"
    );
    Ok("explicit, request permissions only".into())
}

fn pse_lint(ctx: &mut Ctx<'_>) -> TpResult {
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    let opened = needs(pseudonyms(ctx, &p))?;
    let (ps, aca) = (&opened.pseudonyms, &opened.aca);
    let iss = decode_cert(aca)?;
    for x in ps.iter() {
        let sub = decode_cert(&x.certificate)?;
        lint_certificate(sub.to_be_signed.value(), iss.to_be_signed.value())
            .map_err(|e| Stop::Fail(format!("j = {}: {e}", x.j)))?;
    }
    Ok(format!("{} pseudonyms fit inside the ACA", ps.len()))
}

fn pse_linkage_psids(ctx: &mut Ctx<'_>) -> TpResult {
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    let opened = needs(pseudonyms(ctx, &p))?;
    let ps = &opened.pseudonyms;
    for x in ps.iter() {
        let c = decode_cert(&x.certificate)?;
        let t = c.to_be_signed.value();
        match &t.id {
            CertificateId::LinkageData(l) => ensure!(
                u32::from(l.i_cert) == p.first_i(),
                "iCert {} in the batch of i-period {}",
                l.i_cert,
                p.first_i()
            ),
            other => return Err(Stop::Fail(format!("id {other:?}, not linkageData"))),
        }
        for perm in t.app_permissions.iter().flatten() {
            ensure!(
                p.params.psids.contains(&perm.psid.0),
                "PSID {} was not requested",
                perm.psid.0
            );
        }
    }
    Ok(format!(
        "{} pseudonyms with linkage data and requested PSIDs",
        ps.len()
    ))
}

fn pse_validity(ctx: &mut Ctx<'_>) -> TpResult {
    let p = needs(provisioned(ctx, ButterflyKind::Original))?;
    let opened = needs(pseudonyms(ctx, &p))?;
    let ps = &opened.pseudonyms;
    for x in ps.iter() {
        let c = decode_cert(&x.certificate)?;
        let v = &c.to_be_signed.validity_period;
        let secs = scms_asn1::ieee1609dot2::time::validity_end(v) - u64::from(v.start);
        ensure!(secs <= 169 * 3600, "j = {}: valid for {secs} s", x.j);
    }
    Ok("at most one week (+1 h)".into())
}

fn lint_refused(
    ctx: &mut Ctx<'_>,
    f: impl FnOnce(&mut ToBeSignedCertificate<'static>),
) -> TpResult {
    let keys = DeviceKeys::new(ctx)?;
    let mut body = enrollment_request_body(ctx, &keys, scms_now())?;
    f(&mut body.tbs_cert);
    let r = sign_enrollment_request(body, &keys, None)?;
    super::enrollment::refused(ctx, &r)
}

fn lint_psids(ctx: &mut Ctx<'_>) -> TpResult {
    lint_refused(ctx, |t| {
        if let Some(perms) = t.cert_request_permissions.as_mut() {
            for p in perms.iter_mut() {
                p.subject_permissions = SubjectPermissions::All;
            }
        }
    })
}

fn lint_validity(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(bootstrap(ctx))?;
    let keys = DeviceKeys::new(ctx)?;
    let mut body = enrollment_request_body(ctx, &keys, scms_now())?;
    body.tbs_cert.validity_period.duration = scms_asn1::ieee1609dot2::Duration::Years(40);
    let r = sign_enrollment_request(body, &keys, None)?;
    let a = super::scms_common::post_enrollment(ctx, &r)?;
    if a.is_client_error() {
        return Ok(format!("refused: HTTP {} {}", a.status, a.text()));
    }
    ensure!(a.status == 200, "HTTP {} {}", a.status, a.text());
    let cert = super::scms_common::with_enrollment_response(&a.body, |_, r| {
        r.certificate
            .to_bytes()
            .map(|b| b.into_owned())
            .map_err(|e| Stop::Fail(e.to_string()))
    })?;
    let Some(eca) = b.issuer_of(&cert) else {
        return Err(Stop::Fail(
            "the certificate's issuer is not in /v3/ca-certificate".into(),
        ));
    };
    let (sub, iss) = (decode_cert(&cert)?, decode_cert(eca)?);
    lint_certificate(sub.to_be_signed.value(), iss.to_be_signed.value())
        .map_err(|e| Stop::Fail(format!("granted beyond the ECA: {e}")))?;
    let v = &sub.to_be_signed.validity_period;
    let years =
        (scms_asn1::ieee1609dot2::time::validity_end(v) - u64::from(v.start)) / (365 * 86_400);
    ensure!(years < 40, "granted {years} years");
    Ok(format!("granted {years} years, inside the ECA"))
}

fn lint_region(ctx: &mut Ctx<'_>) -> TpResult {
    lint_refused(ctx, |t| {
        // Germany: in neither profile.
        t.region = Some(GeographicRegion::IdentifiedRegion(vec![
            IdentifiedRegion::CountryOnly(276),
        ]));
    })
}

fn ctl_canonical(ctx: &mut Ctx<'_>) -> TpResult {
    let ctl = ctx.get_offered("/v3/ctl")?;
    let v: scms_asn1::ieee1609dot2dot1::protocol::MultiSignedCtlSpdu<'_> =
        scms_asn1::decode(&ctl).map_err(|e| Stop::Fail(format!("MultiSignedCtlSpdu: {e}")))?;
    let again = scms_asn1::encode(&v).map_err(|e| Stop::Fail(e.to_string()))?;
    ensure!(again == ctl, "not canonical: re-encoding differs");
    v.scms_pdu()
        .map_err(|e| Stop::Fail(format!("CTL content: {e}")))?;
    Ok(format!("{} octets, canonical", ctl.len()))
}

fn electors_of(ctl: &[u8]) -> Result<Vec<Vec<u8>>, Stop> {
    ctl_certificates(ctl).map_err(|e| Stop::Fail(format!("CTL: {e}")))
}

fn ctl_signatures(ctx: &mut Ctx<'_>) -> TpResult {
    let ctl = ctx.get_offered("/v3/ctl")?;
    let certs = electors_of(&ctl)?;
    let electors: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let v = scms_ca::ctl::verify_ctl(&ctl, &electors, 1)
        .map_err(|e| Stop::Fail(format!("elector signatures: {e}")))?;
    let n_electors = v.content.elector_approve.len().max(1);
    ensure!(
        v.signed_by.len() * 2 > n_electors,
        "{} of {} electors signed",
        v.signed_by.len(),
        n_electors
    );
    Ok(format!(
        "{} of {} electors signed",
        v.signed_by.len(),
        n_electors
    ))
}

fn ctl_root(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(bootstrap(ctx))?;
    let ctl = ctx.get_offered("/v3/ctl")?;
    let certs = electors_of(&ctl)?;
    let electors: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let v = scms_ca::ctl::verify_ctl(&ctl, &electors, 1)
        .map_err(|e| Stop::Fail(format!("CTL: {e}")))?;
    for r in &b.roots {
        let entry = fixture(scms_ca::ctl::root_ca_entry(r).map_err(|e| e.to_string()))?;
        ensure!(
            v.content.root_ca_approve.contains(&entry),
            "the root of /v3/ca-certificate is not approved by /v3/ctl"
        );
    }
    Ok(format!("{} root(s) approved", b.roots.len()))
}

fn ca_chain(ctx: &mut Ctx<'_>) -> TpResult {
    let b = bootstrap(ctx)?;
    parse_chain(&b.chain_spdu).map_err(|e| Stop::Fail(e.to_string()))?;
    ensure!(!b.roots.is_empty(), "no root");
    ensure!(!b.cas.is_empty(), "no CA certificate besides the root");
    Ok(format!(
        "{} root(s), {} CA certificates",
        b.roots.len(),
        b.cas.len()
    ))
}

fn ra_cert(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(bootstrap(ctx))?;
    let ra = ctx.get_offered("/v3/ra-certificate")?;
    let c = decode_cert(&ra)?;
    ensure!(c.to_be_signed.encryption_key.is_some(), "no encryptionKey");
    let mut store = b.store();
    store
        .add_certificate(&c)
        .map_err(|e| Stop::Fail(format!("does not chain to the root: {e}")))?;
    Ok("RA certificate with encryption key, chains to the root".into())
}

fn crl_applies(ctx: &mut Ctx<'_>) -> TpResult {
    let b = needs(bootstrap(ctx))?;
    let crl = ctx.get_offered("/v3/crl")?;
    let mut v = scms_sdk::Verifier::new(crate::device::verifier_config());
    for r in &b.roots {
        let _ = v.store.add_trust_anchor(r);
    }
    for c in &b.cas {
        if let Ok(c) = scms_asn1::decode(c) {
            let _ = v.store.add_certificate(&c);
        }
    }
    let now = (u64::from(scms_now())) * 1_000_000;
    v.apply_crl(&crl, now, 0)
        .map_err(|e| Stop::Fail(format!("the CRL is refused: {e}")))?;
    Ok("applied".into())
}

fn crl_current(ctx: &mut Ctx<'_>) -> TpResult {
    let crl = ctx.get_offered("/v3/crl")?;
    let d: scms_asn1::ieee1609dot2::Ieee1609Dot2Data<'_> =
        scms_asn1::decode(&crl).map_err(|e| Stop::Fail(format!("SecuredCrl: {e}")))?;
    let scms_asn1::ieee1609dot2::Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        return Err(Stop::Fail("not signed data".into()));
    };
    let Some(scms_asn1::ieee1609dot2::Ieee1609Dot2Content::UnsecuredData(o)) =
        sd.tbs_data.payload.data.as_deref().map(|x| &x.content)
    else {
        return Err(Stop::Fail("no CRL contents".into()));
    };
    let c: scms_asn1::ieee1609dot2::crl_base_types::CrlContents =
        scms_asn1::decode(&o[..]).map_err(|e| Stop::Fail(format!("CrlContents: {e}")))?;
    let now = scms_now();
    // Five minutes of clock difference between the SCMS and the tester.
    ensure!(
        c.issue_date <= now + 300,
        "issueDate {} after now {now}",
        c.issue_date
    );
    ensure!(
        now < c.next_crl,
        "nextCrl {} has passed (now {now})",
        c.next_crl
    );
    Ok(format!(
        "issueDate {}, nextCrl {}",
        c.issue_date, c.next_crl
    ))
}

fn hash_crl_body(ctx: &Ctx<'_>) -> Result<CrlBody, Stop> {
    let victim = super::pseudonym(ctx.world)?;
    Ok(CrlBody::Hash {
        delta: false,
        crl_serial: 7,
        entries: vec![fixture(
            hash_entry(&victim.certificate).map_err(|e| e.to_string()),
        )?],
    })
}

fn crl_answer(ctx: &mut Ctx<'_>, crl: &[u8], accepted: bool) -> TpResult {
    let t = ctx.world.at(0);
    let a = ctx.apply_crl(crl, t, 0)?;
    if accepted {
        ensure!(a.accepted, "refused: {}", a.reason);
        Ok(format!("applied: {}", a.reason))
    } else {
        ensure!(!a.accepted, "applied where a conformant device refuses");
        Ok(format!("refused: {}", a.reason))
    }
}

fn crl_valid_hash(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let crl = fixture(w.crl(&w.crl_header(), &hash_crl_body(ctx)?))?;
    crl_answer(ctx, &crl, true)
}

fn crl_valid_linkage(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let body = CrlBody::Linkage {
        delta: false,
        i_rev: 10,
        index_within_i: 0,
        individual: vec![IndividualEntry {
            jmax: 5,
            la1_id: [0, 1],
            la2_id: [0, 2],
            i_max: 20,
            linkage_seed1: [0x31; 16],
            linkage_seed2: [0x32; 16],
        }],
        groups: vec![],
    };
    let crl = fixture(w.crl(&w.crl_header(), &body))?;
    crl_answer(ctx, &crl, true)
}

fn crl_tampered(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let mut crl = fixture(w.crl(&w.crl_header(), &hash_crl_body(ctx)?))?;
    let n = crl.len();
    crl[n - 1] ^= 0x01;
    crl_answer(ctx, &crl, false)
}

fn crl_no_permission(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let crl = fixture(w.crl_signed_by("aca", &w.crl_header(), &hash_crl_body(ctx)?))?;
    crl_answer(ctx, &crl, false)
}

fn crl_series(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let mut h = w.crl_header();
    h.series = 9;
    let crl = fixture(w.crl_signed_by("crl", &h, &hash_crl_body(ctx)?))?;
    crl_answer(ctx, &crl, false)
}

fn crl_craca(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let mut h = w.crl_header();
    h.craca = hashed_id8(&w.cert("ica"));
    let crl = fixture(w.crl_signed_by("crl", &h, &hash_crl_body(ctx)?))?;
    crl_answer(ctx, &crl, false)
}
