//! `badgemesh init`: create the data directory, the node key, the API token and the config.

use std::{path::Path, process::ExitCode};

use clap::Args;

use super::Failure;
use crate::{Error, config, keys, token};

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {}

/// Creates `dir` (mode 0700, even when it existed empty with another mode), the node key, the
/// API token and a commented `config.toml`, all owner-only whatever the umask. An existing
/// node, or any directory that is not empty, is refused and left as it was.
pub fn run(dir: &Path, _args: &InitArgs) -> Result<ExitCode, Failure> {
    if keys::key_path(dir).exists() {
        return Err(Error::AlreadyInitialized(dir.to_path_buf()).into());
    }
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Failure::refused(format!(
            "{} exists and is not empty; choose a new or empty data directory",
            dir.display()
        )));
    }
    create_private_dir(dir)?;
    crate::data_dir::make_private(dir)?;
    let key = keys::create(dir)?;
    let token = token::create(dir)?;
    let config = config::path(dir);
    std::fs::write(&config, config::DEFAULT_TOML)
        .map_err(|e| Failure::refused(format!("{}: {e}", config.display())))?;
    tracing::info!(dir = %dir.display(), "node initialized");
    println!("{}", key.controller());
    println!("API token (shown once; `badgemesh token` prints it again): {token}");
    eprintln!(
        "badgemesh: configuration in {}; start the node with `badgemesh run`",
        config.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| Failure::refused(format!("{}: {e}", dir.display())))
}
