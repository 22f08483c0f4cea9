//! ECDSA* batch verification for signatures that carry the full point R.
//!
//! A valid signature satisfies u1·G + u2·Q - R = O exactly (ECDSA* in Antipa,
//! Brown, Gallant, Lambert, Struik, Vanstone, "Accelerated verification of
//! ECDSA signatures", SAC 2005). For a batch, draw random 128-bit weights z_i
//! from the OS CSPRNG and check
//!
//!   (Σ z_i·u1_i)·G + Σ (z_i·u2_i)·Q_i - Σ z_i·R_i = O
//!
//! (the small-exponents test of Bellare, Garay, Rabin, EUROCRYPT 1998; for
//! ECDSA* see Cheon and Yi, PKC 2007): an invalid signature passes with
//! probability about 2^-128. The s_i are inverted together (Montgomery's
//! trick) and the sum is one Straus multi-scalar multiplication over affine
//! odd-multiple tables of every Q_i and R_i, normalised with one shared
//! inversion. On AVX-512 IFMA the tables, the square roots of the compressed
//! R_i and the Straus pass run in eight lanes (see `ifma`); checks of four or
//! fewer signatures, and any lane that meets an exceptional case, use the
//! portable code. A failed batch is bisected: when one half passes, the other
//! is known to contain a bad signature and is split without being checked
//! whole.

use std::cell::OnceCell;

use super::curve::P256;
use super::mul::{self, AffineTerm, FixedTerm};
use super::verify::{g_comb, g_single, FullSignature};
use super::EngineError;
use super::{Affine, Jacobian, Sc};

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
    /// Affine odd multiples of Q and R for the portable path; on the IFMA path
    /// they are made from the lane points only if a portable check needs them.
    q_table: OnceCell<Vec<Affine>>,
    r_table: OnceCell<Vec<Affine>>,
    /// Indices of the same tables in the lane point list (IFMA path).
    q_idx: Vec<u32>,
    r_idx: Vec<u32>,
}

impl Prepared {
    fn tables(&self, lanes: Option<&Lanes>) -> (&[Affine], &[Affine]) {
        let conv = |idx: &[u32]| -> Vec<Affine> {
            #[cfg(target_arch = "x86_64")]
            if let Some(l) = lanes {
                return idx
                    .iter()
                    .filter_map(|&i| l.points.get(i as usize).map(LanePoint::to_affine))
                    .collect();
            }
            let _ = (idx, lanes);
            Vec::new()
        };
        (
            self.q_table.get_or_init(|| conv(&self.q_idx)),
            self.r_table.get_or_init(|| conv(&self.r_idx)),
        )
    }
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
        return Ok(vec![false; items.len()]);
    }
    let mut ws: Vec<Sc> = live.iter().map(|&i| items[i].sig.s).collect();
    Sc::batch_invert(&mut ws);

    let qm = 1usize << (Q_WIDTH - 2);
    let rm = 1usize << (R_WIDTH - 2);
    let us: Vec<(Sc, Sc)> = live
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let e = Sc::from_bytes_reduced(&items[i].digest);
            (e.mul(&ws[k]), rs[k].mul(&ws[k]))
        })
        .collect();
    let idx_of = |k: usize| {
        let base = k * (qm + rm);
        (
            (base..base + qm).map(|x| x as u32).collect::<Vec<u32>>(),
            (base + qm..base + qm + rm)
                .map(|x| x as u32)
                .collect::<Vec<u32>>(),
        )
    };

    // IFMA: tables computed and normalised in the lanes.
    #[cfg(target_arch = "x86_64")]
    if let Some(lanes) = lane_tables(items, &live, qm, rm, backend) {
        let prepared: Vec<Option<Prepared>> = us
            .iter()
            .enumerate()
            .map(|(k, &(u1, u2))| {
                let (q_idx, r_idx) = idx_of(k);
                Some(Prepared {
                    u1,
                    u2,
                    q_table: OnceCell::new(),
                    r_table: OnceCell::new(),
                    q_idx,
                    r_idx,
                })
            })
            .collect();
        return finish(items.len(), &live, &prepared, Some(&lanes));
    }

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
    for (k, &(u1, u2)) in us.iter().enumerate() {
        let base = k * (qm + rm);
        // An identity among the multiples means a point of small order, which
        // P-256 does not have; treat the item as invalid rather than panic.
        let q_table: Option<Vec<Affine>> = aff[base..base + qm].iter().copied().collect();
        let r_table: Option<Vec<Affine>> = aff[base + qm..base + qm + rm].iter().copied().collect();
        let (q_idx, r_idx) = idx_of(k);
        prepared.push(match (q_table, r_table) {
            (Some(q_table), Some(r_table)) => Some(Prepared {
                u1,
                u2,
                q_table: OnceCell::from(q_table),
                r_table: OnceCell::from(r_table),
                q_idx,
                r_idx,
            }),
            _ => None,
        });
    }
    let lanes = lanes_for(&aff, backend);
    finish(items.len(), &live, &prepared, lanes.as_ref())
}

/// Bisects and maps the verdicts back to the input order.
fn finish(
    n: usize,
    live: &[usize],
    prepared: &[Option<Prepared>],
    lanes: Option<&Lanes>,
) -> Result<Vec<bool>, EngineError> {
    let mut verdict = vec![false; n];
    let ok: Vec<usize> = (0..live.len()).filter(|&k| prepared[k].is_some()).collect();
    let mut local = vec![false; live.len()];
    let ctx = Ctx {
        prep: prepared,
        lanes,
    };
    locate(&ctx, &ok, false, &mut local)?;
    for (k, &i) in live.iter().enumerate() {
        verdict[i] = local[k];
    }
    Ok(verdict)
}

/// The lane tables of every live item: Q's and R's odd multiples, built and
/// normalised in the IFMA lanes, laid out item by item (Q's then R's).
#[cfg(target_arch = "x86_64")]
fn lane_tables(
    items: &[BatchItem],
    live: &[usize],
    qm: usize,
    rm: usize,
    backend: Backend,
) -> Option<Lanes> {
    if backend != Backend::Auto {
        return None;
    }
    let keys: Vec<Affine> = live.iter().map(|&i| items[i].key).collect();
    let rps: Vec<Affine> = live.iter().map(|&i| items[i].sig.r_point).collect();
    let q = ifma::odd_multiples_lanes(&keys, qm)?;
    let r = ifma::odd_multiples_lanes(&rps, rm)?;
    let mut points = Vec::with_capacity(live.len() * (qm + rm));
    for (qt, rt) in q.into_iter().zip(r) {
        points.extend(qt);
        points.extend(rt);
    }
    Some(Lanes { points })
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
    getrandom::fill(&mut rnd).map_err(|_| EngineError::Rng)?;
    let mut g_scalar = Sc::ZERO;
    // Per item: its preparation, wNAF of z·u2 (for Q) and of -z (for R).
    let mut parts: Vec<(&Prepared, mul::Digits, mul::Digits)> = Vec::with_capacity(idx.len());
    for (n, &k) in idx.iter().enumerate() {
        let Some(p) = prep[k].as_ref() else {
            return Ok(false);
        };
        let mut zb = [0u8; 16];
        zb.copy_from_slice(&rnd[16 * n..16 * n + 16]);
        let z = Sc::from_u128(u128::from_le_bytes(zb).max(1));
        g_scalar = g_scalar.add(&z.mul(&p.u1));
        let qd = mul::wnaf(&z.mul(&p.u2), Q_WIDTH);
        let mut rd = mul::wnaf(&z, R_WIDTH);
        for d in rd.iter_mut() {
            *d = -*d;
        }
        parts.push((p, qd, rd));
    }
    // Below five signatures the lanes' fixed 257 eight-wide doublings cost
    // more than the portable pass (bisection ends there).
    #[cfg(target_arch = "x86_64")]
    if let Some(lanes) = ctx.lanes.filter(|_| idx.len() > LANES_MIN) {
        if let Some(ok) = check_lanes(lanes, &parts, &g_scalar)? {
            return Ok(ok);
        }
    }
    let mut terms = Vec::with_capacity(2 * parts.len());
    for (p, qd, rd) in &parts {
        let (qt, rt) = p.tables(ctx.lanes);
        terms.push(AffineTerm {
            table: qt,
            digits: *qd,
        });
        terms.push(AffineTerm {
            table: rt,
            digits: *rd,
        });
    }
    let g = FixedTerm::new(g_single::<P256>()?, &g_scalar);
    Ok(mul::straus(&[g], &terms, &[], 256).is_identity())
}

/// The IFMA evaluation of the same equation; None sends it to the portable path.
#[cfg(target_arch = "x86_64")]
fn check_lanes(
    lanes: &Lanes,
    parts: &[(&Prepared, mul::Digits, mul::Digits)],
    g_scalar: &Sc,
) -> Result<Option<bool>, EngineError> {
    let mut lane_terms = Vec::with_capacity(2 * parts.len());
    for (p, qd, rd) in parts {
        lane_terms.push(LaneTerm {
            table: &p.q_idx,
            digits: qd,
        });
        lane_terms.push(LaneTerm {
            table: &p.r_idx,
            digits: rd,
        });
    }
    let Some(sums) = ifma::straus8(&lanes.points, &lane_terms) else {
        return Ok(None);
    };
    // Each lane started at G: remove 8·2^257·G through the generator term.
    let off = ifma::lane_offset_scalar();
    let off8 = off.add(&off).add(&off.add(&off));
    let off8 = off8.add(&off8);
    let g = FixedTerm::new(g_comb::<P256>()?, &g_scalar.add(&off8.neg()));
    let mut total = mul::straus(&[g], &[], &[], g_comb::<P256>()?.chunk_bits());
    for s in sums.iter() {
        total = total.add(s);
    }
    Ok(Some(total.is_identity()))
}
