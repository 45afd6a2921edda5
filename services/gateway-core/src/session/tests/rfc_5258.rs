//! RFC 5258 (LIST-EXTENDED) §5, examples 1 to 11, over the RFC's
//! hierarchies (plus, where not unsubscribed, our default special-use
//! mailboxes). Example 2 (`A02 LIST (SUBSCRIBED) "" "*"`) is replayed in
//! `list_ext.rs`; every other one is here. Server choices that differ from
//! the RFC's traces, all allowed: names come INBOX first, then sorted
//! (no order is specified), and `\HasChildren`/`\HasNoChildren` are always
//! sent (§4: "a server MAY provide it even if the option is not
//! specified"); INBOX is not `\NoInferiors` here, and parents always exist
//! (CREATE makes them), so the RFC's `\NonExistent` parents appear only
//! for deleted, still subscribed names.

use super::list_ext::fruit_client;
use super::support::{assert_responses, logged_in};
use crate::testing::TestClient;

/// The lines of the RFC's local hierarchy as our LIST answers them, in our
/// order (INBOX first, then by name).
const FULL_HIERARCHY: &str = "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
     * LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n\
     * LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n\
     * LIST (\\HasChildren) \"/\" Fruit\r\n\
     * LIST (\\HasNoChildren) \"/\" Fruit/Apple\r\n\
     * LIST (\\HasNoChildren) \"/\" Fruit/Banana\r\n\
     * LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n\
     * LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n\
     * LIST (\\HasNoChildren) \"/\" Tofu\r\n\
     * LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n\
     * LIST (\\HasChildren) \"/\" Vegetable\r\n\
     * LIST (\\HasNoChildren) \"/\" Vegetable/Broccoli\r\n\
     * LIST (\\HasNoChildren) \"/\" Vegetable/Corn\r\n";

// RFC 5258 §5 example 1: the complete local hierarchy (`LIST "" "*"`),
// asked with the traditional syntax and with an empty selection list.
#[tokio::test]
async fn rfc5258_example1_full_hierarchy() {
    let mut client = fruit_client().await;
    let output = client.send("A01 LIST \"\" \"*\"\r\n").await;
    assert_eq!(output, format!("{FULL_HIERARCHY}A01 OK LIST completed\r\n"));
    assert_responses(&output);
    let output = client.send("A01 LIST () \"\" \"*\"\r\n").await;
    assert_eq!(output, format!("{FULL_HIERARCHY}A01 OK LIST completed\r\n"));
}

// RFC 5258 §5 example 6's RETURN (SUBSCRIBED), here over `LIST () "" "%"`:
// the selection is not restricted, \Subscribed marks the subscribed names
// (the CHILDREN attributes are always sent, which §4 allows).
#[tokio::test]
async fn rfc5258_return_subscribed_example() {
    let mut client = fruit_client().await;
    let output = client
        .send("A05 LIST () \"\" \"%\" RETURN (SUBSCRIBED)\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Archive) \"/\" Archive\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Drafts) \"/\" Drafts\r\n\
         * LIST (\\HasChildren) \"/\" Fruit\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Junk) \"/\" Junk\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent\r\n\
         * LIST (\\HasNoChildren) \"/\" Tofu\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Trash) \"/\" Trash\r\n\
         * LIST (\\HasChildren \\Subscribed) \"/\" Vegetable\r\n\
         A05 OK LIST completed\r\n"
    );
    assert_responses(&output);
}

// RFC 5258 §5 examples 4 to 6: `A04 LIST (REMOTE) "" "%" RETURN
// (CHILDREN)`, `A05 LIST (REMOTE SUBSCRIBED) "" "*"` and `A06 LIST
// (REMOTE) "" "*" RETURN (SUBSCRIBED)`. The RFC's remote Bread and Meat
// (`\Remote`) have no counterpart here: without remote mailboxes REMOTE
// adds nothing, so each answers what the same command without REMOTE does.
#[tokio::test]
async fn rfc5258_remote_examples() {
    let mut client = fruit_client().await;
    for (remote, local) in [
        (
            "A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n",
            "A04 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n",
        ),
        (
            "A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n",
            "A05 LIST (SUBSCRIBED) \"\" \"*\"\r\n",
        ),
        (
            "A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n",
            "A06 LIST \"\" \"*\" RETURN (SUBSCRIBED)\r\n",
        ),
    ] {
        let answer = client.send(remote).await;
        assert_eq!(answer, client.send(local).await, "{remote}");
        assert!(!answer.contains("\\Remote"), "{answer}");
        assert!(answer.ends_with(" OK LIST completed\r\n"), "{answer}");
    }
    let output = client
        .send("A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n")
        .await;
    assert!(
        output.contains("* LIST (\\NonExistent \\Subscribed) \"/\" Fruit/Peach\r\n"),
        "{output}"
    );
    let output = client
        .send("A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n")
        .await;
    assert!(
        output.contains("* LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Banana\r\n"),
        "{output}"
    );
    assert!(!output.contains("Fruit/Peach"), "{output}");
}

// A variant of RFC 5258 §5 example 8 with Foo, Foo/Bar, Foo/Baz, Moo,
// Moo/Bar, Moo/Baz: a parent that is itself subscribed, a parent
// with a subscribed child only, and a parent with none (Goo); CHILDREN
// attributes always sent.
#[tokio::test]
async fn rfc5258_recursivematch_foo_moo_example() {
    let mut client = logged_in().await;
    let output = client
        .send(
            "c CREATE Foo/Bar\r\nc CREATE Foo/Baz\r\nc CREATE Moo/Bar\r\nc CREATE Moo/Baz\r\n\
             c CREATE Goo/Bar\r\ns SUBSCRIBE Foo/Baz\r\ns SUBSCRIBE Moo\r\ns SUBSCRIBE Moo/Baz\r\n",
        )
        .await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    let output = client
        .send("A04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n")
        .await;
    let lines: Vec<&str> = output.lines().collect();
    assert!(
        lines.contains(&"* LIST (\\HasChildren) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))"),
        "{output}"
    );
    assert!(
        lines.contains(
            &"* LIST (\\HasChildren \\Subscribed) \"/\" Moo (\"CHILDINFO\" (\"SUBSCRIBED\"))"
        ),
        "{output}"
    );
    assert!(!output.contains("Goo"), "{output}");
    assert!(!output.contains("Foo/"), "{output}");
    assert_eq!(lines.last(), Some(&"A04 OK LIST completed"));
}

// RFC 5258 §5 example 7, `BBB LIST "" ("INBOX" "Drafts" "Sent/%")`, with
// the RFC's Sent children created here (our Drafts is not \NoInferiors,
// and nothing is \Marked).
#[tokio::test]
async fn rfc5258_multiple_patterns_example() {
    let mut client = logged_in().await;
    let output = client
        .send(
            "c CREATE Sent/March2004\r\nc CREATE Sent/December2003\r\n\
             c CREATE Sent/August2004\r\n",
        )
        .await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    let output = client
        .send("A01 LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
         * LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n\
         * LIST (\\HasNoChildren) \"/\" Sent/August2004\r\n\
         * LIST (\\HasNoChildren) \"/\" Sent/December2003\r\n\
         * LIST (\\HasNoChildren) \"/\" Sent/March2004\r\n\
         A01 OK LIST completed\r\n"
    );
    assert_responses(&output);
}

// RFC 5258 §5 example 8 case A2: the parent does not exist (here: deleted,
// its child still subscribed) and is returned `\NonExistent` with
// CHILDINFO.
#[tokio::test]
async fn rfc5258_recursivematch_nonexistent_parent() {
    let mut client = logged_in().await;
    let output = client
        .send("c CREATE Zoo/Bar\r\ns SUBSCRIBE Zoo/Bar\r\nd DELETE Zoo/Bar\r\nd DELETE Zoo\r\n")
        .await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    let output = client
        .send("A07 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"Z%\"\r\nA08 LIST (SUBSCRIBED) \"\" \"Z*\"\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\NonExistent) \"/\" Zoo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n\
         A07 OK LIST completed\r\n\
         * LIST (\\NonExistent \\Subscribed) \"/\" Zoo/Bar\r\n\
         A08 OK LIST completed\r\n"
    );
}

// RFC 5258 §5 example 11 lists `* LIST (\NonExistent \HasChildren) "/"
// music`: a name that is not a mailbox with one below it. That state does
// not arise here: CREATE of music/rock creates music too (RFC 3501 §6.3.3
// SHOULD), and DELETE of a mailbox with children is refused with RFC
// 5530's HASCHILDREN, so music stays a mailbox with `\HasChildren`.
#[tokio::test]
async fn rfc5258_example_11_parent_always_exists() {
    let mut client = logged_in().await;
    let output = client
        .send("c CREATE music/rock\r\nd DELETE music\r\n")
        .await;
    assert!(output.starts_with("c OK "), "{output}");
    assert!(
        output.ends_with("d NO [HASCHILDREN] mailbox has children\r\n"),
        "{output}"
    );
    let output = client.send("A11 LIST \"\" \"m%\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasChildren) \"/\" music\r\nA11 OK LIST completed\r\n"
    );
    assert_responses(&output); // `a3.1 LIST "" (% music/rock)`: music/rock once, beside the top level.
    let output = client.send("a3.1 LIST \"\" (% music/rock)\r\n").await;
    assert!(
        output.contains(
            "* LIST (\\HasChildren) \"/\" music\r\n\
             * LIST (\\HasNoChildren) \"/\" music/rock\r\n"
        ),
        "{output}"
    );
    assert!(output.ends_with("a3.1 OK LIST completed\r\n"), "{output}");
}

// RFC 5258 §5 example 3: `A03 LIST () "" "%" RETURN (CHILDREN)`.
#[tokio::test]
async fn rfc5258_example3_return_children() {
    let mut client = fruit_client().await;
    let output = client
        .send("A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
         * LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n\
         * LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n\
         * LIST (\\HasChildren) \"/\" Fruit\r\n\
         * LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n\
         * LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n\
         * LIST (\\HasNoChildren) \"/\" Tofu\r\n\
         * LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n\
         * LIST (\\HasChildren) \"/\" Vegetable\r\n\
         A03 OK LIST completed\r\n"
    );
    assert_responses(&output);
}

/// A client with `mailboxes` created and exactly `subscribed` subscribed
/// (our default subscriptions removed), as the hierarchies of §5
/// examples 8 to 10 assume.
async fn hierarchy_client(mailboxes: &[&str], subscribed: &[&str]) -> TestClient {
    let mut client = logged_in().await;
    let mut setup = String::new();
    for name in ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"] {
        setup.push_str(&format!("u UNSUBSCRIBE {name}\r\n"));
    }
    for name in mailboxes {
        setup.push_str(&format!("c CREATE {name}\r\n"));
    }
    for name in subscribed {
        setup.push_str(&format!("s SUBSCRIBE {name}\r\n"));
    }
    let output = client.send(&setup).await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    client
}

/// §5 example 8's hierarchy: Foo, Foo/Bar, Foo/Baz and Moo.
const EXAMPLE_8: &[&str] = &["Foo/Bar", "Foo/Baz", "Moo"];

// RFC 5258 §5 example 8, `CA3 LIST "" "%" RETURN (CHILDREN)`, and case A:
// only Foo/Baz subscribed. `LIST (SUBSCRIBED) "" "%"` returns nothing, and
// with RECURSIVEMATCH Foo comes with CHILDINFO.
#[tokio::test]
async fn rfc5258_example8_case_a() {
    let mut client = hierarchy_client(EXAMPLE_8, &["Foo/Baz"]).await;
    let output = client
        .send("CA3 LIST \"\" \"%\" RETURN (CHILDREN)\r\n")
        .await;
    assert!(
        output.contains(
            "* LIST (\\HasChildren) \"/\" Foo\r\n\
             * LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n\
             * LIST (\\HasNoChildren) \"/\" Moo\r\n"
        ),
        "{output}"
    );
    let output = client
        .send(
            "C02 LIST (SUBSCRIBED) \"\" \"*\"\r\nC03 LIST (SUBSCRIBED) \"\" \"%\"\r\n\
             C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n",
        )
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren \\Subscribed) \"/\" Foo/Baz\r\nC02 OK LIST completed\r\n\
         C03 OK LIST completed\r\n\
         * LIST (\\HasChildren) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n\
         C04 OK LIST completed\r\n"
    );
}

// RFC 5258 §5 example 8, cases A1 (Foo subscribed too: the RFC's second
// form, with \HasChildren), B (nothing subscribed: no responses) and C
// (Foo and Moo subscribed, RETURN (CHILDREN): no CHILDINFO, as no child is
// subscribed). Case A2 (Foo not existing) is
// `rfc5258_recursivematch_nonexistent_parent`.
#[tokio::test]
async fn rfc5258_example8_cases_a1_b_c() {
    let recursive = "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n";
    let mut client = hierarchy_client(EXAMPLE_8, &["Foo", "Foo/Baz"]).await;
    assert_eq!(
        client.send(recursive).await,
        "* LIST (\\HasChildren \\Subscribed) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n\
         C04 OK LIST completed\r\n"
    );
    let mut client = hierarchy_client(EXAMPLE_8, &[]).await;
    assert_eq!(client.send(recursive).await, "C04 OK LIST completed\r\n");
    let mut client = hierarchy_client(EXAMPLE_8, &["Foo", "Moo"]).await;
    let output = client
        .send("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasChildren \\Subscribed) \"/\" Foo\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" Moo\r\n\
         C04 OK LIST completed\r\n"
    );
    assert_responses(&output);
}

// RFC 5258 §5 example 9: CHILDINFO whether or not the subscribed children
// match the pattern. With `"*2"`, foo2 (one of its two subscribed children
// matches) and eps2 (none does) get CHILDINFO; baz2, all of whose
// subscribed children match, is left out, as §3.5 says ("servers SHOULD
// suppress redundant CHILDINFO responses"). qux2 exists here (CREATE made
// it) and is left out for the same reason. With `"*"` every subscribed
// child matches, so we follow the same SHOULD and add no CHILDINFO, where
// the RFC's second trace keeps the redundant items.
#[tokio::test]
async fn rfc5258_example9_childinfo_and_the_pattern() {
    let subscribed = [
        "foo2/bar1",
        "foo2/bar2",
        "baz2/bar2",
        "baz2/bar22",
        "baz2/bar222",
        "eps2",
        "eps2/mamba",
        "qux2/bar2",
    ];
    let mut client = hierarchy_client(&subscribed, &subscribed).await;
    let output = client
        .send("D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar2\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar22\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar222\r\n\
         * LIST (\\HasChildren \\Subscribed) \"/\" eps2 (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n\
         * LIST (\\HasChildren) \"/\" foo2 (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar2\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" qux2/bar2\r\n\
         D03 OK LIST completed\r\n"
    );
    let output = client
        .send("D04 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*\"\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar2\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar22\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar222\r\n\
         * LIST (\\HasChildren \\Subscribed) \"/\" eps2\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" eps2/mamba\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar1\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar2\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" qux2/bar2\r\n\
         D04 OK LIST completed\r\n"
    );
}

// RFC 5258 §5 example 10: foo exists with no children, its subscribed
// child foo/bar does not exist; CHILDINFO comes with \HasNoChildren.
#[tokio::test]
async fn rfc5258_example10_childinfo_without_children() {
    let mut client = hierarchy_client(&["foo/bar"], &["foo/bar"]).await;
    client.send("d DELETE foo/bar\r\n").await;
    let output = client
        .send(
            "a1 LIST \"\" (\"foo\" \"foo/*\")\r\na2 LIST (SUBSCRIBED) \"\" \"foo/*\"\r\n\
             a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)\r\n",
        )
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" foo\r\na1 OK LIST completed\r\n\
         * LIST (\\NonExistent \\Subscribed) \"/\" foo/bar\r\na2 OK LIST completed\r\n\
         * LIST (\\HasNoChildren) \"/\" foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n\
         a3 OK LIST completed\r\n"
    );
}

// RFC 5258 §3.1: "The RECURSIVEMATCH option MUST NOT occur as the only
// selection option (or only with REMOTE) ... The server MUST return BAD".
#[tokio::test]
async fn rfc5258_recursivematch_alone_is_bad() {
    let mut client = logged_in().await;
    for command in [
        "A1 LIST (RECURSIVEMATCH) \"\" %\r\n",
        "A2 LIST (REMOTE RECURSIVEMATCH) \"\" %\r\n",
    ] {
        let output = client.send(command).await;
        assert!(output.starts_with(&command[..3]), "{output}");
        assert!(output.contains(" BAD "), "{output}");
    }
}

// RFC 5258 §3: an extended LIST "MUST NOT treat the empty mailbox name as
// such a special request" (the basic LIST's delimiter answer), and the
// empty string "MUST be ignored for the purpose of matching"; "A server
// MUST respond to options it does not recognize with a BAD response"; an
// option given twice acts "as if it received the option only once".
#[tokio::test]
async fn rfc5258_section3_rules() {
    let mut client = fruit_client().await;
    let output = client
        .send(
            "A1 LIST \"\" \"\"\r\nA2 LIST \"\" (\"\")\r\nA3 LIST () \"\" \"\"\r\n\
             A4 LIST \"\" (\"\" \"Tofu\")\r\n",
        )
        .await;
    assert_eq!(
        output,
        "* LIST (\\Noselect) \"/\" \"\"\r\nA1 OK LIST completed\r\n\
         A2 OK LIST completed\r\nA3 OK LIST completed\r\n\
         * LIST (\\HasNoChildren) \"/\" Tofu\r\nA4 OK LIST completed\r\n"
    );
    let output = client
        .send("A5 LIST (X-UNKNOWN) \"\" %\r\nA6 LIST \"\" % RETURN (X-UNKNOWN)\r\n")
        .await;
    assert!(output.starts_with("A5 BAD "), "{output}");
    assert!(output.contains("\r\nA6 BAD "), "{output}");
    let once = client
        .send("A7 LIST (SUBSCRIBED) \"\" \"Veg*\" RETURN (CHILDREN)\r\n")
        .await;
    let twice = client
        .send("A7 LIST (SUBSCRIBED SUBSCRIBED) \"\" \"Veg*\" RETURN (CHILDREN CHILDREN)\r\n")
        .await;
    assert_eq!(once, twice);
    assert!(once.ends_with("A7 OK LIST completed\r\n"), "{once}");
}
