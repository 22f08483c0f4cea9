//! Linkage values of the SCMS (IEEE 1609.2 clause 5.1.3.4 and the CAMP SCMS
//! proof of concept; DESIGN.md section 5), computed by the linkage authorities
//! LA1 and LA2 and recomputed by CRL users to revoke a device:
//!
//! - linkage seed chain: `ls(i) = SHA-256(la_id || ls(i-1) || 0^112)[0..16]`
//!   (`la_id` 16 bits, so the hash input is exactly 32 bytes);
//! - pre-linkage value: `plv(i, j) = (AES_ls(i)(la_id || j || 0^80) XOR
//!   (la_id || j || 0^80))[0..9]` with `j` 32 bits;
//! - linkage value: `lv(i, j) = plv1(i, j) XOR plv2(i, j)`.
//!
//! Group linkage values use the same two functions on group linkage seeds
//! `gs(i)` (`gplv`, `glv`), and the two LAs share an indices key `ik` that
//! hides `(j, k)`: `ei = AES_ik(k || j || 0^64) XOR (k || j || 0^64)` where `k`
//! is the 32-bit group chain identifier. The CAMP vectors (`glv.txt`) caption
//! this input "j || k" but their bytes (and the generating script's call) put
//! `k` first; we follow the bytes.

use core::fmt;

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::Aes128;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Length of a linkage seed (an AES-128 key).
pub const LINKAGE_SEED_LEN: usize = 16;
/// Length of a (pre-)linkage value: 72 bits.
pub const LINKAGE_VALUE_LEN: usize = 9;

/// The 16-bit identifier of a linkage authority (`la_id`), mixed into every
/// hash and AES input so that the two LAs' chains never coincide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LaId(pub u16);

impl LaId {
    /// Big-endian encoding, as in the CRL `LAGroup` and the hash inputs.
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
}

/// `SHA-256(la_id || seed || 0^112)[0..16]`: one step of a seed chain.
fn next_seed(la_id: LaId, seed: &[u8; LINKAGE_SEED_LEN]) -> [u8; LINKAGE_SEED_LEN] {
    let mut input = [0u8; 32];
    input[..2].copy_from_slice(&la_id.to_bytes());
    input[2..18].copy_from_slice(seed);
    let mut digest = Sha256::digest(input);
    input.zeroize();
    let mut out = [0u8; LINKAGE_SEED_LEN];
    out.copy_from_slice(&digest[..LINKAGE_SEED_LEN]);
    digest.as_mut_slice().zeroize();
    out
}

/// Davies-Meyer style `(AES_key(x) XOR x)`, the one-way step of plv and ei.
fn aes_xor_input(key: &[u8; 16], x: [u8; 16]) -> [u8; 16] {
    let cipher = Aes128::new(&(*key).into());
    let mut block = x.into();
    cipher.encrypt_block(&mut block);
    let mut out: [u8; 16] = block.into();
    for (o, i) in out.iter_mut().zip(x.iter()) {
        *o ^= i;
    }
    out
}

/// `(AES_seed(la_id || j || 0^80) XOR (la_id || j || 0^80))[0..9]`.
fn pre_linkage(la_id: LaId, seed: &[u8; LINKAGE_SEED_LEN], j: u32) -> [u8; LINKAGE_VALUE_LEN] {
    let mut x = [0u8; 16];
    x[..2].copy_from_slice(&la_id.to_bytes());
    x[2..6].copy_from_slice(&j.to_be_bytes());
    let mut full = aes_xor_input(seed, x);
    let mut out = [0u8; LINKAGE_VALUE_LEN];
    out.copy_from_slice(&full[..LINKAGE_VALUE_LEN]);
    full.zeroize();
    out
}

fn xor9(a: &[u8; LINKAGE_VALUE_LEN], b: &[u8; LINKAGE_VALUE_LEN]) -> [u8; LINKAGE_VALUE_LEN] {
    let mut out = [0u8; LINKAGE_VALUE_LEN];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
    out
}

fn fmt_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

macro_rules! secret_seed {
    ($(#[$doc:meta])* $name:ident, $plv:ident) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; LINKAGE_SEED_LEN]);

        impl $name {
            /// Wraps 16 seed bytes (for instance a stored `ls(0)`).
            pub fn from_bytes(bytes: [u8; LINKAGE_SEED_LEN]) -> Self {
                Self(bytes)
            }

            /// Draws a fresh initial seed (`ls(0)`), as an LA does per device.
            pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
                let mut s = [0u8; LINKAGE_SEED_LEN];
                rng.fill_bytes(&mut s);
                Self(s)
            }

            /// The seed bytes, e.g. to publish in a CRL after revocation.
            pub fn as_bytes(&self) -> &[u8; LINKAGE_SEED_LEN] {
                &self.0
            }

            /// The seed of the next period: `SHA-256(la_id || self || 0^112)[0..16]`.
            pub fn next(&self, la_id: LaId) -> Self {
                Self(next_seed(la_id, &self.0))
            }

            /// The seed `i` periods after this one (`ls(i)` when `self` is
            /// `ls(0)`); costs `i` hashes.
            pub fn at(&self, la_id: LaId, i: u32) -> Self {
                let mut s = self.clone();
                for _ in 0..i {
                    s = s.next(la_id);
                }
                s
            }

            /// The pre-linkage value for index `j` in this seed's period.
            pub fn pre_linkage_value(&self, la_id: LaId, j: u32) -> $plv {
                $plv(pre_linkage(la_id, &self.0, j))
            }
        }

        impl ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> Choice {
                self.0.ct_eq(&other.0)
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.ct_eq(other).into()
            }
        }

        impl Eq for $name {}

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(<redacted>)", stringify!($name))
            }
        }
    };
}

macro_rules! secret_plv {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; LINKAGE_VALUE_LEN]);

        impl $name {
            /// Wraps 9 bytes received (decrypted) from an LA.
            pub fn from_bytes(bytes: [u8; LINKAGE_VALUE_LEN]) -> Self {
                Self(bytes)
            }

            /// The 9 value bytes.
            pub fn as_bytes(&self) -> &[u8; LINKAGE_VALUE_LEN] {
                &self.0
            }
        }

        impl ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> Choice {
                self.0.ct_eq(&other.0)
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.ct_eq(other).into()
            }
        }

        impl Eq for $name {}

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(<redacted>)", stringify!($name))
            }
        }
    };
}

macro_rules! public_lv {
    ($(#[$doc:meta])* $name:ident, $plv:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; LINKAGE_VALUE_LEN]);

        impl $name {
            /// Combines the two LAs' halves: `plv1 XOR plv2`.
            pub fn from_pre_linkage_values(plv1: &$plv, plv2: &$plv) -> Self {
                Self(xor9(&plv1.0, &plv2.0))
            }

            /// The 9 value bytes as they appear in a certificate.
            pub fn as_bytes(&self) -> &[u8; LINKAGE_VALUE_LEN] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(", stringify!($name))?;
                fmt_hex(f, &self.0)?;
                f.write_str(")")
            }
        }
    };
}

secret_seed!(
    /// An individual linkage seed `ls(i)` of one LA for one device: an AES-128
    /// key, secret until the device is revoked. Zeroized on drop.
    LinkageSeed,
    PreLinkageValue
);
secret_plv!(
    /// `plv(i, j)`: one LA's 72-bit half of a linkage value. The LA sends it
    /// encrypted to the PCA; zeroized on drop.
    PreLinkageValue
);
public_lv!(
    /// `lv(i, j) = plv1(i, j) XOR plv2(i, j)`: the 9 bytes the PCA puts in a
    /// pseudonym certificate (`LinkageData.linkage-value`).
    LinkageValue,
    PreLinkageValue
);

secret_seed!(
    /// A group linkage seed `gs(i)` of one LA for one group chain; same chain
    /// function as [`LinkageSeed`]. Zeroized on drop.
    GroupLinkageSeed,
    GroupPreLinkageValue
);
secret_plv!(
    /// `gplv(i, j)`: one LA's half of a group linkage value; zeroized on drop.
    GroupPreLinkageValue
);
public_lv!(
    /// `glv(i, j) = gplv1(i, j) XOR gplv2(i, j)`.
    GroupLinkageValue,
    GroupPreLinkageValue
);

impl LinkageValue {
    /// `lv(i, j)` from both LAs' seeds of period `i` (what a CRL user does
    /// with the seeds of a revoked device).
    pub fn compute(la1: LaId, ls1: &LinkageSeed, la2: LaId, ls2: &LinkageSeed, j: u32) -> Self {
        Self::from_pre_linkage_values(
            &ls1.pre_linkage_value(la1, j),
            &ls2.pre_linkage_value(la2, j),
        )
    }

    /// `lv(i, j)` for every `j` in `js`: a CRL entry's values for one period.
    /// CAMP's `jMax` is a count ("maximum count of linkage values per i"),
    /// so the usual range is `0..j_max`.
    pub fn compute_range(
        la1: LaId,
        ls1: &LinkageSeed,
        la2: LaId,
        ls2: &LinkageSeed,
        js: core::ops::Range<u32>,
    ) -> Vec<Self> {
        js.map(|j| Self::compute(la1, ls1, la2, ls2, j)).collect()
    }
}

impl GroupLinkageValue {
    /// `glv(i, j)` from both LAs' group seeds of period `i`.
    pub fn compute(
        la1: LaId,
        gs1: &GroupLinkageSeed,
        la2: LaId,
        gs2: &GroupLinkageSeed,
        j: u32,
    ) -> Self {
        Self::from_pre_linkage_values(
            &gs1.pre_linkage_value(la1, j),
            &gs2.pre_linkage_value(la2, j),
        )
    }
}

/// The indices key `ik` that LA1 and LA2 share to hide group indices.
/// Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct IndicesKey([u8; 16]);

impl IndicesKey {
    /// Wraps 16 key bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Draws a fresh indices key.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut k = [0u8; 16];
        rng.fill_bytes(&mut k);
        Self(k)
    }

    /// `ei(j, k) = AES_ik(k || j || 0^64) XOR (k || j || 0^64)` for group chain
    /// `k` and index `j` (byte order as in the CAMP vectors, see module doc).
    pub fn encrypted_indices(&self, group_chain_id: u32, j: u32) -> EncryptedIndices {
        let mut x = [0u8; 16];
        x[..4].copy_from_slice(&group_chain_id.to_be_bytes());
        x[4..8].copy_from_slice(&j.to_be_bytes());
        EncryptedIndices(aes_xor_input(&self.0, x))
    }
}

impl fmt::Debug for IndicesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IndicesKey(<redacted>)")
    }
}

/// `ei(j, k)`: the 128-bit encrypted group indices.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncryptedIndices(pub [u8; 16]);

impl EncryptedIndices {
    /// The 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for EncryptedIndices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptedIndices(")?;
        fmt_hex(f, &self.0)?;
        f.write_str(")")
    }
}
