//! The `patron` command line: parse the arguments, set up logging, and hand the command to the
//! library (`patron::cli`).

use std::process::ExitCode;

use clap::Parser;
use patron::cli::args::Cli;
use patron::cli::run::{init_logging, run};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.dir);
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("patron: {e:#}");
            ExitCode::FAILURE
        }
    }
}
