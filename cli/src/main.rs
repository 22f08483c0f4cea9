fn main() {
    eprintln!("scms: no subcommands yet");
    std::process::exit(2);
}
