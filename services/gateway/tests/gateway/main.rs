//! Integration tests of the gateway crate, one binary: the IMAP driver over
//! loopback sockets, and `GrpcBackend` against in-process metadata and blob
//! services.

#![allow(clippy::unwrap_used)] // a test harness: a failed unwrap is a failed test

mod driver;
mod events;
mod grpc_backend;
mod grpc_delivery;
mod harness;
mod idle_timers;
mod lmtp;
