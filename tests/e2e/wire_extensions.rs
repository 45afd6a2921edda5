//! Issue 3, wire-level extensions over a real socket: `wire_extensions.py`
//! turns on COMPRESS=DEFLATE against `mailkeep dev` and, with Python's zlib
//! as the independent deflate peer, appends binary content as a literal8,
//! reads it back with FETCH BINARY, checks that APPENDLIMIT is the configured
//! `gateway.max_message_size` (CAPABILITY, STATUS, `[TOOBIG]` above it) and
//! fetches a large message through the compressed stream.

use std::time::Duration;

use mailkeep_tests::dev_tenant::DevTenant;

const SCRIPT: &str = "wire_extensions.py";
const SCRIPT_LIMIT: Duration = Duration::from_secs(120);
/// `gateway.max_message_size`, which APPENDLIMIT must advertise.
const MAX_MESSAGE_SIZE: u64 = 3_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compress_binary_and_appendlimit_over_a_socket() -> anyhow::Result<()> {
    let env = [(
        "MAILKEEP_GATEWAY__MAX_MESSAGE_SIZE",
        MAX_MESSAGE_SIZE.to_string(),
    )];
    let tenant = DevTenant::start(&env).await?;
    let alice = tenant.account("alice").await?;
    let imap = tenant.node.imap()?;
    let args: [&str; 5] = [
        &imap.ip().to_string(),
        &imap.port().to_string(),
        &alice.login,
        &alice.password,
        &MAX_MESSAGE_SIZE.to_string(),
    ];
    tenant.run_scenario(SCRIPT, "wire_extensions", &args, SCRIPT_LIMIT)?;
    Ok(())
}
