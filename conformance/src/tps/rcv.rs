//! SPDU receiving: one test purpose per 1609.2 receiver check (clause 5.2.4),
//! each with the stimulus a conformant device must refuse, and the
//! neighbouring valid cases a device must still accept.

use super::{fixture, pseudonym, Stimulus};
use crate::device::Location;
use crate::fixtures::{
    hashed_id3, Identity, PseudonymSpec, DEEP_CHAIN_CAS, PSID_BSM, PSID_NOT_GRANTED,
};
use crate::tp::{Ctx, Group, Needs, Stop, TestPurpose, TpResult};
use crate::{ensure, inconclusive};
use scms_asn1::ieee1609dot2::Time64;
use scms_ca::crl::{hash_entry, CrlBody, IndividualEntry};
use scms_crypto::linkage::{LaId, LinkageSeed, LinkageValue};
use scms_crypto::suite::{os_rng, SecretKey};
use scms_hsm::spdu::SignerForm;

fn tp(id: &'static str, purpose: &'static str, run: fn(&mut Ctx<'_>) -> TpResult) -> TestPurpose {
    TestPurpose {
        id,
        group: Group::SpduReceiving,
        needs: Needs::Device,
        purpose,
        run,
    }
}

pub fn purposes() -> Vec<TestPurpose> {
    vec![
        tp("TP_SPDU_RCV_VALID_01", "A fresh SPDU carrying its signer certificate, issued under a trusted root with the PSID, is accepted.", valid_certificate),
        tp("TP_SPDU_RCV_VALID_02", "Once the signer certificate is known, an SPDU naming its signer by HashedId8 digest is accepted.", valid_digest),
        tp("TP_SPDU_RCV_VALID_03", "An accepted SPDU is reported with its PSID and its payload unchanged.", valid_reported),
        tp("TP_SPDU_RCV_SIG_01", "An SPDU whose signature value was altered is rejected.", sig_altered),
        tp("TP_SPDU_RCV_SIG_02", "An SPDU whose payload was altered after signing is rejected.", sig_payload_altered),
        tp("TP_SPDU_RCV_SIG_03", "An SPDU signed with a key other than the signer certificate's is rejected.", sig_wrong_key),
        tp("TP_SPDU_RCV_SIG_04", "A forged copy does not block the authentic SPDU: the forgery is rejected, the original then accepted.", sig_forgery_no_poison),
        tp("TP_SPDU_RCV_CHAIN_01", "An SPDU whose signer chains to a root that is not a trust anchor is rejected.", chain_foreign_root),
        tp("TP_SPDU_RCV_CHAIN_02", "An SPDU whose explicit signer certificate carries a corrupted issuer signature is rejected.", chain_bad_cert_signature),
        tp("TP_SPDU_RCV_CHAIN_03", "An SPDU signed by a self-signed certificate that is not a trust anchor is rejected.", chain_self_signed),
        tp("TP_SPDU_RCV_CHAIN_04", "An SPDU whose signer certificate names an issuer the device lacks is rejected, and the device asks for the issuer by P2PCD (its HashedId3).", chain_unknown_issuer),
        tp("TP_SPDU_RCV_CHAINLEN_01", "An SPDU whose chain has more CA certificates below the anchor than any profile allows (9) is rejected.", chain_too_long),
        tp("TP_SPDU_RCV_VALIDITY_01", "An SPDU generated before its signer certificate's validity starts is rejected.", validity_not_yet),
        tp("TP_SPDU_RCV_VALIDITY_02", "An SPDU generated after its signer certificate expired is rejected.", validity_expired),
        tp("TP_SPDU_RCV_VALIDITY_03", "An SPDU generated a minute before its signer certificate expires is accepted.", validity_last_minute),
        tp("TP_SPDU_RCV_REGION_01", "An SPDU generated outside its signer certificate's circular region is rejected.", region_outside),
        tp("TP_SPDU_RCV_REGION_02", "An SPDU generated inside its signer certificate's circular region is accepted.", region_inside),
        tp("TP_SPDU_RCV_PSID_01", "An SPDU whose PSID is not in its signer certificate's appPermissions is rejected.", psid_not_granted),
        tp("TP_SPDU_RCV_PSID_02", "An SPDU with another PSID the certificate grants (misbehavior, 38) is accepted.", psid_second),
        tp("TP_SPDU_RCV_SSP_01", "An SPDU whose message type the signer's SSP permits is accepted and reported with that SSP.", ssp_permitted),
        tp("TP_SPDU_RCV_SSP_02", "An SPDU whose message type the signer's SSP does not permit is rejected.", ssp_refused),
        tp("TP_SPDU_RCV_GENTIME_01", "An SPDU generated 60 s in the receiver's future is rejected.", gentime_future),
        tp("TP_SPDU_RCV_GENTIME_02", "An SPDU generated 10 minutes before reception is rejected as stale.", gentime_stale),
        tp("TP_SPDU_RCV_GENTIME_03", "An SPDU without generationTime is rejected.", gentime_missing),
        tp("TP_SPDU_RCV_GENTIME_04", "An SPDU generated 1 s before reception is accepted.", gentime_recent),
        tp("TP_SPDU_RCV_EXPIRY_01", "An SPDU whose expiryTime has passed is rejected.", expiry_passed),
        tp("TP_SPDU_RCV_EXPIRY_02", "An SPDU whose expiryTime is still ahead is accepted.", expiry_ahead),
        tp("TP_SPDU_RCV_REPLAY_01", "The same SPDU received twice: the second copy is rejected as a replay.", replay_twice),
        tp("TP_SPDU_RCV_REPLAY_02", "Two SPDUs with the same payload and different generation times are both accepted.", replay_distinct),
        tp("TP_SPDU_RCV_REVOKED_HASH_01", "After a hash-based CRL lists the signer certificate, its SPDUs are rejected.", revoked_hash_signer),
        tp("TP_SPDU_RCV_REVOKED_HASH_02", "After a hash-based CRL lists the issuing ACA, SPDUs of its pseudonyms are rejected.", revoked_hash_issuer),
        tp("TP_SPDU_RCV_REVOKED_HASH_03", "After a hash-based CRL, SPDUs of certificates it does not list are accepted.", revoked_hash_other),
        tp("TP_SPDU_RCV_REVOKED_LV_01", "After a linkage-based CRL, an SPDU of the revoked device's pseudonym of the current i-period is rejected.", revoked_lv_now),
        tp("TP_SPDU_RCV_REVOKED_LV_02", "After a linkage-based CRL, an SPDU of the revoked device's pseudonym of the next i-period is rejected.", revoked_lv_next),
        tp("TP_SPDU_RCV_REVOKED_LV_03", "After a linkage-based CRL, an SPDU of a pseudonym with another linkage value is accepted.", revoked_lv_innocent),
        tp("TP_SPDU_RCV_UNKNOWN_01", "An SPDU naming an unknown signer by digest is rejected and the device asks for it by P2PCD (its HashedId3).", unknown_signer),
        tp("TP_SPDU_RCV_P2PCD_01", "After an SPDU carrying the unknown certificate arrives, the digest-signed SPDUs of that signer are accepted.", p2pcd_learned),
        tp("TP_SPDU_RCV_P2PCD_02", "A received SPDU with a p2pcdLearningRequest for the device's own certificate makes its next SPDU carry that certificate.", p2pcd_answer),
        tp("TP_SPDU_RCV_NOTSIGNED_01", "An unsecuredData Ieee1609Dot2Data presented as an SPDU is rejected.", not_signed),
        tp("TP_SPDU_RCV_COER_01", "Malformed COER: empty input is rejected.", coer_empty),
        tp("TP_SPDU_RCV_COER_02", "Malformed COER: an SPDU missing its last octet is rejected.", coer_truncated_end),
        tp("TP_SPDU_RCV_COER_03", "Malformed COER: an SPDU cut in half is rejected.", coer_truncated_half),
        tp("TP_SPDU_RCV_COER_04", "Malformed COER: an SPDU followed by a trailing octet is rejected.", coer_trailing),
        tp("TP_SPDU_RCV_COER_05", "Malformed COER: protocolVersion 2 is rejected.", coer_version),
        tp("TP_SPDU_RCV_COER_06", "Malformed COER: an unknown Ieee1609Dot2Content alternative is rejected.", coer_choice),
        tp("TP_SPDU_RCV_COER_07", "Malformed COER: a length in long form where the short form fits (non-canonical) is rejected.", coer_long_form_length),
        tp("TP_SPDU_RCV_COER_08", "Malformed COER: a length of 2^31 octets, beyond the input, is rejected without exhausting memory.", coer_huge_length),
        tp("TP_SPDU_RCV_COER_09", "Malformed COER: a PSID integer with a superfluous leading zero octet is rejected.", coer_integer_leading_zero),
        tp("TP_SPDU_RCV_COER_10", "Malformed COER: a hashId outside the HashAlgorithm enumeration is rejected.", coer_enum),
        tp("TP_SPDU_RCV_COER_11", "Malformed COER: as many zero octets as a valid SPDU has are rejected.", coer_zeros),
        tp("TP_SPDU_RCV_COER_12", "Malformed COER: pseudo-random octets are rejected.", coer_random),
        tp("TP_SPDU_RCV_COER_13", "Malformed COER: a set padding bit in the headerInfo presence bitmap is rejected.", coer_padding_bit),
    ]
}

/// Verifies and requires acceptance.
pub fn accept(ctx: &mut Ctx<'_>, spdu: &[u8], now: Time64) -> TpResult {
    let a = ctx.verify(spdu, now)?;
    ensure!(
        a.accepted,
        "rejected ({}) where a conformant device accepts",
        a.reason
    );
    Ok(format!("accepted: {}", a.reason))
}

/// Verifies and requires rejection.
pub fn reject(ctx: &mut Ctx<'_>, spdu: &[u8], now: Time64) -> TpResult {
    let a = ctx.verify(spdu, now)?;
    ensure!(!a.accepted, "accepted where a conformant device rejects");
    Ok(format!("rejected: {}", a.reason))
}

/// A plain pseudonym, the device reset, a BSM at `at(0)` signed with the certificate.
fn setup_bsm(ctx: &mut Ctx<'_>) -> Result<(Identity, Vec<u8>, Time64), Stop> {
    ctx.reset_default()?;
    let w = ctx.world;
    let id = w.shared.clone();
    let t = w.at(0);
    let spdu = Stimulus::bsm(t).sign(&id)?;
    Ok((id, spdu, t))
}

fn valid_certificate(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu, t) = setup_bsm(ctx)?;
    accept(ctx, &spdu, t)
}

fn valid_digest(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, spdu, t) = setup_bsm(ctx)?;
    accept(ctx, &spdu, t)?;
    let mut s = Stimulus::bsm(t + 100_000);
    s.form = SignerForm::Digest;
    let d = s.sign(&id)?;
    accept(ctx, &d, t + 100_000)
}

fn valid_reported(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu, t) = setup_bsm(ctx)?;
    let a = ctx.verify(&spdu, t)?;
    ensure!(a.accepted, "rejected ({})", a.reason);
    ensure!(
        a.psid == Some(PSID_BSM),
        "reported PSID {:?}, sent {PSID_BSM}",
        a.psid
    );
    let sent = Stimulus::bsm(t).payload;
    ensure!(
        a.payload.as_deref() == Some(&sent[..]),
        "reported payload {:?} differs from the one sent",
        a.payload.as_ref().map(hex::encode)
    );
    Ok("accepted with PSID and payload".into())
}

fn sig_altered(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, mut spdu, t) = setup_bsm(ctx)?;
    let n = spdu.len();
    spdu[n - 1] ^= 0x01;
    reject(ctx, &spdu, t)
}

fn sig_payload_altered(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, mut spdu, t) = setup_bsm(ctx)?;
    let payload = Stimulus::bsm(t).payload;
    let Some(p) = find(&spdu, &payload) else {
        inconclusive!("payload not found in the stimulus");
    };
    spdu[p + payload.len() - 1] ^= 0x20;
    reject(ctx, &spdu, t)
}

fn sig_wrong_key(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let id = pseudonym(w)?;
    let other = fixture(SecretKey::generate(w.curve, &mut os_rng()).map_err(|e| e.to_string()))?;
    let t = w.at(0);
    let spdu = Stimulus::bsm(t).sign(&Identity {
        certificate: id.certificate,
        key: other,
    })?;
    reject(ctx, &spdu, t)
}

fn sig_forgery_no_poison(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu, t) = setup_bsm(ctx)?;
    let mut forged = spdu.clone();
    let n = forged.len();
    forged[n - 1] ^= 0x01;
    reject(ctx, &forged, t)?;
    accept(ctx, &spdu, t)
}

fn chain_foreign_root(ctx: &mut Ctx<'_>) -> TpResult {
    let w = ctx.world;
    let mut cas = w.cas();
    cas.extend(w.foreign.cas.iter().cloned());
    ctx.reset(&w.anchors(), &cas)?;
    let t = w.at(0);
    let spdu = Stimulus::bsm(t).sign(&w.foreign.leaf)?;
    reject(ctx, &spdu, t)
}

fn chain_bad_cert_signature(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let mut id = fixture(w.pseudonym(&PseudonymSpec {
        explicit: true,
        ..PseudonymSpec::default()
    }))?;
    // The certificate ends with its signature's s: flip its last bit.
    let n = id.certificate.len();
    id.certificate[n - 1] ^= 0x01;
    let t = w.at(0);
    let spdu = Stimulus::bsm(t).sign(&id)?;
    reject(ctx, &spdu, t)
}

fn chain_self_signed(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let t = w.at(0);
    // The foreign root signs for itself (its key is "foreign-0").
    let spdu = Stimulus::bsm(t).sign_with(&w.ks, "foreign-0", &w.foreign.anchor)?;
    reject(ctx, &spdu, t)
}

fn chain_unknown_issuer(ctx: &mut Ctx<'_>) -> TpResult {
    let w = ctx.world;
    // The ACA is withheld.
    ctx.reset(&w.anchors(), &[w.cert("ica"), w.cert("crl")])?;
    let id = pseudonym(w)?;
    let t = w.at(0);
    let spdu = Stimulus::bsm(t).sign(&id)?;
    let a = ctx.verify(&spdu, t)?;
    ensure!(!a.accepted, "accepted without the issuer certificate");
    let want = hashed_id3(&w.cert("aca"));
    ensure!(
        a.p2pcd == Some(want),
        "rejected ({}) but asks by P2PCD for {:?}, not the ACA's HashedId3 {}",
        a.reason,
        a.p2pcd.map(hex::encode),
        hex::encode(want)
    );
    Ok(format!("rejected, P2PCD request for {}", hex::encode(want)))
}

fn chain_too_long(ctx: &mut Ctx<'_>) -> TpResult {
    let w = ctx.world;
    ctx.reset(std::slice::from_ref(&w.deep.anchor), &w.deep.cas)?;
    let t = w.at(0);
    let spdu = Stimulus::bsm(t).sign(&w.deep.leaf)?;
    let r = reject(ctx, &spdu, t)?;
    Ok(format!(
        "{r} ({DEEP_CHAIN_CAS} CA certificates below the anchor)"
    ))
}

fn validity_not_yet(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let id = fixture(w.pseudonym(&PseudonymSpec {
        start_offset: 86_400,
        ..PseudonymSpec::default()
    }))?;
    let t = w.at(0);
    let spdu = Stimulus::bsm(t).sign(&id)?;
    reject(ctx, &spdu, t)
}

/// A pseudonym valid for one hour from T0 (so until `at(0)`).
fn one_hour(ctx: &mut Ctx<'_>) -> Result<Identity, Stop> {
    ctx.reset_default()?;
    fixture(ctx.world.pseudonym(&PseudonymSpec {
        hours: Some(1),
        ..PseudonymSpec::default()
    }))
}

fn validity_expired(ctx: &mut Ctx<'_>) -> TpResult {
    let id = one_hour(ctx)?;
    let t = ctx.world.at(600);
    let spdu = Stimulus::bsm(t).sign(&id)?;
    reject(ctx, &spdu, t)
}

fn validity_last_minute(ctx: &mut Ctx<'_>) -> TpResult {
    let id = one_hour(ctx)?;
    let t = ctx.world.at(-60);
    let spdu = Stimulus::bsm(t).sign(&id)?;
    accept(ctx, &spdu, t)
}

fn regional(ctx: &mut Ctx<'_>, north_km: f64) -> Result<(Vec<u8>, Time64), Stop> {
    let w = ctx.world;
    ctx.reset(std::slice::from_ref(&w.regional.anchor), &w.regional.cas)?;
    let t = w.at(0);
    let mut s = Stimulus::bsm(t);
    s.location = Some(
        Location {
            latitude: w.center.0 + north_km / 111.2,
            longitude: w.center.1,
            elevation: 0,
        }
        .to_asn1(),
    );
    Ok((s.sign(&w.regional.leaf)?, t))
}

fn region_outside(ctx: &mut Ctx<'_>) -> TpResult {
    // 45 km north: outside the leaf's 30 km (and the ACA's 40 km).
    let (spdu, t) = regional(ctx, 45.0)?;
    reject(ctx, &spdu, t)
}

fn region_inside(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, t) = regional(ctx, 8.0)?;
    accept(ctx, &spdu, t)
}

fn psid_not_granted(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, _, t) = setup_bsm(ctx)?;
    let mut s = Stimulus::bsm(t);
    s.psid = PSID_NOT_GRANTED;
    let spdu = s.sign(&id)?;
    reject(ctx, &spdu, t)
}

fn psid_second(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, _, t) = setup_bsm(ctx)?;
    let mut s = Stimulus::bsm(t);
    s.psid = crate::device::PSID_MISBEHAVIOR;
    let spdu = s.sign(&id)?;
    accept(ctx, &spdu, t)
}

/// A pseudonym granting BSM message type 0x01 only (SSP `01`).
fn ssp_bsm(ctx: &mut Ctx<'_>, kind: u8) -> Result<(Vec<u8>, Time64), Stop> {
    ctx.reset_default()?;
    let w = ctx.world;
    let id = fixture(w.pseudonym(&PseudonymSpec {
        ssp: Some(vec![0x01]),
        ..PseudonymSpec::default()
    }))?;
    let t = w.at(0);
    let mut s = Stimulus::bsm(t);
    s.payload[0] = kind;
    Ok((s.sign(&id)?, t))
}

fn ssp_permitted(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, t) = ssp_bsm(ctx, 0x01)?;
    let a = ctx.verify(&spdu, t)?;
    ensure!(a.accepted, "rejected ({})", a.reason);
    ensure!(
        a.ssp.as_deref() == Some(&[0x01][..]),
        "reported SSP {:?}, the certificate grants 01",
        a.ssp.as_ref().map(hex::encode)
    );
    Ok("accepted, SSP 01 reported".into())
}

fn ssp_refused(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, t) = ssp_bsm(ctx, 0x02)?;
    reject(ctx, &spdu, t)
}

fn at_offset(
    ctx: &mut Ctx<'_>,
    gen_offset_s: i64,
    receive_offset_s: i64,
) -> Result<(Vec<u8>, Time64), Stop> {
    let (id, _, _) = setup_bsm(ctx)?;
    let w = ctx.world;
    let spdu = Stimulus::bsm(w.at(gen_offset_s)).sign(&id)?;
    Ok((spdu, w.at(receive_offset_s)))
}

fn gentime_future(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, now) = at_offset(ctx, 60, 0)?;
    reject(ctx, &spdu, now)
}

fn gentime_stale(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, now) = at_offset(ctx, 0, 600)?;
    reject(ctx, &spdu, now)
}

fn gentime_recent(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, now) = at_offset(ctx, 0, 1)?;
    accept(ctx, &spdu, now)
}

fn gentime_missing(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, _, t) = setup_bsm(ctx)?;
    let mut s = Stimulus::bsm(t);
    s.generation_time = None;
    let spdu = s.sign(&id)?;
    reject(ctx, &spdu, t)
}

fn expiring(ctx: &mut Ctx<'_>, expiry_offset_us: i64) -> Result<(Vec<u8>, Time64), Stop> {
    let (id, _, t) = setup_bsm(ctx)?;
    let mut s = Stimulus::bsm(t);
    let receive = t + 2_000_000;
    s.expiry_time = Some((receive as i64 + expiry_offset_us) as u64);
    Ok((s.sign(&id)?, receive))
}

fn expiry_passed(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, now) = expiring(ctx, -1_000_000)?;
    reject(ctx, &spdu, now)
}

fn expiry_ahead(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, now) = expiring(ctx, 5_000_000)?;
    accept(ctx, &spdu, now)
}

fn replay_twice(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu, t) = setup_bsm(ctx)?;
    accept(ctx, &spdu, t)?;
    reject(ctx, &spdu, t + 500_000)
}

fn replay_distinct(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, spdu, t) = setup_bsm(ctx)?;
    accept(ctx, &spdu, t)?;
    let second = Stimulus::bsm(t + 100_000).sign(&id)?;
    accept(ctx, &second, t + 200_000)
}

/// Applies a hash CRL listing `certs`; a refusal is a failure.
fn apply_hash_crl(ctx: &mut Ctx<'_>, certs: &[&[u8]]) -> Result<(), Stop> {
    let w = ctx.world;
    let entries = certs
        .iter()
        .map(|c| hash_entry(c).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>();
    let body = CrlBody::Hash {
        delta: false,
        crl_serial: 1,
        entries: fixture(entries)?,
    };
    let crl = fixture(w.crl(&w.crl_header(), &body))?;
    let a = ctx.apply_crl(&crl, w.at(0), 0)?;
    ensure!(a.accepted, "a valid CRL was refused: {}", a.reason);
    Ok(())
}

fn revoked_hash_signer(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, spdu, t) = setup_bsm(ctx)?;
    apply_hash_crl(ctx, &[&id.certificate])?;
    reject(ctx, &spdu, t)
}

fn revoked_hash_issuer(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu, t) = setup_bsm(ctx)?;
    let aca = ctx.world.cert("aca");
    apply_hash_crl(ctx, &[&aca])?;
    reject(ctx, &spdu, t)
}

fn revoked_hash_other(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu, t) = setup_bsm(ctx)?;
    let other = pseudonym(ctx.world)?;
    apply_hash_crl(ctx, &[&other.certificate])?;
    accept(ctx, &spdu, t)
}

const I0: u16 = 100;
const LA1: LaId = LaId(0x0101);
const LA2: LaId = LaId(0x0202);

fn seeds() -> (LinkageSeed, LinkageSeed) {
    (
        LinkageSeed::from_bytes([0x11; 16]),
        LinkageSeed::from_bytes([0x22; 16]),
    )
}

fn lv(i: u16, j: u32) -> [u8; 9] {
    let (s1, s2) = seeds();
    let (a, b) = (s1.at(LA1, u32::from(i - I0)), s2.at(LA2, u32::from(i - I0)));
    *LinkageValue::compute(LA1, &a, LA2, &b, j).as_bytes()
}

/// The device reset with a linkage CRL revoking the seeds from i-period I0 applied.
fn linkage_revoked(ctx: &mut Ctx<'_>, linkage: (u16, [u8; 9])) -> Result<(Vec<u8>, Time64), Stop> {
    ctx.reset_default()?;
    let w = ctx.world;
    let id = fixture(w.pseudonym(&PseudonymSpec {
        linkage: Some(linkage),
        ..PseudonymSpec::default()
    }))?;
    let (s1, s2) = seeds();
    let body = CrlBody::Linkage {
        delta: false,
        i_rev: I0,
        index_within_i: 0,
        individual: vec![IndividualEntry {
            jmax: 20,
            la1_id: LA1.to_bytes(),
            la2_id: LA2.to_bytes(),
            i_max: I0 + 52,
            linkage_seed1: *s1.as_bytes(),
            linkage_seed2: *s2.as_bytes(),
        }],
        groups: vec![],
    };
    let crl = fixture(w.crl(&w.crl_header(), &body))?;
    let a = ctx.apply_crl(&crl, w.at(0), I0)?;
    ensure!(a.accepted, "a valid linkage CRL was refused: {}", a.reason);
    let t = w.at(0);
    Ok((Stimulus::bsm(t).sign(&id)?, t))
}

fn revoked_lv_now(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, t) = linkage_revoked(ctx, (I0, lv(I0, 3)))?;
    reject(ctx, &spdu, t)
}

fn revoked_lv_next(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, t) = linkage_revoked(ctx, (I0 + 1, lv(I0 + 1, 0)))?;
    reject(ctx, &spdu, t)
}

fn revoked_lv_innocent(ctx: &mut Ctx<'_>) -> TpResult {
    let (spdu, t) = linkage_revoked(ctx, (I0, [0x5a; 9]))?;
    accept(ctx, &spdu, t)
}

fn unknown_signer(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, _, t) = setup_bsm(ctx)?;
    let mut s = Stimulus::bsm(t);
    s.form = SignerForm::Digest;
    let spdu = s.sign(&id)?;
    let a = ctx.verify(&spdu, t)?;
    ensure!(
        !a.accepted,
        "accepted a digest of a certificate it never saw"
    );
    let want = hashed_id3(&id.certificate);
    ensure!(
        a.p2pcd == Some(want),
        "rejected ({}) without a P2PCD request for {}",
        a.reason,
        hex::encode(want)
    );
    Ok(format!("rejected, P2PCD request for {}", hex::encode(want)))
}

fn p2pcd_learned(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, with_cert, t) = setup_bsm(ctx)?;
    let mut s = Stimulus::bsm(t + 10_000);
    s.form = SignerForm::Digest;
    let digest = s.sign(&id)?;
    ensure!(
        !ctx.verify(&digest, t + 10_000)?.accepted,
        "accepted an unknown digest"
    );
    accept(ctx, &with_cert, t + 20_000)?;
    let mut s = Stimulus::bsm(t + 30_000);
    s.form = SignerForm::Digest;
    let later = s.sign(&id)?;
    accept(ctx, &later, t + 40_000)
}

fn p2pcd_answer(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let w = ctx.world;
    let own = pseudonym(w)?;
    let neighbour = pseudonym(w)?;
    ctx.load_identity(&own.certificate, &own.key)?;
    let t = w.at(0);
    let req = |t| crate::device::SignRequest {
        psid: PSID_BSM,
        payload: b"\x01own".to_vec(),
        generation_time: t,
        location: None,
        expiry_time: None,
        p2pcd_learning_request: None,
    };
    // First message carries the certificate; the next (within 1 s) a digest.
    ctx.sign(&req(t))?;
    let before = ctx.sign(&req(t + 100_000))?;
    ensure!(
        super::snd::signer_is_certificate(&before) == Some(false),
        "the device sent its certificate twice within 100 ms"
    );
    let mut s = Stimulus::bsm(t + 150_000);
    s.p2pcd_learning_request = Some(hashed_id3(&own.certificate));
    let asking = s.sign(&neighbour)?;
    accept(ctx, &asking, t + 150_000)?;
    let after = ctx.sign(&req(t + 200_000))?;
    ensure!(
        super::snd::signer_is_certificate(&after) == Some(true),
        "after a P2PCD learning request for its certificate the next SPDU names the signer by digest"
    );
    Ok("the next SPDU carries the requested certificate".into())
}

fn not_signed(ctx: &mut Ctx<'_>) -> TpResult {
    ctx.reset_default()?;
    let t = ctx.world.at(0);
    let spdu = fixture(scms_hsm::envelope::unsecured(b"\x01unsigned").map_err(|e| e.to_string()))?;
    reject(ctx, &spdu, t)
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A valid SPDU (device reset), mutated by `f`, must be rejected.
fn malformed(ctx: &mut Ctx<'_>, f: impl FnOnce(&[u8], &[u8]) -> Option<Vec<u8>>) -> TpResult {
    let (_, spdu, t) = setup_bsm(ctx)?;
    let payload = Stimulus::bsm(t).payload;
    let Some(bad) = f(&spdu, &payload) else {
        inconclusive!("the stimulus could not be built from the valid SPDU");
    };
    reject(ctx, &bad, t)
}

fn coer_empty(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |_, _| Some(Vec::new()))
}

fn coer_truncated_end(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, _| Some(s[..s.len() - 1].to_vec()))
}

fn coer_truncated_half(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, _| Some(s[..s.len() / 2].to_vec()))
}

fn coer_trailing(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, _| Some([s, &[0u8][..]].concat()))
}

fn coer_version(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, _| {
        let mut b = s.to_vec();
        b[0] = 2;
        Some(b)
    })
}

fn coer_choice(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, _| {
        let mut b = s.to_vec();
        b[1] = 0x8c;
        Some(b)
    })
}

/// Position of the payload's length octet (short form) in the SPDU.
fn payload_length_at(s: &[u8], payload: &[u8]) -> Option<usize> {
    let p = find(s, payload)?;
    (p > 0 && usize::from(s[p - 1]) == payload.len()).then_some(p - 1)
}

fn coer_long_form_length(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, p| {
        let at = payload_length_at(s, p)?;
        Some([&s[..at], &[0x81, s[at]][..], &s[at + 1..]].concat())
    })
}

fn coer_huge_length(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, p| {
        let at = payload_length_at(s, p)?;
        Some([&s[..at], &[0x84, 0x80, 0, 0, 0][..], &s[at + 1..]].concat())
    })
}

fn coer_integer_leading_zero(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, p| {
        // headerInfo follows the payload: presence bitmap, then psid (01 20).
        let end = find(s, p)? + p.len();
        (s.get(end + 1..end + 3)? == [0x01, PSID_BSM as u8]).then_some(())?;
        Some(
            [
                &s[..end + 1],
                &[0x02, 0x00, PSID_BSM as u8][..],
                &s[end + 3..],
            ]
            .concat(),
        )
    })
}

fn coer_enum(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, _| {
        let mut b = s.to_vec();
        b[2] = 0x7e;
        Some(b)
    })
}

fn coer_zeros(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, _| Some(vec![0u8; s.len()]))
}

fn coer_random(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, _| {
        // xorshift, fixed seed: the same stimulus in every run.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        Some(
            (0..s.len())
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 24) as u8
                })
                .collect(),
        )
    })
}

fn coer_padding_bit(ctx: &mut Ctx<'_>) -> TpResult {
    malformed(ctx, |s, p| {
        let end = find(s, p)? + p.len();
        let mut b = s.to_vec();
        // headerInfo's bitmap: extension bit, 6 optional fields, 1 padding bit.
        *b.get_mut(end)? |= 0x01;
        Some(b)
    })
}
