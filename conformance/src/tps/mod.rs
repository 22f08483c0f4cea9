//! The catalogue: every test purpose with its stable ID. IDs follow ETSI TS
//! 103 096-2 style: `TP_<AREA>_<SND|RCV|...>_<TOPIC>_<NN>`; an ID is never
//! reused for another purpose.

pub mod crl_ctl;
pub mod enrollment;
pub mod mbr;
pub mod provisioning;
pub mod rcv;
pub mod scms_common;
pub mod snd;

use crate::fixtures::{DeviceWorld, Identity};
use crate::tp::{Stop, TestPurpose};
use scms_asn1::codec::Octets;
use scms_asn1::ieee1609dot2::{
    HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid, SignedDataPayload, ThreeDLocation,
    Time64, ToBeSignedData,
};
use scms_hsm::spdu::SignerForm;
use scms_hsm::MemoryKeyStore;

/// Every test purpose, grouped, in report order.
pub fn catalogue() -> Vec<TestPurpose> {
    let mut all = Vec::new();
    all.extend(snd::purposes());
    all.extend(rcv::purposes());
    all.extend(crl_ctl::profile_purposes());
    all.extend(enrollment::purposes());
    all.extend(provisioning::provisioning_purposes());
    all.extend(provisioning::download_purposes());
    all.extend(crl_ctl::purposes());
    all.extend(mbr::purposes());
    all.sort_by_key(|t| t.group);
    all
}

/// A stimulus SPDU built by the suite (the tester's own signer).
#[derive(Clone, Debug)]
pub struct Stimulus {
    pub psid: u64,
    pub payload: Vec<u8>,
    pub generation_time: Option<Time64>,
    pub location: Option<ThreeDLocation>,
    pub expiry_time: Option<Time64>,
    pub p2pcd_learning_request: Option<[u8; 3]>,
    pub form: SignerForm,
}

impl Stimulus {
    pub fn bsm(t: Time64) -> Self {
        Self {
            psid: crate::fixtures::PSID_BSM,
            payload: b"\x01conformance basic safety message".to_vec(),
            generation_time: Some(t),
            location: None,
            expiry_time: None,
            p2pcd_learning_request: None,
            form: SignerForm::Certificate,
        }
    }

    /// Signs with `id` (COER `Ieee1609Dot2Data`).
    pub fn sign(&self, id: &Identity) -> Result<Vec<u8>, Stop> {
        let ks = MemoryKeyStore::new();
        ks.insert("stimulus", id.key.clone())
            .map_err(|e| Stop::Inconclusive(format!("tester key: {e}")))?;
        self.sign_with(&ks, "stimulus", &id.certificate)
    }

    /// Signs with the key `label` of `ks` whose certificate is `cert`.
    pub fn sign_with(
        &self,
        ks: &dyn scms_hsm::KeyStore,
        label: &str,
        cert: &[u8],
    ) -> Result<Vec<u8>, Stop> {
        let mut header = HeaderInfo::new(Psid(self.psid));
        header.generation_time = self.generation_time;
        header.generation_location = self.location;
        header.expiry_time = self.expiry_time;
        header.p2pcd_learning_request = self.p2pcd_learning_request;
        let tbs = ToBeSignedData {
            payload: SignedDataPayload {
                data: Some(Box::new(Ieee1609Dot2Data::new(
                    Ieee1609Dot2Content::UnsecuredData(Octets::from(self.payload.clone())),
                ))),
                ext_data_hash: None,
                omitted: None,
                unknown_extensions: Default::default(),
            },
            header_info: header,
        };
        scms_hsm::spdu::signed_data(ks, label, cert, tbs, self.form)
            .map_err(|e| Stop::Inconclusive(format!("tester signing: {e}")))
    }
}

/// Fixture failures make a test purpose inconclusive (the tester, not the target, failed).
pub fn fixture<T>(r: Result<T, String>) -> Result<T, Stop> {
    r.map_err(|e| Stop::Inconclusive(format!("fixture: {e}")))
}

/// A fresh plain pseudonym of the world.
pub fn pseudonym(w: &DeviceWorld) -> Result<Identity, Stop> {
    fixture(w.plain_pseudonym())
}
