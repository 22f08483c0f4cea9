//! Helpers shared by the CA tests.
#![allow(dead_code)]

use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::profile::Family;
use scms_hsm::MemoryKeyStore;

/// 2026-01-01 00:00:00 UTC as Time32.
pub fn now() -> u32 {
    scms_asn1::ieee1609dot2::time::time32_from_unix(1_767_225_600)
}

pub fn hierarchy(family: Family) -> (MemoryKeyStore, Hierarchy) {
    let ks = MemoryKeyStore::new();
    let h = build(&ks, &HierarchyOptions::new(family, now())).expect("hierarchy");
    (ks, h)
}
