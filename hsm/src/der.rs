//! The few DER encodings that key stores and tools exchange: named-curve OIDs
//! (`CKA_EC_PARAMS`), the `CKA_EC_POINT` OCTET STRING, SubjectPublicKeyInfo
//! (for `openssl` and X.509 tooling) and `ECDSA-Sig-Value`.

use crate::KeyStoreError;
use scms_crypto::suite::{Curve, PublicKey, Signature};

/// DER of the named-curve OBJECT IDENTIFIER of `curve` (RFC 5480, RFC 5639,
/// GB/T 33560 for SM2).
pub fn curve_oid(curve: Curve) -> &'static [u8] {
    match curve {
        // 1.2.840.10045.3.1.7
        Curve::NistP256 => &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        // 1.3.132.0.34
        Curve::NistP384 => &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
        // 1.3.36.3.3.2.8.1.1.7
        Curve::BrainpoolP256r1 => &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07,
        ],
        // 1.3.36.3.3.2.8.1.1.11
        Curve::BrainpoolP384r1 => &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b,
        ],
        // 1.2.156.10197.1.301
        Curve::Sm2 => &[0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d],
    }
}

/// The curve named by a DER OBJECT IDENTIFIER, if it is one of ours.
pub fn curve_from_oid(der: &[u8]) -> Option<Curve> {
    Curve::ALL.into_iter().find(|c| curve_oid(*c) == der)
}

/// DER length octets.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    push_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// Reads one TLV with tag `tag` that fills `der` exactly; returns its content.
fn read_tlv(der: &[u8], tag: u8) -> Option<&[u8]> {
    let (&t, rest) = der.split_first()?;
    if t != tag {
        return None;
    }
    let (&l0, rest) = rest.split_first()?;
    let (len, rest) = match l0 {
        0..=0x7f => (usize::from(l0), rest),
        0x81 => {
            let (&l1, rest) = rest.split_first()?;
            (usize::from(l1), rest)
        }
        0x82 => {
            let (l, rest) = rest.split_at_checked(2)?;
            ((usize::from(l[0]) << 8) | usize::from(l[1]), rest)
        }
        _ => return None,
    };
    (rest.len() == len).then_some(rest)
}

/// `CKA_EC_POINT`: a DER OCTET STRING wrapping the uncompressed SEC1 point.
pub fn ec_point_octet_string(key: &PublicKey) -> Vec<u8> {
    tlv(0x04, &key.to_sec1(false))
}

/// Parses `CKA_EC_POINT`. PKCS#11 says DER OCTET STRING; a few tokens return
/// the bare SEC1 point, which is accepted too.
pub fn parse_ec_point(curve: Curve, value: &[u8]) -> Result<PublicKey, KeyStoreError> {
    if let Some(inner) = read_tlv(value, 0x04) {
        if let Ok(p) = PublicKey::from_sec1(curve, inner) {
            return Ok(p);
        }
    }
    Ok(PublicKey::from_sec1(curve, value)?)
}

/// DER SubjectPublicKeyInfo (RFC 5480: id-ecPublicKey + named curve,
/// uncompressed point), as `openssl pkey -pubin -inform DER` reads it.
pub fn spki_der(key: &PublicKey) -> Vec<u8> {
    // 1.2.840.10045.2.1 id-ecPublicKey
    const EC_PUBLIC_KEY: [u8; 9] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    let mut alg = EC_PUBLIC_KEY.to_vec();
    alg.extend_from_slice(curve_oid(key.curve()));
    let mut bits = vec![0u8];
    bits.extend_from_slice(&key.to_sec1(false));
    let mut body = tlv(0x30, &alg);
    body.extend_from_slice(&tlv(0x03, &bits));
    tlv(0x30, &body)
}

fn der_uint(be: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(&trimmed);
    tlv(0x02, &content)
}

/// DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279),
/// with `r` as x-only bytes.
pub fn ecdsa_sig_der(sig: &Signature) -> Vec<u8> {
    let mut body = der_uint(&sig.r_bytes());
    body.extend_from_slice(&der_uint(&sig.s));
    tlv(0x30, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scms_crypto::suite::{os_rng, SecretKey};

    #[test]
    fn oids_round_trip_and_ec_point_parses_both_forms() {
        for c in Curve::ALL {
            assert_eq!(curve_from_oid(curve_oid(c)), Some(c));
            let k = SecretKey::generate(c, &mut os_rng()).unwrap();
            let q = k.public_key();
            assert_eq!(parse_ec_point(c, &ec_point_octet_string(&q)).unwrap(), q);
            assert_eq!(parse_ec_point(c, &q.to_sec1(false)).unwrap(), q);
            let spki = spki_der(&q);
            assert_eq!(spki[0], 0x30);
            assert!(read_tlv(&spki, 0x30).is_some());
        }
        assert_eq!(curve_from_oid(&[0x06, 0x01, 0x00]), None);
        assert_eq!(der_uint(&[0, 0, 0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(der_uint(&[0, 0x7f]), vec![0x02, 0x01, 0x7f]);
    }
}
