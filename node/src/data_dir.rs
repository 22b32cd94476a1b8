//! Choosing the data directory: `--data-dir`, else `BADGEMESH_DATA_DIR`, else the platform's
//! data directory (`~/.local/share/badgemesh` on Linux).

use std::path::PathBuf;

use crate::{Error, Result};

/// The data directory to use (the flag already covers the environment variable through clap).
pub fn resolve(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir);
    }
    directories::ProjectDirs::from("org", "badgemesh", "badgemesh")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(Error::NoDataDir)
}
