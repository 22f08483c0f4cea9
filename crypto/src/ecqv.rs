//! ECQV implicit certificates: SEC 4 v1.0 clause 2.4 / 2.5, as profiled by
//! IEEE 1609.2-2022 clause 5.3.2.
//!
//! - Requester: `R_U = k_U·G`.
//! - CA (issuer): random `k`, reconstruction value `P_U = R_U + k·G` (goes in
//!   the certificate's `verifyKeyIndicator.reconstructionValue`); once the
//!   certificate is encoded, `e = H(H(COER(tbs)) || H(COER(issuer cert))) mod n`
//!   ([`certificate_e`]; no `>> 1` shift, unlike SEC 4's `Hn`) and the private
//!   key reconstruction value `s = e·k + d_CA mod n`.
//! - Device: `d_U = e·k_U + s mod n`.
//! - Anyone: `Q_U = e·P_U + Q_CA`.
//!
//! With butterfly keys `k_U` is the cocoon private key, so
//! `d_U = e·(a + f_k(x_sig)) + s` (see [`crate::butterfly`]).

use crate::hash::{digest, Hasher};
use crate::suite::{Curve, EcPoint, EcScalar, Error, PublicKey, SecretKey};

/// `e` of 1609.2: `H(H(tbs) || H(issuer_cert)) mod n`, `H` the hash of `curve`.
pub fn certificate_e(curve: Curve, tbs: &[u8], issuer_cert: &[u8]) -> EcScalar {
    let alg = curve.hash();
    let mut h = Hasher::new(alg);
    h.update(digest(alg, tbs).as_bytes());
    h.update(digest(alg, issuer_cert).as_bytes());
    EcScalar::from_be_bytes_reduced(curve, h.finalize().as_bytes())
}

/// CA side of one issuance: holds the CA's per-certificate random `k`.
#[derive(Debug)]
pub struct EcqvIssuance {
    k: EcScalar,
    reconstruction_value: EcPoint,
}

impl EcqvIssuance {
    /// Draw `k` and compute `P_U = R_U + k·G` for the request key `request`.
    pub fn start<R: rand_core::TryCryptoRng + ?Sized>(
        request: &PublicKey,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let k = EcScalar::random(request.curve(), rng)?;
        Self::with_nonce(request, k)
    }

    /// Same as [`EcqvIssuance::start`] with a caller-chosen `k` (tests, HSMs
    /// that draw `k` themselves). `k` must be fresh for every certificate.
    pub fn with_nonce(request: &PublicKey, k: EcScalar) -> Result<Self, Error> {
        if k.curve() != request.curve() {
            return Err(Error::CurveMismatch);
        }
        if k.is_zero() {
            return Err(Error::InvalidScalar);
        }
        let reconstruction_value = request.add(&EcPoint::mul_generator(&k)?)?;
        Ok(EcqvIssuance {
            k,
            reconstruction_value,
        })
    }

    /// `P_U`, to be put in the certificate before `e` is computed.
    pub fn reconstruction_value(&self) -> &EcPoint {
        &self.reconstruction_value
    }

    /// `s = e·k + d_CA mod n`; consumes the issuance so `k` is used once.
    pub fn finish(self, e: &EcScalar, ca_key: &SecretKey) -> Result<EcScalar, Error> {
        if ca_key.curve() != self.k.curve() || e.curve() != self.k.curve() {
            return Err(Error::CurveMismatch);
        }
        e.mul(&self.k)?.add(ca_key.as_scalar())
    }
}

/// Device: `d_U = e·k_U + s mod n`.
pub fn reconstruct_private_key(
    request_key: &SecretKey,
    e: &EcScalar,
    s: &EcScalar,
) -> Result<SecretKey, Error> {
    SecretKey::from_scalar(e.mul(request_key.as_scalar())?.add(s)?)
}

/// Anyone: `Q_U = e·P_U + Q_CA`.
pub fn reconstruct_public_key(
    e: &EcScalar,
    reconstruction_value: &EcPoint,
    ca_public: &PublicKey,
) -> Result<PublicKey, Error> {
    if reconstruction_value.curve() != ca_public.curve() {
        return Err(Error::CurveMismatch);
    }
    reconstruction_value.mul(e)?.add(ca_public)
}

/// Device: reconstruct `d_U` and check it against `Q_U` (SEC 4 clause 2.5
/// step 4), so a wrong `s` or certificate is caught before the key is used.
pub fn reconstruct_key_pair(
    request_key: &SecretKey,
    e: &EcScalar,
    s: &EcScalar,
    reconstruction_value: &EcPoint,
    ca_public: &PublicKey,
) -> Result<SecretKey, Error> {
    let d = reconstruct_private_key(request_key, e, s)?;
    let q = reconstruct_public_key(e, reconstruction_value, ca_public)?;
    if d.public_key() != q {
        return Err(Error::VerificationFailed);
    }
    Ok(d)
}
