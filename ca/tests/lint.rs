//! Every lint rule, case by case: one certificate that passes and one that is
//! refused with the rule and the field named. The last tests check through
//! `issue` that a refused certificate is never signed.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use scms_asn1::ieee1609dot2::region::region_within;
use scms_asn1::ieee1609dot2::{
    CircularRegion, GeographicRegion, NinetyDegreeInt, OneEightyDegreeInt, PolygonalRegion,
    RectangularRegion, ToBeSignedCertificate, TwoDLocation, VerificationKeyIndicator,
};
use scms_ca::issue::{issue, to_be_signed, IssueParams, SubjectId};
use scms_ca::lint::{lint_certificate, lint_request, LintError, LintRule};
use scms_ca::profile::{builtin, Family, Profile};
use scms_ca::CaError;
use scms_crypto::suite::{os_rng, Curve, EcScalar, PublicKey, SecretKey, SharedSecret, Signature};
use scms_hsm::{KeyInfo, KeyStore, KeyStoreError};

const NOW: u32 = 700_000_000;

fn key() -> PublicKey {
    SecretKey::generate(Curve::NistP256, &mut os_rng())
        .unwrap()
        .public_key()
}

/// A profile from a header (role etc.) and a body.
fn profile(role: &str, years: u16, extra_head: &str, body: &str) -> Profile {
    let text = format!(
        "name = \"t-{role}\"\nrole = \"{role}\"\ncurve = \"p256\"\n{extra_head}\n[validity]\nduration = {{ years = {years} }}\n{body}"
    );
    Profile::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn tbs_of(
    p: &Profile,
    issuer: Option<&ToBeSignedCertificate<'_>>,
) -> ToBeSignedCertificate<'static> {
    let k = key();
    let params = IssueParams::new(p, SubjectId::Name("t".into()), k, NOW);
    to_be_signed(
        &params,
        issuer,
        VerificationKeyIndicator::VerificationKey(scms_crypto::wire::verification_key(&k).unwrap()),
    )
    .unwrap()
}

const CA_ALL: &str = "[[cert-issue-permissions]]\nall = true\nmin-chain-length = 1\nchain-length-range = -1\nee-type = [\"app\", \"enrol\"]\n";
const APP_32: &str = "[[app-permissions]]\npsid = 32\n";

fn issuer_with(body: &str) -> ToBeSignedCertificate<'static> {
    tbs_of(
        &profile("ica", 20, "assurance-level = { level = 3 }", body),
        None,
    )
}

fn refused(
    s: &ToBeSignedCertificate<'_>,
    i: &ToBeSignedCertificate<'_>,
    rule: LintRule,
    field: &str,
) -> LintError {
    let e = lint_certificate(s, i).expect_err("must be refused");
    assert_eq!(e.rule, rule, "{e}");
    assert!(
        e.field.contains(field),
        "field {:?} does not contain {field:?}: {e}",
        e.field
    );
    e
}

#[test]
fn rule_issuer_cannot_issue() {
    let issuer = issuer_with(CA_ALL);
    let s = tbs_of(&profile("ma", 5, "", APP_32), None);
    lint_certificate(&s, &issuer).expect("a CA with certIssuePermissions may issue");
    let not_ca = tbs_of(&profile("ra", 10, "", APP_32), None);
    refused(
        &s,
        &not_ca,
        LintRule::IssuerCannotIssue,
        "certIssuePermissions",
    );
}

#[test]
fn rule_validity_start() {
    let issuer = issuer_with(CA_ALL);
    let ok = tbs_of(&profile("ma", 5, "", APP_32), Some(&issuer));
    lint_certificate(&ok, &issuer).expect("starts with the issuer");
    let early = profile("ma", 5, "", APP_32).clone();
    let mut early = early;
    early.validity.start_offset = -3600;
    let s = tbs_of(&early, Some(&issuer));
    refused(&s, &issuer, LintRule::ValidityStart, "validityPeriod.start");
}

#[test]
fn rule_validity_end() {
    let issuer = issuer_with(CA_ALL);
    lint_certificate(&tbs_of(&profile("ma", 20, "", APP_32), None), &issuer)
        .expect("ends with the issuer");
    let s = tbs_of(&profile("ma", 21, "", APP_32), None);
    refused(
        &s,
        &issuer,
        LintRule::ValidityEnd,
        "validityPeriod.duration",
    );
    // A start from the issuer's start is also checked.
    let mut p = profile("ma", 5, "", APP_32);
    p.validity.start = scms_ca::profile::StartRule::IssuerStart;
    lint_certificate(&tbs_of(&p, Some(&issuer)), &issuer).expect("issuer-start");
}

fn region_profile(region: &str) -> Profile {
    profile("ma", 5, "", &format!("{APP_32}[region]\n{region}\n"))
}

#[test]
fn rule_region_through_certificates() {
    let issuer = tbs_of(
        &profile("ica", 20, "", &format!("{CA_ALL}[region]\ntype = \"identified\"\nregions = [{{ country = 840 }}, {{ country = 124 }}]\n")),
        None,
    );
    let ok = tbs_of(
        &region_profile("type = \"identified\"\nregions = [{ country = 124, regions = [1, 2] }]"),
        None,
    );
    lint_certificate(&ok, &issuer).expect("Canada within US+Canada");
    let absent = tbs_of(&profile("ma", 5, "", APP_32), None);
    lint_certificate(&absent, &issuer).expect("no region: the issuer's applies");
    let bad = tbs_of(
        &region_profile("type = \"identified\"\nregions = [{ country = 250 }]"),
        None,
    );
    refused(&bad, &issuer, LintRule::Region, "toBeSigned.region");
    let geo = tbs_of(
        &region_profile("type = \"circular\"\nlatitude = 42.3\nlongitude = -83.0\nradius = 1000"),
        None,
    );
    refused(&geo, &issuer, LintRule::Region, "toBeSigned.region");
}

fn loc(lat: f64, lon: f64) -> TwoDLocation {
    TwoDLocation {
        latitude: NinetyDegreeInt((lat * 1e7) as i32),
        longitude: OneEightyDegreeInt((lon * 1e7) as i32),
    }
}

fn circle(lat: f64, lon: f64, r: u16) -> GeographicRegion {
    GeographicRegion::CircularRegion(CircularRegion {
        center: loc(lat, lon),
        radius: r,
    })
}

fn rect(n: f64, w: f64, s: f64, e: f64) -> GeographicRegion {
    GeographicRegion::RectangularRegion(vec![RectangularRegion {
        north_west: loc(n, w),
        south_east: loc(s, e),
    }])
}

fn poly(pts: &[(f64, f64)]) -> GeographicRegion {
    GeographicRegion::PolygonalRegion(PolygonalRegion(pts.iter().map(|p| loc(p.0, p.1)).collect()))
}

#[test]
fn rule_region_shapes() {
    // Circle in circle: 1 km circle 2 km from the center of a 5 km circle.
    assert!(region_within(&circle(42.0, -83.0, 1000), &circle(42.018, -83.0, 5000)).is_ok());
    assert!(region_within(&circle(42.0, -83.0, 4000), &circle(42.018, -83.0, 5000)).is_err());
    // Rectangles.
    assert!(region_within(
        &rect(43.0, -84.0, 42.0, -83.0),
        &rect(44.0, -85.0, 41.0, -82.0)
    )
    .is_ok());
    assert!(region_within(
        &rect(45.0, -84.0, 42.0, -83.0),
        &rect(44.0, -85.0, 41.0, -82.0)
    )
    .is_err());
    // Polygons (vertices inside).
    let big = poly(&[(40.0, -90.0), (50.0, -90.0), (50.0, -70.0), (40.0, -70.0)]);
    assert!(region_within(&poly(&[(41.0, -85.0), (45.0, -85.0), (45.0, -80.0)]), &big).is_ok());
    assert!(region_within(&poly(&[(41.0, -85.0), (55.0, -85.0), (45.0, -80.0)]), &big).is_err());
    // Mixed shapes: circle in rectangle and in polygon, rectangle in circle and polygon.
    assert!(region_within(&circle(42.5, -83.5, 1000), &rect(43.0, -84.0, 42.0, -83.0)).is_ok());
    assert!(region_within(
        &circle(42.999, -83.5, 1000),
        &rect(43.0, -84.0, 42.0, -83.0)
    )
    .is_err());
    assert!(region_within(&circle(45.0, -80.0, 10_000), &big).is_ok());
    assert!(region_within(&circle(49.99, -80.0, 10_000), &big).is_err());
    assert!(region_within(
        &rect(42.001, -83.001, 42.0, -83.0),
        &circle(42.0, -83.0, 500)
    )
    .is_ok());
    assert!(region_within(&rect(42.1, -83.1, 42.0, -83.0), &circle(42.0, -83.0, 500)).is_err());
    assert!(region_within(&rect(43.0, -84.0, 42.0, -83.0), &big).is_ok());
    assert!(region_within(&rect(43.0, -95.0, 42.0, -83.0), &big).is_err());
}

#[test]
fn rule_region_identified() {
    use scms_asn1::ieee1609dot2::{
        CountryAndRegions, CountryAndSubregions, IdentifiedRegion as I, RegionAndSubregions,
    };
    let idr = |v: Vec<I>| GeographicRegion::IdentifiedRegion(v);
    let cr = |c, r: Vec<u8>| {
        I::CountryAndRegions(CountryAndRegions {
            country_only: c,
            regions: r,
        })
    };
    let cs = |c, r, s: Vec<u16>| {
        I::CountryAndSubregions(CountryAndSubregions {
            country_only: c,
            region_and_subregions: vec![RegionAndSubregions {
                region: r,
                subregions: s,
            }],
        })
    };
    let us = idr(vec![I::CountryOnly(840)]);
    assert!(region_within(&idr(vec![cr(840, vec![6, 26])]), &us).is_ok());
    assert!(region_within(
        &idr(vec![I::CountryOnly(840)]),
        &idr(vec![cr(840, vec![6])])
    )
    .is_err());
    assert!(region_within(
        &idr(vec![cr(840, vec![6])]),
        &idr(vec![cr(840, vec![6, 26])])
    )
    .is_ok());
    assert!(region_within(
        &idr(vec![cr(840, vec![7])]),
        &idr(vec![cr(840, vec![6, 26])])
    )
    .is_err());
    assert!(region_within(
        &idr(vec![cs(840, 6, vec![1])]),
        &idr(vec![cr(840, vec![6])])
    )
    .is_ok());
    assert!(region_within(
        &idr(vec![cs(840, 6, vec![1])]),
        &idr(vec![cs(840, 6, vec![1, 2])])
    )
    .is_ok());
    assert!(region_within(
        &idr(vec![cs(840, 6, vec![3])]),
        &idr(vec![cs(840, 6, vec![1, 2])])
    )
    .is_err());
    assert!(region_within(&us, &circle(0.0, 0.0, 100)).is_err());
}

#[test]
fn rule_app_permission_psid_and_ee_type() {
    let issuer = issuer_with(
        "[[cert-issue-permissions]]\npsids = [{ psid = 32 }, { psid = 38 }]\nee-type = [\"app\"]\n",
    );
    lint_certificate(&tbs_of(&profile("pseudonym", 1, "", APP_32), None), &issuer)
        .expect("32 is granted");
    let s = tbs_of(
        &profile("pseudonym", 1, "", "[[app-permissions]]\npsid = 99\n"),
        None,
    );
    refused(&s, &issuer, LintRule::AppPermission, "appPermissions[0]");
    // Granted for enrol only.
    let enrol_only = issuer_with("[[cert-issue-permissions]]\nall = true\nee-type = [\"enrol\"]\n");
    let s = tbs_of(&profile("pseudonym", 1, "", APP_32), None);
    let e = refused(
        &s,
        &enrol_only,
        LintRule::AppPermission,
        "appPermissions[0]",
    );
    assert!(e.detail.contains("enrol"), "{e}");
}

#[test]
fn rule_app_permission_ssp() {
    let issuer = issuer_with(
        "[[cert-issue-permissions]]\npsids = [{ psid = 32, ssp-range = { opaque = [\"01\", \"02\"] } }, { psid = 33, ssp-range = { bitmap = { value = \"80\", mask = \"c0\" } } }]\n",
    );
    let with_ssp = |psid: u64, ssp: &str| {
        tbs_of(
            &profile(
                "pseudonym",
                1,
                "",
                &format!("[[app-permissions]]\npsid = {psid}\nssp = {ssp}\n"),
            ),
            None,
        )
    };
    lint_certificate(&with_ssp(32, "{ opaque = \"02\" }"), &issuer).expect("opaque 02 in range");
    refused(
        &with_ssp(32, "{ opaque = \"03\" }"),
        &issuer,
        LintRule::AppPermission,
        "appPermissions[0]",
    );
    refused(
        &with_ssp(32, "{ bitmap = \"01\" }"),
        &issuer,
        LintRule::AppPermission,
        "appPermissions[0]",
    );
    lint_certificate(&with_ssp(33, "{ bitmap = \"bf\" }"), &issuer).expect("bits 10xxxxxx");
    refused(
        &with_ssp(33, "{ bitmap = \"c0\" }"),
        &issuer,
        LintRule::AppPermission,
        "appPermissions[0]",
    );
    refused(
        &with_ssp(33, "{ bitmap = \"8000\" }"),
        &issuer,
        LintRule::AppPermission,
        "appPermissions[0]",
    );
}

#[test]
fn rule_issue_permission() {
    let issuer = issuer_with(
        "[[cert-issue-permissions]]\npsids = [{ psid = 32, ssp-range = { opaque = [\"01\", \"02\"] } }, { psid = 33, ssp-range = { bitmap = { value = \"80\", mask = \"c0\" } } }]\nchain-length-range = 1\nee-type = [\"app\"]\n",
    );
    let sub = |group: &str| {
        tbs_of(
            &profile(
                "aca",
                5,
                "",
                &format!("[[cert-issue-permissions]]\n{group}\n"),
            ),
            None,
        )
    };
    lint_certificate(
        &sub("psids = [{ psid = 32, ssp-range = { opaque = [\"01\"] } }]"),
        &issuer,
    )
    .expect("narrower opaque");
    lint_certificate(
        &sub("psids = [{ psid = 33, ssp-range = { bitmap = { value = \"a0\", mask = \"e0\" } } }]"),
        &issuer,
    )
    .expect("narrower bitmap");
    refused(
        &sub("psids = [{ psid = 32, ssp-range = { opaque = [\"03\"] } }]"),
        &issuer,
        LintRule::IssuePermission,
        "subjectPermissions",
    );
    refused(
        &sub("psids = [{ psid = 32 }]"),
        &issuer,
        LintRule::IssuePermission,
        "subjectPermissions",
    );
    refused(
        &sub("psids = [{ psid = 33, ssp-range = { bitmap = { value = \"80\", mask = \"40\" } } }]"),
        &issuer,
        LintRule::IssuePermission,
        "subjectPermissions",
    );
    refused(
        &sub("all = true"),
        &issuer,
        LintRule::IssuePermission,
        "subjectPermissions",
    );
    refused(&sub("psids = [{ psid = 32, ssp-range = { opaque = [\"01\"] } }]\nee-type = [\"app\", \"enrol\"]"), &issuer, LintRule::IssuePermission, "eeType");
}

#[test]
fn rule_request_permission() {
    let enrol = issuer_with("[[cert-issue-permissions]]\nall = true\nee-type = [\"enrol\"]\n");
    let app = issuer_with("[[cert-issue-permissions]]\nall = true\nee-type = [\"app\"]\n");
    let s = tbs_of(
        &profile(
            "enrollment",
            5,
            "",
            "[[cert-request-permissions]]\npsids = [{ psid = 32 }]\n",
        ),
        None,
    );
    lint_certificate(&s, &enrol).expect("enrol group grants certRequestPermissions");
    refused(
        &s,
        &app,
        LintRule::RequestPermission,
        "certRequestPermissions[0]",
    );
    let narrow =
        issuer_with("[[cert-issue-permissions]]\npsids = [{ psid = 38 }]\nee-type = [\"enrol\"]\n");
    refused(
        &s,
        &narrow,
        LintRule::RequestPermission,
        "certRequestPermissions[0]",
    );
}

#[test]
fn rule_chain_length() {
    let issuer = issuer_with("[[cert-issue-permissions]]\nall = true\nmin-chain-length = 1\nchain-length-range = 1\nee-type = [\"app\", \"enrol\"]\n");
    let sub = |group: &str| {
        tbs_of(
            &profile(
                "aca",
                5,
                "",
                &format!("[[cert-issue-permissions]]\nall = true\n{group}\n"),
            ),
            None,
        )
    };
    lint_certificate(
        &sub("min-chain-length = 1\nchain-length-range = 0"),
        &issuer,
    )
    .expect("1..1 inside 2..2 minus one");
    refused(
        &sub("min-chain-length = 1\nchain-length-range = 1"),
        &issuer,
        LintRule::ChainLength,
        "minChainLength",
    );
    refused(
        &sub("min-chain-length = 1\nchain-length-range = -1"),
        &issuer,
        LintRule::ChainLength,
        "minChainLength",
    );
    refused(
        &sub("min-chain-length = 0"),
        &issuer,
        LintRule::ChainLength,
        "certIssuePermissions[0].minChainLength",
    );
    // An issuer whose chain must be at least 2 long cannot issue an end entity.
    let deep = issuer_with(
        "[[cert-issue-permissions]]\nall = true\nmin-chain-length = 2\nee-type = [\"app\"]\n",
    );
    refused(
        &tbs_of(&profile("pseudonym", 1, "", APP_32), None),
        &deep,
        LintRule::ChainLength,
        "appPermissions[0]",
    );
    lint_certificate(&sub("min-chain-length = 1\nchain-length-range = 0"), &deep)
        .expect("a CA right below");
}

#[test]
fn rule_assurance() {
    let issuer = issuer_with(CA_ALL); // level 3
    let with = |level: u8| {
        tbs_of(
            &profile(
                "ma",
                5,
                &format!("assurance-level = {{ level = {level} }}"),
                APP_32,
            ),
            None,
        )
    };
    lint_certificate(&with(3), &issuer).expect("same level");
    lint_certificate(&tbs_of(&profile("ma", 5, "", APP_32), None), &issuer).expect("absent");
    refused(&with(4), &issuer, LintRule::Assurance, "assuranceLevel");
    let no_level = tbs_of(&profile("ica", 20, "", CA_ALL), None);
    refused(&with(1), &no_level, LintRule::Assurance, "assuranceLevel");
}

#[test]
fn rule_request_consistency() {
    let enrollment = tbs_of(
        &profile(
            "enrollment",
            5,
            "",
            "[[cert-request-permissions]]\npsids = [{ psid = 32 }]\n[region]\ntype = \"identified\"\nregions = [{ country = 840 }]\n",
        ),
        None,
    );
    let ps = |body: &str| tbs_of(&profile("pseudonym", 1, "", body), None);
    let us = "[region]\ntype = \"identified\"\nregions = [{ country = 840, regions = [6] }]\n";
    lint_request(&ps(&format!("{APP_32}{us}")), &enrollment)
        .expect("requested within the enrollment");
    let e = lint_request(
        &ps(&format!("[[app-permissions]]\npsid = 38\n{us}")),
        &enrollment,
    )
    .expect_err("38 not requestable");
    assert_eq!(
        (e.rule, e.field.as_str()),
        (LintRule::Request, "toBeSigned.appPermissions[0]")
    );
    let e = lint_request(&ps(APP_32), &enrollment).expect_err("region must be restricted too");
    assert_eq!(
        (e.rule, e.field.as_str()),
        (LintRule::Request, "toBeSigned.region")
    );
    let e = lint_request(
        &ps(&format!(
            "{APP_32}[region]\ntype = \"identified\"\nregions = [{{ country = 124 }}]\n"
        )),
        &enrollment,
    )
    .expect_err("outside");
    assert_eq!(e.rule, LintRule::Request);
    let ca = issuer_with(CA_ALL);
    let e = lint_request(&ps(APP_32), &ca).expect_err("no certRequestPermissions");
    assert_eq!(e.field, "requester.certRequestPermissions");
}

/// A key store that counts private-key operations.
struct Counting<K: KeyStore> {
    inner: K,
    uses: AtomicUsize,
}

impl<K: KeyStore> KeyStore for Counting<K> {
    fn generate(&self, label: &str, curve: Curve) -> Result<KeyInfo, KeyStoreError> {
        self.inner.generate(label, curve)
    }
    fn public_key(&self, label: &str) -> Result<PublicKey, KeyStoreError> {
        self.inner.public_key(label)
    }
    fn sign_digest(&self, label: &str, digest: &[u8]) -> Result<Signature, KeyStoreError> {
        self.uses.fetch_add(1, Ordering::SeqCst);
        self.inner.sign_digest(label, digest)
    }
    fn ecdh(&self, label: &str, peer: &PublicKey) -> Result<SharedSecret, KeyStoreError> {
        self.uses.fetch_add(1, Ordering::SeqCst);
        self.inner.ecdh(label, peer)
    }
    fn ecqv_reconstruction(
        &self,
        label: &str,
        e: &EcScalar,
        k: &EcScalar,
    ) -> Result<EcScalar, KeyStoreError> {
        self.uses.fetch_add(1, Ordering::SeqCst);
        self.inner.ecqv_reconstruction(label, e, k)
    }
    fn list(&self) -> Result<Vec<KeyInfo>, KeyStoreError> {
        self.inner.list()
    }
}

#[test]
fn refused_certificates_are_never_signed() {
    let ks = Counting {
        inner: scms_hsm::MemoryKeyStore::new(),
        uses: AtomicUsize::new(0),
    };
    let h = scms_ca::hierarchy::build(
        &ks,
        &scms_ca::hierarchy::HierarchyOptions::new(Family::Us, common::now()),
    )
    .unwrap();
    let before = ks.uses.load(Ordering::SeqCst);
    // A pseudonym asking for a PSID the ACA does not grant, explicit and implicit.
    let mut p = builtin(Family::Us, "pseudonym").unwrap();
    p.app_permissions[0].psid = 4000;
    for kind in [
        scms_ca::profile::CertKind::Implicit,
        scms_ca::profile::CertKind::Explicit,
    ] {
        let mut params = IssueParams::new(&p, SubjectId::None, key(), common::now());
        params.kind = Some(kind);
        match issue(&ks, &h.issuer_ref("aca").unwrap(), &params) {
            Err(CaError::Lint(e)) => assert_eq!(e.rule, LintRule::AppPermission),
            other => panic!("expected a lint refusal, got {other:?}"),
        }
    }
    // An ECA living longer than the ICA.
    let mut eca = builtin(Family::Us, "eca").unwrap();
    eca.validity.duration = scms_ca::profile::DurationSpec::Years(25);
    let params = IssueParams::new(&eca, SubjectId::Name("eca2".into()), key(), common::now());
    assert!(
        matches!(issue(&ks, &h.issuer_ref("ica").unwrap(), &params), Err(CaError::Lint(e)) if e.rule == LintRule::ValidityEnd)
    );
    // Requested through an enrollment certificate without that PSID.
    let ep = builtin(Family::Us, "enrollment").unwrap();
    let enrol = issue(
        &ks,
        &h.issuer_ref("eca").unwrap(),
        &IssueParams::new(&ep, SubjectId::None, key(), common::now()),
    )
    .unwrap();
    let before2 = ks.uses.load(Ordering::SeqCst);
    assert_eq!(before2, before + 1);
    let mut pp = builtin(Family::Us, "pseudonym").unwrap();
    pp.region = None;
    let mut params = IssueParams::new(&pp, SubjectId::None, key(), common::now());
    params.requester = Some(enrol.certificate());
    assert!(
        matches!(issue(&ks, &h.issuer_ref("aca").unwrap(), &params), Err(CaError::Lint(e)) if e.rule == LintRule::Request)
    );
    assert_eq!(
        ks.uses.load(Ordering::SeqCst),
        before2,
        "no private-key use for a refused certificate"
    );
}

/// Random (valid COER) certificates and regions through every lint entry
/// point: refusals or passes, never a panic.
#[test]
fn random_inputs_never_panic() {
    use scms_asn1::codec::testing::TestRng;
    use scms_asn1::codec::Generate;
    let mut rng = TestRng::new(0x5eed_ca11);
    let mut checked = 0;
    for _ in 0..400 {
        let mut buf = vec![0u8; 64 + rng.below(3000)];
        rng.fill(&mut buf);
        let mut u = arbitrary::Unstructured::new(&buf);
        let (Ok(a), Ok(b)) = (
            ToBeSignedCertificate::generate(&mut u),
            ToBeSignedCertificate::generate(&mut u),
        ) else {
            continue;
        };
        let _ = lint_certificate(&a, &b);
        let _ = lint_request(&a, &b);
        if let (Some(r1), Some(r2)) = (&a.region, &b.region) {
            let _ = region_within(r1, r2);
        }
        if let (Ok(r1), Ok(r2)) = (
            GeographicRegion::generate(&mut u),
            GeographicRegion::generate(&mut u),
        ) {
            let _ = region_within(&r1, &r2);
            let _ = region_within(&r1, &r1);
        }
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
}

/// A key store that answers an ECQV reconstruction value off by one, as a
/// faulty or foreign store could: it does not claim `ecqv_in_process`.
struct FaultyEcqv(scms_hsm::MemoryKeyStore);

impl KeyStore for FaultyEcqv {
    fn generate(&self, label: &str, curve: Curve) -> Result<KeyInfo, KeyStoreError> {
        self.0.generate(label, curve)
    }
    fn public_key(&self, label: &str) -> Result<PublicKey, KeyStoreError> {
        self.0.public_key(label)
    }
    fn sign_digest(&self, label: &str, digest: &[u8]) -> Result<Signature, KeyStoreError> {
        self.0.sign_digest(label, digest)
    }
    fn ecdh(&self, label: &str, peer: &PublicKey) -> Result<SharedSecret, KeyStoreError> {
        self.0.ecdh(label, peer)
    }
    fn ecqv_reconstruction(
        &self,
        label: &str,
        e: &EcScalar,
        k: &EcScalar,
    ) -> Result<EcScalar, KeyStoreError> {
        let s = self.0.ecqv_reconstruction(label, e, k)?;
        let mut one = [0u8; 32];
        one[31] = 1;
        let one = EcScalar::from_be_bytes(Curve::NistP256, &one).expect("1 is a scalar");
        Ok(s.add(&one).expect("same curve"))
    }
    fn list(&self) -> Result<Vec<KeyInfo>, KeyStoreError> {
        self.0.list()
    }
}

#[test]
fn a_wrong_reconstruction_value_from_a_store_is_caught() {
    assert!(scms_hsm::MemoryKeyStore::new().ecqv_in_process());
    let ks = FaultyEcqv(scms_hsm::MemoryKeyStore::new());
    assert!(!ks.ecqv_in_process());
    let h = scms_ca::hierarchy::build(
        &ks,
        &scms_ca::hierarchy::HierarchyOptions::new(Family::Us, common::now()),
    )
    .unwrap();
    let p = builtin(Family::Us, "pseudonym").unwrap();
    let mut params = IssueParams::new(&p, SubjectId::None, key(), common::now());
    params.kind = Some(scms_ca::profile::CertKind::Implicit);
    match issue(&ks, &h.issuer_ref("aca").unwrap(), &params) {
        Err(e) => assert!(
            e.to_string()
                .contains("reconstruction value does not match"),
            "{e}"
        ),
        Ok(_) => panic!("an implicit certificate with a wrong s was issued"),
    }
    // The same request on the in-process store is issued.
    let ks = scms_hsm::MemoryKeyStore::new();
    let h = scms_ca::hierarchy::build(
        &ks,
        &scms_ca::hierarchy::HierarchyOptions::new(Family::Us, common::now()),
    )
    .unwrap();
    let issued = issue(&ks, &h.issuer_ref("aca").unwrap(), &params).unwrap();
    assert!(issued.reconstruction.is_some());
}
