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

/// Makes the data directory owner-only, whatever the umask or the modes it had: the directory
/// and its subdirectories 0700, every file 0600 (the store holds e-mail addresses in clear, the
/// key files secrets). It also sets this process's umask to 077, so that files made later
/// (the store, `node.url`, certificates) start owner-only. Links are left alone, never followed.
pub fn make_private(dir: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::from_raw_mode(0o077));
        // A missing directory is the caller's to report ("holds no node").
        if dir.is_dir() {
            restrict(dir, 0)?;
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &std::path::Path, depth: usize) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    /// The data directory has `tls/` and nothing deeper; the bound keeps a loop of bind mounts
    /// from running away.
    const MAX_DEPTH: usize = 4;
    let meta = std::fs::symlink_metadata(path).map_err(Error::io(path))?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = if meta.is_dir() { 0o700 } else { 0o600 };
    if meta.permissions().mode() & 0o777 != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(Error::io(path))?;
    }
    if meta.is_dir() && depth < MAX_DEPTH {
        for entry in std::fs::read_dir(path).map_err(Error::io(path))? {
            restrict(&entry.map_err(Error::io(path))?.path(), depth + 1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_open_directory_and_its_files_become_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("node");
        std::fs::create_dir_all(dir.join("tls")).unwrap();
        std::fs::write(dir.join("config.toml"), "").unwrap();
        std::fs::write(dir.join("tls/cert.pem"), "").unwrap();
        for p in [&dir, &dir.join("tls")] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::set_permissions(dir.join("config.toml"), std::fs::Permissions::from_mode(0o666))
            .unwrap();
        make_private(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("tls")), 0o700);
        assert_eq!(mode(&dir.join("config.toml")), 0o600);
        assert_eq!(mode(&dir.join("tls/cert.pem")), 0o600);
    }
}
