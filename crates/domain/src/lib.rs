//! Sundial's domain: tasks, triggers, policies and runs as types that can only hold valid values.
//!
//! Input is parsed into these types at the HTTP edge; everything inward takes them as given.
//! No IO happens here.

pub mod chain;
pub mod clock;
pub mod deadline;
pub mod egress;
pub mod error;
pub mod ids;
pub mod metrics;
pub mod notify;
pub mod pause;
pub mod policy;
pub mod run;
pub mod run_args;
pub mod secrets;
pub mod task;
pub mod task_config;
pub mod text;
pub mod trigger;

pub use chain::{ChainLink, ChainOn, ParentRun};
pub use clock::{Clock, ManualClock, SystemClock};
pub use deadline::Deadline;
pub use egress::EgressRules;
pub use error::{FieldError, ValidationErrors};
pub use ids::{Actor, Role, RunUuid, TaskUuid, TenantId};
pub use metrics::Metrics;
pub use notify::{ChannelKind, EventKind};
pub use pause::Doubling;
pub use policy::{Backoff, MisfirePolicy, OverlapPolicy, RetryPolicy};
pub use run::{LogStream, Run, RunLogLine, RunOutcome, RunStatus, RunTrigger, SkipReason};
pub use run_args::{ArgsRefused, RunArgs};
pub use task::{
    AuditAction, Description, NoticeReason, RECENT_OUTCOMES_KEPT, ScheduleNotice, Task, TaskCode,
    TaskDefinition, TaskName, TaskType, TaskVersion,
};
pub use task_config::{ApiCallConfig, HttpMethod, PythonScriptConfig, TaskConfig};
pub use text::escape_bidi;
pub use trigger::{Trigger, TriggerKind, TriggerType};
