//! The conformance suite as `cargo test -p conformance -- --target URL …`: the same command line
//! as the `conformance` binary, with libtest's own flags that cargo or a user may pass understood
//! too, so the form the README gives works as printed.

fn main() -> std::process::ExitCode {
    conformance::cli::main(conformance::cli::from_libtest(std::env::args()))
}
