//! `badgemesh init`: create the data directory, the node key, the API token and the config.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
    sync::Arc,
};

use badgemesh_wallet::backup::{self, Backup};
use clap::Args;

use super::Failure;
use crate::{Error, config, keys, token};

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Make this node from a wallet backup: it becomes the backup's holder (same DID and key)
    /// and holds its badges and pages (passphrase from the terminal or BADGEMESH_PASSPHRASE).
    #[arg(long, value_name = "FILE")]
    pub restore: Option<PathBuf>,
}

/// Creates `dir` (mode 0700, even when it existed empty with another mode), the node key, the
/// API token and a commented `config.toml`, all owner-only whatever the umask. An existing
/// node, or any directory that is not empty, is refused and left as it was.
pub async fn run(dir: &Path, args: &InitArgs) -> Result<ExitCode, Failure> {
    if keys::key_path(dir).exists() {
        return Err(Error::AlreadyInitialized(dir.to_path_buf()).into());
    }
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Failure::refused(format!(
            "{} exists and is not empty; choose a new or empty data directory",
            dir.display()
        )));
    }
    // A backup is opened before anything is written: a wrong passphrase leaves no node behind.
    let restored = match &args.restore {
        Some(file) => Some(open_backup(file)?),
        None => None,
    };
    create_private_dir(dir)?;
    crate::data_dir::make_private(dir)?;
    let key = match &restored {
        Some(backup) => restore_key(dir, backup)?,
        None => keys::create(dir)?,
    };
    let token = token::create(dir)?;
    let config = config::path(dir);
    std::fs::write(&config, config::DEFAULT_TOML)
        .map_err(|e| Failure::refused(format!("{}: {e}", config.display())))?;
    if let Some(backup) = restored {
        restore_wallet(dir, backup).await?;
    }
    tracing::info!(dir = %dir.display(), "node initialized");
    println!("{}", key.controller());
    println!("API token (shown once; `badgemesh token` prints it again): {token}");
    eprintln!(
        "badgemesh: configuration in {}; start the node with `badgemesh run`",
        config.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn open_backup(file: &Path) -> Result<Backup, Failure> {
    let bytes =
        std::fs::read(file).map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
    let passphrase = super::wallet::passphrase(false)?;
    backup::open(&bytes, &passphrase)
        .map_err(|e| Failure::input(format!("{}: {e}", file.display())))
}

/// The backup's holder key, stored as this node's; refused when it is not the key of the DID
/// the backup names.
fn restore_key(dir: &Path, backup: &Backup) -> Result<vc_schemas::key::Ed25519Key, Failure> {
    let seed: [u8; 32] = hex::decode(&backup.holder.secret_key_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Failure::input("the backup's holder key is damaged"))?;
    if vc_schemas::key::Ed25519Key::did_key_from_seed(&seed).controller() != backup.holder.did {
        return Err(Failure::input("the backup's holder key is not the key of its DID"));
    }
    Ok(keys::create_from_seed(dir, &seed)?)
}

/// Writes the backup's badges and pages into the new node's store.
async fn restore_wallet(dir: &Path, backup: Backup) -> Result<(), Failure> {
    use crate::store::{STORE_FILE, Store, inbox};
    let finisher = crate::issuer::lists::finisher(Arc::new(keys::load(dir)?));
    let store = Store::open(&dir.join(STORE_FILE), finisher)?;
    let (items, _, pages) =
        store.write(move |b| inbox::restore(b, &backup.items, &backup.pages)).await?;
    store.close();
    eprintln!("badgemesh: restored {items} badges and {pages} pages");
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| Failure::refused(format!("{}: {e}", dir.display())))
}
