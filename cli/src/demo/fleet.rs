//! The demo's vehicles: each enrolls with the ECA (trust bootstrapped from
//! the CTL the electors signed) and provisions pseudonyms for the current and
//! the next i-period from the RA, over HTTP with the SDK's clients.

use std::path::Path;
use std::time::Duration;

use indicatif::ProgressBar;
use scms_asn1::ieee1609dot2::Certificate;
use scms_ca::profile::Family;
use scms_crypto::suite::SecretKey;
use scms_hsm::MemoryKeyStore;
use scms_sdk::http::{EcaClient, RaClient};
use scms_sdk::provision::RequestParams;
use scms_sdk::{PseudonymPolicy, PseudonymPool, Verifier, VerifierConfig};
use zeroize::Zeroizing;

use super::authorities::Authorities;
use crate::device::{key_hex, write_secret};
use crate::serve::config::Role;
use crate::vehicle::{self, Provisioning};

/// The BSM PSID.
pub const BSM_PSID: u64 = 32;

/// Hours asked for: the current and the next i-period (168 h each).
const HOURS: u16 = 2 * 168;

/// How long a pseudonym signs before the vehicle changes it (simulated time):
/// shorter than the SDK's 5-minute default so a short run shows changes.
pub const CHANGE_INTERVAL_US: u64 = 30_000_000;

/// A pseudonym certificate with its private key as lowercase hex (export).
pub struct Pseudonym {
    pub i: u32,
    pub j: u32,
    pub certificate: Vec<u8>,
    pub key_hex: Zeroizing<String>,
}

pub struct Vehicle {
    pub n: usize,
    pub keys: MemoryKeyStore,
    enrollment_key_hex: Zeroizing<String>,
    pub enrollment: Vec<u8>,
    pub pseudonyms: Vec<Pseudonym>,
    pub pool: PseudonymPool,
    pub verifier: Verifier,
    provisioning: Option<Provisioning>,
}

pub struct Fleet {
    pub family: Family,
    pub vehicles: Vec<Vehicle>,
    /// The i-periods provisioned.
    pub i_periods: Vec<u32>,
    eca: EcaClient,
    ra: RaClient,
    ra_certificate: Vec<u8>,
    aca_certificate: Vec<u8>,
    electors: Vec<Vec<u8>>,
}

const LABEL: &str = "enrollment";

/// A receiver that trusts the root and knows the certificates under it
/// that sign what vehicles hear (the ICA, the ACA, the CRL signer).
pub fn receiver(net: &Authorities) -> Result<Verifier, String> {
    let mut v = Verifier::new(VerifierConfig::default());
    v.store
        .add_trust_anchor(net.certificate("root")?)
        .map_err(|e| format!("root: {e}"))?;
    for role in ["ica", "aca", "crl"] {
        let c: Certificate<'_> =
            scms_asn1::decode(net.certificate(role)?).map_err(|e| format!("{role}: {e}"))?;
        v.store
            .add_certificate(&c)
            .map_err(|e| format!("{role}: {e}"))?;
    }
    Ok(v)
}

impl Fleet {
    pub fn new(net: &Authorities, family: Family, n: usize) -> Result<Fleet, String> {
        let mut vehicles = Vec::with_capacity(n);
        for k in 0..n {
            vehicles.push(Vehicle {
                n: k,
                keys: MemoryKeyStore::new(),
                enrollment_key_hex: Zeroizing::new(String::new()),
                enrollment: Vec::new(),
                pseudonyms: Vec::new(),
                pool: PseudonymPool::new(PseudonymPolicy {
                    change_interval_us: CHANGE_INTERVAL_US,
                    change_at_trip_start: true,
                }),
                verifier: receiver(net)?,
                provisioning: None,
            });
        }
        let electors = net
            .hierarchy
            .certificates
            .iter()
            .filter(|(name, _)| name.starts_with("elector"))
            .map(|(_, c)| c.clone())
            .collect();
        Ok(Fleet {
            family,
            vehicles,
            i_periods: Vec::new(),
            eca: EcaClient::with_timeout(net.url(Role::Eca)?, Duration::from_secs(30)),
            ra: RaClient::with_timeout(net.url(Role::Ra)?, Duration::from_secs(30)),
            ra_certificate: net.certificate("ra")?.to_vec(),
            aca_certificate: net.certificate("aca")?.to_vec(),
            electors,
        })
    }

    /// Every vehicle enrolls.
    pub fn enroll(&mut self, bar: &ProgressBar) -> Result<(), String> {
        let curve = vehicle::curve(self.family);
        for v in &mut self.vehicles {
            let mut trust = vehicle::bootstrap_trust(&self.eca, &self.electors, &[])?;
            let key = SecretKey::generate(curve, &mut scms_crypto::suite::os_rng())
                .map_err(|e| e.to_string())?;
            v.enrollment_key_hex = key_hex(&key);
            v.keys.insert(LABEL, key).map_err(|e| e.to_string())?;
            let now = scms_ca::eca::system_now();
            v.enrollment = vehicle::enroll(self.family, &self.eca, &mut trust, &v.keys, LABEL, now)
                .map_err(|e| format!("vehicle {}: {e}", v.n))?;
            bar.inc(1);
        }
        Ok(())
    }

    /// Every vehicle asks the RA for two i-periods, then downloads both.
    pub fn provision(&mut self, bar: &ProgressBar) -> Result<(), String> {
        for v in &mut self.vehicles {
            let now = scms_ca::eca::system_now();
            let params = RequestParams {
                psids: vec![BSM_PSID],
                start: now,
                hours: HOURS,
                explicit: false,
            };
            let p = vehicle::request_pseudonyms(
                self.family,
                &self.ra,
                &self.ra_certificate,
                &v.keys,
                LABEL,
                &v.enrollment,
                &params,
                now,
            )
            .map_err(|e| format!("vehicle {}: {e}", v.n))?;
            v.provisioning = Some(p);
        }
        let mut periods = std::collections::BTreeSet::new();
        for v in &mut self.vehicles {
            let p = v
                .provisioning
                .take()
                .ok_or_else(|| format!("vehicle {}: no request", v.n))?;
            for i in p.first_i..p.first_i + p.i_count {
                let got = vehicle::download(
                    &p,
                    &self.ra,
                    &self.ra_certificate,
                    &self.aca_certificate,
                    &v.keys,
                    LABEL,
                    &v.enrollment,
                    i,
                    scms_ca::eca::system_now,
                    Duration::from_secs(60),
                    Duration::from_millis(100),
                )
                .map_err(|e| format!("vehicle {}: {e}", v.n))?;
                periods.insert(i);
                for ps in got {
                    let label = format!("{}_{}", ps.i, ps.j);
                    let hex = key_hex(&ps.key);
                    v.keys
                        .insert(&label, ps.key)
                        .map_err(|e| format!("vehicle {}: {e}", v.n))?;
                    v.pool
                        .add(ps.certificate.clone(), &label)
                        .map_err(|e| format!("vehicle {}: {e}", v.n))?;
                    v.pseudonyms.push(Pseudonym {
                        i: ps.i,
                        j: ps.j,
                        certificate: ps.certificate,
                        key_hex: hex,
                    });
                }
                bar.inc(1);
            }
        }
        self.i_periods = periods.into_iter().collect();
        Ok(())
    }

    pub fn pseudonym_count(&self) -> usize {
        self.vehicles.iter().map(|v| v.pseudonyms.len()).sum()
    }

    /// `DIR/devices/<n>/enrollment.oer|.key`, `DIR/devices/<n>/pseudonyms/<i>_<j>.oer|.key`.
    pub fn export(&self, dir: &Path) -> Result<(), String> {
        for v in &self.vehicles {
            let d = dir.join("devices").join(v.n.to_string());
            let p = d.join("pseudonyms");
            std::fs::create_dir_all(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let e = d.join("enrollment.oer");
            std::fs::write(&e, &v.enrollment).map_err(|err| format!("{}: {err}", e.display()))?;
            write_secret(&d.join("enrollment.key"), v.enrollment_key_hex.as_bytes())?;
            for ps in &v.pseudonyms {
                let stem = format!("{}_{}", ps.i, ps.j);
                let c = p.join(format!("{stem}.oer"));
                std::fs::write(&c, &ps.certificate)
                    .map_err(|err| format!("{}: {err}", c.display()))?;
                write_secret(&p.join(format!("{stem}.key")), ps.key_hex.as_bytes())?;
            }
        }
        Ok(())
    }
}
