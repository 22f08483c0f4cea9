//! The error of every CA operation.

use core::fmt;

use crate::lint::LintError;
use crate::profile::ProfileError;

/// Why an issuance, a CTL or a CRL could not be produced. Nothing is signed
/// when one of these is returned.
#[derive(Debug)]
pub enum CaError {
    /// The profile is invalid.
    Profile(ProfileError),
    /// The certificate does not fit inside its issuer (or its requester).
    Lint(LintError),
    /// The key store refused or failed.
    KeyStore(scms_hsm::KeyStoreError),
    /// A value could not be encoded.
    Encode(scms_asn1::EncodeError),
    /// Bytes given to the CA (an issuer certificate, a CTL...) do not decode.
    Decode(scms_asn1::DecodeError),
    /// A signature or key check failed.
    Verify(scms_crypto::verify::VerifyError),
    /// An elliptic-curve operation failed.
    Crypto(scms_crypto::suite::Error),
    /// Encryption to a recipient failed (e.g. its certificate has no encryption key).
    Envelope(scms_hsm::envelope::EnvelopeError),
    /// The request is inconsistent (names what and why).
    Invalid { what: &'static str, reason: String },
}

impl CaError {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            what,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for CaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Profile(e) => write!(f, "profile: {e}"),
            Self::Lint(e) => write!(f, "issuance refused: {e}"),
            Self::KeyStore(e) => write!(f, "{e}"),
            Self::Encode(e) => write!(f, "encode: {e}"),
            Self::Decode(e) => write!(f, "decode: {e}"),
            Self::Verify(e) => write!(f, "verify: {e}"),
            Self::Crypto(e) => write!(f, "crypto: {e}"),
            Self::Envelope(e) => write!(f, "encryption: {e}"),
            Self::Invalid { what, reason } => write!(f, "{what}: {reason}"),
        }
    }
}

impl std::error::Error for CaError {}

macro_rules! from {
    ($t:ty, $v:ident) => {
        impl From<$t> for CaError {
            fn from(e: $t) -> Self {
                Self::$v(e)
            }
        }
    };
}
from!(ProfileError, Profile);
from!(LintError, Lint);
from!(scms_hsm::KeyStoreError, KeyStore);
from!(scms_asn1::EncodeError, Encode);
from!(scms_asn1::DecodeError, Decode);
from!(scms_crypto::verify::VerifyError, Verify);
from!(scms_crypto::suite::Error, Crypto);
from!(scms_hsm::envelope::EnvelopeError, Envelope);

impl From<scms_hsm::spdu::SpduError> for CaError {
    fn from(e: scms_hsm::spdu::SpduError) -> Self {
        use scms_hsm::spdu::SpduError as S;
        match e {
            S::Key(e) => Self::KeyStore(e),
            S::Encode(e) => Self::Encode(e),
            S::Certificate(e) => Self::Decode(e),
            S::Crypto(e) => Self::Crypto(e),
            S::Verify(e) => Self::Verify(e),
        }
    }
}
