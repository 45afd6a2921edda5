//! The end-to-end test binary: the acceptance scenario in `dev` mode and
//! with separate roles ([`acceptance`]), bad input over a real socket
//! ([`bad_input`]), the Python oracle's own tests ([`python_oracle`]), the
//! imap-codec response oracle they share ([`codec_oracle`]), and real-time
//! updates across gateways and Redis outages ([`realtime`],
//! [`realtime_bus`]), and the admin API's login effects and CLI
//! ([`admin_login`], [`admin_cli`]), and the imaptest conformance scripts
//! ([`imaptest`]).

mod acceptance;
mod admin_cli;
mod admin_imports;
mod admin_login;
mod bad_input;
mod codec_oracle;
mod imaptest;
mod import;
mod import_jobs;
mod lmtp_delivery;
mod lmtp_protocol;
mod notify;
mod ops_drain;
mod ops_metrics;
mod ops_trace;
mod python_oracle;
mod real_clients;
mod realtime;
mod realtime_bus;
mod realtime_recent;
mod search_scale;
mod sync;
mod wire_extensions;
