use std::process::ExitCode;

use clap::Parser;
use loadtest::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    match loadtest::run(Cli::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("loadtest: {e}");
            ExitCode::from(2)
        }
    }
}
