//! Encryption to a certificate (IEEE 1609.2 clause 5.3.5, `encryptedData`
//! with a `certRecipInfo`), sans-IO: ECIES (NIST P-256, brainpoolP256r1) or
//! SM2 key wrap, chosen by the recipient certificate's `encryptionKey`, the
//! data under AES-128-CCM or SM4-CCM. The receiver opens it with the private
//! key of that encryption key, used only through its `KeyStore`.
//!
//! The envelope itself is `scms_hsm::envelope`, shared with the authorities
//! (the RA and ACA use the same code to open the device's requests).

use scms_asn1::ieee1609dot2::Ieee1609Dot2Data;
use scms_hsm::envelope::{self, Decryptor, EnvelopeError};
use scms_hsm::KeyStore;
use zeroize::Zeroizing;

/// Encrypts `plaintext` to the encryption key of `recipient_cert` (COER):
/// the `Ieee1609Dot2Data` of `encryptedData` (COER). A certificate without
/// an `encryptionKey` is refused (`EnvelopeError::Unsupported`).
pub fn encrypt_to_certificate(
    recipient_cert: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    envelope::encrypt_to_certificate(recipient_cert, plaintext)
}

/// Opens `data` (COER `Ieee1609Dot2Data` of `encryptedData`) addressed to
/// `own_cert`, whose encryption private key is `enc_key_label` in `keys`.
/// `NotForUs` when no recipient info names the certificate,
/// `Authentication` when a tag does not verify (tampered, or another key).
pub fn decrypt(
    keys: &dyn KeyStore,
    enc_key_label: &str,
    own_cert: &[u8],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(data)?;
    let plaintext =
        envelope::decrypt_for_certificate(Decryptor::Store(keys, enc_key_label), own_cert, &data)?;
    Ok(Zeroizing::new(plaintext.to_vec()))
}
