//! HashedId3 / HashedId8 / HashedId10 of IEEE 1609.2 (clause 6.3.6, 6.4.3):
//! the low-order (last) 3, 8 or 10 bytes of the hash of the COER-encoded
//! certificate. The hash is the one of the certificate's own verification key
//! curve (SHA-256 for P-256/bp256, SHA-384 for P-384/bp384, SM3 for SM2): the
//! ETSI ATS samples identify a P-384 AA under a P-256 root by its SHA-384
//! HashedId8 (see `tests/ec_real_data.rs`). The caller picks the algorithm.

use crate::hash::{digest, Digest, HashAlgorithm};

macro_rules! hashed_id {
    ($name:ident, $n:expr, $doc:expr) => {
        #[doc = $doc]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $n]);

        impl $name {
            /// Length in bytes.
            pub const LEN: usize = $n;

            /// The identifier of the COER certificate bytes `cert`, hashed with `alg`.
            pub fn of_certificate(alg: HashAlgorithm, cert: &[u8]) -> Self {
                Self::from_digest(&digest(alg, cert))
            }

            /// The last bytes of an already computed digest.
            pub fn from_digest(d: &Digest) -> Self {
                let bytes = d.as_bytes();
                let mut out = [0u8; $n];
                out.copy_from_slice(&bytes[bytes.len() - $n..]);
                $name(out)
            }

            /// The identifier bytes.
            pub const fn as_bytes(&self) -> &[u8; $n] {
                &self.0
            }
        }

        impl From<[u8; $n]> for $name {
            fn from(b: [u8; $n]) -> Self {
                $name(b)
            }
        }

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                for b in &self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }
    };
}

hashed_id!(HashedId3, 3, "Last 3 bytes of a hash (1609.2 `HashedId3`).");
hashed_id!(HashedId8, 8, "Last 8 bytes of a hash (1609.2 `HashedId8`).");
hashed_id!(
    HashedId10,
    10,
    "Last 10 bytes of a hash (1609.2 `HashedId10`)."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_last_bytes() {
        let d = digest(HashAlgorithm::Sha256, b"abc");
        let b = d.as_bytes();
        assert_eq!(HashedId8::from_digest(&d).0, b[24..]);
        assert_eq!(HashedId3::from_digest(&d).0, b[29..]);
        assert_eq!(HashedId10::from_digest(&d).0, b[22..]);
        let d = digest(HashAlgorithm::Sha384, b"abc");
        assert_eq!(HashedId8::from_digest(&d).0, d.as_bytes()[40..]);
    }
}
