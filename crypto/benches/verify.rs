//! Operations per second of the engine, our signer and SM2 verifier against
//! OpenSSL in the same process: a thin wrapper over `scms_crypto::engine::bench`
//! (the same code as `scms bench verify`).
//!
//! `cargo bench -p scms-crypto --features bench --bench verify -- [--seconds S] [--rounds N] [--json]`

use scms_crypto::engine::bench::{run, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let defaults = Options::default();
    let opts = Options {
        seconds: arg("--seconds").unwrap_or(defaults.seconds),
        rounds: arg("--rounds").map_or(defaults.rounds, |r| r.max(1.0) as usize),
    };
    let report = run(&opts)?;
    if args.iter().any(|a| a == "--json") {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
    }
    Ok(())
}
