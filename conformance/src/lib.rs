//! Conformance suite for certification labs (IEEE 1609.2 / 1609.2.1, US and
//! CN profiles): a catalogue of test purposes with stable IDs
//! ([`tps::catalogue`]), each building its stimuli with our CA crate and
//! judging the target's answer; a runner ([`runner::run`]) for targets `sdk`
//! (our SDK and authorities in process), `http://HOST:PORT` (an SCMS as a
//! black box through its `/v3/` interfaces), `adapter:CMD` (a device through
//! the upper-tester protocol of [`adapter`]) and `mutant:NAME`
//! ([`mutants`]); reports in JSON, JUnit XML and HTML ([`report`]).
//! The lab guide is docs/conformance.md.

pub mod adapter;
pub mod device;
pub mod fixtures;
pub mod mutants;
pub mod report;
pub mod runner;
pub mod scms;
pub mod tp;
pub mod tps;
