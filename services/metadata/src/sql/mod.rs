//! The SQL stores: one implementation of [`crate::MetadataStore`]
//! ([`store::SqlStore`]) whose statements run unchanged on PostgreSQL and
//! SQLite, over a small [`driver::Driver`] seam per database. Each submodule
//! owns the SQL of one family of operations.

mod accounts;
mod admin;
pub mod driver;
mod login;
mod mailboxes;
mod messages;
pub mod postgres;
mod rows;
mod search;
pub mod sqlite;
pub mod store;
mod store_flags;
mod transfer;
mod validate;
