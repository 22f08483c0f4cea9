//! Profiles: the built-in ones parse, errors name the field.

use scms_ca::profile::{builtin, builtin_toml, Family, Profile, ProfileError, Role, BUILTIN_NAMES};

#[test]
fn builtins_parse_and_round_trip() {
    for family in [Family::Us, Family::Cn] {
        for name in BUILTIN_NAMES {
            if family == Family::Cn && name == "root-p384" {
                assert!(matches!(
                    builtin(family, name),
                    Err(ProfileError::UnknownBuiltin(_))
                ));
                continue;
            }
            let p = builtin(family, name).unwrap_or_else(|e| panic!("{family:?}/{name}: {e}"));
            let text = p.to_toml().expect("to toml");
            assert_eq!(Profile::from_toml(&text).expect("reparse"), p, "{name}");
        }
    }
    assert_eq!(
        builtin(Family::Us, "pseudonym").unwrap().role,
        Role::Pseudonym
    );
    assert!(builtin_toml(Family::Us, "nope").is_err());
    assert_eq!(
        builtin(Family::Cn, "pca").unwrap(),
        builtin(Family::Cn, "aca").unwrap()
    );
    assert_eq!(
        builtin(Family::Us, "application").unwrap().role,
        Role::Pseudonym
    );
    let p = Profile::from_toml(&MIN.replace("role = \"ica\"", "role = \"pca\"")).unwrap();
    assert_eq!(p.role, Role::Aca);
}

const MIN: &str = r#"
name = "t"
role = "ica"
curve = "p256"
[validity]
duration = { years = 1 }
[[app-permissions]]
psid = 32
"#;

fn err(text: &str) -> ProfileError {
    Profile::from_toml(text).expect_err("must be refused")
}

#[test]
fn minimal_profile_parses() {
    let p = Profile::from_toml(MIN).expect("parse");
    assert_eq!(p.permissions().unwrap().app.unwrap().len(), 1);
}

#[test]
fn errors_name_the_field() {
    let e = err(&MIN.replace("name = \"t\"\n", ""));
    assert_eq!(e.field(), "name", "{e}");
    let e = err(&MIN.replace("duration = { years = 1 }", "duration = { fortnights = 1 }"));
    assert!(e.field().contains("validity"), "{e}");
    let e = err(&MIN.replace("psid = 32", "psid = 32\nspp = 1"));
    assert!(e.field().contains("spp"), "{e}");
    let e = err(&MIN.replace("psid = 32", "psid = 32\nssp = { opaque = \"zz\" }"));
    assert_eq!(e.field(), "app-permissions[0].ssp", "{e}");
    let e = err(&format!(
        "{MIN}[region]\ntype = \"circular\"\nlatitude = 95.0\nlongitude = 0.0\nradius = 10\n"
    ));
    assert_eq!(e.field(), "region.latitude", "{e}");
    let e = err(&format!(
        "{MIN}[[cert-issue-permissions]]\nall = true\npsids = []\n"
    ));
    assert_eq!(e.field(), "cert-issue-permissions[0]", "{e}");
    let e = err(&format!(
        "{MIN}[[cert-issue-permissions]]\nall = true\nchain-length-range = -2\n"
    ));
    assert_eq!(
        e.field(),
        "cert-issue-permissions[0].chain-length-range",
        "{e}"
    );
    let e = err(&MIN.replace(
        "curve = \"p256\"",
        "curve = \"p384\"\ncertificate = \"implicit\"",
    ));
    assert_eq!(e.field(), "certificate", "{e}");
    let e = err(&format!("{MIN}assurance = 1\n")
        .replace("[validity]", "assurance-level = { level = 9 }\n[validity]"));
    assert!(e.field().contains("assurance"), "{e}");
    let e = err(&format!(
        "{MIN}[[cert-issue-permissions]]\npsids = [{{ psid = 1, ssp-range = {{ bitmap = {{ value = \"00\", mask = \"0000\" }} }} }}]\n"
    ));
    assert_eq!(
        e.field(),
        "cert-issue-permissions[0].psids[0].ssp-range",
        "{e}"
    );
}

#[test]
fn every_region_kind_and_ssp_kind() {
    let text = format!(
        "{MIN}[[cert-issue-permissions]]\npsids = [{{ psid = 1, ssp-range = \"all\" }}, {{ psid = 2, ssp-range = {{ opaque = [\"01\", \"02\"] }} }}, {{ psid = 3, ssp-range = {{ bitmap = {{ value = \"80\", mask = \"c0\" }} }} }}]\nee-type = [\"app\", \"enrol\"]\n[region]\ntype = \"polygon\"\npoints = [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0]]\n"
    )
    .replace("psid = 32", "psid = 32\nssp = { bitmap = \"80\" }");
    let p = Profile::from_toml(&text).expect("parse");
    assert!(p.region_asn1().unwrap().is_some());
    for region in [
        "type = \"circular\"\nlatitude = 42.0\nlongitude = -83.0\nradius = 1000",
        "type = \"rectangular\"\nrectangles = [{ north = 43.0, west = -84.0, south = 42.0, east = -83.0 }]",
        "type = \"identified\"\nregions = [{ country = 840, regions = [26] }, { country = 124, subregions = [{ region = 1, subregions = [2] }] }]",
    ] {
        let p = Profile::from_toml(&format!("{MIN}[region]\n{region}\n")).expect(region);
        assert!(p.region_asn1().unwrap().is_some());
    }
}
