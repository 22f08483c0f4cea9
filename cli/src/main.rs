//! `scms`: one binary for every role and tool of the SCMS.
//!
//! `serve` runs the authorities; `demo` runs a whole SCMS with vehicles.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod audit;
mod bench;
mod demo;
mod device;
mod export;
mod init;
mod inspect;
mod key;
mod serve;
mod vehicle;

#[derive(Parser)]
#[command(
    name = "scms",
    version,
    about = "V2X security credential management system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode a COER file (binary or hex) and print its structure.
    Inspect(inspect::InspectArgs),
    /// Enroll, provision, sign and verify as a device of a demo data directory.
    Device(device::DeviceArgs),
    /// Generate, list and export keys of a key store (soft, PKCS#11, wrapped).
    Key(key::KeyArgs),
    /// Create a data directory with a complete hierarchy (keys, database, CTL).
    Init(init::InitArgs),
    /// Write the authority certificates and the CTL of a data directory as files.
    Export(export::ExportArgs),
    /// Measure the verification engine (verify) and the services under load (load).
    Bench(bench::BenchArgs),
    /// Run the authorities of a data directory as HTTP services.
    Serve(serve::ServeArgs),
    /// Run a whole SCMS with simulated vehicles on this machine (the main job).
    Demo(demo::DemoArgs),
    /// Check the hash chain of the audit logs of a data directory.
    Audit(audit::AuditArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Key(args) => key::run(args),
        Command::Device(args) => device::run(args),
        Command::Init(args) => init::run(args),
        Command::Export(args) => export::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Audit(args) => audit::run(args),
    }
}
