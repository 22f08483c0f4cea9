//! `Ieee1609Dot2BaseTypes` (IEEE 1609.2-2022 clause 6.4; major version 2, minor 4):
//! integers, hashes, time, regions, keys, signatures, PSIDs and SSPs, linkage
//! values, and the extension information-object classes.

use crate::codec::{
    DecodeError, Encode, EncodeError, Octets, Open, UnknownAlternative, Utf8String,
};
use crate::Asn1;

// ---------------------------------------------------------------------------
// Integers and octet strings
// ---------------------------------------------------------------------------

/// `Uint3 ::= INTEGER (0..7)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[asn1(newtype, range(0..=7))]
pub struct Uint3(pub u8);

/// `Uint8 ::= INTEGER (0..255)`.
pub type Uint8 = u8;
/// `Uint16 ::= INTEGER (0..65535)`.
pub type Uint16 = u16;
/// `Uint32 ::= INTEGER (0..4294967295)`.
pub type Uint32 = u32;
/// `Uint64 ::= INTEGER (0..18446744073709551615)`.
pub type Uint64 = u64;
/// `SequenceOfUint8 ::= SEQUENCE OF Uint8`.
pub type SequenceOfUint8 = Vec<Uint8>;
/// `SequenceOfUint16 ::= SEQUENCE OF Uint16`.
pub type SequenceOfUint16 = Vec<Uint16>;
/// `Opaque ::= OCTET STRING`.
pub type Opaque<'a> = Octets<'a>;

/// `HashedId3 ::= OCTET STRING (SIZE(3))`: the last 3 bytes of a hash.
pub type HashedId3 = [u8; 3];
/// `SequenceOfHashedId3 ::= SEQUENCE OF HashedId3`.
pub type SequenceOfHashedId3 = Vec<HashedId3>;
/// `HashedId8 ::= OCTET STRING (SIZE(8))`: the last 8 bytes of a hash.
pub type HashedId8 = [u8; 8];
/// `HashedId10 ::= OCTET STRING (SIZE(10))`.
pub type HashedId10 = [u8; 10];
/// `HashedId32 ::= OCTET STRING (SIZE(32))`.
pub type HashedId32 = [u8; 32];
/// `HashedId48 ::= OCTET STRING (SIZE(48))`.
pub type HashedId48 = [u8; 48];

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

/// `Time32 ::= Uint32`: TAI seconds since 2004-01-01 00:00:00 UTC.
pub type Time32 = Uint32;
/// `Time64 ::= Uint64`: TAI microseconds since 2004-01-01 00:00:00 UTC.
pub type Time64 = Uint64;

/// `ValidityPeriod` (6.4.14): from `start` for `duration`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct ValidityPeriod {
    pub start: Time32,
    pub duration: Duration,
}

/// `Duration` (6.4.15).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(choice)]
pub enum Duration {
    Microseconds(Uint16),
    Milliseconds(Uint16),
    Seconds(Uint16),
    Minutes(Uint16),
    Hours(Uint16),
    SixtyHours(Uint16),
    Years(Uint16),
}

impl Duration {
    /// The duration in seconds (a year is 31556952 s; sub-second units round down).
    pub fn as_secs(&self) -> u64 {
        match *self {
            Duration::Microseconds(v) => u64::from(v) / 1_000_000,
            Duration::Milliseconds(v) => u64::from(v) / 1_000,
            Duration::Seconds(v) => u64::from(v),
            Duration::Minutes(v) => u64::from(v) * 60,
            Duration::Hours(v) => u64::from(v) * 3600,
            Duration::SixtyHours(v) => u64::from(v) * 216_000,
            Duration::Years(v) => u64::from(v) * 31_556_952,
        }
    }
}

// ---------------------------------------------------------------------------
// Locations and regions
// ---------------------------------------------------------------------------

/// `GeographicRegion` (6.4.17).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum GeographicRegion {
    CircularRegion(CircularRegion),
    RectangularRegion(SequenceOfRectangularRegion),
    PolygonalRegion(PolygonalRegion),
    IdentifiedRegion(SequenceOfIdentifiedRegion),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `CircularRegion` (6.4.18).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct CircularRegion {
    pub center: TwoDLocation,
    pub radius: Uint16,
}

/// `RectangularRegion` (6.4.19).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct RectangularRegion {
    pub north_west: TwoDLocation,
    pub south_east: TwoDLocation,
}

/// `SequenceOfRectangularRegion ::= SEQUENCE OF RectangularRegion`.
pub type SequenceOfRectangularRegion = Vec<RectangularRegion>;

/// `PolygonalRegion ::= SEQUENCE SIZE (3..MAX) OF TwoDLocation` (6.4.21).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(newtype, size(3..))]
pub struct PolygonalRegion(pub Vec<TwoDLocation>);

/// `TwoDLocation` (6.4.22).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct TwoDLocation {
    pub latitude: Latitude,
    pub longitude: Longitude,
}

/// `IdentifiedRegion` (6.4.23).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum IdentifiedRegion {
    CountryOnly(UnCountryId),
    CountryAndRegions(CountryAndRegions),
    CountryAndSubregions(CountryAndSubregions),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `SequenceOfIdentifiedRegion ::= SEQUENCE OF IdentifiedRegion`.
pub type SequenceOfIdentifiedRegion = Vec<IdentifiedRegion>;
/// `UnCountryId ::= Uint16` (UN Stats M49 country code).
pub type UnCountryId = Uint16;
/// `CountryOnly ::= UnCountryId`.
pub type CountryOnly = UnCountryId;

/// `CountryAndRegions` (6.4.26).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct CountryAndRegions {
    pub country_only: UnCountryId,
    pub regions: SequenceOfUint8,
}

/// `CountryAndSubregions` (6.4.27).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct CountryAndSubregions {
    pub country_only: UnCountryId,
    pub region_and_subregions: SequenceOfRegionAndSubregions,
}

/// `RegionAndSubregions` (6.4.28).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct RegionAndSubregions {
    pub region: Uint8,
    pub subregions: SequenceOfUint16,
}

/// `SequenceOfRegionAndSubregions ::= SEQUENCE OF RegionAndSubregions`.
pub type SequenceOfRegionAndSubregions = Vec<RegionAndSubregions>;

/// `ThreeDLocation` (6.4.30).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct ThreeDLocation {
    pub latitude: Latitude,
    pub longitude: Longitude,
    pub elevation: Elevation,
}

/// `Latitude ::= NinetyDegreeInt` (1/10 micro-degrees).
pub type Latitude = NinetyDegreeInt;
/// `Longitude ::= OneEightyDegreeInt` (1/10 micro-degrees).
pub type Longitude = OneEightyDegreeInt;
/// `Elevation ::= Uint16` (decimeters, see 6.4.34).
pub type Elevation = Uint16;

/// `NinetyDegreeInt ::= INTEGER {min, max, unknown} (-900000000..900000001)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[asn1(newtype, range(-900000000..=900000001))]
pub struct NinetyDegreeInt(pub i32);

impl NinetyDegreeInt {
    pub const MIN: Self = Self(-900_000_000);
    pub const MAX: Self = Self(900_000_000);
    pub const UNKNOWN: Self = Self(900_000_001);
}

/// `KnownLatitude ::= NinetyDegreeInt (min..max)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[asn1(newtype, range(-900000000..=900000000))]
pub struct KnownLatitude(pub i32);

/// `UnknownLatitude ::= NinetyDegreeInt (unknown)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[asn1(newtype, range(900000001..=900000001))]
pub struct UnknownLatitude(pub i32);

/// `OneEightyDegreeInt ::= INTEGER {min, max, unknown} (-1799999999..1800000001)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[asn1(newtype, range(-1799999999..=1800000001))]
pub struct OneEightyDegreeInt(pub i32);

impl OneEightyDegreeInt {
    pub const MIN: Self = Self(-1_799_999_999);
    pub const MAX: Self = Self(1_800_000_000);
    pub const UNKNOWN: Self = Self(1_800_000_001);
}

/// `KnownLongitude ::= OneEightyDegreeInt (min..max)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[asn1(newtype, range(-1799999999..=1800000000))]
pub struct KnownLongitude(pub i32);

/// `UnknownLongitude ::= OneEightyDegreeInt (unknown)`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[asn1(newtype, range(1800000001..=1800000001))]
pub struct UnknownLongitude(pub i32);

// ---------------------------------------------------------------------------
// Signatures and curve points
// ---------------------------------------------------------------------------

/// `Signature` (6.3.28).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum Signature {
    EcdsaNistP256Signature(EcdsaP256Signature),
    EcdsaBrainpoolP256r1Signature(EcdsaP256Signature),
    #[asn1(ext)]
    EcdsaBrainpoolP384r1Signature(EcdsaP384Signature),
    #[asn1(ext)]
    EcdsaNistP384Signature(EcdsaP384Signature),
    #[asn1(ext)]
    Sm2Signature(EcsigP256Signature),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `EcdsaP256Signature` (6.3.29).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct EcdsaP256Signature {
    pub r_sig: EccP256CurvePoint,
    pub s_sig: [u8; 32],
}

/// `EcdsaP384Signature` (6.3.30).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct EcdsaP384Signature {
    pub r_sig: EccP384CurvePoint,
    pub s_sig: [u8; 48],
}

/// `EcsigP256Signature` (SM2 signature, 6.3.31).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct EcsigP256Signature {
    pub r_sig: [u8; 32],
    pub s_sig: [u8; 32],
}

/// `EccP256CurvePoint` (6.3.23).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(choice)]
pub enum EccP256CurvePoint {
    #[asn1(name = "x-only")]
    XOnly([u8; 32]),
    Fill,
    #[asn1(name = "compressed-y-0")]
    CompressedY0([u8; 32]),
    #[asn1(name = "compressed-y-1")]
    CompressedY1([u8; 32]),
    UncompressedP256(UncompressedP256),
}

/// The inline `uncompressedP256 SEQUENCE { x, y }` of [`EccP256CurvePoint`].
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, name = "uncompressedP256")]
pub struct UncompressedP256 {
    pub x: [u8; 32],
    pub y: [u8; 32],
}

/// `EccP384CurvePoint` (6.3.24).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(choice)]
pub enum EccP384CurvePoint {
    #[asn1(name = "x-only")]
    XOnly([u8; 48]),
    Fill,
    #[asn1(name = "compressed-y-0")]
    CompressedY0([u8; 48]),
    #[asn1(name = "compressed-y-1")]
    CompressedY1([u8; 48]),
    UncompressedP384(UncompressedP384),
}

/// The inline `uncompressedP384 SEQUENCE { x, y }` of [`EccP384CurvePoint`].
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, name = "uncompressedP384")]
pub struct UncompressedP384 {
    pub x: [u8; 48],
    pub y: [u8; 48],
}

impl EccP256CurvePoint {
    /// The SEC 1 encoding (`02|03 || x` or `04 || x || y`); `None` for x-only and fill.
    pub fn to_sec1(&self) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(65);
        match self {
            Self::CompressedY0(x) => {
                out.push(2);
                out.extend_from_slice(x);
            }
            Self::CompressedY1(x) => {
                out.push(3);
                out.extend_from_slice(x);
            }
            Self::UncompressedP256(p) => {
                out.push(4);
                out.extend_from_slice(&p.x);
                out.extend_from_slice(&p.y);
            }
            Self::XOnly(_) | Self::Fill => return None,
        }
        Some(out)
    }

    /// The x coordinate, if the point carries one.
    pub fn x(&self) -> Option<&[u8; 32]> {
        match self {
            Self::XOnly(x) | Self::CompressedY0(x) | Self::CompressedY1(x) => Some(x),
            Self::UncompressedP256(p) => Some(&p.x),
            Self::Fill => None,
        }
    }
}

impl EccP384CurvePoint {
    /// The SEC 1 encoding (`02|03 || x` or `04 || x || y`); `None` for x-only and fill.
    pub fn to_sec1(&self) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(97);
        match self {
            Self::CompressedY0(x) => {
                out.push(2);
                out.extend_from_slice(x);
            }
            Self::CompressedY1(x) => {
                out.push(3);
                out.extend_from_slice(x);
            }
            Self::UncompressedP384(p) => {
                out.push(4);
                out.extend_from_slice(&p.x);
                out.extend_from_slice(&p.y);
            }
            Self::XOnly(_) | Self::Fill => return None,
        }
        Some(out)
    }

    /// The x coordinate, if the point carries one.
    pub fn x(&self) -> Option<&[u8; 48]> {
        match self {
            Self::XOnly(x) | Self::CompressedY0(x) | Self::CompressedY1(x) => Some(x),
            Self::UncompressedP384(p) => Some(&p.x),
            Self::Fill => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Algorithms and keys
// ---------------------------------------------------------------------------

/// `SymmAlgorithm` (6.3.34).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(enumerated, extensible)]
pub enum SymmAlgorithm {
    Aes128Ccm = 0,
    Sm4Ccm = 1,
}

/// `HashAlgorithm` (6.3.35).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(enumerated, extensible)]
pub enum HashAlgorithm {
    Sha256 = 0,
    Sha384 = 1,
    Sm3 = 2,
}

/// `EciesP256EncryptedKey` (6.3.36).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct EciesP256EncryptedKey {
    pub v: EccP256CurvePoint,
    pub c: [u8; 16],
    pub t: [u8; 16],
}

/// `EcencP256EncryptedKey` (SM2 encryption, 6.3.37).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct EcencP256EncryptedKey {
    pub v: EccP256CurvePoint,
    pub c: [u8; 16],
    pub t: [u8; 32],
}

/// `EncryptionKey` (6.4.36).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice)]
pub enum EncryptionKey {
    Public(PublicEncryptionKey),
    Symmetric(SymmetricEncryptionKey),
}

/// `PublicEncryptionKey` (6.4.37).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct PublicEncryptionKey {
    pub supported_symm_alg: SymmAlgorithm,
    pub public_key: BasePublicEncryptionKey,
}

/// `BasePublicEncryptionKey` (6.4.38).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum BasePublicEncryptionKey {
    EciesNistP256(EccP256CurvePoint),
    EciesBrainpoolP256r1(EccP256CurvePoint),
    #[asn1(ext)]
    EcencSm2(EccP256CurvePoint),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `PublicVerificationKey` (6.4.39).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum PublicVerificationKey {
    EcdsaNistP256(EccP256CurvePoint),
    EcdsaBrainpoolP256r1(EccP256CurvePoint),
    #[asn1(ext)]
    EcdsaBrainpoolP384r1(EccP384CurvePoint),
    #[asn1(ext)]
    EcdsaNistP384(EccP384CurvePoint),
    #[asn1(ext)]
    EcsigSm2(EccP256CurvePoint),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `SymmetricEncryptionKey` (6.4.40).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum SymmetricEncryptionKey {
    Aes128Ccm([u8; 16]),
    #[asn1(ext)]
    Sm4Ccm([u8; 16]),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

// ---------------------------------------------------------------------------
// PSID and SSP
// ---------------------------------------------------------------------------

/// `PsidSsp` (6.4.41).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct PsidSsp<'a> {
    pub psid: Psid,
    #[asn1(optional)]
    pub ssp: Option<ServiceSpecificPermissions<'a>>,
}

/// `SequenceOfPsidSsp ::= SEQUENCE OF PsidSsp`.
pub type SequenceOfPsidSsp<'a> = Vec<PsidSsp<'a>>;

/// `Psid ::= INTEGER (0..MAX)` (IEEE 1609.12 provider service identifier).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[asn1(newtype, range(0..))]
pub struct Psid(pub u64);

impl From<u64> for Psid {
    fn from(v: u64) -> Self {
        Psid(v)
    }
}

/// `SequenceOfPsid ::= SEQUENCE OF Psid`.
pub type SequenceOfPsid = Vec<Psid>;

/// `ServiceSpecificPermissions` (6.4.43).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum ServiceSpecificPermissions<'a> {
    Opaque(Octets<'a>),
    #[asn1(ext)]
    BitmapSsp(BitmapSsp<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `BitmapSsp ::= OCTET STRING (SIZE(0..31))`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(newtype, size(0..=31))]
pub struct BitmapSsp<'a>(pub Octets<'a>);

/// `PsidSspRange` (6.4.45).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct PsidSspRange<'a> {
    pub psid: Psid,
    #[asn1(optional)]
    pub ssp_range: Option<SspRange<'a>>,
}

/// `SequenceOfPsidSspRange ::= SEQUENCE OF PsidSspRange`.
pub type SequenceOfPsidSspRange<'a> = Vec<PsidSspRange<'a>>;

/// `SspRange` (6.4.47).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(choice, extensible)]
pub enum SspRange<'a> {
    Opaque(SequenceOfOctetString<'a>),
    All,
    #[asn1(ext)]
    BitmapSspRange(BitmapSspRange<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `BitmapSspRange` (6.4.48).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct BitmapSspRange<'a> {
    #[asn1(size(1..=32))]
    pub ssp_value: Octets<'a>,
    #[asn1(size(1..=32))]
    pub ssp_bitmask: Octets<'a>,
}

/// `SequenceOfOctetString ::= SEQUENCE (SIZE (0..MAX)) OF OCTET STRING (SIZE(0..MAX))`.
pub type SequenceOfOctetString<'a> = Vec<Octets<'a>>;

/// `SubjectAssurance ::= OCTET STRING (SIZE(1))` (6.4.50).
pub type SubjectAssurance = [u8; 1];
/// `CrlSeries ::= Uint16`.
pub type CrlSeries = Uint16;
/// `IValue ::= Uint16`.
pub type IValue = Uint16;

/// `Hostname ::= UTF8String (SIZE(0..255))`.
///
/// The SIZE of a UTF8String counts characters and is not PER-visible, so OER
/// always writes the length; the bound is checked on the encoded bytes here,
/// which is the same for the ASCII names used in practice.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(newtype, size(0..=255))]
pub struct Hostname<'a>(pub Utf8String<'a>);

impl Hostname<'_> {
    pub fn as_str(&self) -> &str {
        &self.0 .0
    }
}

// ---------------------------------------------------------------------------
// Linkage
// ---------------------------------------------------------------------------

/// `LinkageValue ::= OCTET STRING (SIZE(9))`.
pub type LinkageValue = [u8; 9];

/// `GroupLinkageValue` (6.4.54).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct GroupLinkageValue {
    pub j_value: [u8; 4],
    pub value: [u8; 9],
}

/// `LaId ::= OCTET STRING (SIZE(2))`.
pub type LaId = [u8; 2];
/// `SequenceOfLinkageSeed ::= SEQUENCE OF LinkageSeed`.
pub type SequenceOfLinkageSeed = Vec<LinkageSeed>;
/// `LinkageSeed ::= OCTET STRING (SIZE(16))`.
pub type LinkageSeed = [u8; 16];

// ---------------------------------------------------------------------------
// Extensions (information-object classes)
// ---------------------------------------------------------------------------

/// `ExtId ::= INTEGER(0..255)`: the identifier of an `EXT-TYPE` or `CERT-EXT-TYPE` object.
pub type ExtId = u8;

/// `Extension {EXT-TYPE : ExtensionTypes}` in its generic form: an id and the
/// content as an open type. Instantiations with a known object set are concrete
/// types in the modules that use them (e.g.
/// [`Ieee1609ContributedHeaderInfoExtension`](super::dot2::Ieee1609ContributedHeaderInfoExtension));
/// this one serves where any `EXT-TYPE` is accepted.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct Extension<'a> {
    pub id: ExtId,
    pub content: Open<'a>,
}

impl<'a> Extension<'a> {
    /// Builds an extension with the COER encoding of `content`.
    pub fn new<T: Encode>(id: ExtId, content: &T) -> Result<Extension<'static>, EncodeError> {
        Ok(Extension {
            id,
            content: Open::from_value(content)?,
        })
    }

    /// Decodes the content as `T` (all of it must be used), borrowing from `self`.
    pub fn content_as<'s, T: crate::Decode<'s>>(&'s self) -> Result<T, DecodeError> {
        crate::decode(self.content.bytes())
    }
}
