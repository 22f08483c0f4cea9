//! ECDSA P-256 verification over a prehashed digest (SEC 1 v2, 4.1.4), and
//! what it shares with SM2 verification (`sm2`): the generator tables, the
//! two-term linear combination, [`Signature`] and [`SignerTable`], generic
//! over the curve.
//!
//! Single verification computes u1·G + u2·Q with Straus: G from a 256-entry
//! affine wNAF table built once, Q from 8 odd multiples (width 5, made affine
//! with one inversion), and compares x without inverting Z. With a
//! [`SignerTable`] both G and Q come from 16-chunk fixed tables, cutting the
//! doublings from 256 to 17. The Straus loop runs in a BMI2/ADX build when the
//! CPU has it (see `mul::straus`). [`verify_prehash_many`] runs up to eight
//! independent verifications side by side on AVX-512 IFMA lanes.

use std::sync::OnceLock;

use super::curve::{CurveParams, P256};
use super::mul::{self, AffineTerm, FixedTable, FixedTerm, JacobianTerm};
use super::point::PointError;
use super::EngineError;
use super::{point, scalar, Affine, Sc};

/// Chunks of the per-signer and generator comb tables.
pub const COMB_CHUNKS: usize = 16;
/// wNAF width of the per-signer tables (16 chunks x 32 points = 32 KiB).
pub const SIGNER_WIDTH: u32 = 7;
/// wNAF width of the generator comb (16 chunks x 256 points = 256 KiB, built
/// once): about 23 additions per multiplication instead of 28 at width 8.
const G_COMB_WIDTH: u32 = 10;
/// wNAF width of the single-verification generator table (256 points, 16 KiB).
const G_SINGLE_WIDTH: u32 = 10;

/// A curve's generator tables, each built on first use (see
/// [`CurveParams::generator_tables`]).
pub struct GeneratorTables<C: CurveParams> {
    single: OnceLock<Option<FixedTable<C>>>,
    comb: OnceLock<Option<FixedTable<C>>>,
}

impl<C: CurveParams> GeneratorTables<C> {
    pub(crate) const fn new() -> Self {
        GeneratorTables {
            single: OnceLock::new(),
            comb: OnceLock::new(),
        }
    }
}

/// The generator table of single verification.
/// Construction cannot fail for the generator; the error is surfaced anyway.
pub(crate) fn g_single<C: CurveParams>() -> Result<&'static FixedTable<C>, EngineError> {
    C::generator_tables()
        .single
        .get_or_init(|| FixedTable::new(&point::Affine::GENERATOR, 1, G_SINGLE_WIDTH).ok())
        .as_ref()
        .ok_or(EngineError::Internal)
}

/// The 16-chunk generator comb of the table and batch paths.
pub(crate) fn g_comb<C: CurveParams>() -> Result<&'static FixedTable<C>, EngineError> {
    C::generator_tables()
        .comb
        .get_or_init(|| FixedTable::new(&point::Affine::GENERATOR, COMB_CHUNKS, G_COMB_WIDTH).ok())
        .as_ref()
        .ok_or(EngineError::Internal)
}

/// Forces a curve's generator tables to be built (so a benchmark does not
/// time it).
pub fn warm_up<C: CurveParams>() -> Result<(), EngineError> {
    g_single::<C>()?;
    g_comb::<C>()?;
    Ok(())
}

/// A signature (r, s) with both in [1, n): ECDSA's, or SM2's on that curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature<C: CurveParams> {
    pub r: scalar::Sc<C>,
    pub s: scalar::Sc<C>,
}

impl<C: CurveParams> Signature<C> {
    /// Rejects r or s equal to zero or >= n.
    pub fn from_scalars(r: &[u8; 32], s: &[u8; 32]) -> Result<Self, EngineError> {
        let r = scalar::Sc::from_bytes(r).ok_or(EngineError::InvalidSignature)?;
        let s = scalar::Sc::from_bytes(s).ok_or(EngineError::InvalidSignature)?;
        if r.is_zero() || s.is_zero() {
            return Err(EngineError::InvalidSignature);
        }
        Ok(Signature { r, s })
    }
}

/// A signature whose rSig carries the full point R (1609.2 compressed or
/// uncompressed rSig), the input of ECDSA* and batch verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FullSignature {
    pub r_point: Affine,
    pub s: Sc,
}

impl FullSignature {
    /// rSig as SEC 1 (0x02/0x03||x or 0x04||x||y) and s big-endian.
    pub fn from_sec1(r_sec1: &[u8], s: &[u8; 32]) -> Result<FullSignature, EngineError> {
        let r_point = Affine::from_sec1(r_sec1).map_err(EngineError::from)?;
        let s = Sc::from_bytes(s).ok_or(EngineError::InvalidSignature)?;
        if s.is_zero() {
            return Err(EngineError::InvalidSignature);
        }
        Ok(FullSignature { r_point, s })
    }

    /// r = x(R) mod n; None when it is zero.
    pub fn r(&self) -> Option<Sc> {
        let r = Sc::from_bytes_reduced(&self.r_point.x.to_bytes());
        if r.is_zero() {
            None
        } else {
            Some(r)
        }
    }

    /// The x-only signature that a verifier without R would see.
    pub fn to_signature(&self) -> Option<Signature<P256>> {
        Some(Signature {
            r: self.r()?,
            s: self.s,
        })
    }
}

/// u1 = e/s, u2 = r/s.
pub(crate) fn u1_u2(digest: &[u8; 32], r: &Sc, s: &Sc) -> (Sc, Sc) {
    let e = Sc::from_bytes_reduced(digest);
    let w = s.invert();
    (e.mul(&w), r.mul(&w))
}

/// u1·G + u2·Q for an unknown Q.
/// Q's odd multiples are made affine with one inversion (safegcd is cheap)
/// so that all 300-odd additions are mixed: about 2% fewer instructions.
pub(crate) fn lincomb<C: CurveParams>(
    u1: &scalar::Sc<C>,
    u2: &scalar::Sc<C>,
    q: &point::Affine<C>,
) -> Result<point::Jacobian<C>, EngineError> {
    let qt = mul::odd_multiples_jacobian(&q.to_jacobian(), 8);
    let g = FixedTerm::new(g_single()?, u1);
    let digits = mul::wnaf(u2, 5);
    let qa: Option<Vec<point::Affine<C>>> =
        point::Jacobian::batch_to_affine(&qt).into_iter().collect();
    Ok(match qa {
        Some(qa) => {
            let qterm = AffineTerm { table: &qa, digits };
            mul::straus(&[g], &[qterm], &[], 256)
        }
        // Unreachable for a point of prime order; kept exact anyway.
        None => {
            let qterm = JacobianTerm { table: &qt, digits };
            mul::straus(&[g], &[], &[qterm], 256)
        }
    })
}

/// Verifies an x-only signature over a 32-byte digest.
pub fn verify_prehash(
    q: &Affine,
    digest: &[u8; 32],
    sig: &Signature<P256>,
) -> Result<(), EngineError> {
    let (u1, u2) = u1_u2(digest, &sig.r, &sig.s);
    if lincomb(&u1, &u2, q)?.x_matches_mod_n(&sig.r) {
        Ok(())
    } else {
        Err(EngineError::InvalidSignature)
    }
}

/// One x-only verification for [`verify_prehash_many`].
#[derive(Clone, Copy, Debug)]
pub struct SingleItem {
    pub key: Affine,
    pub digest: [u8; 32],
    pub sig: Signature<P256>,
}

/// Verifies many x-only signatures, each on its own: the verdicts are exactly
/// those of [`verify_prehash`] (no batch equation, no randomness). On AVX-512
/// IFMA eight verifications run side by side, one per lane; elsewhere this is
/// a loop over [`verify_prehash`].
pub fn verify_prehash_many(items: &[SingleItem]) -> Vec<bool> {
    let mut out = Vec::with_capacity(items.len());
    for chunk in items.chunks(8) {
        #[cfg(target_arch = "x86_64")]
        if chunk.len() > 1 {
            if let Some(v) = many_ifma(chunk) {
                out.extend(v);
                continue;
            }
        }
        out.extend(
            chunk
                .iter()
                .map(|it| verify_prehash(&it.key, &it.digest, &it.sig).is_ok()),
        );
    }
    out
}

/// Up to eight verifications on the IFMA lanes; None when IFMA is missing.
#[cfg(target_arch = "x86_64")]
fn many_ifma(chunk: &[SingleItem]) -> Option<Vec<bool>> {
    use super::ifma::{self, LanePoint, TableTerm};
    static G_LANES: OnceLock<Vec<LanePoint>> = OnceLock::new();
    // -(2^257·G): removes the lanes' starting point G after 257 doublings.
    static NEG_OFFSET: OnceLock<Option<Affine>> = OnceLock::new();
    if !ifma::available() {
        return None;
    }
    let gt = g_single::<P256>().ok()?;
    let g_lanes = G_LANES.get_or_init(|| gt.points().iter().map(LanePoint::new).collect());
    let neg_off = (*NEG_OFFSET.get_or_init(|| {
        mul::mul(&Affine::GENERATOR, &ifma::lane_offset_scalar())
            .to_affine()
            .map(|p| p.neg())
    }))?;

    let mut ws: Vec<Sc> = chunk.iter().map(|it| it.sig.s).collect();
    Sc::batch_invert(&mut ws);
    // Q's odd multiples, built and normalised in the lanes; None (an
    // exceptional case, impossible for valid keys) sends the chunk to the
    // portable path.
    let keys: Vec<Affine> = chunk.iter().map(|it| it.key).collect();
    let q_tables = ifma::odd_multiples_lanes(&keys, 8)?;
    let digits: Vec<(mul::Digits, mul::Digits)> = chunk
        .iter()
        .zip(ws.iter())
        .map(|(it, w)| {
            let e = Sc::from_bytes_reduced(&it.digest);
            (
                mul::wnaf(&e.mul(w), gt.width()),
                mul::wnaf(&it.sig.r.mul(w), 5),
            )
        })
        .collect();
    let mut lanes: [Vec<TableTerm<'_>>; 8] = Default::default();
    for (k, (d1, d2)) in digits.iter().enumerate() {
        lanes[k].push(TableTerm {
            table: g_lanes,
            digits: d1,
        });
        lanes[k].push(TableTerm {
            table: q_tables.get(k)?,
            digits: d2,
        });
    }
    let sums = ifma::straus_per_lane(&lanes)?;
    Some(
        chunk
            .iter()
            .enumerate()
            .map(|(k, it)| match sums[k] {
                Some(acc) => acc.add_affine(&neg_off).x_matches_mod_n(&it.sig.r),
                // A lane that met an exceptional case is redone portably.
                None => verify_prehash(&it.key, &it.digest, &it.sig).is_ok(),
            })
            .collect(),
    )
}

/// Verifies a signature with the full R: u1·G + u2·Q must equal R exactly
/// (so -R is rejected, unlike x-only verification).
pub fn verify_prehash_full(
    q: &Affine,
    digest: &[u8; 32],
    sig: &FullSignature,
) -> Result<(), EngineError> {
    let r = sig.r().ok_or(EngineError::InvalidSignature)?;
    let (u1, u2) = u1_u2(digest, &r, &sig.s);
    if mul::eq_affine(&lincomb(&u1, &u2, q)?, &sig.r_point) {
        Ok(())
    } else {
        Err(EngineError::InvalidSignature)
    }
}

/// Precomputed comb table of one signer's public key.
#[derive(Clone, Debug)]
pub struct SignerTable<C: CurveParams> {
    key: point::Affine<C>,
    table: FixedTable<C>,
}

impl<C: CurveParams> SignerTable<C> {
    /// Builds the table (about 512 point additions and one inversion).
    pub fn new(key: &point::Affine<C>) -> Result<Self, EngineError> {
        let table =
            FixedTable::new(key, COMB_CHUNKS, SIGNER_WIDTH).map_err(|_| EngineError::InvalidKey)?;
        Ok(SignerTable { key: *key, table })
    }

    pub fn key(&self) -> &point::Affine<C> {
        &self.key
    }

    pub fn size_bytes(&self) -> usize {
        self.table.size_bytes()
    }

    /// u1·G + u2·Q from the generator comb and this table (17 doublings).
    pub(crate) fn lincomb(
        &self,
        u1: &scalar::Sc<C>,
        u2: &scalar::Sc<C>,
    ) -> Result<point::Jacobian<C>, EngineError> {
        let g = FixedTerm::new(g_comb()?, u1);
        let q = FixedTerm::new(&self.table, u2);
        Ok(mul::straus(&[g, q], &[], &[], self.table.chunk_bits()))
    }
}

/// ECDSA with a table.
impl SignerTable<P256> {
    /// Same result as [`verify_prehash`] with this key.
    pub fn verify_prehash(
        &self,
        digest: &[u8; 32],
        sig: &Signature<P256>,
    ) -> Result<(), EngineError> {
        let (u1, u2) = u1_u2(digest, &sig.r, &sig.s);
        if self.lincomb(&u1, &u2)?.x_matches_mod_n(&sig.r) {
            Ok(())
        } else {
            Err(EngineError::InvalidSignature)
        }
    }

    /// Same result as [`verify_prehash_full`] with this key.
    pub fn verify_prehash_full(
        &self,
        digest: &[u8; 32],
        sig: &FullSignature,
    ) -> Result<(), EngineError> {
        let r = sig.r().ok_or(EngineError::InvalidSignature)?;
        let (u1, u2) = u1_u2(digest, &r, &sig.s);
        if mul::eq_affine(&self.lincomb(&u1, &u2)?, &sig.r_point) {
            Ok(())
        } else {
            Err(EngineError::InvalidSignature)
        }
    }
}

impl From<PointError> for EngineError {
    fn from(e: PointError) -> Self {
        match e {
            PointError::Encoding => EngineError::Encoding,
            PointError::NotOnCurve => EngineError::NotOnCurve,
        }
    }
}
