use std::process::ExitCode;

use loadtest::Cli;

fn main() -> ExitCode {
    ExitCode::from(loadtest::run(Cli::parse()))
}
