//! Signing SPDUs as a device (1609.2 clause 5.2.3): headerInfo with the PSID,
//! generation time and optionally location and expiry; the signer named by its
//! full certificate at most once per interval (1 s by default) or when a
//! neighbour needs it (P2PCD or a new neighbour), by digest otherwise. Our
//! signatures carry R as a compressed point, so receivers can batch-verify them.

use crate::store::HashedId8;
use scms_asn1::codec::Octets;
use scms_asn1::ieee1609dot2::{
    Certificate, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid, SignedDataPayload,
    ThreeDLocation, Time64, ToBeSignedData,
};
use scms_crypto::verify::certificate_hashed_id8;
use scms_hsm::spdu::{signed_data, SignerForm, SpduError};
use scms_hsm::KeyStore;

/// A message to sign.
#[derive(Clone, Debug)]
pub struct Message<'p> {
    pub psid: u64,
    pub payload: &'p [u8],
    pub generation_time: Time64,
    pub generation_location: Option<ThreeDLocation>,
    pub expiry_time: Option<Time64>,
    /// Ask neighbours for a certificate we lack (HashedId3 of it).
    pub p2pcd_learning_request: Option<[u8; 3]>,
}

/// The certificate and key a device signs with.
#[derive(Clone, Debug)]
pub struct SigningIdentity {
    pub certificate: Vec<u8>,
    pub hashed_id8: HashedId8,
    pub key_label: String,
}

impl SigningIdentity {
    pub fn new(certificate: Vec<u8>, key_label: impl Into<String>) -> Result<Self, SpduError> {
        let cert: Certificate<'_> = scms_asn1::decode(&certificate)?;
        let hashed_id8 = certificate_hashed_id8(&cert)?.0;
        Ok(Self {
            certificate,
            hashed_id8,
            key_label: key_label.into(),
        })
    }
}

/// Signs a stream of messages with one identity.
#[derive(Clone, Debug)]
pub struct Signer {
    pub identity: SigningIdentity,
    /// Minimum time between messages that carry the full certificate (µs).
    pub certificate_interval_us: u64,
    last_certificate_at: Option<Time64>,
    certificate_requested: bool,
}

impl Signer {
    pub fn new(identity: SigningIdentity) -> Self {
        Self {
            identity,
            certificate_interval_us: 1_000_000,
            last_certificate_at: None,
            certificate_requested: false,
        }
    }

    /// A neighbour asked (P2PCD) for a certificate by HashedId3: if it is ours,
    /// the next message carries it.
    pub fn on_p2pcd_request(&mut self, hashed_id3: [u8; 3]) {
        if self.identity.hashed_id8[5..] == hashed_id3 {
            self.certificate_requested = true;
        }
    }

    /// A new neighbour appeared: it does not know our certificate yet.
    pub fn on_new_neighbour(&mut self) {
        self.certificate_requested = true;
    }

    /// Whether the next message at `now` will carry the full certificate.
    pub fn sends_certificate_at(&self, now: Time64) -> bool {
        self.certificate_requested
            || self
                .last_certificate_at
                .is_none_or(|t| now.saturating_sub(t) >= self.certificate_interval_us)
    }

    /// Signs `msg`; returns the COER `Ieee1609Dot2Data`.
    pub fn sign(&mut self, keys: &dyn KeyStore, msg: &Message<'_>) -> Result<Vec<u8>, SpduError> {
        let mut header = HeaderInfo::new(Psid(msg.psid));
        header.generation_time = Some(msg.generation_time);
        header.generation_location = msg.generation_location;
        header.expiry_time = msg.expiry_time;
        header.p2pcd_learning_request = msg.p2pcd_learning_request;
        let tbs = ToBeSignedData {
            payload: SignedDataPayload {
                data: Some(Box::new(Ieee1609Dot2Data::new(
                    Ieee1609Dot2Content::UnsecuredData(Octets::from(msg.payload.to_vec())),
                ))),
                ext_data_hash: None,
                omitted: None,
                unknown_extensions: Default::default(),
            },
            header_info: header,
        };
        let with_cert = self.sends_certificate_at(msg.generation_time);
        let form = if with_cert {
            SignerForm::Certificate
        } else {
            SignerForm::Digest
        };
        let out = signed_data(
            keys,
            &self.identity.key_label,
            &self.identity.certificate,
            tbs,
            form,
        )?;
        if with_cert {
            self.last_certificate_at = Some(msg.generation_time);
            self.certificate_requested = false;
        }
        Ok(out)
    }
}
