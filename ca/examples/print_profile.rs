//! Prints a built-in profile: `cargo run -p scms-ca --example print_profile -- us aca`.

use scms_ca::profile::{builtin_toml, Family};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let family = args
        .get(1)
        .and_then(|f| Family::parse(f))
        .unwrap_or(Family::Us);
    let name = args.get(2).map(String::as_str).unwrap_or("aca");
    match builtin_toml(family, name) {
        Ok(t) => print!("{t}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
