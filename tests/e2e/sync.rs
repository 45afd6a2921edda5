//! CONDSTORE, QRESYNC and OBJECTID end to end, on separate roles over
//! PostgreSQL and S3: a client that enabled QRESYNC sees VANISHED instead
//! of EXPUNGE, resynchronises with `SELECT ... (QRESYNC ...)` and `UID
//! FETCH ... (CHANGEDSINCE n VANISHED)` from the metadata service's real
//! tombstones, and a message keeps its EMAILID and THREADID when it is moved.

use anyhow::{Context, ensure};
use mailkeep_tests::deployment::Deployment;
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::provision::AdminClient;

fn message(number: u32) -> String {
    format!("From: b@example.test\r\nSubject: m{number}\r\n\r\nbody {number}\r\n")
}

/// The text after `prefix` up to `end` in the first line that has it.
fn value_after<'a>(lines: &'a [String], prefix: &str, end: char) -> anyhow::Result<&'a str> {
    lines
        .iter()
        .find_map(|line| line.split(prefix).nth(1))
        .and_then(|rest| rest.split(end).next())
        .with_context(|| format!("no {prefix:?} in {lines:?}"))
}

fn has_line(lines: &[String], wanted: &str) -> bool {
    lines.iter().any(|line| line.starts_with(wanted))
}

#[tokio::test]
async fn qresync_resynchronises_from_tombstones_and_email_ids_survive_move() -> anyhow::Result<()> {
    let deployment = Deployment::separate_roles().await?;
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "sync").await?;
    let mut client = ImapLines::connect(deployment.imap()).await?;
    client
        .ok(
            "l1",
            &format!("LOGIN {} \"{}\"", account.login, account.password),
        )
        .await?;
    for number in 1..=4 {
        client
            .append(&format!("a{number}"), &message(number))
            .await?;
    }
    let enabled = client.ok("e1", "ENABLE QRESYNC").await?;
    ensure!(has_line(&enabled, "* ENABLED QRESYNC"), "{enabled:?}");
    let selected = client.ok("s1", "SELECT INBOX").await?;
    let uidvalidity = value_after(&selected, "[UIDVALIDITY ", ']')?.to_owned();
    let known = value_after(&selected, "[HIGHESTMODSEQ ", ']')?.to_owned();
    let mailbox_id = value_after(&selected, "[MAILBOXID (", ')')?.to_owned();
    let status = client.ok("t1", "STATUS INBOX (MAILBOXID)").await?;
    ensure!(
        value_after(&status, "MAILBOXID (", ')')? == mailbox_id,
        "{status:?}"
    );
    let ids = client.ok("f1", "UID FETCH 3 (EMAILID THREADID)").await?;
    let moved_email_id = value_after(&ids, "EMAILID (", ')')?.to_owned();
    // RFC 8474 §5.2: a message that replies to nothing starts its own thread.
    let moved_thread_id = value_after(&ids, "THREADID (", ')')?.to_owned();
    ensure!(moved_thread_id.starts_with('T'), "{ids:?}");

    // Changes: 2 expunged, 3 moved away, 4 flagged.
    client
        .ok("x0", "UID STORE 2 +FLAGS.SILENT (\\Deleted)")
        .await?;
    let expunged = client.ok("x1", "UID EXPUNGE 2").await?;
    ensure!(has_line(&expunged, "* VANISHED 2\r\n"), "{expunged:?}");
    let flagged = client.ok("x2", "UID STORE 4 +FLAGS (\\Flagged)").await?;
    ensure!(
        has_line(
            &flagged,
            "* 3 FETCH (UID 4 FLAGS (\\Flagged \\Recent) MODSEQ ("
        ),
        "{flagged:?}"
    );
    let moved = client.ok("x3", "UID MOVE 3 Archive").await?;
    ensure!(has_line(&moved, "* VANISHED 3\r\n"), "{moved:?}");

    // RFC 7162 §3.2.5: resynchronise from the MODSEQ of the first SELECT.
    let resync = client
        .ok(
            "s2",
            &format!("SELECT INBOX (QRESYNC ({uidvalidity} {known} 1:4))"),
        )
        .await?;
    ensure!(has_line(&resync, "* OK [CLOSED]"), "{resync:?}");
    ensure!(
        has_line(&resync, "* VANISHED (EARLIER) 2:3\r\n"),
        "{resync:?}"
    );
    ensure!(
        has_line(&resync, "* 2 FETCH (UID 4 FLAGS (\\Flagged) MODSEQ ("),
        "{resync:?}"
    );
    // RFC 7162 §3.2.6, from the metadata service's tombstones.
    let fetched = client
        .ok(
            "f2",
            &format!("UID FETCH 1:4 (FLAGS) (CHANGEDSINCE {known} VANISHED)"),
        )
        .await?;
    ensure!(
        has_line(&fetched, "* VANISHED (EARLIER) 2:3\r\n"),
        "{fetched:?}"
    );

    // RFC 8474 §5.1 and §5.2: MOVE keeps EMAILID and THREADID.
    client.ok("s3", "SELECT Archive").await?;
    let archived = client.ok("f3", "UID FETCH 1:* (EMAILID THREADID)").await?;
    ensure!(
        value_after(&archived, "EMAILID (", ')')? == moved_email_id
            && value_after(&archived, "THREADID (", ')')? == moved_thread_id,
        "{archived:?}"
    );
    deployment.finish().await
}
