//! The catalogue: at least 80 test purposes with unique, stable IDs in every
//! group; every mutant names test purposes that exist; docs/conformance.md
//! carries the catalogue table as `scms-conformance list --markdown` prints it.

use scms_conformance::mutants::mutants;
use scms_conformance::report::catalogue_markdown;
use scms_conformance::tp::Group;
use scms_conformance::tps::catalogue;
use std::collections::HashSet;

#[test]
fn at_least_80_unique_ids_in_every_group() {
    let c = catalogue();
    assert!(c.len() >= 80, "{} test purposes", c.len());
    let ids: HashSet<&str> = c.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), c.len(), "duplicate IDs");
    for t in &c {
        assert!(
            t.id.starts_with("TP_")
                && t.id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
            "{}",
            t.id
        );
        assert!(
            !t.purpose.is_empty() && t.purpose.ends_with('.'),
            "{}",
            t.id
        );
    }
    for g in [
        Group::SpduSending,
        Group::SpduReceiving,
        Group::ProfilesLinting,
        Group::Enrollment,
        Group::Provisioning,
        Group::Download,
        Group::CrlCtl,
        Group::Misbehavior,
    ] {
        let n = c.iter().filter(|t| t.group == g).count();
        assert!(n >= 3, "{}: {n}", g.title());
    }
}

#[test]
fn mutants_name_existing_test_purposes_and_cover_every_group() {
    let c = catalogue();
    let mut groups = HashSet::new();
    let mut names = HashSet::new();
    for m in mutants() {
        assert!(names.insert(m.name), "duplicate mutant {}", m.name);
        assert!(!m.caught_by.is_empty(), "{}", m.name);
        for id in m.caught_by {
            let t = c
                .iter()
                .find(|t| t.id == *id)
                .unwrap_or_else(|| panic!("{}: {id}", m.name));
            groups.insert(t.group);
        }
    }
    assert_eq!(groups.len(), 8, "a mutant per group: {groups:?}");
}

#[test]
fn docs_carry_the_catalogue() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/conformance.md"
    ))
    .expect("docs/conformance.md");
    let table = catalogue_markdown(&catalogue());
    assert!(
        doc.contains(table.trim()),
        "docs/conformance.md: regenerate the catalogue with `scms-conformance list --markdown`"
    );
}
