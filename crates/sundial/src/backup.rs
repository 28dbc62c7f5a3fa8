//! `sundial backup FILE`: a consistent copy of the SQLite database, taken while the service runs.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

/// How long the copy waits for a write lock held by the running service.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why no backup was made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// `sundial backup` copies SQLite only.
    #[error(
        "the database is PostgreSQL: back it up with pg_dump, e.g. \
         `pg_dump --format=custom --file=sundial.dump \"$SUNDIAL_DATABASE_URL\"` \
         (see \"Backups\" in docs/operations.md)"
    )]
    Postgres,
    /// The URL is neither SQLite nor PostgreSQL.
    #[error("unsupported database URL: use sqlite://PATH or postgres://…")]
    UnsupportedUrl,
    /// The destination exists; a backup never overwrites anything.
    #[error("{0} already exists; choose a new file name")]
    Exists(PathBuf),
    /// The destination could not be created.
    #[error("cannot create {0}: {1}")]
    Create(PathBuf, std::io::Error),
    /// The database could not be opened or copied.
    #[error("copying the database into {0}: {1}")]
    Copy(PathBuf, sqlx::Error),
}

/// Copies the database at `url` into the new file `dest` (mode 0600: it holds tenants' secrets).
pub async fn backup(url: &str, dest: &Path) -> Result<(), BackupError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(BackupError::Postgres);
    }
    if !url.starts_with("sqlite:") {
        return Err(BackupError::UnsupportedUrl);
    }
    // Created here, empty and owner-only, before SQLite writes into it: the copy is never
    // readable by others, not even for a moment, and an existing file is never replaced.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dest)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => BackupError::Exists(dest.to_owned()),
            _ => BackupError::Create(dest.to_owned(), e),
        })?;
    let copied = vacuum_into(url, dest).await;
    if copied.is_err() {
        // Only the empty file this command created is removed.
        let _ = std::fs::remove_file(dest);
    }
    copied.map_err(|e| BackupError::Copy(dest.to_owned(), e))
}

/// `VACUUM INTO` reads one snapshot of the database (in WAL mode the service keeps writing
/// meanwhile) and writes it, compacted, as a standalone database file. The source is opened
/// read-only and never migrated, so a newer binary can back up an older service's database.
async fn vacuum_into(url: &str, dest: &Path) -> Result<(), sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .read_only(true)
        .busy_timeout(BUSY_TIMEOUT);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await?;
    conn.close().await
}
