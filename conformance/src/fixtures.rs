//! The stimuli's raw material, minted by our CA crate for each run: a
//! hierarchy of the profile family (root, ICA, ACA, CRL signer, MA...),
//! pseudonyms (implicit or explicit, with linkage data, SSPs, short
//! validity), a regional chain (circles), a chain too deep, a foreign root,
//! and signed CRLs. Device test purposes run at a fixed time ([`T0_UNIX`]).

use crate::device::family_curve;
use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::{Certificate, Psid, Time32, Time64};
use scms_ca::crl::{crl_contents, sign_crl, CrlBody, CrlHeader};
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::issue::{issue, issue_self_signed, IssueParams, IssuerRef, SubjectId};
use scms_ca::profile::{builtin, CertKind, DurationSpec, Family, PsidSspSpec, RegionSpec, SspSpec};
use scms_ca::spdu::{signed_spdu, SignerForm};
use scms_crypto::ecqv;
use scms_crypto::suite::{os_rng, Curve, EcPoint, SecretKey};
use scms_crypto::verify::certificate_hashed_id8;
use scms_hsm::{KeyStore, MemoryKeyStore};

/// 2026-01-01 00:00:00 UTC: the hierarchy's issuance time in device test purposes.
pub const T0_UNIX: i64 = 1_767_225_600;

/// PSIDs used by the stimuli.
pub const PSID_BSM: u64 = 32;
pub const PSID_CRL: u64 = 256;
pub const PSID_NOT_GRANTED: u64 = 0x20_40_97;

/// Chain depth of [`DeviceWorld::deep`]: CA certificates between the anchor and the signer.
pub const DEEP_CHAIN_CAS: usize = 9;

/// A certificate and its private key.
#[derive(Clone, Debug)]
pub struct Identity {
    pub certificate: Vec<u8>,
    pub key: SecretKey,
}

impl Identity {
    pub fn hashed_id8(&self) -> [u8; 8] {
        hashed_id8(&self.certificate)
    }
}

/// HashedId8 of a COER certificate (all-zero if it does not decode).
pub fn hashed_id8(cert: &[u8]) -> [u8; 8] {
    scms_asn1::decode::<Certificate<'_>>(cert)
        .ok()
        .and_then(|c| certificate_hashed_id8(&c).ok())
        .map(|h| h.0)
        .unwrap_or_default()
}

pub fn hashed_id3(cert: &[u8]) -> [u8; 3] {
    let h = hashed_id8(cert);
    [h[5], h[6], h[7]]
}

/// A chain outside the built-in hierarchy: anchor, CA certificates (issuers
/// first) and an end entity.
pub struct Chain {
    pub anchor: Vec<u8>,
    pub cas: Vec<Vec<u8>>,
    pub leaf: Identity,
}

pub struct DeviceWorld {
    pub family: Family,
    pub curve: Curve,
    pub ks: MemoryKeyStore,
    pub h: Hierarchy,
    pub t0: Time32,
    /// root 60 km, ICA 50 km, ACA 40 km, leaf 30 km around Detroit (US) or Beijing (CN).
    pub regional: Chain,
    pub center: (f64, f64),
    /// root, [`DEEP_CHAIN_CAS`] ICAs, leaf.
    pub deep: Chain,
    /// A hierarchy the device does not trust.
    pub foreign: Chain,
    /// A plain pseudonym shared by the test purposes that need any one (each
    /// resets the device first, so sharing it carries no state over).
    pub shared: Identity,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl DeviceWorld {
    pub fn new(family: Family) -> Result<Self, String> {
        let ks = MemoryKeyStore::new();
        let t0 = time32_from_unix(T0_UNIX);
        let h = build(&ks, &HierarchyOptions::new(family, t0)).map_err(err)?;
        let curve = family_curve(family);
        let center = match family {
            Family::Us => (42.33, -83.05),
            Family::Cn => (39.90, 116.40),
        };
        let circle = |radius| {
            Some(RegionSpec::Circular {
                latitude: center.0,
                longitude: center.1,
                radius,
            })
        };
        let regional = custom_chain(
            &ks,
            family,
            t0,
            "regional",
            &[
                ("root", circle(60_000)),
                ("ica", circle(50_000)),
                ("aca", circle(40_000)),
            ],
            circle(30_000),
        )?;
        let mut levels: Vec<(&str, Option<RegionSpec>)> = vec![("root", None)];
        levels.extend(std::iter::repeat_n(("ica", None), DEEP_CHAIN_CAS - 1));
        levels.push(("aca", None));
        let deep = custom_chain(&ks, family, t0, "deep", &levels, None)?;
        let foreign = custom_chain(
            &ks,
            family,
            t0,
            "foreign",
            &[("root", None), ("ica", None), ("aca", None)],
            None,
        )?;
        let mut w = Self {
            family,
            curve,
            ks,
            h,
            t0,
            regional,
            center,
            deep,
            foreign,
            shared: Identity {
                certificate: Vec::new(),
                key: SecretKey::generate(curve, &mut os_rng()).map_err(err)?,
            },
        };
        w.shared = w.plain_pseudonym()?;
        Ok(w)
    }

    /// A Time64 `s` seconds after the hierarchy's first hour.
    pub fn at(&self, s: i64) -> Time64 {
        ((i64::from(self.t0) + 3600 + s) as u64) * 1_000_000
    }

    pub fn cert(&self, role: &str) -> Vec<u8> {
        self.h
            .certificate(role)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    /// The device's trust anchors and the CA certificates it is given.
    pub fn anchors(&self) -> Vec<Vec<u8>> {
        vec![self.cert("root")]
    }

    pub fn cas(&self) -> Vec<Vec<u8>> {
        ["ica", "aca", "crl"].iter().map(|r| self.cert(r)).collect()
    }

    /// A pseudonym issued by the ACA. `start_offset` moves its validity start
    /// (seconds from T0); `hours` overrides the week.
    pub fn pseudonym(&self, p: &PseudonymSpec) -> Result<Identity, String> {
        let mut profile = builtin(self.family, "pseudonym").map_err(err)?;
        if let Some(ssp) = &p.ssp {
            profile.app_permissions = vec![
                PsidSspSpec {
                    psid: PSID_BSM,
                    ssp: Some(SspSpec::Opaque(hex::encode(ssp))),
                },
                PsidSspSpec {
                    psid: scms_ca::profile::PSID_MISBEHAVIOR,
                    ssp: None,
                },
            ];
        }
        if let Some(h) = p.hours {
            profile.validity.duration = DurationSpec::Hours(h);
        }
        let request = SecretKey::generate(self.curve, &mut os_rng()).map_err(err)?;
        let id = match p.linkage {
            Some((i_cert, linkage_value)) => SubjectId::Linkage {
                i_cert,
                linkage_value,
            },
            None => SubjectId::None,
        };
        let now = (i64::from(self.t0) + p.start_offset) as Time32;
        let mut params = IssueParams::new(&profile, id, request.public_key(), now);
        params.craca_id = self.h.craca_id().map_err(err)?;
        if p.explicit {
            params.kind = Some(CertKind::Explicit);
        }
        let aca_ref = self.h.issuer_ref("aca").map_err(err)?;
        let issued = issue(&self.ks, &aca_ref, &params).map_err(err)?;
        let key = match &issued.reconstruction {
            Some(s) => {
                let cert: Certificate<'_> = scms_asn1::decode(issued.certificate()).map_err(err)?;
                let tbs = cert.to_be_signed.to_bytes().map_err(err)?;
                let e = ecqv::certificate_e(self.curve, &tbs, aca_ref.certificate);
                ecqv::reconstruct_private_key(&request, &e, s).map_err(err)?
            }
            None => request,
        };
        Ok(Identity {
            certificate: issued.certificate().to_vec(),
            key,
        })
    }

    pub fn plain_pseudonym(&self) -> Result<Identity, String> {
        self.pseudonym(&PseudonymSpec::default())
    }

    /// The CRL header of series 1 for the root CRACA.
    pub fn crl_header(&self) -> CrlHeader {
        CrlHeader {
            series: 1,
            craca: hashed_id8(&self.cert("root")),
            issue_date: self.t0 + 60,
            next_crl: self.t0 + 7 * 86_400,
            priority: None,
        }
    }

    /// A CRL signed by the hierarchy's CRL signer.
    pub fn crl(&self, header: &CrlHeader, body: &CrlBody) -> Result<Vec<u8>, String> {
        let r = self.h.issuer_ref("crl").map_err(err)?;
        Ok(
            sign_crl(&self.ks, &r, header, body, SignerForm::Certificate)
                .map_err(err)?
                .bytes,
        )
    }

    /// CRL contents signed by any role of the hierarchy, bypassing the CRL
    /// signer's own checks (stimuli of CRLs a device must refuse).
    pub fn crl_signed_by(
        &self,
        role: &str,
        header: &CrlHeader,
        body: &CrlBody,
    ) -> Result<Vec<u8>, String> {
        let r = self.h.issuer_ref(role).map_err(err)?;
        let payload = scms_asn1::encode(&crl_contents(header, body)).map_err(err)?;
        signed_spdu(
            &self.ks,
            r.key_label,
            r.certificate,
            Psid(PSID_CRL),
            payload,
            SignerForm::Certificate,
        )
        .map_err(err)
    }

    /// The MA certificate (with its encryption key) and the key store holding
    /// its decryption key under [`Self::ma_enc_label`].
    pub fn ma_enc_label(&self) -> String {
        format!("{}-enc", self.h.key_labels["ma"])
    }
}

/// What pseudonym to issue.
#[derive(Clone, Debug, Default)]
pub struct PseudonymSpec {
    pub linkage: Option<(u16, [u8; 9])>,
    pub explicit: bool,
    pub ssp: Option<Vec<u8>>,
    pub start_offset: i64,
    pub hours: Option<u16>,
}

/// A chain of `levels` (role profile, region) with a leaf of the pseudonym
/// profile (explicit), keys in `ks` under `<prefix>-<n>`.
fn custom_chain(
    ks: &MemoryKeyStore,
    family: Family,
    t0: Time32,
    prefix: &str,
    levels: &[(&str, Option<RegionSpec>)],
    leaf_region: Option<RegionSpec>,
) -> Result<Chain, String> {
    let curve = family_curve(family);
    let mut chain: Vec<(String, Vec<u8>)> = Vec::new();
    for (n, (role, region)) in levels.iter().enumerate() {
        let mut profile = builtin(family, role).map_err(err)?;
        if region.is_some() {
            profile.region = region.clone();
        }
        let label = format!("{prefix}-{n}");
        let key = ks.generate(&label, curve).map_err(err)?;
        let public = EcPoint::from_sec1(curve, &key.public_key).map_err(err)?;
        let params = IssueParams::new(
            &profile,
            SubjectId::Name(format!("{prefix}{n}.conformance.invalid")),
            public,
            t0,
        );
        let issued = match chain.last() {
            None => issue_self_signed(ks, &label, &params),
            Some((l, cert)) => issue(
                ks,
                &IssuerRef {
                    certificate: cert,
                    key_label: l,
                },
                &params,
            ),
        }
        .map_err(|e| format!("{prefix} {role} {n}: {e}"))?;
        chain.push((label, issued.certificate().to_vec()));
    }
    let mut profile = builtin(family, "pseudonym").map_err(err)?;
    if leaf_region.is_some() {
        profile.region = leaf_region;
    }
    let key = SecretKey::generate(curve, &mut os_rng()).map_err(err)?;
    let mut params = IssueParams::new(&profile, SubjectId::None, key.public_key(), t0);
    params.kind = Some(CertKind::Explicit);
    let (label, issuer) = chain.last().ok_or("empty chain")?;
    let leaf = issue(
        ks,
        &IssuerRef {
            certificate: issuer,
            key_label: label,
        },
        &params,
    )
    .map_err(|e| format!("{prefix} leaf: {e}"))?;
    let anchor = chain[0].1.clone();
    let cas = chain[1..].iter().map(|(_, c)| c.clone()).collect();
    Ok(Chain {
        anchor,
        cas,
        leaf: Identity {
            certificate: leaf.certificate().to_vec(),
            key,
        },
    })
}
