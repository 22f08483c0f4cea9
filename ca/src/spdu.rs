//! Signed SPDUs made by an authority: `Ieee1609Dot2Data` of `signedData` whose
//! payload is `data` of `unsecuredData` (the form of `Ieee1609Dot2Data-Signed`
//! of 1609.2.1, of `SecuredCrl`, and of the `CtlSignatureSpdu`), with a header
//! carrying only the PSID. The signing itself is `scms_hsm::spdu`.

use scms_asn1::codec::Octets;
use scms_asn1::ieee1609dot2::{
    HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid, SignedDataPayload, ToBeSignedData,
};
pub use scms_hsm::spdu::SignerForm;
use scms_hsm::KeyStore;

use crate::CaError;

/// Signs `payload` (carried as `unsecuredData`) with the key `label` whose
/// certificate is `signer_cert`; returns the COER `Ieee1609Dot2Data`.
pub fn signed_spdu(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    psid: Psid,
    payload: Vec<u8>,
    form: SignerForm,
) -> Result<Vec<u8>, CaError> {
    signed_with_header(ks, label, signer_cert, HeaderInfo::new(psid), payload, form)
}

/// [`signed_spdu`] with the header `header_info` (PSID, and perhaps a
/// generation time and other fields).
pub fn signed_with_header(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    header_info: HeaderInfo<'_>,
    payload: Vec<u8>,
    form: SignerForm,
) -> Result<Vec<u8>, CaError> {
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(Ieee1609Dot2Data::new(
                Ieee1609Dot2Content::UnsecuredData(Octets::from(payload)),
            ))),
            ext_data_hash: None,
            omitted: None,
            unknown_extensions: Default::default(),
        },
        header_info,
    };
    Ok(scms_hsm::spdu::signed_data(
        ks,
        label,
        signer_cert,
        tbs,
        form,
    )?)
}

/// Signs a CAMP `Scoped…` PDU between authorities as its `Signed…` SPDU
/// (`SCMS_SIGNED_PROFILE`: `SecurityMgmtPsid`, a header with the PSID only,
/// the signer's certificate carried in full).
pub fn scms_signed<T: scms_asn1::Encode>(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    scoped: &T,
) -> Result<Vec<u8>, CaError> {
    signed_spdu(
        ks,
        label,
        signer_cert,
        scms_asn1::camp::base_types::SECURITY_MGMT_PSID,
        scms_asn1::encode(scoped)?,
        SignerForm::Certificate,
    )
}

/// Signs a CAMP `Scoped…` PDU as its timed `Signed…` SPDU (`TIMED_PROFILE`:
/// the header also carries `generation_time`, Time64 microseconds, which the
/// receiver checks for freshness so that an old request cannot be replayed).
pub fn scms_signed_timed<T: scms_asn1::Encode>(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    scoped: &T,
    generation_time: u64,
) -> Result<Vec<u8>, CaError> {
    let mut header = HeaderInfo::new(scms_asn1::camp::base_types::SECURITY_MGMT_PSID);
    header.generation_time = Some(generation_time);
    signed_with_header(
        ks,
        label,
        signer_cert,
        header,
        scms_asn1::encode(scoped)?,
        SignerForm::Certificate,
    )
}

/// Signs `scoped` as [`scms_signed`] does, then encrypts the signed SPDU
/// to the encryption key of `recipient_cert` (`certRecipInfo`): the CAMP
/// `Secured…` form of a message that only its recipient may read: the MA's
/// `SecuredLSRequest` to an LA (encrypted to the LA certificate's
/// `encryptionKey`) and the LA's `SecuredLSReply` to the MA ("encrypted
/// using encryptionKey in MaCertificate"). Opened by
/// [`open_scms_signed_encrypted`].
pub fn scms_signed_encrypted<T: scms_asn1::Encode>(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    scoped: &T,
    recipient_cert: &[u8],
) -> Result<Vec<u8>, CaError> {
    let signed = scms_signed(ks, label, signer_cert, scoped)?;
    Ok(scms_hsm::envelope::encrypt_to_certificate(
        recipient_cert,
        &signed,
    )?)
}

/// Why a CAMP signed SPDU between authorities is refused.
#[derive(Debug)]
pub enum SpduRefusal {
    /// Not a signed SPDU of the expected profile (it does not decode, is not
    /// signed data, or its header does not fit): a malformed request.
    Malformed(String),
    /// Generated (Unix seconds) more than `max_skew_secs` from `now`: stale
    /// or replayed.
    Stale {
        generated: u64,
        now: scms_asn1::ieee1609dot2::Time32,
        max_skew_secs: u32,
    },
    /// Not encrypted (a signed SPDU where a `Secured…` one, signed then
    /// encrypted to the recipient's certificate, is expected).
    NotEncrypted,
    /// Encrypted, but it does not open with the recipient's key: encrypted
    /// to another key, damaged, or not an envelope this recipient can open.
    Decryption(scms_hsm::envelope::EnvelopeError),
    /// The signer's certificate chain or the signature does not verify.
    Untrusted(crate::aca::ChainError),
    /// The signer does not hold the SCMS role the request needs.
    WrongRole,
    /// These very bytes were accepted before (the receiver remembers every
    /// signed request until it would no longer verify,
    /// [`ScmsSigned::verifies_until`]): a replay. A sender that tries again
    /// signs again, which gives other bytes.
    Replayed,
}

impl SpduRefusal {
    /// The bytes are not an SPDU of the expected form (rather than one
    /// whose signer, freshness or recipient is refused): not decodable, not
    /// encrypted where it must be, an envelope that is not well formed (an
    /// unknown algorithm, a point not on the curve). Encrypted to another
    /// key or failing its tag is a refusal, as a bad signature is.
    pub fn is_malformed(&self) -> bool {
        use scms_hsm::envelope::EnvelopeError as E;
        match self {
            Self::Malformed(_) | Self::NotEncrypted => true,
            Self::Decryption(e) => match e {
                E::Malformed(_) | E::Unsupported(_) | E::Crypto(_) | E::Decode(_) => true,
                E::NotForUs | E::Authentication | E::KeyStore(_) | E::Encode(_) => false,
            },
            Self::Stale { .. } | Self::Untrusted(_) | Self::WrongRole | Self::Replayed => false,
        }
    }
}

impl core::fmt::Display for SpduRefusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "SPDU: {w}"),
            Self::Stale {
                generated,
                now,
                max_skew_secs,
            } => write!(
                f,
                "SPDU: generated {generated}, more than {max_skew_secs} s from now ({now}): stale or replayed"
            ),
            Self::NotEncrypted => f.write_str(
                "SPDU: not encrypted (expected signed, then encrypted to the recipient's certificate)",
            ),
            Self::Decryption(e) => write!(f, "SPDU: decryption: {e}"),
            Self::Untrusted(e) => write!(f, "{e}"),
            Self::WrongRole => f.write_str("the signer does not hold the SCMS role for this request"),
            Self::Replayed => {
                f.write_str("SPDU: this signed request was received before: replay refused")
            }
        }
    }
}

impl std::error::Error for SpduRefusal {}

/// A verified CAMP signed SPDU: the signer's certificate and the scoped PDU's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScmsSigned {
    pub signer: Vec<u8>,
    pub payload: Vec<u8>,
    /// The last second (Time32) at which these bytes still verify: the
    /// signer certificate's expiry, or for a timed SPDU the end of its
    /// freshness window if earlier. A receiver that refuses replays
    /// (`Store::first_sighting`) remembers the SPDU until then.
    pub verifies_until: scms_asn1::ieee1609dot2::Time32,
}

/// Verifies a CAMP `Signed…` SPDU between authorities at `now`: the profile
/// (`SCMS_SIGNED_PROFILE`), the signer certificate's chain in `trust` and its
/// allowlist of peers (`TrustStore::check_peer`), the
/// signature, and the signer's SCMS role (`role` on its `SecurityMgmtSsp`).
pub fn verify_scms_signed(
    trust: &crate::aca::TrustStore,
    bytes: &[u8],
    now: scms_asn1::ieee1609dot2::Time32,
    role: fn(&scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp) -> bool,
) -> Result<ScmsSigned, SpduRefusal> {
    verify_profile(
        trust,
        bytes,
        now,
        &scms_asn1::camp::base_types::SCMS_SIGNED_PROFILE,
        None,
        role,
    )
}

/// Opens an SPDU of [`scms_signed_encrypted`] addressed to `certificate`
/// (whose encryption key is `enc_key_label` in `ks`) and verifies the signed
/// SPDU inside as [`verify_scms_signed`] does. An SPDU that is not encrypted
/// ([`SpduRefusal::NotEncrypted`]), or encrypted to another key
/// ([`SpduRefusal::Decryption`]), is refused. Used both ways between the MA
/// and an LA: the `SecuredLSRequest` and the `SecuredLSReply`.
pub fn open_scms_signed_encrypted(
    ks: &dyn KeyStore,
    enc_key_label: &str,
    certificate: &[u8],
    trust: &crate::aca::TrustStore,
    bytes: &[u8],
    now: scms_asn1::ieee1609dot2::Time32,
    role: fn(&scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp) -> bool,
) -> Result<ScmsSigned, SpduRefusal> {
    let data: Ieee1609Dot2Data<'_> =
        scms_asn1::decode(bytes).map_err(|e| SpduRefusal::Malformed(e.to_string()))?;
    if !matches!(data.content, Ieee1609Dot2Content::EncryptedData(_)) {
        return Err(SpduRefusal::NotEncrypted);
    }
    let signed = scms_hsm::envelope::decrypt_for_certificate(
        scms_hsm::envelope::Decryptor::Store(ks, enc_key_label),
        certificate,
        &data,
    )
    .map_err(SpduRefusal::Decryption)?;
    verify_scms_signed(trust, &signed, now, role)
}

/// [`verify_scms_signed`] for a timed SPDU ([`scms_signed_timed`]): its
/// generation time must lie within `max_skew_secs` of `now`, either way.
pub fn verify_scms_signed_timed(
    trust: &crate::aca::TrustStore,
    bytes: &[u8],
    now: scms_asn1::ieee1609dot2::Time32,
    max_skew_secs: u32,
    role: fn(&scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp) -> bool,
) -> Result<ScmsSigned, SpduRefusal> {
    verify_profile(
        trust,
        bytes,
        now,
        &scms_asn1::camp::protocol::TIMED_PROFILE,
        Some(max_skew_secs),
        role,
    )
}

fn verify_profile(
    trust: &crate::aca::TrustStore,
    bytes: &[u8],
    now: scms_asn1::ieee1609dot2::Time32,
    profile: &scms_asn1::camp::base_types::SignedProfile,
    max_skew_secs: Option<u32>,
    role: fn(&scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp) -> bool,
) -> Result<ScmsSigned, SpduRefusal> {
    let malformed = |e: &dyn core::fmt::Display| SpduRefusal::Malformed(e.to_string());
    let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(bytes).map_err(|e| malformed(&e))?;
    let payload = scms_asn1::camp::base_types::scms_signed_payload(&data, profile)
        .map_err(|e| malformed(&e))?
        .to_vec();
    let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
        return Err(malformed(&"not signed data"));
    };
    let mut fresh_until = u64::MAX;
    if let Some(max_skew_secs) = max_skew_secs {
        // Present: the profile checked it.
        let generated = sd.tbs_data.header_info.generation_time.unwrap_or(0) / 1_000_000;
        if generated.abs_diff(u64::from(now)) > u64::from(max_skew_secs) {
            return Err(SpduRefusal::Stale {
                generated,
                now,
                max_skew_secs,
            });
        }
        fresh_until = generated + u64::from(max_skew_secs);
    }
    let signer = crate::aca::verify_signed_data(trust, sd, now).map_err(SpduRefusal::Untrusted)?;
    let cert: scms_asn1::ieee1609dot2::Certificate<'_> = scms_asn1::decode(&signer)
        .map_err(|e| SpduRefusal::Untrusted(crate::aca::ChainError(e.to_string())))?;
    trust.check_peer(&cert).map_err(SpduRefusal::Untrusted)?;
    if !crate::aca::has_scms_role(&cert, role) {
        return Err(SpduRefusal::WrongRole);
    }
    // The chain verified at `now`, so the certificate's end lies after it.
    let expires = scms_asn1::ieee1609dot2::time::validity_end(&cert.to_be_signed.validity_period);
    let verifies_until = expires.saturating_sub(1).min(fresh_until);
    Ok(ScmsSigned {
        signer,
        payload,
        verifies_until: u32::try_from(verifies_until).unwrap_or(u32::MAX),
    })
}

/// A CAMP `Hostname` (an authority's name in investigation answers).
pub fn hostname(name: &str) -> scms_asn1::ieee1609dot2::Hostname<'static> {
    scms_asn1::ieee1609dot2::Hostname(scms_asn1::codec::Utf8String(std::borrow::Cow::Owned(
        name.to_string(),
    )))
}
