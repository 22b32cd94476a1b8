//! `badgemesh`: the node's command line. Logic lives in the library; this file parses, sets up
//! logging and turns failures into one line on standard error and an exit status.

use std::process::ExitCode;

use badgemesh_node::cli::{self, Cli};
use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BADGEMESH_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli::run(cli).await {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("badgemesh: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}
