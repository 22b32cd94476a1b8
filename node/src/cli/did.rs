//! `badgemesh did`: print the node's DID document.

use std::{path::Path, process::ExitCode};

use clap::Args;

use super::{Failure, print_json};
use crate::keys;

/// Arguments of `did`.
#[derive(Debug, Args)]
pub struct DidArgs {}

/// Prints the DID document of the node key.
pub fn run(dir: &Path, _args: &DidArgs) -> Result<ExitCode, Failure> {
    let key = keys::load(dir)?;
    let doc = vc_schemas::did::did_key_document(key.controller()).map_err(crate::Error::from)?;
    print_json(doc.json())?;
    Ok(ExitCode::SUCCESS)
}
