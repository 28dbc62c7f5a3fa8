//! Errors of the persistence layer.

/// What can go wrong in the store. Database details stay inside; callers match on the kind.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No live task (or run) of this tenant has that uuid.
    #[error("not found")]
    NotFound,
    /// A live task of the tenant already has this code.
    #[error("a task with code {0:?} already exists")]
    DuplicateCode(String),
    /// The task changed since the caller read it.
    #[error("version conflict: expected {expected}, current {current}")]
    VersionConflict {
        /// The version the caller named.
        expected: i64,
        /// The version stored now.
        current: i64,
    },
    /// A stored row could not be turned back into domain types (a bug or a manual edit).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
