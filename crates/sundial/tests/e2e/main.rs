//! The `sundial` binary end to end: every suite runs the real executable (SQLite, and
//! PostgreSQL through `SUNDIAL_TEST_DATABASE_URL`), a loopback sink and the API. One test
//! binary for all of them, so the workspace's test build links it once.

mod common;

mod chains;
mod cli;
mod client;
mod crash;
mod deadlines;
mod edge;
mod egress;
mod email;
mod engine;
mod isolation;
mod multi_node;
mod notify;
mod notify_producers;
mod policies;
mod portable;
mod python;
mod release;
mod run_args;
mod storage;
