//! A runner for Dovecot imaptest's scripted conformance tests (issue 3,
//! item 4), written from `/work/shared/conformance/imaptest/FORMAT.md`:
//! [`script`] parses a test, [`token`] and [`matcher`] judge responses,
//! [`vars`] holds bindings, [`mbox`] reads fixtures, [`conn`] speaks IMAP
//! with a timeout on every wait, and [`run`] plays tests and reports.

pub mod conn;
mod group;
mod lines;
pub mod matcher;
pub mod mbox;
pub mod run;
pub mod script;
pub mod token;
pub mod vars;
