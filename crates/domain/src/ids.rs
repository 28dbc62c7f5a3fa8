//! Identifiers and the authenticated caller.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant, known only from a verified token. Always positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct TenantId(i64);

impl TenantId {
    /// The tenant with this number, if it is positive.
    pub fn new(id: i64) -> Option<Self> {
        (id > 0).then_some(Self(id))
    }

    /// The tenant number.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for TenantId {
    type Error = String;
    fn try_from(id: i64) -> Result<Self, Self::Error> {
        Self::new(id).ok_or_else(|| format!("tenant id must be positive, got {id}"))
    }
}

impl From<TenantId> for i64 {
    fn from(id: TenantId) -> Self {
        id.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered (v7) id.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// The external id of a task.
    TaskUuid
);
uuid_id!(
    /// The external id of a run (one occurrence, all its attempts).
    RunUuid
);

/// What a caller may do within its tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including deletes.
    Admin,
    /// Create, change, start, stop and run tasks.
    Operator,
    /// Read only.
    Viewer,
}

impl Role {
    /// Whether this role may change tasks and runs.
    pub fn can_write(self) -> bool {
        matches!(self, Role::Admin | Role::Operator)
    }

    /// Whether this role may delete tasks.
    pub fn can_delete(self) -> bool {
        matches!(self, Role::Admin)
    }
}

/// The authenticated caller: whose objects it sees, who it is, what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The tenant every query is scoped to.
    pub tenant: TenantId,
    /// The token's subject, recorded in versions and the audit log.
    pub subject: String,
    /// The strongest role the token grants.
    pub role: Role,
}
