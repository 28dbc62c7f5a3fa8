//! The exec crate's integration suites: the api_call executor and the egress guard on a
//! loopback rig (`ssrf_rig`), the python executor and its sandbox (`sandbox_support`). One
//! test binary for all of them, so a change to the crate relinks one binary instead of six.
//!
//! Some tests observe their own process (the resident size during an output flood, processes
//! left by a run) and rely on nextest's one process per test; `scripts/test` runs this binary
//! on one thread when it falls back to `cargo test`.

mod sandbox_support;
mod ssrf_rig;

mod api_call;
mod python_bench;
mod python_executor;
mod sandbox_hostile;
mod sandbox_weakened;
mod ssrf_hostile;

use std::time::Duration;

use domain::{RunUuid, TaskUuid, TenantId};
use exec::Attempt;
use tokio_util::sync::CancellationToken;

/// The first attempt of a new run of a new task of `tenant`, scheduled for now.
fn new_attempt(tenant: TenantId, timeout: Duration, cancel: CancellationToken) -> Attempt {
    Attempt {
        tenant,
        task: TaskUuid::new_v7(),
        run: RunUuid::new_v7(),
        scheduled_for: jiff::Timestamp::now(),
        attempt: 1,
        timeout,
        cancel,
        args: None,
        parent: None,
    }
}
