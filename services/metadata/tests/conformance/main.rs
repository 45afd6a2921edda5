//! The metadata conformance suite: every case is an `async fn(Store)` run
//! against a fresh SQLite file and a fresh PostgreSQL database (see
//! `support`). PostgreSQL never skips: without a reachable server the
//! PostgreSQL half fails and says how to start one.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

mod accounts;
mod admin_accounts;
mod admin_secrets;
mod admin_tenants;
mod delivery;
mod flags;
mod imports;
mod mailbox_metadata;
mod mailbox_status;
mod mailboxes;
mod messages;
mod metadata_changes;
mod quota;
mod search;
mod search_index;
mod sort_thread;
mod thread_ids;
