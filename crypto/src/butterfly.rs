//! Butterfly key expansion, IEEE 1609.2.1-2022 clause 9.3 (CAMP SCMS).
//!
//! The expansion function input is a 128-bit block
//! `x_sig = 0^32 || i || j || 0^32` (signing / certificate keys) or
//! `x_enc = 1^32 || i || j || 0^32` (encryption keys), `i` and `j` 32-bit
//! big-endian. With an AES-128 expansion key `k` (`ButterflyExpansion.aes128`):
//!
//! `f_k(x) = (AES_k(x+1) ^ (x+1)) || (AES_k(x+2) ^ (x+2)) || (AES_k(x+3) ^ (x+3))`
//!
//! read as a 384-bit big-endian integer and reduced mod `n` (`x+1` is a 128-bit
//! integer increment). Cocoon public key `= caterpillar public + f_k(x)·G`
//! (computed by the RA, [`expand_cocoon_key`]); the device's matching private
//! key is `caterpillar private + f_k(x) mod n` ([`CaterpillarKeyPair::expand_private_key`]).
//!
//! Original butterfly keys use two caterpillar pairs and two expansion keys
//! (one with `x_sig`, one with `x_enc`); unified butterfly keys use one pair
//! and one key. The 384 bits of `f_k` are 128 bits more than a 256-bit order,
//! which keeps the reduction bias below 2^-128; for the 384-bit curves the
//! function as specified would be biased, so they are refused
//! ([`Error::Unsupported`]). SM2 is accepted with the same AES-based function
//! (no public vector for it).

use aes::cipher::{BlockEncrypt, KeyInit};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::suite::{Curve, EcPoint, EcScalar, Error, PublicKey, SecretKey};

/// Which expansion input: signing (`0^32` prefix) or encryption (`1^32` prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpansionKind {
    /// `x_sig = 0^32 || i || j || 0^32` (certificate / signing keys).
    Signing,
    /// `x_enc = 1^32 || i || j || 0^32` (response encryption keys).
    Encryption,
}

/// The 128-bit expansion function input for (`kind`, `i`, `j`).
pub fn expansion_input(kind: ExpansionKind, i: u32, j: u32) -> [u8; 16] {
    let mut x = [0u8; 16];
    if kind == ExpansionKind::Encryption {
        x[..4].copy_from_slice(&[0xff; 4]);
    }
    x[4..8].copy_from_slice(&i.to_be_bytes());
    x[8..12].copy_from_slice(&j.to_be_bytes());
    x
}

/// The AES-128 butterfly expansion key (`ButterflyExpansion.aes128`).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ButterflyExpansionKey([u8; 16]);

impl core::fmt::Debug for ButterflyExpansionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ButterflyExpansionKey(..)")
    }
}

impl ButterflyExpansionKey {
    /// From the 16 key bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        ButterflyExpansionKey(bytes)
    }

    /// From a slice, which must be 16 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let b: [u8; 16] = bytes.try_into().map_err(|_| Error::InvalidLength)?;
        Ok(ButterflyExpansionKey(b))
    }

    /// A fresh random key.
    pub fn generate<R: rand_core::TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        let mut b = [0u8; 16];
        rng.try_fill_bytes(&mut b).map_err(|_| Error::Rng)?;
        Ok(ButterflyExpansionKey(b))
    }

    /// The key bytes (for encoding into `ButterflyExpansion`).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// `f_k^int(x)`: the 384-bit concatenation before reduction.
    pub fn f_k_int(&self, x: &[u8; 16]) -> Zeroizing<[u8; 48]> {
        let cipher = aes::Aes128::new(&self.0.into());
        let base = u128::from_be_bytes(*x);
        let mut out = Zeroizing::new([0u8; 48]);
        for (t, chunk) in out.chunks_exact_mut(16).enumerate() {
            // t < 3, so the cast is exact.
            let xi = base.wrapping_add(t as u128 + 1).to_be_bytes();
            let mut block = aes::Block::from(xi);
            cipher.encrypt_block(&mut block);
            for ((o, b), xb) in chunk.iter_mut().zip(block.iter()).zip(xi.iter()) {
                *o = b ^ xb;
            }
            block.zeroize();
        }
        out
    }

    /// `f_k(x) mod n` on `curve` for (`kind`, `i`, `j`).
    pub fn expansion_scalar(
        &self,
        curve: Curve,
        kind: ExpansionKind,
        i: u32,
        j: u32,
    ) -> Result<EcScalar, Error> {
        if curve.field_len() != 32 {
            return Err(Error::Unsupported);
        }
        let f = self.f_k_int(&expansion_input(kind, i, j));
        Ok(EcScalar::from_be_bytes_reduced(curve, f.as_ref()))
    }
}

/// A cocoon public key `A + f_k(x)·G`, as the RA computes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CocoonPublicKey(pub EcPoint);

impl CocoonPublicKey {
    /// The point.
    pub fn point(&self) -> &EcPoint {
        &self.0
    }
}

/// RA side: the cocoon public key for (`kind`, `i`, `j`) from the device's
/// caterpillar public key and expansion key.
pub fn expand_cocoon_key(
    caterpillar_public: &PublicKey,
    key: &ButterflyExpansionKey,
    kind: ExpansionKind,
    i: u32,
    j: u32,
) -> Result<CocoonPublicKey, Error> {
    let curve = caterpillar_public.curve();
    let f = key.expansion_scalar(curve, kind, i, j)?;
    let fg = EcPoint::mul_generator(&f)?;
    Ok(CocoonPublicKey(caterpillar_public.add(&fg)?))
}

/// Device side: a caterpillar private key with its expansion key.
#[derive(Clone, Debug)]
pub struct CaterpillarKeyPair {
    secret: SecretKey,
    expansion_key: ButterflyExpansionKey,
}

impl CaterpillarKeyPair {
    /// From an existing private key and expansion key.
    pub fn new(secret: SecretKey, expansion_key: ButterflyExpansionKey) -> Result<Self, Error> {
        if secret.curve().field_len() != 32 {
            return Err(Error::Unsupported);
        }
        Ok(CaterpillarKeyPair {
            secret,
            expansion_key,
        })
    }

    /// A fresh caterpillar key pair and expansion key on a 256-bit curve.
    pub fn generate<R: rand_core::TryCryptoRng + ?Sized>(
        curve: Curve,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let secret = SecretKey::generate(curve, rng)?;
        Self::new(secret, ButterflyExpansionKey::generate(rng)?)
    }

    /// The caterpillar public key sent to the RA.
    pub fn public_key(&self) -> PublicKey {
        self.secret.public_key()
    }

    /// The expansion key sent to the RA.
    pub fn expansion_key(&self) -> &ButterflyExpansionKey {
        &self.expansion_key
    }

    /// The caterpillar private key.
    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }

    /// The cocoon private key `a + f_k(x) mod n` for (`kind`, `i`, `j`).
    pub fn expand_private_key(
        &self,
        kind: ExpansionKind,
        i: u32,
        j: u32,
    ) -> Result<SecretKey, Error> {
        let f = self
            .expansion_key
            .expansion_scalar(self.secret.curve(), kind, i, j)?;
        SecretKey::from_scalar(self.secret.as_scalar().add(&f)?)
    }
}
