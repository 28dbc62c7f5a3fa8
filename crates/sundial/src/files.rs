//! Owner-only files: the data directory is 0700 and what it holds (the SQLite database, its
//! WAL and shared-memory files, the generated token secret) 0600. Created so, and fixed at
//! start when an older version (or an operator's `cp`) left them readable by others: they hold
//! every tenant's tasks, header secrets and logs.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

/// Mode bits that give group or others any access.
const SHARED: u32 = 0o077;
/// The sticky bit: set on shared directories such as `/tmp`, which are never narrowed.
const STICKY: u32 = 0o1000;

/// Creates `dir` (and missing parents) mode 0700, or narrows an existing one to 0700 unless it
/// is a shared sticky directory like `/tmp`, which is left alone with a warning.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let mode = fs::metadata(dir)?.permissions().mode();
    if mode & SHARED == 0 {
        return Ok(());
    }
    if mode & STICKY != 0 {
        tracing::warn!(
            path = %dir.display(),
            "the data directory is a shared directory; its files stay owner-only, but use a \
             directory of Sundial's own"
        );
        return Ok(());
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    tracing::info!(
        path = %dir.display(),
        was = format!("{:o}", mode & 0o777),
        "made the data directory owner-only (0700)"
    );
    Ok(())
}

/// Narrows an existing file to 0600 when others may read it; a missing file is fine.
pub fn private_file(path: &Path) -> io::Result<()> {
    let mode = match fs::metadata(path) {
        Ok(meta) => meta.permissions().mode(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if mode & SHARED == 0 {
        return Ok(());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    tracing::info!(
        path = %path.display(),
        was = format!("{:o}", mode & 0o777),
        "made the file owner-only (0600)"
    );
    Ok(())
}

/// Makes the SQLite database at `url` owner-only before it is opened: creates it empty with
/// mode 0600 when missing (SQLite then creates its `-wal` and `-shm` files with the database
/// file's mode), and narrows an existing database and its `-wal`, `-shm` and `-journal` files.
pub fn private_sqlite(url: &str) -> io::Result<()> {
    let options = SqliteConnectOptions::from_str(url).map_err(io::Error::other)?;
    let db: PathBuf = options.get_filename().to_owned();
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        private_dir(dir)?;
    }
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&db)?;
    private_file(&db)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        private_file(Path::new(&name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn directories_and_files_become_owner_only_and_shared_directories_stay() {
        let root = tempfile::tempdir().unwrap();
        let fresh = root.path().join("a/b");
        private_dir(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o700);

        let open = root.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&open).unwrap();
        assert_eq!(mode(&open), 0o700);

        let shared = root.path().join("shared");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
        private_dir(&shared).unwrap();
        assert_eq!(mode(&shared), 0o1777);

        let file = root.path().join("f");
        fs::write(&file, "x").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        private_file(&root.path().join("missing")).unwrap();
    }

    #[test]
    fn a_sqlite_database_and_its_side_files_become_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let fresh = root.path().join("new/sundial.db");
        private_sqlite(&format!("sqlite://{}", fresh.display())).unwrap();
        assert_eq!(mode(&fresh), 0o600);
        assert_eq!(fs::metadata(&fresh).unwrap().len(), 0);

        let old = root.path().join("old.db");
        for name in ["old.db", "old.db-wal", "old.db-shm"] {
            let path = root.path().join(name);
            fs::write(&path, "kept").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        }
        private_sqlite(&format!("sqlite://{}?mode=rwc", old.display())).unwrap();
        for name in ["old.db", "old.db-wal", "old.db-shm"] {
            let path = root.path().join(name);
            assert_eq!(mode(&path), 0o600, "{name}");
            assert_eq!(fs::read_to_string(&path).unwrap(), "kept");
        }
    }
}
