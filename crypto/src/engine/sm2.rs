//! SM2 signature verification (GB/T 32918.2-2016, clause 7.1) on the
//! engine's arithmetic over the SM2 curve: steps B3-B7, given the digest
//! e = SM3(Z_A || M) that the caller computed (B1-B2).
//!
//! B3-B4: r, s in [1, n-1] ([`Signature::from_scalars`]); B5: t = (r + s) mod
//! n, and t = 0 fails; B6: (x1, y1) = s·G + t·P_A; B7: accept iff
//! (e + x1) mod n = r. Unlike ECDSA no scalar inversion is needed. The sum
//! comes from the same Straus code as P-256 ECDSA: the generator table and
//! eight odd multiples of P_A, or the generator comb and a per-signer
//! [`SignerTable`] (cached by HashedId8 in a [`SignerCache`]). B7 needs no
//! inversion either: (e + x1) mod n = r means x1 = v (mod n) for
//! v = (r - e) mod n, and as n < p < 2n that is X = v·Z^2 or X = (v + n)·Z^2
//! (the latter when v + n < p). A sum at infinity fails.
//!
//! Variable time: public inputs only. Secret-key SM2 operations (signing,
//! decryption) stay on RustCrypto's constant-time `sm2` crate (see `suite`).

use super::curve::Sm2;
use super::{cache, point, scalar, verify, EngineError};

/// A point of the SM2 curve.
pub type Affine = point::Affine<Sm2>;
/// A scalar modulo the SM2 group order.
pub type Sc = scalar::Sc<Sm2>;
/// An SM2 signature (r, s), both in [1, n-1].
pub type Signature = verify::Signature<Sm2>;
/// A per-signer comb table of an SM2 public key.
pub type SignerTable = verify::SignerTable<Sm2>;
/// The LRU cache of SM2 signer tables keyed by HashedId8.
pub type SignerCache = cache::SignerCache<Sm2>;

/// B5-B7 with `lincomb` computing s·G + t·P_A.
fn check(
    e: &[u8; 32],
    sig: &Signature,
    lincomb: impl FnOnce(&Sc, &Sc) -> Result<point::Jacobian<Sm2>, EngineError>,
) -> Result<(), EngineError> {
    let t = sig.r.add(&sig.s);
    if t.is_zero() {
        return Err(EngineError::InvalidSignature);
    }
    let sum = lincomb(&sig.s, &t)?;
    let v = sig.r.sub(&Sc::from_bytes_reduced(e));
    if sum.x_matches_mod_n(&v) {
        Ok(())
    } else {
        Err(EngineError::InvalidSignature)
    }
}

/// Verifies an SM2 signature over e with the public key P_A.
pub fn verify_prehash(key: &Affine, e: &[u8; 32], sig: &Signature) -> Result<(), EngineError> {
    check(e, sig, |s, t| verify::lincomb(s, t, key))
}

/// SM2 with a table.
impl verify::SignerTable<Sm2> {
    /// Same result as [`verify_prehash`] with this key.
    pub fn verify_prehash(&self, e: &[u8; 32], sig: &Signature) -> Result<(), EngineError> {
        check(e, sig, |s, t| self.lincomb(s, t))
    }
}

/// SM2 through the cache.
impl cache::SignerCache<Sm2> {
    /// Verifies through the signer's cached table (built from `key` on a miss).
    pub fn verify_with_table(
        &mut self,
        id: &[u8; 8],
        key: &Affine,
        e: &[u8; 32],
        sig: &Signature,
    ) -> Result<(), EngineError> {
        self.get_or_build(id, key)?.verify_prehash(e, sig)
    }
}
