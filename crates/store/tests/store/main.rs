//! The store's tests, one binary: every operation on both databases (`registry`,
//! `definitions`, `engine`, `list_columns`, `storage`, `run_search`, `notify`, `search`), and the task list's speed at scale
//! (`list_perf`, ignored by default).

mod alerts;
mod chains;
mod common;
mod deadlines;
mod definitions;
mod engine;
mod list_columns;
mod list_perf;
mod migrations;
mod notify;
mod producers;
mod registry;
mod run_args;
mod run_search;
mod search;
mod storage;
