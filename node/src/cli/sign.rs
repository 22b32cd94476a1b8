//! `badgemesh sign`: sign an unsigned OB 3.0 credential with the node key.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::{Args, ValueEnum};
use vc_schemas::issue::{self, Format};

use super::{Failure, parse_json, print_json, read_input};
use crate::keys;

/// Proof format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Data Integrity `eddsa-rdfc-2022` (embedded proof).
    Di,
    /// Compact VC-JWT (EdDSA).
    Jwt,
}

/// Arguments of `sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Proof format.
    #[arg(long, value_enum, default_value = "di")]
    pub format: FormatArg,
    /// The unsigned credential (JSON), or `-` for standard input.
    pub file: PathBuf,
}

/// Fills issuer, id and validFrom, checks the 1EdTech schema, signs, prints.
pub async fn run(dir: &Path, args: &SignArgs) -> Result<ExitCode, Failure> {
    let key = keys::load(dir)?;
    let unsigned = parse_json(&read_input(&args.file)?, &args.file)?;
    let now = chrono::Utc::now();
    let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let prepared = issue::prepare(&unsigned, key.controller(), &id, now).map_err(Failure::input)?;
    let format = match args.format {
        FormatArg::Di => Format::DataIntegrity,
        FormatArg::Jwt => Format::Jwt,
    };
    let signed = issue::sign(&prepared, &key, format, now).await.map_err(Failure::input)?;
    match signed {
        serde_json::Value::String(token) => println!("{token}"),
        doc => print_json(&doc)?,
    }
    Ok(ExitCode::SUCCESS)
}
