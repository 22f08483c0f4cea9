//! Certificate profiles: what goes into a certificate's `ToBeSignedCertificate`
//! apart from its identity and key, written in TOML.
//!
//! ```toml
//! name = "us-aca"
//! role = "aca"
//! curve = "p256"              # p256 | p384 | brainpoolp256r1 | brainpoolp384r1 | sm2
//! certificate = "explicit"    # explicit | implicit (ECQV)
//! crl-series = 1
//! assurance-level = { level = 7, confidence = 0 }
//!
//! [validity]
//! start = "now"               # now | issuer-start
//! start-offset = 0            # seconds added to the start
//! duration = { years = 10 }   # microseconds .. years, 1609.2 Duration units
//!
//! [region]
//! type = "identified"
//! regions = [{ country = 840 }]
//!
//! [[app-permissions]]
//! psid = 35
//! ssp = { scms = "aca" }
//!
//! [[cert-issue-permissions]]
//! psids = [{ psid = 32 }, { psid = 38, ssp-range = { opaque = ["00", "01"] } }]
//! min-chain-length = 1
//! chain-length-range = 0
//! ee-type = ["app"]
//! ```
//!
//! [`Profile::from_toml`] parses and validates (every hex string, coordinate and
//! range is checked once, so issuance cannot fail on the profile); errors are
//! [`ProfileError`]s naming the field. [`builtin`] gives the default profiles
//! of the `us` (P-256, P-384 root allowed) and `cn` (SM2/SM3) hierarchies.

use core::fmt;

use scms_asn1::codec::{BitString, Octets};
use scms_asn1::ieee1609dot2::crl_ssp::{CracaType, CrlSsp};
use scms_asn1::ieee1609dot2::{
    BitmapSsp, BitmapSspRange, CircularRegion, CountryAndRegions, CountryAndSubregions, Duration,
    EndEntityType, GeographicRegion, IdentifiedRegion, NinetyDegreeInt, OneEightyDegreeInt,
    PolygonalRegion, Psid, PsidGroupPermissions, PsidSsp, PsidSspRange, RectangularRegion,
    RegionAndSubregions, ServiceSpecificPermissions, SspRange, SubjectPermissions, TwoDLocation,
};
use scms_asn1::ieee1609dot2dot1::protocol::{
    AcaSsp, CrlSignerSsp, DcmSsp, EcaSsp, EeSsp, ElectorSsp, IcaSsp, LaSsp, LopSsp, MaSsp, PgSsp,
    RaSsp, RootCaSsp, SecurityMgmtSsp,
};
use scms_crypto::suite::Curve;
use serde::{Deserialize, Serialize};

/// `SecurityMgmtPsid` (35, 0x23): the PSID of SCMS management messages.
pub const PSID_SECURITY_MGMT: u64 = 35;
/// `CrlPsid` (256, 0x0100).
pub const PSID_CRL: u64 = 256;
/// Basic safety message (32, 0x20).
pub const PSID_BSM: u64 = 32;
/// Misbehavior reporting / traveler information (38, 0x26) as used in the defaults.
pub const PSID_MISBEHAVIOR: u64 = 38;

/// Why a profile is refused. `field` is the TOML path (`validity.duration`,
/// `cert-issue-permissions[0].psids[1].ssp-range`...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileError {
    /// The TOML does not parse or does not fit the schema.
    Syntax { field: String, message: String },
    /// A value parses but is not acceptable.
    Invalid { field: String, reason: String },
    /// No built-in profile of that name.
    UnknownBuiltin(String),
}

impl ProfileError {
    fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The field the error is about (empty when the document as a whole is bad).
    pub fn field(&self) -> &str {
        match self {
            Self::Syntax { field, .. } | Self::Invalid { field, .. } => field,
            Self::UnknownBuiltin(_) => "",
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { field, message } if field.is_empty() => write!(f, "{message}"),
            Self::Syntax { field, message } => write!(f, "{field}: {message}"),
            Self::Invalid { field, reason } => write!(f, "{field}: {reason}"),
            Self::UnknownBuiltin(n) => write!(f, "no built-in profile {n:?}"),
        }
    }
}

impl std::error::Error for ProfileError {}

/// The role a certificate plays in the SCMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Root,
    Ica,
    Eca,
    /// Authorization CA (the pseudonym CA, PCA; `pca` is accepted).
    #[serde(alias = "pca")]
    Aca,
    Ra,
    La,
    Ma,
    /// CRL signer.
    Crl,
    Elector,
    /// Enrollment certificate of an end entity.
    Enrollment,
    /// Pseudonym / application (authorization) certificate of an end entity
    /// (`application` is accepted).
    #[serde(alias = "application")]
    Pseudonym,
}

impl Role {
    /// True for the roles whose certificate is self-signed.
    pub fn is_self_signed(self) -> bool {
        matches!(self, Role::Root | Role::Elector)
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::Ica => "ica",
            Role::Eca => "eca",
            Role::Aca => "aca",
            Role::Ra => "ra",
            Role::La => "la",
            Role::Ma => "ma",
            Role::Crl => "crl",
            Role::Elector => "elector",
            Role::Enrollment => "enrollment",
            Role::Pseudonym => "pseudonym",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Algorithm suite, by the curve of the verification key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CurveName {
    P256,
    P384,
    Brainpoolp256r1,
    Brainpoolp384r1,
    Sm2,
}

impl CurveName {
    pub fn curve(self) -> Curve {
        match self {
            CurveName::P256 => Curve::NistP256,
            CurveName::P384 => Curve::NistP384,
            CurveName::Brainpoolp256r1 => Curve::BrainpoolP256r1,
            CurveName::Brainpoolp384r1 => Curve::BrainpoolP384r1,
            CurveName::Sm2 => Curve::Sm2,
        }
    }

    pub fn from_curve(c: Curve) -> Self {
        match c {
            Curve::NistP256 => CurveName::P256,
            Curve::NistP384 => CurveName::P384,
            Curve::BrainpoolP256r1 => CurveName::Brainpoolp256r1,
            Curve::BrainpoolP384r1 => CurveName::Brainpoolp384r1,
            Curve::Sm2 => CurveName::Sm2,
        }
    }
}

/// Explicit (verification key + signature) or implicit (ECQV reconstruction value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertKind {
    #[default]
    Explicit,
    Implicit,
}

/// When the validity period starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartRule {
    /// The issuance time given by the caller.
    #[default]
    Now,
    /// The issuer's own start.
    IssuerStart,
}

/// A 1609.2 `Duration`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DurationSpec {
    Microseconds(u16),
    Milliseconds(u16),
    Seconds(u16),
    Minutes(u16),
    Hours(u16),
    SixtyHours(u16),
    Years(u16),
}

impl DurationSpec {
    pub fn to_asn1(self) -> Duration {
        match self {
            DurationSpec::Microseconds(v) => Duration::Microseconds(v),
            DurationSpec::Milliseconds(v) => Duration::Milliseconds(v),
            DurationSpec::Seconds(v) => Duration::Seconds(v),
            DurationSpec::Minutes(v) => Duration::Minutes(v),
            DurationSpec::Hours(v) => Duration::Hours(v),
            DurationSpec::SixtyHours(v) => Duration::SixtyHours(v),
            DurationSpec::Years(v) => Duration::Years(v),
        }
    }
}

/// `[validity]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ValiditySpec {
    #[serde(default)]
    pub start: StartRule,
    /// Seconds added to the start (negative to backdate).
    #[serde(default)]
    pub start_offset: i64,
    pub duration: DurationSpec,
}

/// One rectangle, in degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectSpec {
    pub north: f64,
    pub west: f64,
    pub south: f64,
    pub east: f64,
}

/// One identified region: a country (UN M.49), optionally with regions or
/// regions and subregions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IdentifiedSpec {
    pub country: u16,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subregions: Vec<SubregionSpec>,
}

/// A region with its subregions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubregionSpec {
    pub region: u8,
    pub subregions: Vec<u16>,
}

/// `[region]`: a `GeographicRegion`. Coordinates are in degrees; radius in meters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum RegionSpec {
    Circular {
        latitude: f64,
        longitude: f64,
        radius: u16,
    },
    Rectangular {
        rectangles: Vec<RectSpec>,
    },
    Polygon {
        /// `[latitude, longitude]` pairs, at least 3.
        points: Vec<[f64; 2]>,
    },
    Identified {
        regions: Vec<IdentifiedSpec>,
    },
}

/// `assurance-level = { level = 0..7, confidence = 0..3 }` (`SubjectAssurance`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssuranceSpec {
    pub level: u8,
    #[serde(default)]
    pub confidence: u8,
}

impl AssuranceSpec {
    /// The `SubjectAssurance` octet: level in bits 7-5, confidence in bits 1-0.
    pub fn octet(self) -> u8 {
        ((self.level & 7) << 5) | (self.confidence & 3)
    }
}

/// The SSP of an SCMS component for `SecurityMgmtPsid` (COER `SecurityMgmtSsp`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScmsSspSpec {
    Elector,
    Root,
    Pg,
    Ica,
    Eca,
    Aca,
    Crl,
    Dcm,
    La {
        #[serde(rename = "la-id")]
        la_id: u16,
    },
    Lop,
    Ma {
        #[serde(rename = "relevant-psids")]
        relevant_psids: Vec<u64>,
    },
    Ra,
    Ee,
}

/// The CRL signer's SSP for PSID 256 (COER `CrlSsp`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CrlSspSpec {
    /// CRL series the holder may sign.
    pub series: Vec<u16>,
    /// `issuer` (the issuer of the CRL signer certificate is the CRACA, the
    /// default) or `self`.
    #[serde(default)]
    pub craca: CracaSpec,
}

/// Who the CRACA is, in [`CrlSspSpec`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CracaSpec {
    #[default]
    Issuer,
    #[serde(rename = "self")]
    SelfCraca,
}

/// An SSP: opaque hex, bitmap hex, or a typed SCMS / CRL SSP encoded in COER.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SspSpec {
    Opaque(String),
    Bitmap(String),
    Scms(ScmsSspSpec),
    Crl(CrlSspSpec),
}

/// `[[app-permissions]]`: a `PsidSsp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PsidSspSpec {
    pub psid: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssp: Option<SspSpec>,
}

/// A bitmap SSP range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BitmapRangeSpec {
    pub value: String,
    pub mask: String,
}

/// An `SspRange`: `"all"`, `{ opaque = ["hex", ...] }` or `{ bitmap = { value, mask } }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SspRangeSpec {
    All,
    Opaque(Vec<String>),
    Bitmap(BitmapRangeSpec),
}

/// A `PsidSspRange`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PsidRangeSpec {
    pub psid: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssp_range: Option<SspRangeSpec>,
}

/// `EndEntityType` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EeTypeName {
    App,
    Enrol,
}

fn default_min_chain() -> i64 {
    1
}

fn default_ee_type() -> Vec<EeTypeName> {
    vec![EeTypeName::App]
}

/// `[[cert-issue-permissions]]` / `[[cert-request-permissions]]`: a
/// `PsidGroupPermissions`. Either `all = true` or a `psids` list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct GroupSpec {
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub all: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psids: Option<Vec<PsidRangeSpec>>,
    #[serde(default = "default_min_chain")]
    pub min_chain_length: i64,
    /// `-1` for no upper bound.
    #[serde(default)]
    pub chain_length_range: i64,
    #[serde(default = "default_ee_type")]
    pub ee_type: Vec<EeTypeName>,
}

/// A certificate profile (see the module documentation for the TOML form).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub role: Role,
    pub curve: CurveName,
    #[serde(default)]
    pub certificate: CertKind,
    #[serde(default)]
    pub crl_series: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assurance_level: Option<AssuranceSpec>,
    /// Start of i-period 0 in Unix seconds (pseudonym profiles; US 1609.2:
    /// 2015-01-06 09:00 UTC, YD/T 3957: 2020-01-06 20:00 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iperiod_epoch_unix: Option<i64>,
    pub validity: ValiditySpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_permissions: Vec<PsidSspSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cert_issue_permissions: Vec<GroupSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cert_request_permissions: Vec<GroupSpec>,
    /// `flags.usesCubk` (1609.2-2022): an ACA that answers compact unified
    /// butterfly requests (`AcaEeCertResponseCubkSpdu`) must carry it.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub uses_cubk: bool,
}

// ---------------------------------------------------------------------------
// Parsing and validation

/// Pulls the field name out of serde's messages ("missing field `x`").
fn field_of(message: &str) -> String {
    for key in ["field `", "variant `"] {
        if let Some(i) = message.find(key) {
            let rest = &message[i + key.len()..];
            if let Some(j) = rest.find('`') {
                return rest[..j].to_string();
            }
        }
    }
    String::new()
}

/// The dotted TOML key path leading to the byte offset `at` of `text` (the
/// table headers and keys seen before it), best effort.
fn key_path_at(text: &str, at: usize) -> String {
    let before = text.get(..at).unwrap_or(text);
    let mut table = String::new();
    let mut key = String::new();
    for line in before.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            table = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            key.clear();
        } else if let Some(eq) = l.find('=') {
            key = l[..eq].trim().to_string();
        }
    }
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}

fn hex_bytes(field: &str, s: &str) -> Result<Vec<u8>, ProfileError> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return Err(ProfileError::invalid(field, "odd number of hex digits"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| ProfileError::invalid(field, format!("not hex: {s:?}")))
        })
        .collect()
}

/// Degrees to 1/10 micro-degrees.
fn latitude(field: &str, deg: f64) -> Result<NinetyDegreeInt, ProfileError> {
    if !deg.is_finite() || !(-90.0..=90.0).contains(&deg) {
        return Err(ProfileError::invalid(field, "latitude outside -90..90"));
    }
    Ok(NinetyDegreeInt((deg * 1e7).round() as i32))
}

fn longitude(field: &str, deg: f64) -> Result<OneEightyDegreeInt, ProfileError> {
    if !deg.is_finite() || deg <= -180.0 || deg > 180.0 {
        return Err(ProfileError::invalid(
            field,
            "longitude outside -180 (excluded)..180",
        ));
    }
    Ok(OneEightyDegreeInt((deg * 1e7).round() as i32))
}

fn location(field: &str, lat: f64, lon: f64) -> Result<TwoDLocation, ProfileError> {
    Ok(TwoDLocation {
        latitude: latitude(&format!("{field}.latitude"), lat)?,
        longitude: longitude(&format!("{field}.longitude"), lon)?,
    })
}

impl RegionSpec {
    /// The `GeographicRegion`.
    pub fn to_asn1(&self) -> Result<GeographicRegion, ProfileError> {
        Ok(match self {
            RegionSpec::Circular {
                latitude,
                longitude,
                radius,
            } => GeographicRegion::CircularRegion(CircularRegion {
                center: location("region", *latitude, *longitude)?,
                radius: *radius,
            }),
            RegionSpec::Rectangular { rectangles } => {
                if rectangles.is_empty() {
                    return Err(ProfileError::invalid(
                        "region.rectangles",
                        "at least one rectangle",
                    ));
                }
                let mut out = Vec::with_capacity(rectangles.len());
                for (i, r) in rectangles.iter().enumerate() {
                    let f = format!("region.rectangles[{i}]");
                    if r.north < r.south {
                        return Err(ProfileError::invalid(f, "north is south of south"));
                    }
                    if r.west > r.east {
                        return Err(ProfileError::invalid(
                            f,
                            "west is east of east (rectangles across the antimeridian are not supported)",
                        ));
                    }
                    out.push(RectangularRegion {
                        north_west: location(&f, r.north, r.west)?,
                        south_east: location(&f, r.south, r.east)?,
                    });
                }
                GeographicRegion::RectangularRegion(out)
            }
            RegionSpec::Polygon { points } => {
                if points.len() < 3 {
                    return Err(ProfileError::invalid(
                        "region.points",
                        "a polygon needs at least 3 points",
                    ));
                }
                let pts = points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| location(&format!("region.points[{i}]"), p[0], p[1]))
                    .collect::<Result<Vec<_>, _>>()?;
                GeographicRegion::PolygonalRegion(PolygonalRegion(pts))
            }
            RegionSpec::Identified { regions } => {
                if regions.is_empty() {
                    return Err(ProfileError::invalid(
                        "region.regions",
                        "at least one identified region",
                    ));
                }
                let mut out = Vec::with_capacity(regions.len());
                for (i, r) in regions.iter().enumerate() {
                    out.push(match (r.regions.is_empty(), r.subregions.is_empty()) {
                        (true, true) => IdentifiedRegion::CountryOnly(r.country),
                        (false, true) => IdentifiedRegion::CountryAndRegions(CountryAndRegions {
                            country_only: r.country,
                            regions: r.regions.clone(),
                        }),
                        (true, false) => {
                            IdentifiedRegion::CountryAndSubregions(CountryAndSubregions {
                                country_only: r.country,
                                region_and_subregions: r
                                    .subregions
                                    .iter()
                                    .map(|s| RegionAndSubregions {
                                        region: s.region,
                                        subregions: s.subregions.clone(),
                                    })
                                    .collect(),
                            })
                        }
                        (false, false) => {
                            return Err(ProfileError::invalid(
                                format!("region.regions[{i}]"),
                                "give either regions or subregions, not both",
                            ))
                        }
                    });
                }
                GeographicRegion::IdentifiedRegion(out)
            }
        })
    }
}

impl ScmsSspSpec {
    /// The COER `SecurityMgmtSsp` (version 2 for the fixed-content SSPs).
    pub fn encode(&self) -> Result<Vec<u8>, scms_asn1::EncodeError> {
        use scms_asn1::codec::UnknownExtensions as U;
        let u = U::default;
        macro_rules! v {
            ($t:ident) => {
                $t {
                    version: 2,
                    unknown_extensions: u(),
                }
            };
        }
        let ssp = match self {
            ScmsSspSpec::Elector => SecurityMgmtSsp::Elector(v!(ElectorSsp)),
            ScmsSspSpec::Root => SecurityMgmtSsp::Root(v!(RootCaSsp)),
            ScmsSspSpec::Pg => SecurityMgmtSsp::Pg(v!(PgSsp)),
            ScmsSspSpec::Ica => SecurityMgmtSsp::Ica(v!(IcaSsp)),
            ScmsSspSpec::Eca => SecurityMgmtSsp::Eca(v!(EcaSsp)),
            ScmsSspSpec::Aca => SecurityMgmtSsp::Aca(v!(AcaSsp)),
            ScmsSspSpec::Crl => SecurityMgmtSsp::Crl(v!(CrlSignerSsp)),
            ScmsSspSpec::Dcm => SecurityMgmtSsp::Dcm(v!(DcmSsp)),
            ScmsSspSpec::Lop => SecurityMgmtSsp::Lop(v!(LopSsp)),
            ScmsSspSpec::Ra => SecurityMgmtSsp::Ra(v!(RaSsp)),
            ScmsSspSpec::Ee => SecurityMgmtSsp::Ee(v!(EeSsp)),
            ScmsSspSpec::La { la_id } => SecurityMgmtSsp::La(LaSsp {
                version: 2,
                la_id: *la_id,
                unknown_extensions: u(),
            }),
            ScmsSspSpec::Ma { relevant_psids } => SecurityMgmtSsp::Ma(MaSsp {
                version: 2,
                relevant_psids: relevant_psids.iter().map(|p| Psid(*p)).collect(),
                unknown_extensions: u(),
            }),
        };
        scms_asn1::encode(&ssp)
    }
}

impl SspSpec {
    /// The `ServiceSpecificPermissions`.
    pub fn to_asn1(
        &self,
        field: &str,
    ) -> Result<ServiceSpecificPermissions<'static>, ProfileError> {
        let enc = |e: scms_asn1::EncodeError| ProfileError::invalid(field, e.to_string());
        Ok(match self {
            SspSpec::Opaque(h) => {
                ServiceSpecificPermissions::Opaque(Octets::from(hex_bytes(field, h)?))
            }
            SspSpec::Bitmap(h) => {
                let b = hex_bytes(field, h)?;
                if b.len() > 31 {
                    return Err(ProfileError::invalid(
                        field,
                        "a bitmap SSP has at most 31 octets",
                    ));
                }
                ServiceSpecificPermissions::BitmapSsp(BitmapSsp(Octets::from(b)))
            }
            SspSpec::Scms(s) => {
                ServiceSpecificPermissions::Opaque(Octets::from(s.encode().map_err(enc)?))
            }
            SspSpec::Crl(c) => {
                let ssp = CrlSsp {
                    version: CrlSsp::VERSION,
                    associated_craca: match c.craca {
                        CracaSpec::Issuer => CracaType::IssuerIsCraca,
                        CracaSpec::SelfCraca => CracaType::IsCraca,
                    },
                    crls: c.series.clone(),
                    unknown_extensions: Default::default(),
                };
                ServiceSpecificPermissions::Opaque(Octets::from(
                    scms_asn1::encode(&ssp).map_err(enc)?,
                ))
            }
        })
    }
}

impl SspRangeSpec {
    /// The `SspRange`.
    pub fn to_asn1(&self, field: &str) -> Result<SspRange<'static>, ProfileError> {
        Ok(match self {
            SspRangeSpec::All => SspRange::All,
            SspRangeSpec::Opaque(list) => SspRange::Opaque(
                list.iter()
                    .enumerate()
                    .map(|(i, h)| Ok(Octets::from(hex_bytes(&format!("{field}[{i}]"), h)?)))
                    .collect::<Result<Vec<_>, ProfileError>>()?,
            ),
            SspRangeSpec::Bitmap(b) => {
                let value = hex_bytes(&format!("{field}.value"), &b.value)?;
                let mask = hex_bytes(&format!("{field}.mask"), &b.mask)?;
                if value.is_empty() || value.len() > 32 || value.len() != mask.len() {
                    return Err(ProfileError::invalid(
                        field,
                        "bitmap value and mask: same length, 1..32 octets",
                    ));
                }
                SspRange::BitmapSspRange(BitmapSspRange {
                    ssp_value: Octets::from(value),
                    ssp_bitmask: Octets::from(mask),
                })
            }
        })
    }
}

impl GroupSpec {
    /// The `PsidGroupPermissions`.
    pub fn to_asn1(&self, field: &str) -> Result<PsidGroupPermissions<'static>, ProfileError> {
        let subject_permissions = match (self.all, &self.psids) {
            (true, None) => SubjectPermissions::All,
            (false, Some(list)) => SubjectPermissions::Explicit(
                list.iter()
                    .enumerate()
                    .map(|(i, p)| {
                        Ok(PsidSspRange {
                            psid: Psid(p.psid),
                            ssp_range: p
                                .ssp_range
                                .as_ref()
                                .map(|r| r.to_asn1(&format!("{field}.psids[{i}].ssp-range")))
                                .transpose()?,
                        })
                    })
                    .collect::<Result<Vec<_>, ProfileError>>()?,
            ),
            _ => {
                return Err(ProfileError::invalid(
                    field,
                    "give exactly one of `all = true` and `psids = [...]`",
                ))
            }
        };
        if self.min_chain_length < 0 {
            return Err(ProfileError::invalid(
                format!("{field}.min-chain-length"),
                "must be >= 0",
            ));
        }
        if self.chain_length_range < -1 {
            return Err(ProfileError::invalid(
                format!("{field}.chain-length-range"),
                "must be >= -1 (-1: unbounded)",
            ));
        }
        if self.ee_type.is_empty() {
            return Err(ProfileError::invalid(
                format!("{field}.ee-type"),
                "at least one of app, enrol",
            ));
        }
        let bits: Vec<usize> = self
            .ee_type
            .iter()
            .map(|e| match e {
                EeTypeName::App => EndEntityType::APP,
                EeTypeName::Enrol => EndEntityType::ENROL,
            })
            .collect();
        Ok(PsidGroupPermissions {
            subject_permissions,
            min_chain_length: self.min_chain_length,
            chain_length_range: self.chain_length_range,
            ee_type: EndEntityType(BitString::with_bits(8, &bits)),
        })
    }
}

/// The permission parts of a profile in their ASN.1 form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permissions {
    pub app: Option<Vec<PsidSsp<'static>>>,
    pub issue: Option<Vec<PsidGroupPermissions<'static>>>,
    pub request: Option<Vec<PsidGroupPermissions<'static>>>,
}

impl Profile {
    /// Parses and validates a TOML profile.
    pub fn from_toml(text: &str) -> Result<Profile, ProfileError> {
        let p: Profile = toml::from_str(text).map_err(|e| {
            let message = e.message().to_string();
            let mut field = field_of(&message);
            if let Some(span) = e.span() {
                let path = key_path_at(text, span.start);
                if field.is_empty() {
                    field = path;
                } else if !path.is_empty() && !path.ends_with(&field) {
                    field = format!("{path}.{field}");
                }
            }
            ProfileError::Syntax { field, message }
        })?;
        p.validate()?;
        Ok(p)
    }

    /// The TOML text of this profile.
    pub fn to_toml(&self) -> Result<String, ProfileError> {
        toml::to_string(self).map_err(|e| ProfileError::Syntax {
            field: String::new(),
            message: e.to_string(),
        })
    }

    /// Checks everything that [`Profile::from_toml`] checks beyond the schema.
    pub fn validate(&self) -> Result<(), ProfileError> {
        if self.name.trim().is_empty() {
            return Err(ProfileError::invalid("name", "empty"));
        }
        if let Some(a) = self.assurance_level {
            if a.level > 7 {
                return Err(ProfileError::invalid("assurance-level.level", "0..7"));
            }
            if a.confidence > 3 {
                return Err(ProfileError::invalid("assurance-level.confidence", "0..3"));
            }
        }
        if let Some(r) = &self.region {
            r.to_asn1()?;
        }
        if self.certificate == CertKind::Implicit && self.curve.curve().field_len() != 32 {
            return Err(ProfileError::invalid(
                "certificate",
                "implicit certificates need a 256-bit curve (the reconstruction value is an EccP256CurvePoint)",
            ));
        }
        if self.certificate == CertKind::Implicit && self.role.is_self_signed() {
            return Err(ProfileError::invalid(
                "certificate",
                "a self-signed certificate is explicit",
            ));
        }
        let perms = self.permissions()?;
        if perms.app.is_none() && perms.issue.is_none() && perms.request.is_none() {
            return Err(ProfileError::invalid(
                "app-permissions",
                "a certificate needs app-permissions, cert-issue-permissions or cert-request-permissions",
            ));
        }
        Ok(())
    }

    /// appPermissions, certIssuePermissions and certRequestPermissions (absent when empty).
    pub fn permissions(&self) -> Result<Permissions, ProfileError> {
        let app = self
            .app_permissions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Ok(PsidSsp {
                    psid: Psid(p.psid),
                    ssp: p
                        .ssp
                        .as_ref()
                        .map(|s| s.to_asn1(&format!("app-permissions[{i}].ssp")))
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, ProfileError>>()?;
        let groups = |list: &[GroupSpec], name: &str| {
            list.iter()
                .enumerate()
                .map(|(i, g)| g.to_asn1(&format!("{name}[{i}]")))
                .collect::<Result<Vec<_>, ProfileError>>()
        };
        let issue = groups(&self.cert_issue_permissions, "cert-issue-permissions")?;
        let request = groups(&self.cert_request_permissions, "cert-request-permissions")?;
        fn some<T>(v: Vec<T>) -> Option<Vec<T>> {
            (!v.is_empty()).then_some(v)
        }
        Ok(Permissions {
            app: some(app),
            issue: some(issue),
            request: some(request),
        })
    }

    /// The `GeographicRegion`, if the profile restricts the region.
    pub fn region_asn1(&self) -> Result<Option<GeographicRegion>, ProfileError> {
        self.region.as_ref().map(RegionSpec::to_asn1).transpose()
    }
}

// ---------------------------------------------------------------------------
// Built-in profiles

/// The two hierarchies of the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// IEEE 1609.2 / SCMS (US): ECDSA P-256 with SHA-256 (a P-384 root is allowed).
    Us,
    /// YD/T 3957 (CN): SM2 with SM3.
    Cn,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Us => "us",
            Family::Cn => "cn",
        }
    }

    /// `us` or `cn`.
    pub fn parse(s: &str) -> Option<Family> {
        match s {
            "us" => Some(Family::Us),
            "cn" => Some(Family::Cn),
            _ => None,
        }
    }
}

/// Names of the built-in profiles of each family.
pub const BUILTIN_NAMES: [&str; 13] = [
    "root",
    "root-p384",
    "ica",
    "eca",
    "aca",
    "ra",
    "la1",
    "la2",
    "ma",
    "crl",
    "elector",
    "enrollment",
    "pseudonym",
];

/// The TOML text of a built-in profile (`name` one of [`BUILTIN_NAMES`]).
/// `root-p384` exists for `us` only; the CN electors use SM2, the US electors P-384.
/// `pca` and `application` are aliases of `aca` and `pseudonym`.
pub fn builtin_toml(family: Family, name: &str) -> Result<String, ProfileError> {
    let name = match name {
        "pca" => "aca",
        "application" => "pseudonym",
        n => n,
    };
    let (curve, country, epoch) = match family {
        Family::Us => (
            "p256",
            "[{ country = 840 }, { country = 124 }, { country = 484 }]",
            1_420_534_800_i64,
        ),
        Family::Cn => ("sm2", "[{ country = 156 }]", 1_578_340_800_i64),
    };
    let home = match family {
        Family::Us => "[{ country = 840 }]",
        Family::Cn => "[{ country = 156 }]",
    };
    let fam = family.as_str();
    let ca_region = format!("[region]\ntype = \"identified\"\nregions = {country}\n");
    let home_region = format!("[region]\ntype = \"identified\"\nregions = {home}\n");
    let head = |role: &str, curve: &str, years: u16, crl: u16| {
        format!(
            "name = \"{fam}-{name}\"\nrole = \"{role}\"\ncurve = \"{curve}\"\ncrl-series = {crl}\n\n[validity]\nstart = \"now\"\nduration = {{ years = {years} }}\n\n"
        )
    };
    let scms = |ssp: &str| {
        format!("[[app-permissions]]\npsid = {PSID_SECURITY_MGMT}\nssp = {{ scms = {ssp} }}\n\n")
    };
    let assurance = "assurance-level = { level = 7, confidence = 0 }\n";
    let all_groups = "[[cert-issue-permissions]]\nall = true\nmin-chain-length = 1\nchain-length-range = -1\nee-type = [\"app\", \"enrol\"]\n";
    let text = match name {
        "root" | "root-p384" => {
            let c = if name == "root-p384" {
                if family != Family::Us {
                    return Err(ProfileError::UnknownBuiltin(format!("{fam}/{name}")));
                }
                "p384"
            } else {
                curve
            };
            let h = head("root", c, 30, 1).replacen("\n\n[validity]", &format!("\n{assurance}\n[validity]"), 1);
            format!("{h}{ca_region}\n{}{all_groups}", scms("\"root\""))
        }
        "ica" => {
            let h = head("ica", curve, 20, 1).replacen("\n\n[validity]", &format!("\n{assurance}\n[validity]"), 1);
            format!("{h}{ca_region}\n{}{all_groups}", scms("\"ica\""))
        }
        "eca" => {
            let h = head("eca", curve, 10, 1).replacen("\n\n[validity]", &format!("\n{assurance}\n[validity]"), 1);
            format!(
                "{h}{home_region}\n{}[[cert-issue-permissions]]\nall = true\nmin-chain-length = 1\nchain-length-range = 0\nee-type = [\"enrol\"]\n",
                scms("\"eca\"")
            )
        }
        "aca" => {
            let h = head("aca", curve, 10, 1).replacen("\n\n[validity]", &format!("\n{assurance}uses-cubk = true\n\n[validity]"), 1);
            format!(
                "{h}{home_region}\n{}[[cert-issue-permissions]]\npsids = [{{ psid = {PSID_BSM}, ssp-range = \"all\" }}, {{ psid = {PSID_MISBEHAVIOR} }}]\nmin-chain-length = 1\nchain-length-range = 0\nee-type = [\"app\"]\n",
                scms("\"aca\"")
            )
        }
        "ra" => format!(
            "{}{home_region}\n{}[[cert-request-permissions]]\nall = true\nee-type = [\"app\"]\n",
            head("ra", curve, 10, 1),
            scms("\"ra\"")
        ),
        "la1" | "la2" => {
            let id = if name == "la1" { 1 } else { 2 };
            format!(
                "{}{home_region}\n{}",
                head("la", curve, 10, 1),
                scms(&format!("{{ la = {{ la-id = {id} }} }}"))
            )
        }
        "ma" => format!(
            "{}{home_region}\n{}",
            head("ma", curve, 10, 1),
            scms(&format!("{{ ma = {{ relevant-psids = [{PSID_BSM}, {PSID_MISBEHAVIOR}] }} }}"))
        ),
        "crl" => format!(
            "{}{ca_region}\n[[app-permissions]]\npsid = {PSID_CRL}\nssp = {{ crl = {{ series = [1, 2, 3], craca = \"issuer\" }} }}\n",
            head("crl", curve, 10, 1)
        ),
        "elector" => {
            let c = if family == Family::Us { "p384" } else { curve };
            format!("{}{}", head("elector", c, 30, 1), scms("\"elector\""))
        }
        "enrollment" => format!(
            "{}{home_region}\n[[cert-request-permissions]]\npsids = [{{ psid = {PSID_BSM} }}, {{ psid = {PSID_MISBEHAVIOR} }}]\nee-type = [\"app\"]\n",
            head("enrollment", curve, 6, 2)
        ),
        "pseudonym" => {
            let h = head("pseudonym", curve, 1, 3)
                .replacen("\n\n[validity]", &format!("\ncertificate = \"implicit\"\niperiod-epoch-unix = {epoch}\n\n[validity]"), 1)
                .replace("duration = { years = 1 }", "duration = { hours = 168 }");
            format!(
                "{h}{home_region}\n[[app-permissions]]\npsid = {PSID_BSM}\n\n[[app-permissions]]\npsid = {PSID_MISBEHAVIOR}\n"
            )
        }
        _ => return Err(ProfileError::UnknownBuiltin(format!("{fam}/{name}"))),
    };
    Ok(text)
}

/// A built-in profile (see [`builtin_toml`]).
pub fn builtin(family: Family, name: &str) -> Result<Profile, ProfileError> {
    Profile::from_toml(&builtin_toml(family, name)?)
}
