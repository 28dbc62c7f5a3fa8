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
    /// The change names fields the store cannot accept (a chain to a task the tenant does not
    /// have, or one that would close a cycle).
    #[error("invalid: {0}")]
    Invalid(domain::ValidationErrors),
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

impl StoreError {
    /// Whether the database could not take the request at all (unreachable, restarting, out
    /// of disk, I/O failing, locked by another process) rather than refusing this request: the
    /// same request may well succeed once the cause goes away.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(error) = self else {
            return false;
        };
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::BeginFailed => true,
            sqlx::Error::Database(db) => {
                let code = db.code().unwrap_or_default();
                if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    code.parse().is_ok_and(sqlite_unavailable)
                } else {
                    postgres_unavailable(&code)
                }
            }
            _ => false,
        }
    }
}

/// SQLite result codes (extended: the primary code is the low byte) that say the database
/// cannot work right now, not that the statement is wrong: SQLITE_BUSY, LOCKED, NOMEM,
/// READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
fn sqlite_unavailable(extended: i32) -> bool {
    matches!(extended & 0xff, 5 | 6 | 7 | 8 | 10 | 13 | 14 | 15)
}

/// PostgreSQL SQLSTATEs of the same kind: connection exceptions, insufficient resources (disk
/// full), operator intervention (shutdown, crash, "cannot connect now"), system errors.
fn postgres_unavailable(sqlstate: &str) -> bool {
    ["08", "53", "57P", "58"]
        .iter()
        .any(|class| sqlstate.starts_with(class))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailability_is_told_from_a_refused_statement() {
        // FULL, IOERR, IOERR_READ, BUSY, BUSY_RECOVERY.
        for code in [13, 10, 266, 5, 261] {
            assert!(sqlite_unavailable(code), "{code}");
        }
        // CONSTRAINT_UNIQUE, ERROR, CONSTRAINT.
        for code in [2067, 1, 19] {
            assert!(!sqlite_unavailable(code), "{code}");
        }
        for code in ["08006", "57P01", "53100", "58030"] {
            assert!(postgres_unavailable(code), "{code}");
        }
        // Unique violation, syntax error, serialization failure.
        for code in ["23505", "42601", "40001"] {
            assert!(!postgres_unavailable(code), "{code}");
        }
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(!StoreError::NotFound.is_unavailable());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_unavailable());
    }
}
