//! The end-to-end harness (ARCHITECTURE.md §9): start the real `mailkeep`
//! binary on loopback, in `dev` mode or as separate roles on PostgreSQL
//! and S3 ([`deployment`]), provision over REST ([`provision`]), put a
//! recording proxy in front of IMAP ([`proxy`]), and drive the Python
//! scenario in `tests/e2e/` ([`python`], [`corpus`]). The tests themselves
//! are in `tests/e2e/main.rs`.

pub mod corpus;
pub mod deployment;
pub mod dev_node;
pub mod dev_tenant;
pub mod imap_lines;
pub mod imaptest;
pub mod lmtp;
pub mod operator_dev;
pub mod private_redis;
pub mod process;
pub mod provision;
pub mod proxy;
pub mod python;
pub mod scrape;
