//! CRL signing (IEEE 1609.2 clause 7): a `SecuredCrl` is signed data with PSID
//! 256 whose payload is `unsecuredData` carrying a COER `CrlContents`
//! `{version 1, crlSeries, crlCraca, issueDate, nextCrl, priorityInfo,
//! typeSpecific}`, signed by a CRL signer certificate. The layout follows the
//! ISS production CRL (`shared/samples/iss/CRL-2020-2025.oer`): `hashId`
//! sha256, header with the PSID only, signer `digest` (or the certificate,
//! [`SignerForm::Certificate`]).
//!
//! Entries:
//! - hash-based (`fullHashCrl` / `deltaHashCrl`): `HashedId10` of each revoked
//!   certificate (its own hash, like its HashedId8) and its expiry;
//! - linkage-based (`fullLinkedCrl` / `deltaLinkedCrl`): `iRev`,
//!   `indexWithinI`, `individual` entries (linkage seeds of LA1 and LA2, grouped
//!   by `jMax`, LA pair and `iMax`) and `groups` entries.
//!
//! Before signing: `nextCrl` after `issueDate`, the signer certificate grants
//! PSID 256 with a `CrlSsp` listing the series, and `crlCraca` is the one the
//! SSP's `associatedCraca` designates (the signer's issuer or the signer).

use scms_asn1::ieee1609dot2::crl::{SecuredCrl, CRL_PSID};
use scms_asn1::ieee1609dot2::crl_base_types::{
    CrlContents, CrlPriorityInfo, GroupCrlEntry, HashBasedRevocationInfo, IMaxGroup,
    IndividualRevocation, JMaxGroup, LAGroup, ToBeSignedHashIdCrl, ToBeSignedLinkageValueCrl,
    TypeSpecificCrlContents,
};
use scms_asn1::ieee1609dot2::crl_ssp::{CracaType, CrlSsp};
use scms_asn1::ieee1609dot2::{
    Certificate, HashedId10, HashedId8, LaId, LinkageSeed, ServiceSpecificPermissions,
    SignerIdentifier, Time32,
};
use scms_crypto::hashed_id::HashedId10 as CryptoHashedId10;
use scms_crypto::verify::{
    certificate_hash, certificate_hashed_id8, issuer_digest, verify_signed_data,
};
use scms_hsm::KeyStore;

use crate::issue::IssuerRef;
use crate::spdu::{signed_spdu, SignerForm};
use crate::CaError;
use scms_asn1::ieee1609dot2::time::validity_end;

/// A hash-based entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashEntry {
    pub id: HashedId10,
    pub expiry: Time32,
}

/// The hash-based entry of a certificate: its HashedId10 and the end of its validity.
pub fn hash_entry(cert: &[u8]) -> Result<HashEntry, CaError> {
    let c: Certificate<'_> = scms_asn1::decode(cert)?;
    let id = CryptoHashedId10::of_certificate(certificate_hash(&c), cert).0;
    let end = validity_end(&c.to_be_signed.validity_period);
    Ok(HashEntry {
        id,
        expiry: u32::try_from(end).unwrap_or(u32::MAX),
    })
}

/// One individually revoked device: the linkage seeds of its LA pair at `iRev`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndividualEntry {
    pub jmax: u8,
    pub la1_id: LaId,
    pub la2_id: LaId,
    pub i_max: u16,
    pub linkage_seed1: LinkageSeed,
    pub linkage_seed2: LinkageSeed,
}

/// A group entry (`GroupCrlEntry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupEntry {
    pub i_max: u16,
    pub la1_id: LaId,
    pub linkage_seed1: LinkageSeed,
    pub la2_id: LaId,
    pub linkage_seed2: LinkageSeed,
}

/// What a CRL revokes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrlBody {
    /// Hash-based; `crl_serial` counts the CRLs of this (craca, series).
    Hash {
        delta: bool,
        crl_serial: u32,
        entries: Vec<HashEntry>,
    },
    /// Linkage-based.
    Linkage {
        delta: bool,
        i_rev: u16,
        index_within_i: u8,
        individual: Vec<IndividualEntry>,
        groups: Vec<GroupEntry>,
    },
}

/// The header of a CRL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrlHeader {
    pub series: u16,
    /// HashedId8 of the CRACA certificate.
    pub craca: HashedId8,
    pub issue_date: Time32,
    pub next_crl: Time32,
    pub priority: Option<u8>,
}

fn linkage_contents(
    i_rev: u16,
    index_within_i: u8,
    individual: &[IndividualEntry],
    groups: &[GroupEntry],
) -> ToBeSignedLinkageValueCrl {
    // Group individual entries by jmax, then LA pair, then iMax (in order of appearance).
    let mut jgroups: Vec<JMaxGroup> = Vec::new();
    for e in individual {
        let rev = IndividualRevocation {
            linkage_seed1: e.linkage_seed1,
            linkage_seed2: e.linkage_seed2,
            unknown_extensions: Default::default(),
        };
        let j = match jgroups.iter().position(|g| g.jmax == e.jmax) {
            Some(j) => j,
            None => {
                jgroups.push(JMaxGroup {
                    jmax: e.jmax,
                    contents: Vec::new(),
                    unknown_extensions: Default::default(),
                });
                jgroups.len() - 1
            }
        };
        let las = &mut jgroups[j].contents;
        let l = match las
            .iter()
            .position(|g| g.la1_id == e.la1_id && g.la2_id == e.la2_id)
        {
            Some(l) => l,
            None => {
                las.push(LAGroup {
                    la1_id: e.la1_id,
                    la2_id: e.la2_id,
                    contents: Vec::new(),
                    unknown_extensions: Default::default(),
                });
                las.len() - 1
            }
        };
        let imaxes = &mut las[l].contents;
        match imaxes.iter_mut().find(|g| g.i_max == e.i_max) {
            Some(g) => g.contents.push(rev),
            None => imaxes.push(IMaxGroup {
                i_max: e.i_max,
                contents: vec![rev],
                single_seed: None,
                unknown_extensions: Default::default(),
            }),
        }
    }
    let groups: Vec<GroupCrlEntry> = groups
        .iter()
        .map(|g| GroupCrlEntry {
            i_max: g.i_max,
            la1_id: g.la1_id,
            linkage_seed1: g.linkage_seed1,
            la2_id: g.la2_id,
            linkage_seed2: g.linkage_seed2,
            unknown_extensions: Default::default(),
        })
        .collect();
    let empty_both = jgroups.is_empty() && groups.is_empty();
    ToBeSignedLinkageValueCrl {
        i_rev,
        index_within_i,
        // One of individual / groups must be present: an empty CRL carries an empty `individual`.
        individual: (!jgroups.is_empty() || empty_both).then_some(jgroups),
        groups: (!groups.is_empty()).then_some(groups),
        groups_single_seed: None,
        unknown_extensions: Default::default(),
    }
}

/// The `CrlContents` of a header and body.
pub fn crl_contents(header: &CrlHeader, body: &CrlBody) -> CrlContents {
    let type_specific = match body {
        CrlBody::Hash {
            delta,
            crl_serial,
            entries,
        } => {
            let t = ToBeSignedHashIdCrl {
                crl_serial: *crl_serial,
                entries: entries
                    .iter()
                    .map(|e| HashBasedRevocationInfo {
                        id: e.id,
                        expiry: e.expiry,
                        unknown_extensions: Default::default(),
                    })
                    .collect(),
                unknown_extensions: Default::default(),
            };
            if *delta {
                TypeSpecificCrlContents::DeltaHashCrl(t)
            } else {
                TypeSpecificCrlContents::FullHashCrl(t)
            }
        }
        CrlBody::Linkage {
            delta,
            i_rev,
            index_within_i,
            individual,
            groups,
        } => {
            let t = linkage_contents(*i_rev, *index_within_i, individual, groups);
            if *delta {
                TypeSpecificCrlContents::DeltaLinkedCrl(t)
            } else {
                TypeSpecificCrlContents::FullLinkedCrl(t)
            }
        }
    };
    CrlContents {
        version: CrlContents::VERSION,
        crl_series: header.series,
        crl_craca: header.craca,
        issue_date: header.issue_date,
        next_crl: header.next_crl,
        priority_info: CrlPriorityInfo {
            priority: header.priority,
            unknown_extensions: Default::default(),
        },
        type_specific,
    }
}

/// The `CrlSsp` of a CRL signer certificate.
pub fn crl_ssp(cert: &Certificate<'_>) -> Option<CrlSsp> {
    cert.to_be_signed
        .app_permissions
        .iter()
        .flatten()
        .find_map(|p| {
            if p.psid != CRL_PSID {
                return None;
            }
            match &p.ssp {
                Some(ServiceSpecificPermissions::Opaque(o)) => scms_asn1::decode::<CrlSsp>(o).ok(),
                _ => None,
            }
        })
}

/// The CRACA a CRL signer certificate signs for, by its `CrlSsp`.
pub fn signer_craca(cert: &Certificate<'_>) -> Result<HashedId8, CaError> {
    let ssp =
        crl_ssp(cert).ok_or_else(|| CaError::invalid("crl signer", "no PSID 256 with a CrlSsp"))?;
    Ok(match ssp.associated_craca {
        CracaType::IsCraca => certificate_hashed_id8(cert)?.0,
        CracaType::IssuerIsCraca => issuer_digest(cert).ok_or_else(|| {
            CaError::invalid("crl signer", "issuerIsCraca on a self-signed certificate")
        })?,
    })
}

/// What was signed, for the storage layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCrl {
    /// COER `SecuredCrl`.
    pub bytes: Vec<u8>,
    pub header: CrlHeader,
    /// HashedId8 of the signer certificate.
    pub signer: HashedId8,
    pub entries: usize,
}

fn check_signer(cert: &Certificate<'_>, header: &CrlHeader) -> Result<(), CaError> {
    let ssp =
        crl_ssp(cert).ok_or_else(|| CaError::invalid("crl signer", "no PSID 256 with a CrlSsp"))?;
    if !ssp.crls.contains(&header.series) {
        return Err(CaError::invalid(
            "crlSeries",
            format!(
                "series {} is not in the signer's CrlSsp {:?}",
                header.series, ssp.crls
            ),
        ));
    }
    if signer_craca(cert)? != header.craca {
        return Err(CaError::invalid(
            "crlCraca",
            "not the CRACA the signer's CrlSsp designates",
        ));
    }
    Ok(())
}

/// Signs a CRL with the CRL signer `signer` (its certificate and key label).
pub fn sign_crl(
    ks: &dyn KeyStore,
    signer: &IssuerRef<'_>,
    header: &CrlHeader,
    body: &CrlBody,
    form: SignerForm,
) -> Result<SignedCrl, CaError> {
    if header.next_crl <= header.issue_date {
        return Err(CaError::invalid(
            "nextCrl",
            "must be strictly after issueDate",
        ));
    }
    let cert: Certificate<'_> = scms_asn1::decode(signer.certificate)?;
    check_signer(&cert, header)?;
    let contents = crl_contents(header, body);
    let payload = scms_asn1::encode(&contents)?;
    let bytes = signed_spdu(
        ks,
        signer.key_label,
        signer.certificate,
        CRL_PSID,
        payload,
        form,
    )?;
    // The result must be a valid SecuredCrl.
    scms_asn1::decode::<SecuredCrl<'_>>(&bytes)?;
    let entries = match body {
        CrlBody::Hash { entries, .. } => entries.len(),
        CrlBody::Linkage {
            individual, groups, ..
        } => individual.len() + groups.len(),
    };
    Ok(SignedCrl {
        bytes,
        header: *header,
        signer: certificate_hashed_id8(&cert)?.0,
        entries,
    })
}

/// Verifies a `SecuredCrl` against the trusted CRL signer certificates (COER;
/// a certificate the CRL carries is used only if it is one of them),
/// checks the signer's `CrlSsp` (series and CRACA) and returns the contents.
pub fn verify_crl(crl: &[u8], signers: &[&[u8]]) -> Result<CrlContents, CaError> {
    let c: SecuredCrl<'_> = scms_asn1::decode(crl)?;
    let sd = c
        .signed_data()
        .ok_or_else(|| CaError::invalid("crl", "not signed data"))?;
    let known = signers
        .iter()
        .map(|b| scms_asn1::decode::<Certificate<'_>>(b))
        .collect::<Result<Vec<_>, _>>()?;
    // The signer must be one of the given (trusted) certificates, also when
    // the CRL carries its certificate.
    let named = match &sd.signer {
        SignerIdentifier::Digest(d) => Some(*d),
        SignerIdentifier::Certificate(chain) => match chain.first() {
            Some(c) => Some(certificate_hashed_id8(c)?.0),
            None => None,
        },
        _ => None,
    };
    let signer = known
        .iter()
        .find(|c| named.is_some_and(|n| certificate_hashed_id8(c).is_ok_and(|h| h.0 == n)))
        .ok_or_else(|| CaError::invalid("crl", "signer not among the given certificates"))?;
    verify_signed_data(sd, signer, None)?;
    let contents = c.crl_contents()?;
    if contents.next_crl <= contents.issue_date {
        return Err(CaError::invalid("nextCrl", "not after issueDate"));
    }
    check_signer(
        signer,
        &CrlHeader {
            series: contents.crl_series,
            craca: contents.crl_craca,
            issue_date: contents.issue_date,
            next_crl: contents.next_crl,
            priority: contents.priority_info.priority,
        },
    )?;
    Ok(contents)
}
