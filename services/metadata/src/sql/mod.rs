//! The SQL stores: one implementation of [`crate::MetadataStore`]
//! ([`store::SqlStore`]) whose statements run unchanged on PostgreSQL and
//! SQLite, over a small [`driver::Driver`] seam per database. Each submodule
//! owns the SQL of one family of operations.

mod accounts;
mod admin;
mod delivery;
pub mod driver;
mod imports;
mod login;
mod mailbox_status;
mod mailboxes;
mod messages;
mod metadata;
pub mod postgres;
mod rows;
mod search;
mod sort;
pub mod sqlite;
pub mod store;
mod store_flags;
pub mod text_index;
mod threads;
mod transfer;
mod validate;
