//! The HTTP endpoint fuzz targets' harness (`harness.rs`), on the loopback
//! SCMS of the integration tests (their support modules, included as they are).
#![allow(dead_code)]

#[path = "../../ra/tests/common/mod.rs"]
mod common;
#[path = "../../ra/tests/http_support/mod.rs"]
mod http_support;
#[path = "../../ma/tests/misbehavior_support/mod.rs"]
mod misbehavior_support;
#[path = "../../ma/tests/report_support/mod.rs"]
mod report_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

pub mod harness;
