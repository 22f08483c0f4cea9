//! `Ieee1609dot2ScmsBaseTypes` (CAMP SCMS PoC `scms-base-types.asn`): PSID, CRL series
//! and certificate-lifetime constants, encrypted pre-linkage values, linkage chain
//! identifiers and hostnames, rebased on the 1609.2-2022 types of
//! [`crate::ieee1609dot2`].
//!
//! Value-set subtypes of imported types (`Canada ::= CountryOnly (124)`,
//! `BsmPsid ::= Psid (32)`, `CrlgCertExpiration ::= Duration (WITH COMPONENTS
//! {hours(26448)})`, ...) are single values, so they are constants here.

use crate::codec::{Generate, Octets, Spanned, UnknownExtensions};
use crate::ieee1609dot2::base_types::HashAlgorithm;
use crate::ieee1609dot2::base_types::{
    CountryOnly, CrlSeries, Duration, HashedId8, Hostname, IValue, LaId, LinkageSeed, Psid,
    Signature, Uint32, Uint8,
};
use crate::ieee1609dot2::dot2::{
    EncryptedData, Ieee1609Dot2Content, Ieee1609Dot2Data, RecipientInfo, SignerIdentifier,
};
use crate::ieee1609dot2::dot2::{HeaderInfo, SignedData, SignedDataPayload, ToBeSignedData};
use crate::Asn1;
use arbitrary::Unstructured;

/// `Canada ::= CountryOnly (124)`.
pub const CANADA: CountryOnly = 124;
/// `Mexico ::= CountryOnly (484)`.
pub const MEXICO: CountryOnly = 484;
/// `USA ::= CountryOnly (840)`.
pub const USA: CountryOnly = 840;

/// `CrlgCertExpiration`: 26448 hours (3 years and a week).
pub const CRLG_CERT_EXPIRATION: Duration = Duration::Hours(26448);
/// `DcmCertExpiration`.
pub const DCM_CERT_EXPIRATION: Duration = Duration::Hours(26448);
/// `EcaCertExpirationCvp`.
pub const ECA_CERT_EXPIRATION_CVP: Duration = Duration::Years(7);
/// `EcaCertExpirationPoc`.
pub const ECA_CERT_EXPIRATION_POC: Duration = Duration::Years(40);
/// `ElectorCertExpiration`.
pub const ELECTOR_CERT_EXPIRATION: Duration = Duration::Years(60);
/// `IcaCertExpirationCvp`.
pub const ICA_CERT_EXPIRATION_CVP: Duration = Duration::Years(11);
/// `IcaCertExpirationPoc`.
pub const ICA_CERT_EXPIRATION_POC: Duration = Duration::Years(50);
/// `LaCertExpiration`.
pub const LA_CERT_EXPIRATION: Duration = Duration::Hours(26448);
/// `MaCertExpiration`.
pub const MA_CERT_EXPIRATION: Duration = Duration::Hours(26448);
/// `PcaCertExpiration`.
pub const PCA_CERT_EXPIRATION: Duration = Duration::Years(4);
/// `PgCertExpiration`.
pub const PG_CERT_EXPIRATION: Duration = Duration::Hours(26448);
/// `ObeEnrollmentCertExpirationCvp ::= Duration (WITH COMPONENTS {years(1..7)})`: the
/// upper bound (the lower is one year).
pub const OBE_ENROLLMENT_CERT_EXPIRATION_CVP_MAX: Duration = Duration::Years(7);
/// `ObeEnrollmentCertExpirationPoc`.
pub const OBE_ENROLLMENT_CERT_EXPIRATION_POC: Duration = Duration::Years(30);
/// `ObeIdentificationCertExpiration`: 721 hours (a month and an hour).
pub const OBE_IDENTIFICATION_CERT_EXPIRATION: Duration = Duration::Hours(721);
/// `ObePseudonymCertExpiration`: 169 hours (a week and an hour).
pub const OBE_PSEUDONYM_CERT_EXPIRATION: Duration = Duration::Hours(169);
/// `RaCertExpiration`.
pub const RA_CERT_EXPIRATION: Duration = Duration::Hours(26448);
/// `RseApplicationCertExpiration`.
pub const RSE_APPLICATION_CERT_EXPIRATION: Duration = Duration::Hours(169);
/// `RseEnrollmentCertExpirationCvp ::= Duration (WITH COMPONENTS {years(1..7)})`: the
/// upper bound.
pub const RSE_ENROLLMENT_CERT_EXPIRATION_CVP_MAX: Duration = Duration::Years(7);
/// `RseEnrollmentCertExpirationPoc`.
pub const RSE_ENROLLMENT_CERT_EXPIRATION_POC: Duration = Duration::Years(30);
/// `RootCaCertExpiration`.
pub const ROOT_CA_CERT_EXPIRATION: Duration = Duration::Years(70);

/// `BsmPsid ::= Psid (32)`.
pub const BSM_PSID: Psid = Psid(0x20);
/// `SecurityMgmtPsid ::= Psid (35)`.
pub const SECURITY_MGMT_PSID: Psid = Psid(0x23);
/// `MisbehaviorReportingPsid ::= Psid (38)`.
pub const MISBEHAVIOR_REPORTING_PSID: Psid = Psid(0x26);
/// `VulnerableRoadUsersSafetyPsid ::= Psid (39)`.
pub const VULNERABLE_ROAD_USERS_SAFETY_PSID: Psid = Psid(0x27);
/// `DifferentialGpsCorrectionsUncompressedPsid ::= Psid (128)`.
pub const DIFFERENTIAL_GPS_CORRECTIONS_UNCOMPRESSED_PSID: Psid = Psid(0x80);
/// `DifferentialGpsCorrectionsCompressedPsid ::= Psid (129)`.
pub const DIFFERENTIAL_GPS_CORRECTIONS_COMPRESSED_PSID: Psid = Psid(0x81);
/// `IntersectionSafetyAndAwarenessPsid ::= Psid (130)`.
pub const INTERSECTION_SAFETY_AND_AWARENESS_PSID: Psid = Psid(0x82);
/// `TravellerInformationAndRoadsideSignagePsid ::= Psid (131)`.
pub const TRAVELLER_INFORMATION_AND_ROADSIDE_SIGNAGE_PSID: Psid = Psid(0x83);
/// `WaveServiceAdvertisementPsid ::= Psid (135)`.
pub const WAVE_SERVICE_ADVERTISEMENT_PSID: Psid = Psid(0x87);
/// `VehicleInitiatedDistressNotificationPsid ::= Psid (16514)`.
pub const VEHICLE_INITIATED_DISTRESS_NOTIFICATION_PSID: Psid = Psid(0x4082);
/// `TranscoreSoftwareUpdatePsid ::= Psid (2113667)`.
pub const TRANSCORE_SOFTWARE_UPDATE_PSID: Psid = Psid(0x20_4083);
/// `CVPApplication1Psid` .. `CVPApplication16Psid` (0x204088 .. 0x204097), in order.
pub const CVP_APPLICATION_PSIDS: [Psid; 16] = [
    Psid(0x20_4088),
    Psid(0x20_4089),
    Psid(0x20_408a),
    Psid(0x20_408b),
    Psid(0x20_408c),
    Psid(0x20_408d),
    Psid(0x20_408e),
    Psid(0x20_408f),
    Psid(0x20_4090),
    Psid(0x20_4091),
    Psid(0x20_4092),
    Psid(0x20_4093),
    Psid(0x20_4094),
    Psid(0x20_4095),
    Psid(0x20_4096),
    Psid(0x20_4097),
];

/// `EeEnrollmentCrlSeries ::= CrlSeries (4)`.
pub const EE_ENROLLMENT_CRL_SERIES: CrlSeries = 4;
/// `EeNonPseudonymCrlSeries ::= CrlSeries (3)`.
pub const EE_NON_PSEUDONYM_CRL_SERIES: CrlSeries = 3;
/// `ObePseudonymCrlSeries ::= CrlSeries (1)`.
pub const OBE_PSEUDONYM_CRL_SERIES: CrlSeries = 1;
/// `ScmsComponentCrlSeries ::= CrlSeries (2)`.
pub const SCMS_COMPONENT_CRL_SERIES: CrlSeries = 2;
/// `ScmsSpclComponentCrlSeries ::= CrlSeries (256)`.
pub const SCMS_SPCL_COMPONENT_CRL_SERIES: CrlSeries = 256;

/// `EccP256PrivateKeyReconstruction ::= OCTET STRING (SIZE(32))`.
pub type EccP256PrivateKeyReconstruction = [u8; 32];

/// `zero8`: the 64 zero bits of [`ToBeEncryptedGroupIndex::padding`].
pub const ZERO8: [u8; 8] = [0; 8];

/// `PreLinkageValue ::= OCTET STRING (SIZE(9))`.
pub type PreLinkageValue = [u8; 9];
/// `FullSizeHash ::= OCTET STRING (SIZE(32))`.
pub type FullSizeHash = [u8; 32];
/// `RaHostnameId ::= Hostname`.
pub type RaHostnameId<'a> = Hostname<'a>;
/// `PcaHostnameId ::= Hostname`.
pub type PcaHostnameId<'a> = Hostname<'a>;
/// `MaHostnameId ::= Hostname`.
pub type MaHostnameId<'a> = Hostname<'a>;
/// `LaHostnameId ::= Hostname`.
pub type LaHostnameId<'a> = Hostname<'a>;
/// `HPCR ::= FullSizeHash`: hash of a pseudonym certificate request.
#[allow(clippy::upper_case_acronyms)]
pub type HPCR = FullSizeHash;
/// `RIF ::= HashedId8`: revocation identifier, the HashedId8 of an enrollment certificate.
#[allow(clippy::upper_case_acronyms)]
pub type RIF = HashedId8;

/// Checks the `EncryptedData (WITH COMPONENTS {recipients (SIZE(1) INTERSECTION
/// (WITH COMPONENT (RecipientInfo (WITH COMPONENTS {symmRecipInfo}))))})` constraint
/// that CAMP puts on encrypted pre-linkage values and linkage chain identifiers.
pub fn check_single_symm_recipient(e: &EncryptedData<'_>) -> Result<(), &'static str> {
    match e.recipients.as_slice() {
        [RecipientInfo::SymmRecipInfo(_)] => Ok(()),
        [_] => Err("the recipient must be a symmRecipInfo"),
        _ => Err("exactly one recipient is allowed"),
    }
}

/// Checks `recipients (SIZE(1) INTERSECTION (WITH COMPONENT (RecipientInfo (WITH
/// COMPONENTS {certRecipInfo}))))` (key agreement between the PCA and an LA).
pub fn check_single_cert_recipient(e: &EncryptedData<'_>) -> Result<(), &'static str> {
    match e.recipients.as_slice() {
        [RecipientInfo::CertRecipInfo(_)] => Ok(()),
        [_] => Err("the recipient must be a certRecipInfo"),
        _ => Err("exactly one recipient is allowed"),
    }
}

/// `EncryptedIndividualPLV`: an LA's pre-linkage value encrypted to the PCA.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    validate = "check_encrypted_individual_plv",
    fixup = "fix_encrypted_individual_plv"
)]
#[allow(clippy::upper_case_acronyms)]
pub struct EncryptedIndividualPLV<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub la_id: LaId,
    #[asn1(name = "enc-plv")]
    pub enc_plv: EncryptedData<'a>,
}

fn check_encrypted_individual_plv(v: &EncryptedIndividualPLV<'_>) -> Result<(), &'static str> {
    check_single_symm_recipient(&v.enc_plv)
}

/// `EncryptedGroupPLV`: an LA's group pre-linkage value encrypted to the PCA.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    validate = "check_encrypted_group_plv",
    fixup = "fix_encrypted_group_plv"
)]
#[allow(clippy::upper_case_acronyms)]
pub struct EncryptedGroupPLV<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub la_id: LaId,
    pub enc_group_index: [u8; 16],
    #[asn1(name = "enc-group-plv")]
    pub enc_group_plv: EncryptedData<'a>,
}

fn check_encrypted_group_plv(v: &EncryptedGroupPLV<'_>) -> Result<(), &'static str> {
    check_single_symm_recipient(&v.enc_group_plv)
}

/// `ToBeEncryptedGroupIndex`: the plaintext of [`EncryptedGroupPLV::enc_group_index`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    sequence,
    validate = "check_to_be_encrypted_group_index",
    fixup = "fix_to_be_encrypted_group_index"
)]
pub struct ToBeEncryptedGroupIndex {
    /// `OCTET STRING (SIZE(8)) (zero8)`.
    pub padding: [u8; 8],
    pub group_identifier: [u8; 4],
    pub j: Uint32,
}

fn check_to_be_encrypted_group_index(v: &ToBeEncryptedGroupIndex) -> Result<(), &'static str> {
    if v.padding == ZERO8 {
        Ok(())
    } else {
        Err("padding must be zero8")
    }
}

/// `ToBeEncryptedIndividualPLV`: the plaintext of an [`EncryptedIndividualPLV`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
#[allow(clippy::upper_case_acronyms)]
pub struct ToBeEncryptedIndividualPLV {
    pub i_value: IValue,
    pub plv: PreLinkageValue,
}

/// `ToBeEncryptedGroupPLV`: the plaintext of an [`EncryptedGroupPLV`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
#[allow(clippy::upper_case_acronyms)]
pub struct ToBeEncryptedGroupPLV {
    pub i_value: IValue,
    pub j: Uint32,
    pub plv: PreLinkageValue,
}

/// `LinkageChainId ::= EncryptedData (...)`: a linkage seed encrypted by its LA to itself
/// (exactly one `symmRecipInfo` recipient).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_linkage_chain_id",
    fixup = "fix_linkage_chain_id"
)]
pub struct LinkageChainId<'a>(pub EncryptedData<'a>);

fn check_linkage_chain_id(v: &LinkageChainId<'_>) -> Result<(), &'static str> {
    check_single_symm_recipient(&v.0)
}

/// `LinkageSeedAndLaId`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct LinkageSeedAndLaId {
    pub linkage_seed: LinkageSeed,
    pub la_id: LaId,
}

/// `SignatureAndSignerIdentifier`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct SignatureAndSignerIdentifier<'a> {
    pub signer: SignerIdentifier<'a>,
    pub signature: Signature,
}

/// `EncryptedPlvAndHostInfo`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct EncryptedPlvAndHostInfo<'a> {
    #[asn1(name = "encryptedPLV")]
    pub encrypted_plv: EncryptedIndividualPLV<'a>,
    pub hostname: Hostname<'a>,
}

/// `EncryptedGroupPlvAndHostInfo`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct EncryptedGroupPlvAndHostInfo<'a> {
    #[asn1(name = "encryptedGPLV")]
    pub encrypted_gplv: EncryptedGroupPLV<'a>,
    pub hostname: Hostname<'a>,
}

/// `HPCRAndHostInfo`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
#[allow(clippy::upper_case_acronyms)]
pub struct HPCRAndHostInfo<'a> {
    pub hpcr: HPCR,
    pub hostname: Hostname<'a>,
}

/// `LCIAndHostInfo`: the two linkage chain identifiers of a certificate and their LAs.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
#[allow(clippy::upper_case_acronyms)]
pub struct LCIAndHostInfo<'a> {
    pub i_max: [u8; 4],
    #[asn1(name = "la1-lci")]
    pub la1_lci: LinkageChainId<'a>,
    #[asn1(name = "la2-lci")]
    pub la2_lci: LinkageChainId<'a>,
    #[asn1(name = "la1-id")]
    pub la1_id: LaHostnameId<'a>,
    #[asn1(name = "la2-id")]
    pub la2_id: LaHostnameId<'a>,
}

/// The header profile of a CAMP "Signed…" SPDU (scms-protocol): `signedData` whose
/// payload `data` is `unsecuredData` (CONTAINING the scoped PDU), with this PSID,
/// `expiryTime`, `p2pcdLearningRequest`, `missingCrlIdentifier` and `encryptionKey`
/// absent, and the rest as below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedProfile {
    pub psid: Psid,
    /// `Some(true)`: `generationTime PRESENT`; `Some(false)`: ABSENT; `None`: either.
    pub generation_time: Option<bool>,
    /// `generationLocation PRESENT` (else ABSENT).
    pub generation_location: bool,
    /// `extDataHash ABSENT` is stated.
    pub ext_data_hash_absent: bool,
    /// `signer (WITH COMPONENTS {certificate (SequenceOfCertificate (SIZE(1)))})`.
    pub single_certificate_signer: bool,
}

/// The profile of most CAMP component-to-component SPDUs: SecurityMgmtPsid, no
/// generation time or location.
pub const SCMS_SIGNED_PROFILE: SignedProfile = SignedProfile {
    psid: SECURITY_MGMT_PSID,
    generation_time: Some(false),
    generation_location: false,
    ext_data_hash_absent: false,
    single_certificate_signer: false,
};

/// Checks `d` against a CAMP signed-SPDU profile and returns its `unsecuredData` bytes
/// (the COER of the scoped PDU, not decoded here).
pub fn scms_signed_payload<'b>(
    d: &'b Ieee1609Dot2Data<'_>,
    profile: &SignedProfile,
) -> Result<&'b [u8], &'static str> {
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        return Err("content must be signedData");
    };
    if profile.single_certificate_signer {
        match &sd.signer {
            SignerIdentifier::Certificate(c) if c.len() == 1 => {}
            _ => return Err("signer must be exactly one certificate"),
        }
    }
    let tbs = &sd.tbs_data;
    if profile.ext_data_hash_absent && tbs.payload.ext_data_hash.is_some() {
        return Err("extDataHash must be absent");
    }
    let h = &tbs.header_info;
    if h.psid != profile.psid {
        return Err("headerInfo: wrong psid");
    }
    if let Some(present) = profile.generation_time {
        if h.generation_time.is_some() != present {
            return Err(if present {
                "headerInfo: generationTime must be present"
            } else {
                "headerInfo: generationTime must be absent"
            });
        }
    }
    if h.generation_location.is_some() != profile.generation_location {
        return Err(if profile.generation_location {
            "headerInfo: generationLocation must be present"
        } else {
            "headerInfo: generationLocation must be absent"
        });
    }
    if h.expiry_time.is_some()
        || h.p2pcd_learning_request.is_some()
        || h.missing_crl_identifier.is_some()
        || h.encryption_key.is_some()
    {
        return Err("headerInfo: expiryTime, p2pcdLearningRequest, missingCrlIdentifier and encryptionKey must be absent");
    }
    let Some(inner) = &tbs.payload.data else {
        return Err("payload data must be present");
    };
    match &inner.content {
        Ieee1609Dot2Content::UnsecuredData(o) => Ok(o),
        _ => Err("payload data must be unsecuredData"),
    }
}

/// A random SPDU of `profile` around `inner` (for generated values; the signature is
/// random).
pub(crate) fn random_scms_signed<'a, T: crate::Encode>(
    u: &mut Unstructured<'a>,
    inner: &T,
    profile: &SignedProfile,
) -> arbitrary::Result<Ieee1609Dot2Data<'a>> {
    let bytes = crate::encode(inner).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    let mut header: HeaderInfo<'a> = Generate::generate(u)?;
    header.psid = profile.psid;
    header.generation_time = match profile.generation_time {
        Some(true) => Some(u.arbitrary()?),
        Some(false) => None,
        None => header.generation_time,
    };
    header.generation_location = if profile.generation_location {
        Some(Generate::generate(u)?)
    } else {
        None
    };
    header.expiry_time = None;
    header.p2pcd_learning_request = None;
    header.missing_crl_identifier = None;
    header.encryption_key = None;
    let signer = if profile.single_certificate_signer {
        SignerIdentifier::Certificate(vec![Generate::generate(u)?])
    } else {
        Generate::generate(u)?
    };
    let hash_id: HashAlgorithm = Generate::generate(u)?;
    let signature: Signature = Generate::generate(u)?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedData(Box::new(SignedData {
            hash_id,
            tbs_data: Spanned::new(ToBeSignedData {
                payload: SignedDataPayload {
                    data: Some(Box::new(Ieee1609Dot2Data {
                        protocol_version: 3,
                        content: Ieee1609Dot2Content::UnsecuredData(Octets::from(bytes)),
                    })),
                    ext_data_hash: None,
                    omitted: None,
                    unknown_extensions: UnknownExtensions::default(),
                },
                header_info: header,
            }),
            signer,
            signature,
        })),
    })
}

/// Makes random encrypted data have exactly one recipient of the kind `make` builds
/// (generation only).
pub(crate) fn fix_single_recipient<'a>(
    e: &mut EncryptedData<'a>,
    ok: fn(&EncryptedData<'_>) -> Result<(), &'static str>,
    make: impl FnOnce(&mut Unstructured<'a>) -> arbitrary::Result<RecipientInfo<'a>>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if ok(e).is_err() {
        e.recipients = vec![make(u)?];
    }
    Ok(())
}

fn symm_recipient<'a>(u: &mut Unstructured<'a>) -> arbitrary::Result<RecipientInfo<'a>> {
    Ok(RecipientInfo::SymmRecipInfo(Generate::generate(u)?))
}

/// A `certRecipInfo` recipient (generation only).
pub(crate) fn cert_recipient<'a>(u: &mut Unstructured<'a>) -> arbitrary::Result<RecipientInfo<'a>> {
    Ok(RecipientInfo::CertRecipInfo(Generate::generate(u)?))
}

fn fix_encrypted_individual_plv<'a>(
    v: &mut EncryptedIndividualPLV<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_single_recipient(
        &mut v.enc_plv,
        check_single_symm_recipient,
        symm_recipient,
        u,
    )
}

fn fix_encrypted_group_plv<'a>(
    v: &mut EncryptedGroupPLV<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_single_recipient(
        &mut v.enc_group_plv,
        check_single_symm_recipient,
        symm_recipient,
        u,
    )
}

fn fix_linkage_chain_id<'a>(
    v: &mut LinkageChainId<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_single_recipient(&mut v.0, check_single_symm_recipient, symm_recipient, u)
}

fn fix_to_be_encrypted_group_index(
    v: &mut ToBeEncryptedGroupIndex,
    _u: &mut Unstructured<'_>,
) -> arbitrary::Result<()> {
    v.padding = ZERO8;
    Ok(())
}
