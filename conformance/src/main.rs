//! `conformance --target URL`: every check of the Touchstone contract against an API.

fn main() -> std::process::ExitCode {
    conformance::cli::main(std::env::args())
}
