//! `scms inspect` (filled in with the type registry).
#[derive(clap::Args)]
pub struct InspectArgs {
    /// File to read, or `-` for standard input.
    pub input: String,
}

pub fn run(_args: InspectArgs) -> std::process::ExitCode {
    std::process::ExitCode::from(2)
}
