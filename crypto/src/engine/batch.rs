//! ECDSA* batch verification for signatures that carry the full point R.
//!
//! A valid signature satisfies u1·G + u2·Q - R = O exactly. For a batch, draw
//! random 128-bit weights z_i from the OS CSPRNG and check
//!
//!   (Σ z_i·u1_i)·G + Σ (z_i·u2_i)·Q_i - Σ z_i·R_i = O
//!
//! with one Straus multi-scalar multiplication (one shared chain of 256
//! doublings; affine odd-multiple tables for every Q_i and R_i, normalized with
//! a single batched inversion; the s_i are inverted together with Montgomery's
//! trick). An invalid signature passes with probability about 2^-128
//! (Naccache-M'Raïhi-Vaudenay-Raphaeli 1994, "Can DSA be improved?"; Cheon-Yi
//! 2007 for ECDSA*). A failed batch is bisected: when one half passes, the other
//! is known to contain a bad signature and is split without being checked whole.

use rand_core::{OsRng, RngCore};

use super::mul::{self, AffineTerm, FixedTerm};
use super::point::{Affine, Jacobian};
use super::scalar::Sc;
use super::verify::{g_comb, g_single, FullSignature};

#[cfg(target_arch = "x86_64")]
use super::ifma::{self, LanePoint, LaneTerm};

/// Which implementation runs the multi-scalar multiplication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// AVX-512 IFMA when the CPU has it, else portable.
    Auto,
    /// Portable 64-bit code only.
    Portable,
}
use super::EngineError;

/// One signature to verify in a batch.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem {
    /// The signer's public key.
    pub key: Affine,
    /// The 32-byte digest that was signed.
    pub digest: [u8; 32],
    pub sig: FullSignature,
}

/// Parses many (rSig as SEC 1, s) pairs; compressed R points are
/// decompressed together (eight square roots at a time on AVX-512 IFMA).
/// Same results as [`FullSignature::from_sec1`] one by one.
pub fn parse_full_signatures(
    sigs: &[(&[u8], &[u8; 32])],
) -> Vec<Result<FullSignature, EngineError>> {
    let mut compressed = Vec::with_capacity(sigs.len());
    for (r, _) in sigs {
        if let (Some(&tag @ (0x02 | 0x03)), 33) = (r.first(), r.len()) {
            let mut x = [0u8; 32];
            x.copy_from_slice(&r[1..33]);
            compressed.push((x, tag == 0x03));
        }
    }
    let mut points = Affine::batch_decompress(&compressed).into_iter();
    sigs.iter()
        .map(|(r, s)| {
            let point = if matches!((r.first(), r.len()), (Some(0x02 | 0x03), 33)) {
                points
                    .next()
                    .unwrap_or(Err(super::point::PointError::Encoding))
            } else {
                Affine::from_sec1(r)
            };
            let r_point = point.map_err(EngineError::from)?;
            let s = Sc::from_bytes(s).ok_or(EngineError::InvalidSignature)?;
            if s.is_zero() {
                return Err(EngineError::InvalidSignature);
            }
            Ok(FullSignature { r_point, s })
        })
        .collect()
}

/// Smallest check that goes to the IFMA lanes.
#[cfg(target_arch = "x86_64")]
const LANES_MIN: usize = 4;

/// Width of the wNAF of z_i·u2_i (8-point tables for Q_i).
const Q_WIDTH: u32 = 5;
/// Width of the wNAF of the 128-bit z_i (4-point tables for R_i).
const R_WIDTH: u32 = 4;

struct Prepared {
    u1: Sc,
    u2: Sc,
    q_table: Vec<Affine>,
    r_table: Vec<Affine>,
    /// Indices of the same tables in the lane point list (IFMA path).
    q_idx: Vec<u32>,
    r_idx: Vec<u32>,
}

/// The eight-lane form of every table point, when the IFMA path is used.
struct Lanes {
    #[cfg(target_arch = "x86_64")]
    points: Vec<LanePoint>,
}

/// Verifies every item; the verdicts equal those of single full-R verification
/// (except with probability ~2^-128 per failed check).
pub fn verify_batch(items: &[BatchItem]) -> Result<Vec<bool>, EngineError> {
    verify_batch_with(items, Backend::Auto)
}

/// [`verify_batch`] with a chosen backend (tests compare them).
pub fn verify_batch_with(items: &[BatchItem], backend: Backend) -> Result<Vec<bool>, EngineError> {
    let mut verdict = vec![false; items.len()];
    // r = x(R) mod n must be nonzero; such items are invalid outright.
    let mut live = Vec::with_capacity(items.len());
    let mut rs = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        if let Some(r) = it.sig.r() {
            live.push(i);
            rs.push(r);
        }
    }
    if live.is_empty() {
        return Ok(verdict);
    }
    let mut ws: Vec<Sc> = live.iter().map(|&i| items[i].sig.s).collect();
    Sc::batch_invert(&mut ws);

    let qm = 1usize << (Q_WIDTH - 2);
    let rm = 1usize << (R_WIDTH - 2);
    let mut jac: Vec<Jacobian> = Vec::with_capacity(live.len() * (qm + rm));
    for &i in &live {
        jac.extend(mul::odd_multiples_jacobian(&items[i].key.to_jacobian(), qm));
        jac.extend(mul::odd_multiples_jacobian(
            &items[i].sig.r_point.to_jacobian(),
            rm,
        ));
    }
    let aff = Jacobian::batch_to_affine(&jac);
    let mut prepared: Vec<Option<Prepared>> = Vec::with_capacity(live.len());
    for (k, &i) in live.iter().enumerate() {
        let e = Sc::from_bytes_reduced(&items[i].digest);
        let base = k * (qm + rm);
        // An identity among the multiples means a point of small order, which
        // P-256 does not have; treat the item as invalid rather than panic.
        let q_table: Option<Vec<Affine>> = aff[base..base + qm].iter().copied().collect();
        let r_table: Option<Vec<Affine>> = aff[base + qm..base + qm + rm].iter().copied().collect();
        prepared.push(match (q_table, r_table) {
            (Some(q_table), Some(r_table)) => Some(Prepared {
                u1: e.mul(&ws[k]),
                u2: rs[k].mul(&ws[k]),
                q_table,
                r_table,
                q_idx: (base..base + qm).map(|x| x as u32).collect(),
                r_idx: (base + qm..base + qm + rm).map(|x| x as u32).collect(),
            }),
            _ => None,
        });
    }
    let lanes = lanes_for(&aff, backend);
    let ok: Vec<usize> = (0..live.len()).filter(|&k| prepared[k].is_some()).collect();
    let mut local = vec![false; live.len()];
    let ctx = Ctx {
        prep: &prepared,
        lanes: lanes.as_ref(),
    };
    locate(&ctx, &ok, false, &mut local)?;
    for (k, &i) in live.iter().enumerate() {
        verdict[i] = local[k];
    }
    Ok(verdict)
}

#[cfg(target_arch = "x86_64")]
fn lanes_for(aff: &[Option<Affine>], backend: Backend) -> Option<Lanes> {
    if backend != Backend::Auto || !ifma::available() {
        return None;
    }
    let points = aff
        .iter()
        .map(|p| LanePoint::new(&p.unwrap_or(Affine::GENERATOR)))
        .collect();
    Some(Lanes { points })
}

#[cfg(not(target_arch = "x86_64"))]
fn lanes_for(_: &[Option<Affine>], _: Backend) -> Option<Lanes> {
    None
}

struct Ctx<'a> {
    prep: &'a [Option<Prepared>],
    lanes: Option<&'a Lanes>,
}

/// Marks the verdicts of `idx`. `known_bad`: the set is known to fail.
fn locate(
    prep: &Ctx<'_>,
    idx: &[usize],
    known_bad: bool,
    out: &mut [bool],
) -> Result<(), EngineError> {
    if idx.is_empty() {
        return Ok(());
    }
    if !known_bad && check(prep, idx)? {
        for &k in idx {
            out[k] = true;
        }
        return Ok(());
    }
    if idx.len() == 1 {
        return Ok(()); // a failing singleton is invalid
    }
    let (a, b) = idx.split_at(idx.len() / 2);
    if check(prep, a)? {
        for &k in a {
            out[k] = true;
        }
        locate(prep, b, true, out)
    } else {
        locate(prep, a, true, out)?;
        locate(prep, b, false, out)
    }
}

/// The weighted batch equation over `idx`.
fn check(ctx: &Ctx<'_>, idx: &[usize]) -> Result<bool, EngineError> {
    let prep = ctx.prep;
    let mut rnd = vec![0u8; 16 * idx.len()];
    OsRng
        .try_fill_bytes(&mut rnd)
        .map_err(|_| EngineError::Rng)?;
    let mut g_scalar = Sc::ZERO;
    let mut terms = Vec::with_capacity(2 * idx.len());
    for (n, &k) in idx.iter().enumerate() {
        let Some(p) = prep[k].as_ref() else {
            return Ok(false);
        };
        let mut zb = [0u8; 16];
        zb.copy_from_slice(&rnd[16 * n..16 * n + 16]);
        let z = Sc::from_u128(u128::from_le_bytes(zb).max(1));
        g_scalar = g_scalar.add(&z.mul(&p.u1));
        terms.push(AffineTerm {
            table: &p.q_table,
            digits: mul::wnaf(&z.mul(&p.u2), Q_WIDTH),
        });
        let mut zd = mul::wnaf(&z, R_WIDTH);
        for d in zd.iter_mut() {
            *d = -*d;
        }
        terms.push(AffineTerm {
            table: &p.r_table,
            digits: zd,
        });
    }
    // Below five signatures the lanes' fixed 257 eight-wide doublings cost
    // more than the portable pass (bisection ends there).
    #[cfg(target_arch = "x86_64")]
    if let Some(lanes) = ctx.lanes.filter(|_| idx.len() > LANES_MIN) {
        if let Some(ok) = check_lanes(lanes, prep, idx, &terms, &g_scalar)? {
            return Ok(ok);
        }
    }
    let g = FixedTerm::new(g_single()?, &g_scalar);
    Ok(mul::straus(&[g], &terms, &[], 256).is_identity())
}

/// The IFMA evaluation of the same equation; None sends it to the portable path.
#[cfg(target_arch = "x86_64")]
fn check_lanes(
    lanes: &Lanes,
    prep: &[Option<Prepared>],
    idx: &[usize],
    terms: &[AffineTerm<'_>],
    g_scalar: &Sc,
) -> Result<Option<bool>, EngineError> {
    let mut lane_terms = Vec::with_capacity(terms.len());
    for (n, &k) in idx.iter().enumerate() {
        let Some(p) = prep[k].as_ref() else {
            return Ok(Some(false));
        };
        lane_terms.push(LaneTerm {
            table: &p.q_idx,
            digits: &terms[2 * n].digits,
        });
        lane_terms.push(LaneTerm {
            table: &p.r_idx,
            digits: &terms[2 * n + 1].digits,
        });
    }
    let Some(sums) = ifma::straus8(&lanes.points, &lane_terms) else {
        return Ok(None);
    };
    // Each lane started at G: remove 8·2^257·G through the generator term.
    let off = ifma::lane_offset_scalar();
    let off8 = off.add(&off).add(&off.add(&off));
    let off8 = off8.add(&off8);
    let g = FixedTerm::new(g_comb()?, &g_scalar.add(&off8.neg()));
    let mut total = mul::straus(&[g], &[], &[], g_comb()?.chunk_bits());
    for s in sums.iter() {
        total = total.add(s);
    }
    Ok(Some(total.is_identity()))
}
