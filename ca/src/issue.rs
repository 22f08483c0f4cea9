//! Certificate issuance: explicit certificates (root, ICA, ECA, ACA, RA, LA, MA,
//! CRL signer, electors, enrollment) and implicit ECQV certificates
//! (pseudonym / application), every private-key use through a [`KeyStore`].
//!
//! The signing input is the one `scms_crypto::verify` checks:
//! - ECDSA: `H_out(H_tbs(tbs) || H_out(issuer cert or ""))`, `H_tbs` the
//!   subject key's hash ([`SigningInputHashes::for_certificate`]); the
//!   signature's `rSig` is the point `R` in compressed form;
//! - SM2: `SM3(Z_A || tbs)` with `ID_A = SM3(issuer cert)`; for a self-signed
//!   SM2 certificate `ID_A = SM3("")`, the convention of `verify_certificate`.
//!
//! The issuer is named by `sha256AndDigest` / `sha384AndDigest` /
//! `sm3AndDigest` of its HashedId8 (its own key's hash), or `self`.
//!
//! Before anything is signed the new certificate is linted against its issuer
//! (and its requester when one is given, see [`crate::lint`]); after signing an
//! explicit certificate is verified with `scms_crypto::verify` before it is
//! returned.

use core::fmt;
use std::borrow::Cow;

use scms_asn1::codec::{Octets, Spanned, Utf8String};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateBase, CertificateId, CertificateType, HashedId3, Hostname,
    IssuerIdentifier, LinkageData, Time32, ToBeSignedCertificate, ValidityPeriod,
    VerificationKeyIndicator,
};
use scms_crypto::ecqv::{self, EcqvIssuance};
use scms_crypto::hashed_id::HashedId8;
use scms_crypto::signing_input::{ecdsa_signing_digest, sm2_signing_digest, SigningInputHashes};
use scms_crypto::suite::{os_rng, Curve, EcPoint, EcScalar, PublicKey};
use scms_crypto::verify::{certificate_hashed_id8, certificate_public_key, verify_certificate};
use scms_crypto::wire;
use scms_hsm::KeyStore;

use crate::lint::{lint_certificate, lint_request, lint_self_signed};
use crate::profile::{CertKind, Profile, Role, StartRule};
use crate::CaError;
use scms_asn1::ieee1609dot2::time::validity_end;

/// The `id` of the new certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectId {
    /// `none` (pseudonym certificates without linkage, enrollment certificates).
    None,
    /// `name` (a host name, up to 255 bytes): CA and authority certificates.
    Name(String),
    /// `binaryId` (1..64 bytes).
    Binary(Vec<u8>),
    /// `linkageData` (pseudonym certificates).
    Linkage { i_cert: u16, linkage_value: [u8; 9] },
}

impl SubjectId {
    fn to_asn1(&self) -> Result<CertificateId<'static>, CaError> {
        Ok(match self {
            SubjectId::None => CertificateId::None,
            SubjectId::Name(n) => {
                if n.len() > 255 {
                    return Err(CaError::invalid("subject id", "name longer than 255 bytes"));
                }
                CertificateId::Name(Hostname(Utf8String(Cow::Owned(n.clone()))))
            }
            SubjectId::Binary(b) => {
                if b.is_empty() || b.len() > 64 {
                    return Err(CaError::invalid("subject id", "binaryId has 1..64 bytes"));
                }
                CertificateId::BinaryId(Octets::from(b.clone()))
            }
            SubjectId::Linkage {
                i_cert,
                linkage_value,
            } => CertificateId::LinkageData(LinkageData {
                i_cert: *i_cert,
                linkage_value: *linkage_value,
                group_linkage_value: None,
            }),
        })
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubjectId::None => f.write_str("none"),
            SubjectId::Name(n) => write!(f, "name:{n}"),
            SubjectId::Binary(b) => {
                f.write_str("binary:")?;
                b.iter().try_for_each(|x| write!(f, "{x:02x}"))
            }
            SubjectId::Linkage {
                i_cert,
                linkage_value,
            } => {
                write!(f, "linkage:{i_cert}:")?;
                linkage_value.iter().try_for_each(|x| write!(f, "{x:02x}"))
            }
        }
    }
}

/// The issuing CA: its certificate (COER) and the label of its key in the store.
#[derive(Clone, Copy, Debug)]
pub struct IssuerRef<'a> {
    pub certificate: &'a [u8],
    pub key_label: &'a str,
}

/// What to issue, apart from the issuer.
#[derive(Clone, Debug)]
pub struct IssueParams<'a> {
    pub profile: &'a Profile,
    pub id: SubjectId,
    /// The subject's verification key (explicit) or its ECQV request key `R_U`
    /// (implicit; for butterfly keys, the cocoon public key).
    pub key: PublicKey,
    /// The issuance time (`Time32`), the start of `now` validity rules.
    pub now: Time32,
    /// `cracaId`: HashedId3 of the CRACA certificate (`000000` when none).
    pub craca_id: HashedId3,
    /// An encryption key to put in the certificate (`encryptionKey`).
    pub encryption_key: Option<PublicKey>,
    /// The certificate of the requester (enrollment certificate or RA), whose
    /// `certRequestPermissions` the new certificate must fit.
    pub requester: Option<&'a [u8]>,
    /// Overrides the profile's explicit / implicit choice.
    pub kind: Option<CertKind>,
}

impl<'a> IssueParams<'a> {
    /// Parameters with the profile's defaults: no encryption key, no requester.
    pub fn new(profile: &'a Profile, id: SubjectId, key: PublicKey, now: Time32) -> Self {
        Self {
            profile,
            id,
            key,
            now,
            craca_id: [0; 3],
            encryption_key: None,
            requester: None,
            kind: None,
        }
    }
}

/// What was issued, for the storage layer to log and commit before the
/// certificate is handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuanceRecord {
    /// The COER certificate.
    pub certificate: Vec<u8>,
    pub hashed_id8: HashedId8,
    /// HashedId8 of the issuer, `None` for a self-signed certificate.
    pub issuer: Option<HashedId8>,
    /// Label of the key that signed (or issued by ECQV).
    pub issuer_key_label: String,
    pub role: Role,
    pub profile: String,
    pub kind: CertKind,
    /// Curve of the subject key (for implicit certificates, the issuer's).
    pub curve: Curve,
    pub subject: String,
    pub validity_start: Time32,
    /// First second after the validity period.
    pub validity_end: u64,
}

/// An issued certificate. For implicit certificates `reconstruction` is the
/// private-key reconstruction value `s` the requester needs (`d = e·k + s`).
#[derive(Debug)]
pub struct Issued {
    pub record: IssuanceRecord,
    pub reconstruction: Option<EcScalar>,
}

impl Issued {
    /// The COER certificate.
    pub fn certificate(&self) -> &[u8] {
        &self.record.certificate
    }
}

// ---------------------------------------------------------------------------
// Keys, points and signatures in their 1609.2 form

/// The digest an issuer signs for a certificate (public data only; tests use
/// it to check signatures with other tools).
pub fn certificate_signing_digest(
    issuer_key: &PublicKey,
    subject_curve: Curve,
    tbs: &[u8],
    issuer_cert: Option<&[u8]>,
) -> Result<Vec<u8>, CaError> {
    let d = if issuer_key.curve().is_sm2() {
        sm2_signing_digest(issuer_key, tbs, issuer_cert.unwrap_or(&[]))?
    } else {
        ecdsa_signing_digest(
            SigningInputHashes::for_certificate(issuer_key.curve(), subject_curve),
            tbs,
            issuer_cert,
        )
    };
    Ok(d.as_bytes().to_vec())
}

// ---------------------------------------------------------------------------
// Issuance

fn start_time(base: Time32, offset: i64) -> Result<Time32, CaError> {
    let t = i64::from(base).saturating_add(offset);
    u32::try_from(t)
        .map_err(|_| CaError::invalid("validity.start-offset", "start out of the Time32 range"))
}

/// The `toBeSigned` a profile and parameters give, with the verification key
/// indicator `vki` (no lint, no signature): for a storage or HTTP layer that
/// wants to check a request ([`crate::lint`]) before queueing it.
pub fn to_be_signed(
    p: &IssueParams<'_>,
    issuer: Option<&ToBeSignedCertificate<'_>>,
    vki: VerificationKeyIndicator,
) -> Result<ToBeSignedCertificate<'static>, CaError> {
    let profile = p.profile;
    let base = match (profile.validity.start, issuer) {
        (StartRule::Now, _) | (StartRule::IssuerStart, None) => p.now,
        (StartRule::IssuerStart, Some(i)) => i.validity_period.start,
    };
    let perms = profile.permissions()?;
    Ok(ToBeSignedCertificate {
        id: p.id.to_asn1()?,
        craca_id: p.craca_id,
        crl_series: profile.crl_series,
        validity_period: ValidityPeriod {
            start: start_time(base, profile.validity.start_offset)?,
            duration: profile.validity.duration.to_asn1(),
        },
        region: profile.region_asn1()?,
        assurance_level: profile.assurance_level.map(|a| [a.octet()]),
        app_permissions: perms.app,
        cert_issue_permissions: perms.issue,
        cert_request_permissions: perms.request,
        can_request_rollover: None,
        encryption_key: p
            .encryption_key
            .as_ref()
            .map(wire::encryption_key)
            .transpose()?,
        verify_key_indicator: vki,
        flags: profile
            .uses_cubk
            .then(ToBeSignedCertificate::flags_uses_cubk),
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
        unknown_extensions: Default::default(),
    })
}

fn record(
    cert: Vec<u8>,
    p: &IssueParams<'_>,
    issuer: Option<HashedId8>,
    label: &str,
    kind: CertKind,
    curve: Curve,
) -> Result<IssuanceRecord, CaError> {
    let decoded: Certificate<'_> = scms_asn1::decode(&cert)?;
    let hashed_id8 = certificate_hashed_id8(&decoded)?;
    let v = decoded.to_be_signed.validity_period;
    Ok(IssuanceRecord {
        hashed_id8,
        issuer,
        issuer_key_label: label.to_string(),
        role: p.profile.role,
        profile: p.profile.name.clone(),
        kind,
        curve,
        subject: p.id.to_string(),
        validity_start: v.start,
        validity_end: validity_end(&v),
        certificate: cert,
    })
}

/// Issues a self-signed explicit certificate (a root CA or an elector) with
/// the key `key_label`; `params.key` must be that key's public key.
pub fn issue_self_signed(
    ks: &dyn KeyStore,
    key_label: &str,
    params: &IssueParams<'_>,
) -> Result<Issued, CaError> {
    let key = ks.public_key(key_label)?;
    if key != params.key {
        return Err(CaError::invalid(
            "key",
            "params.key is not the public key of the signing key",
        ));
    }
    if params.kind == Some(CertKind::Implicit) || params.profile.certificate == CertKind::Implicit {
        return Err(CaError::invalid(
            "certificate",
            "a self-signed certificate is explicit",
        ));
    }
    check_profile_curve(params.profile, key.curve())?;
    let tbs = to_be_signed(
        params,
        None,
        VerificationKeyIndicator::VerificationKey(wire::verification_key(&key)?),
    )?;
    lint_self_signed(&tbs)?;
    let tbs_bytes = scms_asn1::encode(&tbs)?;
    let digest = certificate_signing_digest(&key, key.curve(), &tbs_bytes, None)?;
    let sig = ks.sign_digest(key_label, &digest)?;
    let cert = CertificateBase {
        version: CertificateBase::VERSION,
        r#type: CertificateType::Explicit,
        issuer: IssuerIdentifier::SelfSigned(wire::hash_algorithm(key.curve())),
        to_be_signed: Spanned::new(tbs),
        signature: Some(wire::signature(key.curve(), &sig)?),
    };
    let bytes = scms_asn1::encode(&Spanned::new(cert))?;
    let decoded: Certificate<'_> = scms_asn1::decode(&bytes)?;
    verify_certificate(&decoded, None)?;
    Ok(Issued {
        record: record(
            bytes,
            params,
            None,
            key_label,
            CertKind::Explicit,
            key.curve(),
        )?,
        reconstruction: None,
    })
}

fn check_profile_curve(profile: &Profile, curve: Curve) -> Result<(), CaError> {
    if profile.curve.curve() != curve {
        return Err(CaError::invalid(
            "key",
            format!(
                "the profile {} wants {:?}, the key is on {curve:?}",
                profile.name,
                profile.curve.curve()
            ),
        ));
    }
    Ok(())
}

/// Issues a certificate signed (explicit) or ECQV-issued (implicit) by `issuer`.
/// Lints first: nothing is signed unless the certificate fits its issuer
/// (and its requester, when `params.requester` is given).
pub fn issue(
    ks: &dyn KeyStore,
    issuer: &IssuerRef<'_>,
    params: &IssueParams<'_>,
) -> Result<Issued, CaError> {
    let issuer_cert: Certificate<'_> = scms_asn1::decode(issuer.certificate)?;
    let issuer_key = certificate_public_key(&issuer_cert, None)?;
    issue_decoded(ks, issuer, &issuer_cert, &issuer_key, params)
}

/// [`issue`] for a caller that holds the issuer certificate's key already
/// decoded (the ACA, once per certificate): `issuer_key` must be the key of
/// `issuer_cert`, which is `issuer.certificate` decoded.
pub(crate) fn issue_decoded(
    ks: &dyn KeyStore,
    issuer: &IssuerRef<'_>,
    issuer_cert: &Certificate<'_>,
    issuer_key: &PublicKey,
    params: &IssueParams<'_>,
) -> Result<Issued, CaError> {
    if !issuer_cert.is_explicit() {
        return Err(CaError::invalid(
            "issuer",
            "an issuer certificate must be explicit",
        ));
    }
    if ks.public_key(issuer.key_label)? != *issuer_key {
        return Err(CaError::invalid(
            "issuer",
            "the key in the store is not the issuer certificate's key",
        ));
    }
    let issuer_id = wire::issuer_identifier(issuer_cert)?;
    let issuer_h8 = certificate_hashed_id8(issuer_cert)?;
    let issuer_bytes = issuer.certificate;
    let kind = params.kind.unwrap_or(params.profile.certificate);
    check_profile_curve(params.profile, params.key.curve())?;
    if issuer_key.curve().is_sm2() != params.key.curve().is_sm2() {
        return Err(CaError::invalid(
            "key",
            "SM2 certificates are issued by SM2 issuers only",
        ));
    }
    let requester = params
        .requester
        .map(scms_asn1::decode::<Certificate<'_>>)
        .transpose()?;

    match kind {
        CertKind::Explicit => {
            let vki =
                VerificationKeyIndicator::VerificationKey(wire::verification_key(&params.key)?);
            let tbs = to_be_signed(params, Some(&issuer_cert.to_be_signed), vki)?;
            lint_certificate(&tbs, &issuer_cert.to_be_signed)?;
            if let Some(r) = &requester {
                lint_request(&tbs, &r.to_be_signed)?;
            }
            let tbs_bytes = scms_asn1::encode(&tbs)?;
            let digest = certificate_signing_digest(
                issuer_key,
                params.key.curve(),
                &tbs_bytes,
                Some(issuer_bytes),
            )?;
            let sig = ks.sign_digest(issuer.key_label, &digest)?;
            let cert = CertificateBase {
                version: CertificateBase::VERSION,
                r#type: CertificateType::Explicit,
                issuer: issuer_id,
                to_be_signed: Spanned::new(tbs),
                signature: Some(wire::signature(issuer_key.curve(), &sig)?),
            };
            let bytes = scms_asn1::encode(&Spanned::new(cert))?;
            let decoded: Certificate<'_> = scms_asn1::decode(&bytes)?;
            verify_certificate(&decoded, Some(issuer_cert))?;
            Ok(Issued {
                record: record(
                    bytes,
                    params,
                    Some(issuer_h8),
                    issuer.key_label,
                    kind,
                    params.key.curve(),
                )?,
                reconstruction: None,
            })
        }
        CertKind::Implicit => {
            let curve = issuer_key.curve();
            if params.key.curve() != curve || curve.field_len() != 32 {
                return Err(CaError::invalid(
                    "key",
                    "an implicit certificate's request key is on its issuer's 256-bit curve",
                ));
            }
            let k = EcScalar::random(curve, &mut os_rng())?;
            let ecqv = EcqvIssuance::with_nonce(&params.key, k.clone())?;
            let vki = VerificationKeyIndicator::ReconstructionValue(wire::ecc_point256(
                ecqv.reconstruction_value(),
            )?);
            let tbs = to_be_signed(params, Some(&issuer_cert.to_be_signed), vki)?;
            lint_certificate(&tbs, &issuer_cert.to_be_signed)?;
            if let Some(r) = &requester {
                lint_request(&tbs, &r.to_be_signed)?;
            }
            let tbs_bytes = scms_asn1::encode(&tbs)?;
            let cert = CertificateBase {
                version: CertificateBase::VERSION,
                r#type: CertificateType::Implicit,
                issuer: issuer_id,
                to_be_signed: Spanned::new(tbs),
                signature: None,
            };
            let bytes = scms_asn1::encode(&Spanned::new(cert))?;
            let e = ecqv::certificate_e(curve, &tbs_bytes, issuer_bytes);
            let s = ks.ecqv_reconstruction(issuer.key_label, &e, &k)?;
            // s·G must be (e·k)·G + Q_CA, or the store used another key (two
            // constant-time fixed-base multiplications; s - e·k would be d_CA).
            // A store that computes s here from the key checked above against
            // the certificate needs no such check (10% of an ACA issuance).
            if !ks.ecqv_in_process()
                && EcPoint::mul_generator(&s)?
                    != EcPoint::mul_generator(&e.mul(&k)?)?.add(issuer_key)?
            {
                return Err(CaError::invalid(
                    "ecqv",
                    "the key store's reconstruction value does not match the issuer key",
                ));
            }
            Ok(Issued {
                record: record(
                    bytes,
                    params,
                    Some(issuer_h8),
                    issuer.key_label,
                    kind,
                    curve,
                )?,
                reconstruction: Some(s),
            })
        }
    }
}
