//! `Ieee1609Dot2Crl` (IEEE 1609.2-2022 clause 7.4; major version 3, minor 2):
//! the secured CRL, an `Ieee1609Dot2Data` signed by the CRL signer over
//! `CrlContents`.
//!
//! The signature covers `SignedData.tbsData`, which is already kept with its
//! received bytes ([`ToBeSignedData`](super::dot2::ToBeSignedData) in a
//! [`Spanned`](crate::codec::Spanned)); `CrlContents` is not signed separately.

use arbitrary::Unstructured;

use super::base_types::Psid;
use super::crl_base_types::CrlContents;
use super::dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data, SignedData};
use crate::codec::{DecodeError, ErrorKind, Generate, Octets, Spanned};
use crate::Asn1;

/// `CrlPsid ::= Psid(256)`.
///
/// As a type of its own the single-value constraint makes it a fixed 2-byte
/// integer; inside a [`SecuredCrl`] the constraint is an inner subtype
/// constraint and the PSID keeps the `Psid` encoding (use [`CRL_PSID`] there).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(newtype, range(256..=256))]
pub struct CrlPsid(pub u64);

/// The PSID of CRLs, 256 (0x0100).
pub const CRL_PSID: Psid = Psid(256);

/// `SecuredCrl` (7.4): an `Ieee1609Dot2Data` whose content is `signedData`, whose
/// payload is `data` carrying `unsecuredData` that contains a COER `CrlContents`,
/// and whose header has PSID 256 and none of `generationTime`, `expiryTime`,
/// `generationLocation`, `p2pcdLearningRequest`, `missingCrlIdentifier`,
/// `encryptionKey`. All of this is checked when decoding and encoding.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_secured_crl", fixup = "fixup_secured_crl")]
pub struct SecuredCrl<'a>(pub Ieee1609Dot2Data<'a>);

impl<'a> SecuredCrl<'a> {
    /// The signed data (always present in a valid `SecuredCrl`).
    pub fn signed_data(&self) -> Option<&SignedData<'a>> {
        self.0.signed_data()
    }

    /// The bytes of the `unsecuredData` that contain the `CrlContents`.
    pub fn crl_contents_bytes(&self) -> Option<&[u8]> {
        let sd = self.0.signed_data()?;
        let inner = sd.tbs_data.payload.data.as_ref()?;
        match &inner.content {
            Ieee1609Dot2Content::UnsecuredData(o) => Some(o),
            _ => None,
        }
    }

    /// Decodes the `CrlContents` (the whole `unsecuredData` must be one).
    pub fn crl_contents(&self) -> Result<CrlContents, DecodeError> {
        let b = self.crl_contents_bytes().ok_or_else(|| {
            DecodeError::new(ErrorKind::Constraint("SecuredCrl without unsecuredData"), 0)
        })?;
        crate::decode(b)
    }
}

fn check_secured_crl(c: &SecuredCrl<'_>) -> Result<(), &'static str> {
    let sd =
        c.0.signed_data()
            .ok_or("SecuredCrl: content must be signedData")?;
    let tbs = &sd.tbs_data;
    let inner = tbs
        .payload
        .data
        .as_ref()
        .ok_or("SecuredCrl: payload must contain data")?;
    let Ieee1609Dot2Content::UnsecuredData(bytes) = &inner.content else {
        return Err("SecuredCrl: data must be unsecuredData");
    };
    if crate::decode::<CrlContents>(bytes).is_err() {
        return Err("SecuredCrl: unsecuredData must contain CrlContents");
    }
    let h = &tbs.header_info;
    if h.psid != CRL_PSID {
        return Err("SecuredCrl: psid must be 256");
    }
    if h.generation_time.is_some()
        || h.expiry_time.is_some()
        || h.generation_location.is_some()
        || h.p2pcd_learning_request.is_some()
        || h.missing_crl_identifier.is_some()
        || h.encryption_key.is_some()
    {
        return Err("SecuredCrl: headerInfo has a field that must be absent");
    }
    Ok(())
}

/// Turns a random value into a valid `SecuredCrl` for property tests.
fn fixup_secured_crl<'a>(
    c: &mut SecuredCrl<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    let mut sd = match &c.0.content {
        Ieee1609Dot2Content::SignedData(sd) => (**sd).clone(),
        _ => SignedData::generate(u)?,
    };
    let contents = CrlContents::generate(u)?;
    let bytes = crate::encode(&contents).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    let mut tbs = sd.tbs_data.value().clone();
    tbs.payload.data = Some(Box::new(Ieee1609Dot2Data::new(
        Ieee1609Dot2Content::UnsecuredData(Octets::from(bytes)),
    )));
    let h = &mut tbs.header_info;
    h.psid = CRL_PSID;
    h.generation_time = None;
    h.expiry_time = None;
    h.generation_location = None;
    h.p2pcd_learning_request = None;
    h.missing_crl_identifier = None;
    h.encryption_key = None;
    sd.tbs_data = Spanned::new(tbs);
    c.0 = Ieee1609Dot2Data::new(Ieee1609Dot2Content::SignedData(Box::new(sd)));
    Ok(())
}
