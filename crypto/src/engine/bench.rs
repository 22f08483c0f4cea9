//! Operations per second of the engine, our signer and our SM2 verifier
//! against OpenSSL, measured in the same process (feature `bench`). Both
//! `cargo bench -p scms-crypto --bench verify` and `scms bench verify` run
//! [`run`].
//!
//! Each round times every scenario for a short slice right after a slice of
//! the matching OpenSSL operation (P-256 verify, P-256 sign, or SM2 verify), so
//! that both see the same machine load; a scenario's ratio is the median over
//! rounds of (its rate / the OpenSSL rate measured just before it), and its
//! rate the median of its slices.
//!
//! Every verification scenario parses its inputs from bytes inside the timed
//! loop (scalars, and for the batches the compressed R, which costs a square
//! root); public keys are decoded once, as a certificate cache would hold
//! them. OpenSSL gets prebuilt key objects and parses its (r, s) from bytes
//! each time too (for SM2 it gets prebuilt DER signatures and contexts).
//!
//! `sm2_single` verifies SM2 signatures of 64 signers in turn on the engine,
//! `sm2_same_signer` one signer's through its cached table (`sm2::SignerCache`).
//!
//! `stream` is the realistic stream of issue 3 (d): see [`Stream`].

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::time::{Duration, Instant};

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey, EcPoint as OsslPoint};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;

use scms_asn1::codec::{Spanned, UnknownExtensions};
use scms_asn1::ieee1609dot2 as dot2;

use super::{
    parse_full_signatures, sm2, verify_batch, Affine, BatchItem, EngineError, Signature,
    SignerCache, Sm2, P256,
};
use crate::hash::{digest, HashAlgorithm};
use crate::hashed_id::HashedId8;
use crate::signing_input::{ecdsa_signing_digest, SigningInputHashes};
use crate::suite::{self, Curve, PublicKey, SecretKey, SignatureR};

/// The scenario names, in output order.
pub const SCENARIOS: [&str; 10] = [
    "single",
    "same_signer",
    "batch_8",
    "batch_64",
    "batch_256",
    "stream",
    "forged_64",
    "sign",
    "sm2_single",
    "sm2_same_signer",
];

/// A benchmark failure (setup, or a verification that gave the wrong verdict).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchError(pub String);

impl core::fmt::Display for BenchError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "benchmark: {}", self.0)
    }
}

impl std::error::Error for BenchError {}

fn err<E: core::fmt::Display>(what: &'static str) -> impl Fn(E) -> BenchError {
    move |e| BenchError(format!("{what}: {e}"))
}

fn check(ok: bool, what: &'static str) -> Result<(), BenchError> {
    if ok {
        Ok(())
    } else {
        Err(BenchError(format!("wrong verdict in {what}")))
    }
}

/// Run parameters.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Seconds per scenario in total (split over the rounds), for each side.
    pub seconds: f64,
    /// Rounds (each a slice of OpenSSL then a slice of ours, per scenario).
    pub rounds: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seconds: 2.0,
            rounds: 10,
        }
    }
}

/// One scenario's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub name: &'static str,
    pub per_s: f64,
    pub ratio: f64,
}

/// The result of [`run`].
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub openssl_verify_per_s: f64,
    pub openssl_sign_per_s: f64,
    pub openssl_sm2_verify_per_s: f64,
    pub scenarios: Vec<Row>,
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "0.0".to_string()
    }
}

impl Report {
    /// `{"openssl_verify_per_s": F, "openssl_sign_per_s": F,
    /// "openssl_sm2_verify_per_s": F, "scenarios": [{"name": N, "per_s": F, "ratio": F}]}`
    pub fn to_json(&self) -> String {
        let sc: Vec<String> = self
            .scenarios
            .iter()
            .map(|r| {
                format!(
                    "{{\"name\": \"{}\", \"per_s\": {}, \"ratio\": {}}}",
                    r.name,
                    num(r.per_s),
                    num(r.ratio)
                )
            })
            .collect();
        format!(
            "{{\"openssl_verify_per_s\": {}, \"openssl_sign_per_s\": {}, \"openssl_sm2_verify_per_s\": {}, \"scenarios\": [{}]}}",
            num(self.openssl_verify_per_s),
            num(self.openssl_sign_per_s),
            num(self.openssl_sm2_verify_per_s),
            sc.join(", ")
        )
    }

    /// A plain-text table.
    pub fn to_table(&self) -> String {
        let mut s = format!("{:<16} {:>12} {:>8}\n", "scenario", "per second", "ratio");
        s += &format!(
            "{:<16} {:>12.0} {:>8}\n",
            "openssl_verify", self.openssl_verify_per_s, "1.00"
        );
        s += &format!(
            "{:<16} {:>12.0} {:>8}\n",
            "openssl_sign", self.openssl_sign_per_s, "1.00"
        );
        s += &format!(
            "{:<16} {:>12.0} {:>8}\n",
            "openssl_sm2", self.openssl_sm2_verify_per_s, "1.00"
        );
        for r in &self.scenarios {
            s += &format!("{:<16} {:>12.0} {:>8.2}\n", r.name, r.per_s, r.ratio);
        }
        s
    }
}

fn random32() -> Result<[u8; 32], BenchError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(err("getrandom"))?;
    Ok(b)
}

/// A P-256 signature made by our signer, with everything the scenarios need.
struct Case {
    key_sec1: Vec<u8>,
    digest: [u8; 32],
    r: [u8; 32],
    s: [u8; 32],
    r_compressed: Vec<u8>,
}

fn to32(v: &[u8]) -> Result<[u8; 32], BenchError> {
    v.try_into()
        .map_err(|_| BenchError("scalar length".to_string()))
}

fn sign_case(key: &SecretKey) -> Result<Case, BenchError> {
    let digest = random32()?;
    let sig = key
        .sign_digest(&digest, &mut suite::os_rng())
        .map_err(err("sign"))?;
    let r_compressed = match &sig.r {
        SignatureR::Point(p) => p.to_sec1(true),
        SignatureR::X(_) => return Err(BenchError("signer returned x-only r".to_string())),
    };
    Ok(Case {
        key_sec1: key.public_key().to_sec1(false),
        digest,
        r: to32(&sig.r_bytes())?,
        s: to32(&sig.s)?,
        r_compressed,
    })
}

/// An SM2 signature over a random `e`, by our signer.
struct Sm2Case {
    e: [u8; 32],
    r: [u8; 32],
    s: [u8; 32],
}

/// Runs `f` (which does `per_call` operations) for about `t`; returns (ops, secs).
fn time_it(
    t: Duration,
    per_call: usize,
    f: &mut dyn FnMut(usize) -> Result<(), BenchError>,
) -> Result<f64, BenchError> {
    let start = Instant::now();
    let mut calls = 0usize;
    while start.elapsed() < t {
        for _ in 0..4 {
            f(calls)?;
            calls += 1;
        }
    }
    Ok((calls * per_call) as f64 / start.elapsed().as_secs_f64())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The realistic stream of issue 3 (d): 200 neighbours at 10 Hz, each with an
/// implicit (ECQV) P-256 certificate from a local issuer; one message in five
/// carries the full certificate (`signer: certificate`), the others its
/// HashedId8 (`signer: digest`); rSig is a compressed point. A receiver
/// [`Stream::receive`]s each message: COER decoding of the whole
/// `Ieee1609Dot2Data`, the certificate cache (HashedId8 -> reconstructed key and
/// the hash of the certificate, ECQV reconstruction on a miss), a revocation
/// probe (a `HashSet` of 10,000 revoked HashedId8), the signing digest
/// (SHA-256 of the tbsData and the outer hash) and verification: one message
/// at a time through the per-signer table cache ([`Stream::receive`]), or, as
/// the `stream` scenario and the client SDK's `Verifier::verify_batch` do,
/// 64 messages at a time with their signatures in one ECDSA* batch
/// ([`Stream::receive_batch`]). The issuer certificate is trusted (not
/// verified per message), as a receiver holds it after the first time.
pub struct Stream {
    /// Messages in arrival order (one second of traffic: 2,000 messages).
    pub messages: Vec<Vec<u8>>,
    issuer_cert: Vec<u8>,
    certs: HashMap<[u8; 8], CachedCert>,
    revoked: HashSet<[u8; 8]>,
    tables: SignerCache,
}

struct CachedCert {
    key: Affine,
    cert_hash: [u8; 32],
}

const NEIGHBOURS: usize = 200;
/// Messages per receive batch in `stream`: the client SDK's default
/// `VerifierConfig::batch_max`, 32 ms of traffic at 2,000 messages per second.
const STREAM_BATCH: usize = 64;
const HZ: usize = 10;

fn p256_point(p: &suite::EcPoint) -> Result<dot2::EccP256CurvePoint, BenchError> {
    let x = to32(&p.x_bytes())?;
    Ok(if p.y_is_odd() {
        dot2::EccP256CurvePoint::CompressedY1(x)
    } else {
        dot2::EccP256CurvePoint::CompressedY0(x)
    })
}

fn tbs_cert(
    verify_key_indicator: dot2::VerificationKeyIndicator,
    serial: u32,
) -> dot2::ToBeSignedCertificate<'static> {
    dot2::ToBeSignedCertificate {
        id: dot2::CertificateId::None,
        craca_id: [0; 3],
        crl_series: serial as u16,
        validity_period: dot2::ValidityPeriod {
            start: 600_000_000,
            duration: dot2::Duration::Hours(168),
        },
        region: None,
        assurance_level: None,
        app_permissions: Some(vec![dot2::PsidSsp {
            psid: dot2::Psid(36),
            ssp: None,
        }]),
        cert_issue_permissions: None,
        cert_request_permissions: None,
        can_request_rollover: None,
        encryption_key: None,
        verify_key_indicator,
        flags: None,
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
        unknown_extensions: UnknownExtensions::default(),
    }
}

impl Stream {
    /// Issues the 200 certificates and signs one second of traffic.
    pub fn new() -> Result<Stream, BenchError> {
        let mut rng = suite::os_rng();
        let ca = SecretKey::generate(Curve::NistP256, &mut rng).map_err(err("ca key"))?;
        let ca_pub = ca.public_key();
        // An explicit issuer certificate (its signature is not checked here).
        let issuer = Spanned::new(dot2::CertificateBase {
            version: dot2::CertificateBase::VERSION,
            r#type: dot2::CertificateType::Explicit,
            issuer: dot2::IssuerIdentifier::SelfSigned(dot2::HashAlgorithm::Sha256),
            to_be_signed: Spanned::new(tbs_cert(
                dot2::VerificationKeyIndicator::VerificationKey(
                    dot2::PublicVerificationKey::EcdsaNistP256(p256_point(&ca_pub)?),
                ),
                0,
            )),
            signature: Some(dot2::Signature::EcdsaNistP256Signature(
                dot2::EcdsaP256Signature {
                    r_sig: dot2::EccP256CurvePoint::XOnly([1; 32]),
                    s_sig: [1; 32],
                },
            )),
        });
        let issuer_cert = scms_asn1::encode(&issuer).map_err(err("encode issuer"))?;
        let issuer_id = HashedId8::of_certificate(HashAlgorithm::Sha256, &issuer_cert).0;

        // Neighbours: ECQV issuance.
        let mut neighbours = Vec::with_capacity(NEIGHBOURS);
        for i in 0..NEIGHBOURS {
            let k_u = SecretKey::generate(Curve::NistP256, &mut rng).map_err(err("key"))?;
            let iss = crate::ecqv::EcqvIssuance::start(&k_u.public_key(), &mut rng)
                .map_err(err("ecqv"))?;
            let tbs = tbs_cert(
                dot2::VerificationKeyIndicator::ReconstructionValue(p256_point(
                    iss.reconstruction_value(),
                )?),
                i as u32 + 1,
            );
            let cert: dot2::Certificate<'static> = Spanned::new(dot2::CertificateBase {
                version: dot2::CertificateBase::VERSION,
                r#type: dot2::CertificateType::Implicit,
                issuer: dot2::IssuerIdentifier::Sha256AndDigest(issuer_id),
                to_be_signed: Spanned::new(tbs.clone()),
                signature: None,
            });
            let tbs_bytes = scms_asn1::encode(&tbs).map_err(err("encode tbs"))?;
            let e = crate::ecqv::certificate_e(Curve::NistP256, &tbs_bytes, &issuer_cert);
            let s = iss.finish(&e, &ca).map_err(err("ecqv finish"))?;
            let d_u = crate::ecqv::reconstruct_private_key(&k_u, &e, &s).map_err(err("ecqv"))?;
            let cert_bytes = scms_asn1::encode(&cert).map_err(err("encode cert"))?;
            let id = HashedId8::of_certificate(HashAlgorithm::Sha256, &cert_bytes).0;
            neighbours.push((d_u, cert, cert_bytes, id));
        }

        // One second of traffic, neighbours interleaved.
        let mut messages = Vec::with_capacity(NEIGHBOURS * HZ);
        for seq in 0..HZ {
            for (n, (d_u, cert, cert_bytes, id)) in neighbours.iter().enumerate() {
                let mut payload = vec![0u8; 120];
                payload[..8].copy_from_slice(&(seq as u64 * 1000 + n as u64).to_be_bytes());
                let mut header = dot2::HeaderInfo::new(dot2::Psid(36));
                header.generation_time = Some(600_000_000_000_000 + seq as u64 * 100_000);
                let tbs = dot2::ToBeSignedData {
                    payload: dot2::SignedDataPayload {
                        data: Some(Box::new(dot2::Ieee1609Dot2Data::new(
                            dot2::Ieee1609Dot2Content::UnsecuredData(payload.into()),
                        ))),
                        ext_data_hash: None,
                        omitted: None,
                        unknown_extensions: UnknownExtensions::default(),
                    },
                    header_info: header,
                };
                let tbs_bytes = scms_asn1::encode(&tbs).map_err(err("encode tbsData"))?;
                let z = ecdsa_signing_digest(
                    SigningInputHashes::for_data(Curve::NistP256),
                    &tbs_bytes,
                    Some(cert_bytes),
                );
                let sig = d_u
                    .sign_digest(z.as_bytes(), &mut rng)
                    .map_err(err("sign"))?;
                let r_sig = match &sig.r {
                    SignatureR::Point(p) => p256_point(p)?,
                    SignatureR::X(_) => return Err(BenchError("x-only r".to_string())),
                };
                let signer = if (seq + n) % 5 == 0 {
                    dot2::SignerIdentifier::Certificate(vec![cert.clone()])
                } else {
                    dot2::SignerIdentifier::Digest(*id)
                };
                let sd = dot2::SignedData {
                    hash_id: dot2::HashAlgorithm::Sha256,
                    tbs_data: Spanned::new(tbs),
                    signer,
                    signature: dot2::Signature::EcdsaNistP256Signature(dot2::EcdsaP256Signature {
                        r_sig,
                        s_sig: to32(&sig.s)?,
                    }),
                };
                let msg = dot2::Ieee1609Dot2Data::new(dot2::Ieee1609Dot2Content::SignedData(
                    Box::new(sd),
                ));
                messages.push(scms_asn1::encode(&msg).map_err(err("encode message"))?);
            }
        }
        let mut revoked = HashSet::with_capacity(10_000);
        for _ in 0..10_000 {
            let r = random32()?;
            let mut id = [0u8; 8];
            id.copy_from_slice(&r[..8]);
            revoked.insert(id);
        }
        Ok(Stream {
            messages,
            issuer_cert,
            certs: HashMap::new(),
            revoked,
            tables: SignerCache::new(1024),
        })
    }

    /// Receives one message: Ok(true) when it verifies, Ok(false) when it is
    /// rejected (malformed, unknown signer, revoked, bad signature). The
    /// signature is checked alone, through the signer's table.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<bool, BenchError> {
        let Some(m) = self.check(bytes)? else {
            return Ok(false);
        };
        Ok(self.verify_alone(&m))
    }

    /// Receives messages as an OBU's receive queue hands them over: every
    /// check but the signature per message, then the signatures whose rSig is
    /// a point in one ECDSA* batch (compressed R decompressed together; a
    /// failed batch is bisected inside `verify_batch`), x-only ones alone.
    /// One verdict per message, the same as [`Stream::receive`] gives.
    pub fn receive_batch(&mut self, batch: &[&[u8]]) -> Result<Vec<bool>, BenchError> {
        let mut verdicts = vec![false; batch.len()];
        let mut full: Vec<(usize, Received)> = Vec::with_capacity(batch.len());
        for (i, bytes) in batch.iter().enumerate() {
            let Some(m) = self.check(bytes)? else {
                continue;
            };
            if m.r_sec1.len() != 32 {
                full.push((i, m));
            } else {
                verdicts[i] = self.verify_alone(&m);
            }
        }
        let encs: Vec<(&[u8], &[u8; 32])> = full
            .iter()
            .map(|(_, m)| (m.r_sec1.as_slice(), &m.s))
            .collect();
        let mut items = Vec::with_capacity(full.len());
        let mut at = Vec::with_capacity(full.len());
        for ((i, m), sig) in full.iter().zip(parse_full_signatures(&encs)) {
            if let Ok(sig) = sig {
                items.push(BatchItem {
                    key: m.key,
                    digest: m.digest,
                    sig,
                });
                at.push(*i);
            }
        }
        let ok = verify_batch(&items).map_err(err("batch"))?;
        for (i, v) in at.into_iter().zip(ok) {
            verdicts[i] = v;
        }
        Ok(verdicts)
    }

    fn verify_alone(&mut self, m: &Received) -> bool {
        // x(R) < p < 2n, and a signer whose x(R) >= n retries: r = x(R) here.
        let x = if m.r_sec1.len() == 32 {
            &m.r_sec1[..]
        } else {
            &m.r_sec1[1..33]
        };
        let Ok(x) = to32(x) else {
            return false;
        };
        let Ok(sig) = Signature::from_scalars(&x, &m.s) else {
            return false;
        };
        self.tables
            .verify_with_table(&m.id, &m.key, &m.digest, &sig)
            .is_ok()
    }

    /// Everything but the signature: COER decoding, the certificate cache,
    /// the revocation probe and the signing digest. None when rejected.
    fn check(&mut self, bytes: &[u8]) -> Result<Option<Received>, BenchError> {
        let Ok(data) = scms_asn1::decode::<dot2::Ieee1609Dot2Data>(bytes) else {
            return Ok(None);
        };
        let Some(sd) = data.signed_data() else {
            return Ok(None);
        };
        let id = match &sd.signer {
            dot2::SignerIdentifier::Digest(id) => *id,
            dot2::SignerIdentifier::Certificate(chain) => {
                let Some(cert) = chain.first() else {
                    return Ok(None);
                };
                let Ok(raw) = cert.to_bytes() else {
                    return Ok(None);
                };
                let hash = digest(HashAlgorithm::Sha256, &raw);
                let id = HashedId8::from_digest(&hash).0;
                if !self.certs.contains_key(&id) {
                    // ECQV reconstruction, once per certificate.
                    let Ok(issuer) = scms_asn1::decode::<dot2::Certificate>(&self.issuer_cert)
                    else {
                        return Ok(None);
                    };
                    let Ok(q) = crate::verify::certificate_public_key(cert, Some(&issuer)) else {
                        return Ok(None);
                    };
                    let Ok(key) = Affine::from_sec1(&q.to_sec1(false)) else {
                        return Ok(None);
                    };
                    self.certs.insert(
                        id,
                        CachedCert {
                            key,
                            cert_hash: to32(hash.as_bytes())?,
                        },
                    );
                }
                id
            }
            _ => return Ok(None),
        };
        if self.revoked.contains(&id) {
            return Ok(None);
        }
        let Some(cached) = self.certs.get(&id) else {
            return Ok(None);
        };
        let (r_sec1, s) = match &sd.signature {
            dot2::Signature::EcdsaNistP256Signature(sig) => match sig.r_sig {
                dot2::EccP256CurvePoint::XOnly(x) => (x.to_vec(), sig.s_sig),
                dot2::EccP256CurvePoint::CompressedY0(x) => ([&[0x02][..], &x].concat(), sig.s_sig),
                dot2::EccP256CurvePoint::CompressedY1(x) => ([&[0x03][..], &x].concat(), sig.s_sig),
                dot2::EccP256CurvePoint::UncompressedP256(p) => {
                    ([&[0x04][..], &p.x, &p.y].concat(), sig.s_sig)
                }
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        let Ok(tbs) = sd.tbs_data.to_bytes() else {
            return Ok(None);
        };
        // H(H(tbs) || H(cert)), with H(cert) from the cache.
        let mut h = crate::hash::Hasher::new(HashAlgorithm::Sha256);
        h.update(digest(HashAlgorithm::Sha256, &tbs).as_bytes());
        h.update(&cached.cert_hash);
        Ok(Some(Received {
            id,
            key: cached.key,
            digest: to32(h.finalize().as_bytes())?,
            r_sec1,
            s,
        }))
    }
}

/// A received message that passed every check but its signature.
struct Received {
    id: [u8; 8],
    key: Affine,
    digest: [u8; 32],
    /// rSig: SEC 1 (compressed or uncompressed point) or the 32-byte x(R).
    r_sec1: Vec<u8>,
    s: [u8; 32],
}

type Run<'a> = Box<dyn FnMut(usize) -> Result<(), BenchError> + 'a>;

/// Which OpenSSL operation a scenario is compared with.
#[derive(Clone, Copy)]
enum Base {
    Verify = 0,
    Sign = 1,
    Sm2 = 2,
}

/// Runs every scenario and OpenSSL's matching operation, interleaved.
pub fn run(opts: &Options) -> Result<Report, BenchError> {
    let rounds = opts.rounds.max(1);
    let seconds = if opts.seconds.is_finite() && opts.seconds > 0.0 {
        opts.seconds
    } else {
        0.1
    };
    let slice = Duration::from_secs_f64(seconds / rounds as f64);
    super::warm_up::<P256>().map_err(err("engine"))?;
    super::warm_up::<Sm2>().map_err(err("engine sm2"))?;

    let mut rng = suite::os_rng();
    let secrets: Vec<SecretKey> = (0..256)
        .map(|_| SecretKey::generate(Curve::NistP256, &mut rng).map_err(err("key")))
        .collect::<Result<_, _>>()?;
    let pool: Vec<Case> = secrets.iter().map(sign_case).collect::<Result<_, _>>()?;
    let keys: Vec<Affine> = pool
        .iter()
        .map(|c| Affine::from_sec1(&c.key_sec1).map_err(|e| BenchError(format!("key: {e:?}"))))
        .collect::<Result<_, _>>()?;
    let signer = &secrets[0];
    let stream_cases: Vec<Case> = (0..64)
        .map(|_| sign_case(signer))
        .collect::<Result<_, _>>()?;
    let signer_key = keys[0];
    let signer_id = [7u8; 8];

    // OpenSSL P-256 objects.
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(err("openssl"))?;
    let mut ctx = BigNumContext::new().map_err(err("openssl"))?;
    let ossl_keys: Vec<EcKey<Public>> = pool
        .iter()
        .map(|c| {
            let pt = OsslPoint::from_bytes(&group, &c.key_sec1, &mut ctx)?;
            EcKey::from_public_key(&group, &pt)
        })
        .collect::<Result<_, _>>()
        .map_err(err("openssl key"))?;
    let ossl_priv: EcKey<Private> = {
        let d = BigNum::from_slice(&signer.to_be_bytes()).map_err(err("openssl"))?;
        let pt =
            OsslPoint::from_bytes(&group, &pool[0].key_sec1, &mut ctx).map_err(err("openssl"))?;
        EcKey::from_private_components(&group, &d, &pt).map_err(err("openssl"))?
    };
    let ossl_verify_one = |c: &Case, k: &EcKey<Public>| -> Result<bool, BenchError> {
        let sig = EcdsaSig::from_private_components(
            BigNum::from_slice(&c.r).map_err(err("openssl"))?,
            BigNum::from_slice(&c.s).map_err(err("openssl"))?,
        )
        .map_err(err("openssl"))?;
        sig.verify(black_box(&c.digest), k)
            .map_err(err("openssl verify"))
    };
    for (c, k) in pool.iter().zip(&ossl_keys) {
        check(ossl_verify_one(c, k)?, "openssl cross-check")?;
    }

    // SM2: our keys and signatures; OpenSSL contexts over the same keys.
    let sm2_group = EcGroup::from_curve_name(Nid::SM2).map_err(err("openssl sm2"))?;
    let sm2_secrets: Vec<SecretKey> = (0..64)
        .map(|_| SecretKey::generate(Curve::Sm2, &mut rng).map_err(err("sm2 key")))
        .collect::<Result<_, _>>()?;
    let sm2_keys: Vec<PublicKey> = sm2_secrets.iter().map(|k| k.public_key()).collect();
    let sm2_sign = |k: &SecretKey| -> Result<Sm2Case, BenchError> {
        let e = random32()?;
        let sig = k
            .sign_digest(&e, &mut suite::os_rng())
            .map_err(err("sm2 sign"))?;
        Ok(Sm2Case {
            e,
            r: to32(&sig.r_bytes())?,
            s: to32(&sig.s)?,
        })
    };
    let sm2_pool: Vec<Sm2Case> = sm2_secrets.iter().map(sm2_sign).collect::<Result<_, _>>()?;
    let sm2_stream: Vec<Sm2Case> = (0..64)
        .map(|_| sm2_sign(&sm2_secrets[0]))
        .collect::<Result<_, _>>()?;
    let mut sm2_ctxs: Vec<PkeyCtx<Public>> = Vec::with_capacity(64);
    let mut sm2_ders: Vec<Vec<u8>> = Vec::with_capacity(64);
    for (k, c) in sm2_keys.iter().zip(&sm2_pool) {
        let pt = OsslPoint::from_bytes(&sm2_group, &k.to_sec1(false), &mut ctx)
            .map_err(err("openssl sm2"))?;
        let ec = EcKey::from_public_key(&sm2_group, &pt).map_err(err("openssl sm2"))?;
        let pkey = PKey::from_ec_key(ec).map_err(err("openssl sm2"))?;
        let mut pctx = PkeyCtx::new(&pkey).map_err(err("openssl sm2"))?;
        pctx.verify_init().map_err(err("openssl sm2"))?;
        let der = EcdsaSig::from_private_components(
            BigNum::from_slice(&c.r).map_err(err("openssl"))?,
            BigNum::from_slice(&c.s).map_err(err("openssl"))?,
        )
        .and_then(|s| s.to_der())
        .map_err(err("openssl sm2"))?;
        check(
            pctx.verify(&c.e, &der).map_err(err("openssl sm2 verify"))?,
            "openssl sm2 cross-check",
        )?;
        sm2_ctxs.push(pctx);
        sm2_ders.push(der);
    }

    // The engine's SM2 keys, decoded once like the P-256 ones.
    let sm2_engine_keys: Vec<sm2::Affine> = sm2_keys
        .iter()
        .map(|k| {
            sm2::Affine::from_sec1(&k.to_sec1(false))
                .map_err(|e| BenchError(format!("sm2 key: {e:?}")))
        })
        .collect::<Result<_, _>>()?;

    let mut cache = SignerCache::new(1024);
    cache
        .get_or_build(&signer_id, &signer_key)
        .map_err(err("table"))?;
    let mut sm2_cache = sm2::SignerCache::new(1024);
    sm2_cache
        .get_or_build(&signer_id, &sm2_engine_keys[0])
        .map_err(err("sm2 table"))?;

    let batch_items =
        |start: usize, n: usize, forged: Option<usize>| -> Result<Vec<BatchItem>, EngineError> {
            let idx: Vec<usize> = (0..n).map(|j| (start + j) % pool.len()).collect();
            let encs: Vec<(&[u8], &[u8; 32])> = idx
                .iter()
                .map(|&i| (pool[i].r_compressed.as_slice(), &pool[i].s))
                .collect();
            parse_full_signatures(&encs)
                .into_iter()
                .zip(idx.iter())
                .enumerate()
                .map(|(j, (sig, &i))| {
                    let mut digest = pool[i].digest;
                    if forged == Some(j) {
                        digest[5] ^= 1;
                    }
                    Ok(BatchItem {
                        key: keys[i],
                        digest,
                        sig: sig?,
                    })
                })
                .collect()
        };

    let mut stream = Stream::new()?;
    let traffic = std::mem::take(&mut stream.messages);
    // Two passes to fill the certificate and table caches (steady state):
    // a digest-signed message before its neighbour's first certificate is
    // rejected as from an unknown signer, so only the second pass must verify.
    for pass in 0..2 {
        for m in &traffic {
            check(stream.receive(m)? || pass == 0, "stream warm-up")?;
        }
    }

    let mut baselines: Vec<Run<'_>> = vec![
        Box::new(|i| {
            check(
                ossl_verify_one(&pool[i % 64], &ossl_keys[i % 64])?,
                "openssl",
            )
        }),
        Box::new(|i| {
            let c = &pool[i % 64];
            black_box(EcdsaSig::sign(&c.digest, &ossl_priv).map_err(err("openssl sign"))?);
            Ok(())
        }),
        Box::new(|i| {
            let k = i % 64;
            let ok = sm2_ctxs[k]
                .verify(black_box(&sm2_pool[k].e), &sm2_ders[k])
                .map_err(err("openssl sm2"))?;
            check(ok, "openssl sm2")
        }),
    ];

    let mut scenarios: Vec<(&'static str, usize, Base, Run<'_>)> = vec![
        (
            "single",
            1,
            Base::Verify,
            Box::new(|i| {
                let c = &pool[i % 64];
                let sig = Signature::from_scalars(&c.r, &c.s).map_err(err("parse"))?;
                check(
                    super::verify_prehash(&keys[i % 64], black_box(&c.digest), &sig).is_ok(),
                    "single",
                )
            }),
        ),
        (
            "same_signer",
            1,
            Base::Verify,
            Box::new(|i| {
                let c = &stream_cases[i % 64];
                let sig = Signature::from_scalars(&c.r, &c.s).map_err(err("parse"))?;
                check(
                    cache
                        .verify_with_table(&signer_id, &signer_key, black_box(&c.digest), &sig)
                        .is_ok(),
                    "same_signer",
                )
            }),
        ),
    ];
    for (name, n) in [("batch_8", 8usize), ("batch_64", 64), ("batch_256", 256)] {
        let batch_items = &batch_items;
        scenarios.push((
            name,
            n,
            Base::Verify,
            Box::new(move |i| {
                let items = batch_items(i * n, n, None).map_err(err("parse"))?;
                let v = verify_batch(black_box(&items)).map_err(err("batch"))?;
                check(v.iter().all(|&x| x), "batch")
            }),
        ));
    }
    scenarios.push((
        "stream",
        STREAM_BATCH,
        Base::Verify,
        Box::new(|i| {
            let start = i * STREAM_BATCH;
            let batch: Vec<&[u8]> = (start..start + STREAM_BATCH)
                .map(|k| traffic[k % traffic.len()].as_slice())
                .collect();
            let v = stream.receive_batch(black_box(&batch))?;
            check(v.iter().all(|&x| x), "stream")
        }),
    ));
    scenarios.push((
        "forged_64",
        64,
        Base::Verify,
        Box::new(|i| {
            let bad = i % 64;
            let items = batch_items(i * 64, 64, Some(bad)).map_err(err("parse"))?;
            let v = verify_batch(black_box(&items)).map_err(err("batch"))?;
            check(
                v.get(bad) == Some(&false) && v.iter().filter(|&&x| !x).count() == 1,
                "forged_64",
            )
        }),
    ));
    scenarios.push((
        "sign",
        1,
        Base::Sign,
        Box::new(|i| {
            let c = &pool[i % 64];
            black_box(
                signer
                    .sign_digest(&c.digest, &mut suite::os_rng())
                    .map_err(err("sign"))?,
            );
            Ok(())
        }),
    ));
    scenarios.push((
        "sm2_single",
        1,
        Base::Sm2,
        Box::new(|i| {
            let c = &sm2_pool[i % 64];
            let sig = sm2::Signature::from_scalars(&c.r, &c.s).map_err(err("parse"))?;
            check(
                sm2::verify_prehash(&sm2_engine_keys[i % 64], black_box(&c.e), &sig).is_ok(),
                "sm2_single",
            )
        }),
    ));
    scenarios.push((
        "sm2_same_signer",
        1,
        Base::Sm2,
        Box::new(|i| {
            let c = &sm2_stream[i % 64];
            let sig = sm2::Signature::from_scalars(&c.r, &c.s).map_err(err("parse"))?;
            check(
                sm2_cache
                    .verify_with_table(&signer_id, &sm2_engine_keys[0], black_box(&c.e), &sig)
                    .is_ok(),
                "sm2_same_signer",
            )
        }),
    ));

    let mut base_rates: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); scenarios.len()];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); scenarios.len()];
    for _ in 0..rounds {
        for (k, (_, per_call, base, f)) in scenarios.iter_mut().enumerate() {
            let b = *base as usize;
            let o = match baselines.get_mut(b) {
                Some(g) => time_it(slice, 1, g.as_mut())?,
                None => return Err(BenchError("baseline".to_string())),
            };
            let r = time_it(slice, *per_call, f.as_mut())?;
            base_rates[b].push(o);
            rates[k].push(r);
            ratios[k].push(r / o);
        }
    }
    let [v, s, m] = &mut base_rates;
    let rows = scenarios
        .iter()
        .zip(rates.iter_mut().zip(ratios.iter_mut()))
        .map(|((name, _, _, _), (r, q))| Row {
            name,
            per_s: median(r),
            ratio: median(q),
        })
        .collect();
    Ok(Report {
        openssl_verify_per_s: median(v),
        openssl_sign_per_s: median(s),
        openssl_sm2_verify_per_s: median(m),
        scenarios: rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_messages_verify_and_reject_tampering() -> Result<(), BenchError> {
        let mut s = Stream::new()?;
        let msgs = s.messages.clone();
        // Before its first certificate a neighbour is unknown.
        assert!(!s.receive(&msgs[1])?);
        for m in &msgs {
            s.receive(m)?;
        }
        for m in &msgs {
            assert!(s.receive(m)?);
        }
        // A flipped byte in the payload, in s, or a truncation is rejected.
        let mut bad = msgs[3].clone();
        bad[20] ^= 1;
        assert!(!s.receive(&bad)?);
        let mut bad = msgs[3].clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert!(!s.receive(&bad)?);
        assert!(!s.receive(&msgs[3][..n - 5])?);
        Ok(())
    }

    #[test]
    fn stream_batches_give_the_verdicts_of_single_receipt() -> Result<(), BenchError> {
        let mut s = Stream::new()?;
        let msgs = std::mem::take(&mut s.messages);
        for m in &msgs {
            s.receive(m)?;
        }
        // A batch of 64 with damaged messages among intact ones: a flipped
        // payload byte (bad signature, found by bisection), a flipped s, a
        // truncation (undecodable) and an unknown signer's digest.
        let mut batch: Vec<Vec<u8>> = msgs[100..164].to_vec();
        batch[3][20] ^= 1;
        let n = batch[40].len();
        batch[40][n - 1] ^= 1;
        batch[50].truncate(n - 5);
        let mut fresh = Stream::new()?;
        let other = std::mem::take(&mut fresh.messages);
        batch[60] = other[1].clone();
        let refs: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
        let got = s.receive_batch(&refs)?;
        let mut want = Vec::with_capacity(refs.len());
        for m in &refs {
            want.push(s.receive(m)?);
        }
        assert_eq!(got, want);
        assert_eq!(got.iter().filter(|&&v| !v).count(), 4);
        assert!(!got[3] && !got[40] && !got[50] && !got[60]);
        Ok(())
    }

    #[test]
    fn report_json_has_every_scenario() -> Result<(), BenchError> {
        let r = run(&Options {
            seconds: 0.02,
            rounds: 1,
        })?;
        let names: Vec<&str> = r.scenarios.iter().map(|r| r.name).collect();
        assert_eq!(names, SCENARIOS);
        assert!(r.to_json().starts_with("{\"openssl_verify_per_s\": "));
        Ok(())
    }
}
