//! The conformance suite as tests: `cargo test -p conformance -- --target URL`, or with no target
//! against the reference server started in-process. Each check is a test named by its clause ID.

fn main() -> std::process::ExitCode {
    conformance::harness::run_tests()
}
