//! Tenants' own settings, kept by their admins.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::TenantId;
use jiff::Timestamp;

use crate::Result;
use crate::backend::{Backend, Commit, Exec};
use crate::query::{Query, sql_file};
use crate::registry::Change;
use crate::rows::{TenantSettingsRow, millis};

static GET_TENANT_SETTINGS: LazyLock<Query> = sql_file!("tenants/get_tenant_settings.sql");
static UPSERT_TENANT_EGRESS_ALLOW: LazyLock<Query> =
    sql_file!("tenants/upsert_tenant_egress_allow.sql");

/// A tenant's own settings, kept by its admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSettings {
    /// The tenant's egress allow-list in canonical form; `None`: the deployment's policy alone.
    pub egress_allow: Option<String>,
    /// Last change.
    pub updated_at: Timestamp,
    /// Who made it (token subject).
    pub updated_by: String,
}

/// Reading and changing a tenant's settings.
#[async_trait]
pub trait TenantSettingsStore: Send + Sync + 'static {
    /// The tenant's settings; `None` when it never set any (the defaults apply).
    async fn tenant_settings(&self, tenant: TenantId) -> Result<Option<TenantSettings>>;

    /// Sets (or, with `None`, removes) the tenant's egress allow-list, given in canonical
    /// form; other settings stay as they are.
    async fn set_tenant_egress_allow(
        &self,
        egress_allow: Option<&str>,
        change: Change<'_>,
    ) -> Result<TenantSettings>;
}

#[async_trait]
impl<B: Backend> TenantSettingsStore for B {
    async fn tenant_settings(&self, tenant: TenantId) -> Result<Option<TenantSettings>> {
        let mut conn = self.read().await?;
        conn.fetch_optional::<TenantSettingsRow>(
            GET_TENANT_SETTINGS.stmt().bind("tenant", tenant.get()),
        )
        .await?
        .map(TenantSettingsRow::into_settings)
        .transpose()
    }

    async fn set_tenant_egress_allow(
        &self,
        egress_allow: Option<&str>,
        change: Change<'_>,
    ) -> Result<TenantSettings> {
        let mut tx = self.begin_write().await?;
        let row = tx
            .fetch_one::<TenantSettingsRow>(
                UPSERT_TENANT_EGRESS_ALLOW
                    .stmt()
                    .bind("tenant", change.tenant.get())
                    .bind("egress_allow", egress_allow.map(str::to_owned))
                    .bind("at", millis(change.at))
                    .bind("actor", change.actor),
            )
            .await?;
        tx.commit().await?;
        row.into_settings()
    }
}
