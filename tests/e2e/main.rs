//! The end-to-end test binary. Each module starts real roles on loopback:
//! the acceptance scenario in `dev` mode and with separate roles
//! ([`acceptance`]); bad input over a real socket ([`bad_input`]); the Python
//! and imap-codec oracles ([`python_oracle`], [`codec_oracle`]); real-time
//! updates across gateways, Redis outages and NOTIFY ([`realtime`],
//! [`realtime_bus`], [`realtime_recent`], [`notify`]); the admin API's login
//! effects, CLI and migration-job routes ([`admin_login`], [`admin_cli`],
//! [`admin_imports`]); imports from files and IMAP migration jobs ([`import`],
//! [`import_jobs`]); LMTP delivery ([`lmtp_delivery`], [`lmtp_protocol`]);
//! the ops port ([`ops_drain`], [`ops_metrics`], [`ops_trace`]); the imaptest
//! conformance scripts ([`imaptest`]); real IMAP clients and wire extensions
//! ([`real_clients`], [`wire_extensions`], [`sync`]); and indexed search at
//! scale ([`search_scale`]).

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
