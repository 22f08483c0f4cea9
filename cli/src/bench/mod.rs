//! `scms bench verify`: the engine, our signer and our SM2 verifier against
//! OpenSSL in one process (`scms_crypto::engine::bench`, the same code as
//! `cargo bench -p scms-crypto --features bench --bench verify`).
//! `scms bench load`: simulated devices against the services ([`load`]).
//! `scms bench proxy`: a round-robin TCP proxy in front of several RA or ACA
//! processes ([`proxy`]).

mod load;
pub mod proxy;

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
    /// Provisioning, download and CRL requests of simulated devices against
    /// the services: requests per second, p50/p99 latency, errors.
    Load(load::LoadArgs),
    /// A round-robin TCP proxy: one address in front of several processes.
    /// Prints `proxy URL`, runs until SIGTERM or ctrl-c.
    Proxy {
        /// Where to listen (HOST:PORT; port 0 for a free one).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        /// A backend base URL (http://IP:PORT); repeat for each.
        #[arg(long = "backend", value_name = "URL", required = true)]
        backends: Vec<String>,
    },
}

pub fn run(args: BenchArgs) -> ExitCode {
    match args.command {
        BenchCommand::Load(a) => match load::run(a) {
            Ok((report, errors)) => {
                println!("{report}");
                if errors == 0 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(e) => {
                eprintln!("scms bench load: {e}");
                ExitCode::from(2)
            }
        },
        BenchCommand::Proxy { listen, backends } => match run_proxy(&listen, &backends) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("scms bench proxy: {e}");
                ExitCode::from(2)
            }
        },
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

fn run_proxy(listen: &str, backends: &[String]) -> Result<(), String> {
    let b = std::sync::Arc::new(proxy::Backends::default());
    for u in backends {
        b.add(proxy::socket_of(u)?);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    rt.block_on(async {
        let l = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("{listen}: {e}"))?;
        let addr = l.local_addr().map_err(|e| e.to_string())?;
        println!("proxy http://{addr}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        tokio::select! {
            _ = proxy::serve(l, b.clone()) => {}
            _ = crate::serve::termination() => {}
        }
        eprintln!("connections per backend: {:?}", b.counts());
        Ok(())
    })
}
