//! End-to-end tests of the HTTP API: the real router on a loopback port, once per database.

mod helpers;

mod auth;
mod chains;
mod deadlines;
mod definitions;
mod deleted;
mod doc_examples;
mod edge;
mod egress;
mod history;
mod identity;
mod import;
mod isolation;
mod list;
mod logs;
mod openapi;
mod quotas;
mod request_id;
mod run_search;
mod runs;
mod schedule_agreement;
mod tasks;
mod updates;
mod validation;
mod vocabulary;
