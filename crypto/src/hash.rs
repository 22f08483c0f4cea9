//! Hash functions of IEEE 1609.2 (`HashAlgorithm`: sha256, sha384, sm3).
//!
//! SHA-256/SHA-384 per FIPS 180-4, SM3 per GB/T 32905-2016. A [`Digest`] is a
//! small stack value so the signing input (1609.2 clause 5.3.1) needs no heap.

use sha2::Digest as _;

/// The hash algorithms of 1609.2-2022 `HashAlgorithm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256 (P-256, brainpoolP256r1).
    Sha256,
    /// SHA-384 (P-384, brainpoolP384r1).
    Sha384,
    /// SM3 (SM2, YD/T 3957).
    Sm3,
}

impl HashAlgorithm {
    /// Output length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 | HashAlgorithm::Sm3 => 32,
            HashAlgorithm::Sha384 => 48,
        }
    }

    /// Hash of the empty string, used for the signer part of a self-signed signing input.
    pub fn empty_digest(self) -> Digest {
        digest(self, &[])
    }
}

/// A hash output of 32 or 48 bytes, kept on the stack.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest {
    alg: HashAlgorithm,
    bytes: [u8; 48],
}

impl Digest {
    /// The algorithm that produced this digest.
    pub const fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    /// The digest bytes (32 or 48 of them).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.alg.output_len()]
    }

    fn from_slice(alg: HashAlgorithm, out: &[u8]) -> Self {
        let mut bytes = [0u8; 48];
        bytes[..out.len()].copy_from_slice(out);
        Digest { alg, bytes }
    }
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl core::fmt::Debug for Digest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Digest({:?}, ", self.alg)?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// One-shot hash of `data`.
pub fn digest(alg: HashAlgorithm, data: &[u8]) -> Digest {
    let mut h = Hasher::new(alg);
    h.update(data);
    h.finalize()
}

/// Incremental hasher, for inputs that come in pieces (e.g. `Z_A || tbs`).
#[derive(Clone)]
pub struct Hasher(HasherInner);

#[derive(Clone)]
enum HasherInner {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sm3(sm3::Sm3),
}

impl core::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Hasher({:?})", self.algorithm())
    }
}

impl Hasher {
    /// A fresh hasher for `alg`.
    pub fn new(alg: HashAlgorithm) -> Self {
        Hasher(match alg {
            HashAlgorithm::Sha256 => HasherInner::Sha256(sha2::Sha256::new()),
            HashAlgorithm::Sha384 => HasherInner::Sha384(sha2::Sha384::new()),
            HashAlgorithm::Sm3 => HasherInner::Sm3(sm3::Sm3::new()),
        })
    }

    /// The algorithm of this hasher.
    pub fn algorithm(&self) -> HashAlgorithm {
        match self.0 {
            HasherInner::Sha256(_) => HashAlgorithm::Sha256,
            HasherInner::Sha384(_) => HashAlgorithm::Sha384,
            HasherInner::Sm3(_) => HashAlgorithm::Sm3,
        }
    }

    /// Absorb more data.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            HasherInner::Sha256(h) => h.update(data),
            HasherInner::Sha384(h) => h.update(data),
            HasherInner::Sm3(h) => h.update(data),
        }
    }

    /// Finish and return the digest.
    pub fn finalize(self) -> Digest {
        match self.0 {
            HasherInner::Sha256(h) => Digest::from_slice(HashAlgorithm::Sha256, &h.finalize()),
            HasherInner::Sha384(h) => Digest::from_slice(HashAlgorithm::Sha384, &h.finalize()),
            HasherInner::Sm3(h) => Digest::from_slice(HashAlgorithm::Sm3, &h.finalize()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_equals_one_shot() {
        for alg in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sm3,
        ] {
            let mut h = Hasher::new(alg);
            h.update(b"ab");
            h.update(b"c");
            assert_eq!(h.finalize(), digest(alg, b"abc"));
            assert_eq!(digest(alg, b"abc").as_bytes().len(), alg.output_len());
        }
    }
}
