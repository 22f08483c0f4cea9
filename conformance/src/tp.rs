//! Test purposes: stable IDs, one-line purposes, groups, and the context a
//! test purpose runs in (the targets, the fixtures, the PDUs exchanged).

use crate::device::{Answer, Device, SignRequest};
use crate::fixtures::DeviceWorld;
use crate::scms::{HttpAnswer, Scms, ScmsSession};
use scms_asn1::ieee1609dot2::Time64;
use scms_ca::profile::Family;
use scms_crypto::suite::SecretKey;

/// How a test purpose ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Why a test purpose stopped before passing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    Fail(String),
    Inconclusive(String),
}

/// `Ok(reason)` is a pass.
pub type TpResult = Result<String, Stop>;

/// Fails the test purpose unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::tp::Stop::Fail(format!($($fmt)+)));
        }
    };
}

/// Ends the test purpose inconclusive.
#[macro_export]
macro_rules! inconclusive {
    ($($fmt:tt)+) => {
        return Err($crate::tp::Stop::Inconclusive(format!($($fmt)+)))
    };
}

/// The catalogue's groups, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    SpduSending,
    SpduReceiving,
    ProfilesLinting,
    Enrollment,
    Provisioning,
    Download,
    CrlCtl,
    Misbehavior,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::SpduSending => "SPDU sending",
            Group::SpduReceiving => "SPDU receiving",
            Group::ProfilesLinting => "Certificate profiles and issuance linting",
            Group::Enrollment => "Enrollment",
            Group::Provisioning => "Provisioning (original and unified butterfly)",
            Group::Download => "Download",
            Group::CrlCtl => "CRL and CTL",
            Group::Misbehavior => "Misbehavior reports",
        }
    }
}

/// What a test purpose drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// A device (OBU/RSU): `sdk`, `adapter:`, device mutants.
    Device,
    /// An SCMS through its /v3/ interfaces: `sdk` (our authorities in process), `http://`.
    Scms,
}

impl Needs {
    pub fn as_str(self) -> &'static str {
        match self {
            Needs::Device => "device",
            Needs::Scms => "scms",
        }
    }
}

pub struct TestPurpose {
    pub id: &'static str,
    pub group: Group,
    pub needs: Needs,
    pub purpose: &'static str,
    pub run: fn(&mut Ctx<'_>) -> TpResult,
}

/// One PDU sent to or received from the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// `"to_target"` or `"from_target"`.
    pub direction: &'static str,
    pub what: String,
    pub hex: String,
}

/// What a test purpose runs with.
pub struct Ctx<'a> {
    pub family: Family,
    pub device: Option<&'a mut dyn Device>,
    pub scms: Option<&'a mut dyn Scms>,
    pub world: &'a DeviceWorld,
    pub session: &'a mut ScmsSession,
    pub exchanges: Vec<Exchange>,
}

fn device_error(e: String) -> Stop {
    Stop::Inconclusive(format!("device error: {e}"))
}

impl<'a> Ctx<'a> {
    pub fn log(&mut self, direction: &'static str, what: impl Into<String>, bytes: &[u8]) {
        self.exchanges.push(Exchange {
            direction,
            what: what.into(),
            hex: hex::encode(bytes),
        });
    }

    fn dev(&mut self) -> Result<&mut (dyn Device + 'a), Stop> {
        match self.device.as_deref_mut() {
            Some(d) => Ok(d),
            None => Err(Stop::Inconclusive(
                "not applicable: the target is not a device".into(),
            )),
        }
    }

    /// Resets the device with the hierarchy's root and CA certificates.
    pub fn reset_default(&mut self) -> Result<(), Stop> {
        let (a, c) = (self.world.anchors(), self.world.cas());
        self.reset(&a, &c).map(|_| ())
    }

    pub fn reset(&mut self, anchors: &[Vec<u8>], certs: &[Vec<u8>]) -> Result<usize, Stop> {
        self.dev()?.reset(anchors, certs).map_err(device_error)
    }

    pub fn load_identity(&mut self, cert: &[u8], key: &SecretKey) -> Result<(), Stop> {
        self.dev()?.load_identity(cert, key).map_err(device_error)
    }

    pub fn sign(&mut self, req: &SignRequest) -> Result<Vec<u8>, Stop> {
        let out = self.dev()?.sign(req).map_err(device_error)?;
        self.log(
            "from_target",
            format!("signed SPDU (psid {})", req.psid),
            &out,
        );
        Ok(out)
    }

    pub fn p2pcd_request(&mut self, id3: [u8; 3]) -> Result<(), Stop> {
        self.log("to_target", "P2PCD request (HashedId3)", &id3);
        self.dev()?.p2pcd_request(id3).map_err(device_error)
    }

    pub fn verify(&mut self, spdu: &[u8], now: Time64) -> Result<Answer, Stop> {
        self.log("to_target", "SPDU to verify", spdu);
        self.dev()?.verify(spdu, now).map_err(device_error)
    }

    pub fn apply_crl(&mut self, crl: &[u8], now: Time64, current_i: u16) -> Result<Answer, Stop> {
        self.log("to_target", "CRL to apply", crl);
        self.dev()?
            .apply_crl(crl, now, current_i)
            .map_err(device_error)
    }

    pub fn report(
        &mut self,
        evidence: &[Vec<u8>],
        ma: &[u8],
        now: Time64,
    ) -> Result<Vec<u8>, Stop> {
        let r = self
            .dev()?
            .report(evidence, ma, now)
            .map_err(device_error)?;
        self.log("from_target", "misbehavior report", &r);
        Ok(r)
    }

    /// One call to the SCMS, logged; transport failures are inconclusive.
    pub fn http(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpAnswer, Stop> {
        if !body.is_empty() {
            self.log("to_target", format!("{method} {path}"), body);
        }
        let scms = match self.scms.as_deref_mut() {
            Some(s) => s,
            None => {
                return Err(Stop::Inconclusive(
                    "not applicable: the target is not an SCMS".into(),
                ))
            }
        };
        let a = scms
            .call(method, path, headers, body)
            .map_err(|e| Stop::Inconclusive(format!("{method} {path}: {e}")))?;
        self.log(
            "from_target",
            format!("{method} {path} -> {}", a.status),
            &a.body,
        );
        Ok(a)
    }

    /// GET of an interface that must answer 200; 404/405/501 mean the SCMS
    /// does not offer it (inconclusive).
    pub fn get_offered(&mut self, path: &str) -> Result<Vec<u8>, Stop> {
        let a = self.http("GET", path, &[], &[])?;
        offered(path, &a)?;
        if a.status != 200 {
            return Err(Stop::Fail(format!(
                "GET {path}: HTTP {} {}",
                a.status,
                a.text()
            )));
        }
        Ok(a.body)
    }
}

/// Inconclusive when the SCMS does not offer `path`: 405 or 501, or a 404
/// (only the download interface answers 404 itself, for a batch it does not
/// have, with a reason in the body; elsewhere a 404 means no such interface).
pub fn offered(path: &str, a: &HttpAnswer) -> Result<(), Stop> {
    let absent = match a.status {
        405 | 501 => true,
        404 => !(path.starts_with("/v3/authorization-certificate") && a.is_protocol_answer()),
        _ => false,
    };
    if absent {
        return Err(Stop::Inconclusive(format!(
            "the SCMS does not offer {path} (HTTP {})",
            a.status
        )));
    }
    Ok(())
}
