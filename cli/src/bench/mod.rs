//! `scms bench verify`: the engine, our signer and our SM2 verifier against
//! OpenSSL in one process (`scms_crypto::engine::bench`, the same code as
//! `cargo bench -p scms-crypto --features bench --bench verify`).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use scms_crypto::engine::bench::{run as run_bench, Options};

#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Verifications (and signatures) per second and the ratio to OpenSSL.
    Verify {
        /// Seconds per scenario for each side, split over the rounds.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// Rounds: each times OpenSSL then ours, per scenario; medians are reported.
        #[arg(long, default_value_t = 10)]
        rounds: usize,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: BenchArgs) -> ExitCode {
    match args.command {
        BenchCommand::Verify {
            seconds,
            rounds,
            json,
        } => {
            if !(seconds.is_finite() && seconds > 0.0) {
                eprintln!("scms bench verify: --seconds must be a positive number");
                return ExitCode::from(2);
            }
            match run_bench(&Options { seconds, rounds }) {
                Ok(report) if json => {
                    println!("{}", report.to_json());
                    ExitCode::SUCCESS
                }
                Ok(report) => {
                    print!("{}", report.to_table());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("scms bench verify: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
