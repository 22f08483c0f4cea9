//! SPDU sending: the device signs with an identity the suite gives it; the
//! suite checks the SPDU (canonical COER, header, payload, signature, signer
//! identifier rules, P2PCD).

use super::fixture;
use crate::device::{Location, SignRequest};
use crate::ensure;
use crate::fixtures::{hashed_id3, Identity, PSID_BSM};
use crate::tp::{Ctx, Group, Needs, Stop, TestPurpose, TpResult};
use scms_asn1::ieee1609dot2::{
    HashAlgorithm, Ieee1609Dot2Content, Ieee1609Dot2Data, Signature, SignerIdentifier, Time64,
};
use scms_crypto::suite::Curve;

fn tp(id: &'static str, purpose: &'static str, run: fn(&mut Ctx<'_>) -> TpResult) -> TestPurpose {
    TestPurpose {
        id,
        group: Group::SpduSending,
        needs: Needs::Device,
        purpose,
        run,
    }
}

pub fn purposes() -> Vec<TestPurpose> {
    vec![
        tp("TP_SPDU_SND_COER_01", "The signed SPDU is canonical COER: it decodes strictly and re-encodes to the same octets.", coer_canonical),
        tp("TP_SPDU_SND_BASIC_01", "The SPDU is an Ieee1609Dot2Data of protocolVersion 3 with signedData content.", basic_structure),
        tp("TP_SPDU_SND_HDR_01", "headerInfo.psid is the PSID the application asked for.", hdr_psid),
        tp("TP_SPDU_SND_HDR_02", "headerInfo.generationTime is the time of signing.", hdr_generation_time),
        tp("TP_SPDU_SND_HDR_03", "headerInfo.generationLocation is the location given, when the application gives one.", hdr_location),
        tp("TP_SPDU_SND_HDR_04", "headerInfo.expiryTime is present and correct when the application asks for one.", hdr_expiry),
        tp("TP_SPDU_SND_PAYLOAD_01", "The payload is carried unchanged as unsecuredData.", payload_unchanged),
        tp("TP_SPDU_SND_SIG_01", "The signature verifies with the signing identity's public key over the 1609.2 signing input.", sig_verifies),
        tp("TP_SPDU_SND_SIG_02", "hashId and the signature algorithm fit the profile (SHA-256/ECDSA P-256 for us, SM3/SM2 for cn).", sig_algorithm),
        tp("TP_SPDU_SND_SIG_03", "A conformant receiver (the suite's reference verifier) trusting the root accepts the SPDU.", sig_reference_receiver),
        tp("TP_SPDU_SND_SIGNER_01", "The first SPDU after the identity is loaded carries the signer certificate.", signer_first_certificate),
        tp("TP_SPDU_SND_SIGNER_02", "An SPDU 100 ms after one carrying the certificate names the signer by its HashedId8 digest.", signer_digest_next),
        tp("TP_SPDU_SND_SIGNER_03", "More than one second after the last certificate, the SPDU carries the certificate again.", signer_certificate_again),
        tp("TP_SPDU_SND_P2PCD_01", "After a P2PCD request for its certificate's HashedId3, the next SPDU carries the certificate.", p2pcd_requested),
        tp("TP_SPDU_SND_P2PCD_02", "A p2pcdLearningRequest the application asks for is in headerInfo.", p2pcd_learning_request),
        tp("TP_SPDU_SND_P2PCD_03", "A P2PCD request for another certificate's HashedId3 does not make the next SPDU carry the certificate.", p2pcd_other),
    ]
}

/// Whether the (strictly decoded) SPDU names its signer by certificate.
pub fn signer_is_certificate(spdu: &[u8]) -> Option<bool> {
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(spdu).ok()?;
    match &d.content {
        Ieee1609Dot2Content::SignedData(sd) => {
            Some(matches!(sd.signer, SignerIdentifier::Certificate(_)))
        }
        _ => None,
    }
}

pub fn request(t: Time64) -> SignRequest {
    SignRequest {
        psid: PSID_BSM,
        payload: b"\x01device under test".to_vec(),
        generation_time: t,
        location: None,
        expiry_time: None,
        p2pcd_learning_request: None,
    }
}

/// Loads the shared pseudonym into the device and has it sign `req`.
fn signed(ctx: &mut Ctx<'_>, req: &SignRequest) -> Result<(Identity, Vec<u8>), Stop> {
    ctx.reset_default()?;
    let id = ctx.world.shared.clone();
    ctx.load_identity(&id.certificate, &id.key)?;
    let spdu = ctx.sign(req)?;
    Ok((id, spdu))
}

/// Decodes the device's SPDU strictly; a decoding failure is a failure of the target.
fn with_signed<T>(
    spdu: &[u8],
    f: impl FnOnce(&scms_asn1::ieee1609dot2::SignedData<'_>) -> T,
) -> Result<T, Stop> {
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(spdu)
        .map_err(|e| Stop::Fail(format!("the SPDU is not canonical COER: {e}")))?;
    match &d.content {
        Ieee1609Dot2Content::SignedData(sd) => Ok(f(sd)),
        _ => Err(Stop::Fail("the SPDU is not signedData".into())),
    }
}

fn coer_canonical(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu) = signed(ctx, &request(ctx.world.at(0)))?;
    let d: Ieee1609Dot2Data<'_> =
        scms_asn1::decode(&spdu).map_err(|e| Stop::Fail(format!("strict COER decoding: {e}")))?;
    let again = scms_asn1::encode(&d).map_err(|e| Stop::Fail(format!("re-encoding: {e}")))?;
    ensure!(
        again == spdu,
        "re-encoding gives other octets: not canonical"
    );
    Ok(format!("{} octets, canonical", spdu.len()))
}

fn basic_structure(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu) = signed(ctx, &request(ctx.world.at(0)))?;
    let d: Ieee1609Dot2Data<'_> =
        scms_asn1::decode(&spdu).map_err(|e| Stop::Fail(format!("decoding: {e}")))?;
    ensure!(
        d.protocol_version == 3,
        "protocolVersion {}",
        d.protocol_version
    );
    ensure!(
        matches!(d.content, Ieee1609Dot2Content::SignedData(_)),
        "content is not signedData"
    );
    Ok("protocolVersion 3, signedData".into())
}

fn hdr_psid(ctx: &mut Ctx<'_>) -> TpResult {
    let mut r = request(ctx.world.at(0));
    r.psid = crate::device::PSID_MISBEHAVIOR;
    let (_, spdu) = signed(ctx, &r)?;
    let psid = with_signed(&spdu, |sd| sd.tbs_data.header_info.psid.0)?;
    ensure!(psid == r.psid, "psid {psid}, asked {}", r.psid);
    Ok(format!("psid {psid}"))
}

fn hdr_generation_time(ctx: &mut Ctx<'_>) -> TpResult {
    let r = request(ctx.world.at(0));
    let (_, spdu) = signed(ctx, &r)?;
    let g = with_signed(&spdu, |sd| sd.tbs_data.header_info.generation_time)?;
    ensure!(
        g == Some(r.generation_time),
        "generationTime {g:?}, signed at {}",
        r.generation_time
    );
    Ok("generationTime as given".into())
}

fn hdr_location(ctx: &mut Ctx<'_>) -> TpResult {
    let mut r = request(ctx.world.at(0));
    let loc = Location {
        latitude: 42.3314,
        longitude: -83.0458,
        elevation: 190,
    };
    r.location = Some(loc);
    let (_, spdu) = signed(ctx, &r)?;
    let got = with_signed(&spdu, |sd| sd.tbs_data.header_info.generation_location)?;
    ensure!(
        got == Some(loc.to_asn1()),
        "generationLocation {got:?}, given {:?}",
        loc.to_asn1()
    );
    Ok("generationLocation as given".into())
}

fn hdr_expiry(ctx: &mut Ctx<'_>) -> TpResult {
    let mut r = request(ctx.world.at(0));
    r.expiry_time = Some(r.generation_time + 5_000_000);
    let (_, spdu) = signed(ctx, &r)?;
    let e = with_signed(&spdu, |sd| sd.tbs_data.header_info.expiry_time)?;
    ensure!(
        e == r.expiry_time,
        "expiryTime {e:?}, asked {:?}",
        r.expiry_time
    );
    Ok("expiryTime as asked".into())
}

fn payload_unchanged(ctx: &mut Ctx<'_>) -> TpResult {
    let r = request(ctx.world.at(0));
    let (_, spdu) = signed(ctx, &r)?;
    let p = with_signed(&spdu, |sd| {
        match sd.tbs_data.payload.data.as_deref().map(|d| &d.content) {
            Some(Ieee1609Dot2Content::UnsecuredData(o)) => Some(o.to_vec()),
            _ => None,
        }
    })?;
    ensure!(
        p.as_deref() == Some(&r.payload[..]),
        "payload {:?}",
        p.map(hex::encode)
    );
    Ok("payload unchanged".into())
}

fn sig_verifies(ctx: &mut Ctx<'_>) -> TpResult {
    let (id, spdu) = signed(ctx, &request(ctx.world.at(0)))?;
    let key = id.key.public_key();
    let r = with_signed(&spdu, |sd| {
        scms_crypto::verify::verify_signed_data_with_key(sd, &key, &id.certificate)
    })?;
    ensure!(r.is_ok(), "the signature does not verify: {:?}", r.err());
    Ok("signature verifies".into())
}

fn sig_algorithm(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu) = signed(ctx, &request(ctx.world.at(0)))?;
    let (hash, sig_ok) = with_signed(&spdu, |sd| {
        (
            sd.hash_id,
            match ctx.world.curve {
                Curve::Sm2 => matches!(sd.signature, Signature::Sm2Signature(_)),
                _ => matches!(sd.signature, Signature::EcdsaNistP256Signature(_)),
            },
        )
    })?;
    let want = match ctx.world.curve {
        Curve::Sm2 => HashAlgorithm::Sm3,
        _ => HashAlgorithm::Sha256,
    };
    ensure!(hash == want, "hashId {hash:?}, the profile needs {want:?}");
    ensure!(sig_ok, "signature algorithm not the profile's");
    Ok(format!("{want:?}"))
}

fn sig_reference_receiver(ctx: &mut Ctx<'_>) -> TpResult {
    let r = request(ctx.world.at(0));
    let (_, spdu) = signed(ctx, &r)?;
    let w = ctx.world;
    let mut reference = crate::device::SdkDevice::new();
    fixture(crate::device::Device::reset(
        &mut reference,
        &w.anchors(),
        &w.cas(),
    ))?;
    let a = fixture(crate::device::Device::verify(
        &mut reference,
        &spdu,
        r.generation_time,
    ))?;
    ensure!(
        a.accepted,
        "the reference verifier rejects it: {}",
        a.reason
    );
    Ok("accepted by the reference verifier".into())
}

fn signer_first_certificate(ctx: &mut Ctx<'_>) -> TpResult {
    let (_, spdu) = signed(ctx, &request(ctx.world.at(0)))?;
    ensure!(
        with_signed(&spdu, |sd| matches!(
            sd.signer,
            SignerIdentifier::Certificate(_)
        ))?,
        "the first SPDU does not carry the certificate"
    );
    Ok("certificate".into())
}

fn signer_digest_next(ctx: &mut Ctx<'_>) -> TpResult {
    let t = ctx.world.at(0);
    let (id, _) = signed(ctx, &request(t))?;
    let second = ctx.sign(&request(t + 100_000))?;
    let want = id.hashed_id8();
    let signer = with_signed(&second, |sd| match &sd.signer {
        SignerIdentifier::Digest(d) => Some(*d),
        _ => None,
    })?;
    ensure!(
        signer == Some(want),
        "signer {:?}, expected digest {}",
        signer.map(hex::encode),
        hex::encode(want)
    );
    Ok(format!("digest {}", hex::encode(want)))
}

fn signer_certificate_again(ctx: &mut Ctx<'_>) -> TpResult {
    let t = ctx.world.at(0);
    signed(ctx, &request(t))?;
    ctx.sign(&request(t + 100_000))?;
    let later = ctx.sign(&request(t + 1_100_000))?;
    ensure!(
        with_signed(&later, |sd| matches!(
            sd.signer,
            SignerIdentifier::Certificate(_)
        ))?,
        "1.1 s after the last certificate the SPDU still names a digest"
    );
    Ok("certificate again".into())
}

fn p2pcd_requested(ctx: &mut Ctx<'_>) -> TpResult {
    let t = ctx.world.at(0);
    let (id, _) = signed(ctx, &request(t))?;
    ctx.p2pcd_request(hashed_id3(&id.certificate))?;
    let next = ctx.sign(&request(t + 100_000))?;
    ensure!(
        with_signed(&next, |sd| matches!(
            sd.signer,
            SignerIdentifier::Certificate(_)
        ))?,
        "the SPDU after the P2PCD request names a digest"
    );
    Ok("certificate sent on request".into())
}

fn p2pcd_learning_request(ctx: &mut Ctx<'_>) -> TpResult {
    let mut r = request(ctx.world.at(0));
    r.p2pcd_learning_request = Some([0xa1, 0xb2, 0xc3]);
    let (_, spdu) = signed(ctx, &r)?;
    let got = with_signed(&spdu, |sd| sd.tbs_data.header_info.p2pcd_learning_request)?;
    ensure!(
        got == r.p2pcd_learning_request,
        "p2pcdLearningRequest {got:?}"
    );
    Ok("p2pcdLearningRequest a1b2c3".into())
}

fn p2pcd_other(ctx: &mut Ctx<'_>) -> TpResult {
    let t = ctx.world.at(0);
    let (id, _) = signed(ctx, &request(t))?;
    let mut other = hashed_id3(&id.certificate);
    other[0] ^= 0xff;
    ctx.p2pcd_request(other)?;
    let next = ctx.sign(&request(t + 100_000))?;
    ensure!(
        with_signed(&next, |sd| matches!(sd.signer, SignerIdentifier::Digest(_)))?,
        "a request for another certificate made the device send its own"
    );
    Ok("digest".into())
}
