//! Points of a [`CurveParams`] curve (P-256 or SM2, both a = -3): affine
//! (never the identity) and Jacobian (X/Z^2, Y/Z^3; Z = 0 is the identity).
//!
//! Formulas from the Explicit-Formulas Database (hyperelliptic.org/EFD,
//! "g1p/shortw/jacobian-3"): dbl-2001-b (uses a = -3), madd-2007-bl (mixed
//! with an affine point) and add-2007-bl, with the squarings that only serve to
//! form 2·Z1·Z2-type products replaced by one multiplication (fewer
//! instructions here, where a squaring is not much cheaper than a product). They do not
//! handle equal inputs, so the adders detect H = 0 and fall back to doubling:
//! variable time is fine because everything here is public.

use super::curve::{CurveParams, P256};
use super::field::{self, Fe};
use super::scalar::Sc;

/// An affine point on the curve (not the identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Affine<C: CurveParams> {
    pub x: Fe<C>,
    pub y: Fe<C>,
}

/// A point in Jacobian coordinates.
#[derive(Clone, Copy, Debug)]
pub struct Jacobian<C: CurveParams> {
    pub x: Fe<C>,
    pub y: Fe<C>,
    pub z: Fe<C>,
}

/// Errors from decoding a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointError {
    /// Coordinate >= p, or bad length/tag.
    Encoding,
    /// Not on y^2 = x^3 - 3x + b (or x has no square root).
    NotOnCurve,
}

impl<C: CurveParams> Affine<C> {
    /// The base point G.
    pub const GENERATOR: Self = Affine {
        x: Fe::from_canonical(C::GX),
        y: Fe::from_canonical(C::GY),
    };

    /// x^3 - 3x + b.
    fn rhs(x: &Fe<C>) -> Fe<C> {
        let x3 = x.square().mul(x);
        let three_x = x.double().add(x);
        x3.sub(&three_x).add(&Fe::B)
    }

    pub fn is_on_curve(&self) -> bool {
        self.y.square() == Affine::rhs(&self.x)
    }

    /// From big-endian coordinates; checks the curve equation.
    pub fn from_coordinates(x: &[u8; 32], y: &[u8; 32]) -> Result<Affine<C>, PointError> {
        let x = Fe::from_bytes(x).ok_or(PointError::Encoding)?;
        let y = Fe::from_bytes(y).ok_or(PointError::Encoding)?;
        let p = Affine { x, y };
        if p.is_on_curve() {
            Ok(p)
        } else {
            Err(PointError::NotOnCurve)
        }
    }

    /// Decompresses from x and the parity of y (one square root, ~260 squarings).
    pub fn decompress(x: &[u8; 32], y_odd: bool) -> Result<Affine<C>, PointError> {
        let x = Fe::from_bytes(x).ok_or(PointError::Encoding)?;
        let y = Affine::rhs(&x).sqrt().ok_or(PointError::NotOnCurve)?;
        let y = if y.is_odd() == y_odd { y } else { y.neg() };
        Ok(Affine { x, y })
    }

    /// SEC 1 encoding: 0x04||X||Y, or 0x02/0x03||X.
    pub fn from_sec1(bytes: &[u8]) -> Result<Affine<C>, PointError> {
        match (bytes.first(), bytes.len()) {
            (Some(0x04), 65) => {
                let mut x = [0u8; 32];
                let mut y = [0u8; 32];
                x.copy_from_slice(&bytes[1..33]);
                y.copy_from_slice(&bytes[33..65]);
                Affine::from_coordinates(&x, &y)
            }
            (Some(&tag @ (0x02 | 0x03)), 33) => {
                let mut x = [0u8; 32];
                x.copy_from_slice(&bytes[1..33]);
                Affine::decompress(&x, tag == 0x03)
            }
            _ => Err(PointError::Encoding),
        }
    }

    /// Uncompressed SEC 1 encoding.
    pub fn to_sec1(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[0] = 4;
        out[1..33].copy_from_slice(&self.x.to_bytes());
        out[33..].copy_from_slice(&self.y.to_bytes());
        out
    }

    #[inline]
    pub fn neg(&self) -> Affine<C> {
        Affine {
            x: self.x,
            y: self.y.neg(),
        }
    }

    pub fn to_jacobian(&self) -> Jacobian<C> {
        Jacobian {
            x: self.x,
            y: self.y,
            z: Fe::ONE,
        }
    }
}

/// The batch path (P-256 only: its square roots use the IFMA lanes).
impl Affine<P256> {
    /// Decompresses many points; on AVX-512 IFMA the square roots run eight
    /// at a time. Same results as [`Affine::decompress`] one by one.
    pub fn batch_decompress(points: &[([u8; 32], bool)]) -> Vec<Result<Affine<P256>, PointError>> {
        let mut out = Vec::with_capacity(points.len());
        for chunk in points.chunks(8) {
            let xs: Vec<Option<Fe<P256>>> = chunk.iter().map(|(x, _)| Fe::from_bytes(x)).collect();
            let rhs: Vec<Fe<P256>> = xs
                .iter()
                .map(|x| x.map_or(Fe::ONE, |x| Affine::rhs(&x)))
                .collect();
            #[cfg(target_arch = "x86_64")]
            let cands = {
                let mut a = [Fe::ONE; 8];
                a[..rhs.len()].copy_from_slice(&rhs);
                super::ifma::sqrt_candidates8(&a)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let cands: Option<[Fe<P256>; 8]> = None;
            for (i, ((x, &(_, y_odd)), r)) in
                xs.iter().zip(chunk.iter()).zip(rhs.iter()).enumerate()
            {
                let Some(x) = x else {
                    out.push(Err(PointError::Encoding));
                    continue;
                };
                let y = match cands {
                    Some(c) if c[i].square() == *r => Some(c[i]),
                    Some(_) => None,
                    None => r.sqrt(),
                };
                out.push(match y {
                    Some(y) => Ok(Affine {
                        x: *x,
                        y: if y.is_odd() == y_odd { y } else { y.neg() },
                    }),
                    None => Err(PointError::NotOnCurve),
                });
            }
        }
        out
    }
}

impl<C: CurveParams> Jacobian<C> {
    pub const IDENTITY: Jacobian<C> = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    #[inline(always)]
    pub fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    #[inline]
    pub fn neg(&self) -> Jacobian<C> {
        Jacobian {
            x: self.x,
            y: self.y.neg(),
            z: self.z,
        }
    }

    /// dbl-2001-b with Z3 = 2·Y·Z (4M+4S): a product costs fewer instructions
    /// than a squaring and three additions (callgrind: -1% per verification).
    #[inline(always)]
    pub fn double(&self) -> Jacobian<C> {
        if self.is_identity() {
            return *self;
        }
        self.double_unchecked()
    }

    /// [`Jacobian::double`] without the identity branch: Z = 0 gives Z = 0
    /// again, so constant-time callers can track the identity in a mask.
    #[inline(always)]
    pub fn double_unchecked(&self) -> Jacobian<C> {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.mul(&self.z).double();
        let g8 = gamma.square().double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&g8);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// self + q with q affine (madd-2007-bl).
    #[inline(always)]
    pub fn add_affine(&self, q: &Affine<C>) -> Jacobian<C> {
        if self.is_identity() {
            return q.to_jacobian();
        }
        let z1z1 = self.z.square();
        let u2 = q.x.mul(&z1z1);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y);
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::IDENTITY
            };
        }
        let r = r.double();
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double());
        // (Z1+H)^2 - Z1Z1 - HH = 2·Z1·H: one multiplication instead of a
        // squaring and three additions.
        let z3 = self.z.mul(&h).double();
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// self - q with q affine.
    #[inline(always)]
    pub fn sub_affine(&self, q: &Affine<C>) -> Jacobian<C> {
        self.add_affine(&q.neg())
    }

    /// self + q (add-2007-bl).
    #[inline(always)]
    pub fn add(&self, q: &Jacobian<C>) -> Jacobian<C> {
        if self.is_identity() {
            return *q;
        }
        if q.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1);
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::IDENTITY
            };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let r = r.double();
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&q.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Affine form, None for the identity (one field inversion).
    pub fn to_affine(&self) -> Option<Affine<C>> {
        if self.is_identity() {
            return None;
        }
        let zi = self.z.invert();
        let zi2 = zi.square();
        Some(Affine {
            x: self.x.mul(&zi2),
            y: self.y.mul(&zi2).mul(&zi),
        })
    }

    /// Converts many points with one inversion; identities give None.
    pub fn batch_to_affine(points: &[Jacobian<C>]) -> Vec<Option<Affine<C>>> {
        let mut zs: Vec<Fe<C>> = points.iter().map(|p| p.z).collect();
        Fe::batch_invert(&mut zs);
        points
            .iter()
            .zip(zs.iter())
            .map(|(p, zi)| {
                if p.is_identity() {
                    return None;
                }
                let zi2 = zi.square();
                Some(Affine {
                    x: p.x.mul(&zi2),
                    y: p.y.mul(&zi2).mul(zi),
                })
            })
            .collect()
    }

    /// Does the affine x of this point, reduced mod n, equal r? Avoids the
    /// inversion: compares X with r·Z^2, and with (r+n)·Z^2 when r+n < p.
    /// (SM2 uses it with r - e mod n, which may be zero.)
    pub fn x_matches_mod_n(&self, r: &Sc<C>) -> bool {
        if self.is_identity() {
            return false;
        }
        let z2 = self.z.square();
        // r < n < p, so r is a valid field element.
        let rf = Fe::<C>::from_canonical(r.0);
        if rf.mul(&z2) == self.x {
            return true;
        }
        // r + n < p only when r < p - n.
        let (r_plus_n, carry) = add_limbs(&r.0, &C::N);
        if carry == 0 && field::lt(&r_plus_n, &C::P) {
            return Fe::from_canonical(r_plus_n).mul(&z2) == self.x;
        }
        false
    }
}

fn add_limbs(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], u64) {
    use field::adc;
    let (r0, c) = adc(a[0], b[0], 0);
    let (r1, c) = adc(a[1], b[1], c);
    let (r2, c) = adc(a[2], b[2], c);
    let (r3, c) = adc(a[3], b[3], c);
    ([r0, r1, r2, r3], c)
}
