//! RFC 8474 (OBJECTID) examples replayed against a session, in the RFC's
//! order: §4.1 (`3 create foo` to `5 create foo`), §4.2 (`27 select
//! "foo"`), §4.3 (`6 status foo (mailboxid)` to `10 status bar`, and `11
//! list "" "*" return (status (mailboxid))`), §5.3 (`5`, `11`, `17 append
//! inbox`, `22 fetch 1:* (emailid threadid)`, `23 move 2 foo`, `24 fetch`,
//! `25 select "foo"`, `26 fetch`) and §6 (`27 search emailid`, `28 search
//! threadid`). The ids are this server's, so they are compared with each
//! other, not with the RFC's. §5.3's "no THREADID support" example does
//! not apply: we support THREADID. Lines with MAILBOXID, EMAILID or
//! THREADID skip the imap-codec oracle, which does not know them.
//! `objectid.rs` has more OBJECTID cases.

use super::objectid::object_id;
use super::support::{append_command, assert_responses, logged_in, uidvalidity};

// RFC 8474 §4.1 to §4.3: CREATE answers a MAILBOXID, a second `5 create
// foo` fails without one, SELECT and STATUS report it, RENAME keeps it,
// and LIST-STATUS gives every listed mailbox's.
#[tokio::test]
async fn rfc8474_4_mailboxid_examples() {
    let mut client = logged_in().await;
    let output = client.send("3 create foo\r\n").await;
    let foo = object_id(&output, "MAILBOXID").to_owned();
    assert_eq!(
        output,
        format!("3 OK [MAILBOXID ({foo})] CREATE completed\r\n")
    );
    assert_responses(&output);
    let output = client.send("4 create bar\r\n").await;
    let bar = object_id(&output, "MAILBOXID").to_owned();
    assert_ne!(foo, bar);
    let output = client.send("5 create foo\r\n").await;
    assert!(output.starts_with("5 NO "), "{output}");
    assert!(!output.contains("MAILBOXID"), "{output}");

    let output = client.send("27 select \"foo\"\r\n").await;
    assert!(
        output.contains(&format!("* OK [MAILBOXID ({foo})] ")),
        "{output}"
    );
    assert!(
        output.ends_with("27 OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );
    assert_responses(&output);
    client.send("u UNSELECT\r\n").await;

    for (tag, name, id) in [("6", "foo", &foo), ("7", "bar", &bar)] {
        assert_eq!(
            client
                .send(&format!("{tag} status {name} (mailboxid)\r\n"))
                .await,
            format!("* STATUS {name} (MAILBOXID ({id}))\r\n{tag} OK STATUS completed\r\n")
        );
    }
    let output = client.send("8 rename foo renamed\r\n").await;
    assert!(output.ends_with("8 OK RENAME completed\r\n"), "{output}");
    for (tag, name, id) in [("9", "renamed", &foo), ("10", "bar", &bar)] {
        assert_eq!(
            client
                .send(&format!("{tag} status {name} (mailboxid)\r\n"))
                .await,
            format!("* STATUS {name} (MAILBOXID ({id}))\r\n{tag} OK STATUS completed\r\n")
        );
    }

    let output = client
        .send("11 list \"\" \"*\" return (status (mailboxid))\r\n")
        .await;
    assert!(output.ends_with("11 OK LIST completed\r\n"), "{output}");
    let lines: Vec<&str> = output.lines().collect();
    let answers = &lines[..lines.len() - 1];
    assert_eq!(answers.len() % 2, 0, "{output}");
    let mut ids = Vec::new();
    for pair in answers.chunks(2) {
        let name = pair[0].rsplit(' ').next().unwrap_or_default();
        assert!(pair[0].starts_with("* LIST ("), "{output}");
        assert_responses(&format!("{}\r\n", pair[0]));
        let id = object_id(pair[1], "MAILBOXID");
        assert_eq!(pair[1], format!("* STATUS {name} (MAILBOXID ({id}))"));
        ids.push(id);
    }
    assert!(output.contains(&format!("* STATUS bar (MAILBOXID ({bar}))\r\n")));
    assert!(output.contains(&format!("* STATUS renamed (MAILBOXID ({foo}))\r\n")));
    let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{output}");
}

// RFC 8474 §5.3 and §6: three APPENDs (the second a reply to the first),
// `22 fetch 1:* (emailid threadid)`, the searches `27 search emailid` and
// `28 search threadid` "as if run before the MOVE", `23 move 2 foo` (the
// moved message keeps its EMAILID, §5.1, and THREADID, §5.2), `24 fetch`,
// `25 select "foo"` and `26 fetch`. Which messages share a THREADID is the
// server's choice (§5.2: "the exact logic is left up to the server
// implementation"); `MemoryBackend` starts a thread per message, while the
// metadata store threads replies with their parents
// (`metadata/src/sql/threads.rs`), so `28 search threadid` finds the RFC's
// `1 2` there and `1` here.
#[tokio::test]
async fn rfc8474_5_and_6_emailid_threadid_examples() {
    let mut client = logged_in().await;
    let validity = uidvalidity(&client, "INBOX").await;
    let date = "\"20-Mar-2018 03:07:37 +1100\"";
    let appends = [
        (
            "5",
            "Subject: Message A\r\nMessage-ID: <fake.1521475657.54797@example.com>\r\n",
        ),
        (
            "11",
            "Subject: Re: Message A\r\nMessage-ID: <fake.1521475657.21213@example.org>\r\n\
             References: <fake.1521475657.54797@example.com>\r\n",
        ),
        (
            "17",
            "Subject: Message C\r\nMessage-ID: <fake.1521475657.60280@example.com>\r\n",
        ),
    ];
    for (uid, (tag, header)) in (1..).zip(appends) {
        let body = format!("From: bob@example.test\r\n{header}\r\nbody\r\n");
        let output = client
            .send(&append_command(tag, &format!("inbox {date}"), &body))
            .await;
        assert!(
            output.starts_with(&format!("{tag} OK [APPENDUID {validity} {uid}] ")),
            "{output}"
        );
    }
    client.send("s select inbox\r\n").await;
    let output = client.send("22 fetch 1:* (emailid threadid)\r\n").await;
    assert!(output.ends_with("22 OK FETCH completed\r\n"), "{output}");
    let lines: Vec<&str> = output.lines().collect();
    let mut emails = Vec::new();
    let mut threads = Vec::new();
    for (seq, line) in (1..).zip(&lines[..3]) {
        let email = object_id(line, "EMAILID");
        let thread = object_id(line, "THREADID");
        assert_eq!(
            *line,
            format!("* {seq} FETCH (EMAILID ({email}) THREADID ({thread}))")
        );
        // §5.2: "MUST NOT use the same ObjectID value for both".
        assert_ne!(email, thread);
        emails.push(email.to_owned());
        threads.push(thread.to_owned());
    }
    assert_ne!(emails[0], emails[1]);
    assert_ne!(emails[1], emails[2]);

    assert_eq!(
        client
            .send(&format!("27 search emailid {}\r\n", emails[0]))
            .await,
        "* SEARCH 1\r\n27 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client
            .send(&format!("28 search threadid {}\r\n", threads[0]))
            .await,
        "* SEARCH 1\r\n28 OK SEARCH completed\r\n"
    );

    client.send("c create foo\r\n").await;
    let foo_validity = uidvalidity(&client, "foo").await;
    let output = client.send("23 move 2 foo\r\n").await;
    assert_eq!(
        output,
        format!(
            "* OK [COPYUID {foo_validity} 2 1] moved\r\n* 2 EXPUNGE\r\n23 OK MOVE completed\r\n"
        )
    );
    let output = client.send("24 fetch 1:* (emailid threadid)\r\n").await;
    assert_eq!(
        output,
        format!(
            "* 1 FETCH (EMAILID ({}) THREADID ({}))\r\n\
             * 2 FETCH (EMAILID ({}) THREADID ({}))\r\n24 OK FETCH completed\r\n",
            emails[0], threads[0], emails[2], threads[2]
        )
    );
    let output = client.send("25 select \"foo\"\r\n").await;
    assert!(
        output.ends_with("25 OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );
    assert_eq!(
        client.send("26 fetch 1:* (emailid threadid)\r\n").await,
        format!(
            "* 1 FETCH (EMAILID ({}) THREADID ({}))\r\n26 OK FETCH completed\r\n",
            emails[1], threads[1]
        )
    );
}
