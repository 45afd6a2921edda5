//! RFC 5258 (LIST-EXTENDED) §5 examples not replayed in `list_ext.rs`,
//! over the Fruit/Vegetable hierarchy of the RFC (plus our default
//! special-use mailboxes), with our order of names.

use super::list_ext::fruit_client;
use super::support::{assert_responses, logged_in};

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

// RFC 5258 §5 example 1: the complete local hierarchy, asked with the
// traditional syntax and with an empty selection list.
#[tokio::test]
async fn rfc5258_example1_full_hierarchy() {
    let mut client = fruit_client().await;
    let output = client.send("A01 LIST \"\" \"*\"\r\n").await;
    assert_eq!(output, format!("{FULL_HIERARCHY}A01 OK LIST completed\r\n"));
    assert_responses(&output);
    let output = client.send("A01 LIST () \"\" \"*\"\r\n").await;
    assert_eq!(output, format!("{FULL_HIERARCHY}A01 OK LIST completed\r\n"));
}

// RFC 5258 §5, the `LIST () "" "%" RETURN (SUBSCRIBED)` example: the
// selection is not restricted, \Subscribed marks the subscribed names
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

// RFC 5258 §5, the REMOTE examples: without remote mailboxes REMOTE adds
// nothing, alone or beside SUBSCRIBED.
#[tokio::test]
async fn rfc5258_remote_examples() {
    let mut client = fruit_client().await;
    let local = client.send("A05 LIST \"\" \"*\"\r\n").await;
    let remote = client.send("A05 LIST (REMOTE) \"\" \"*\"\r\n").await;
    assert_eq!(remote, local);
    let subscribed = client.send("A05 LIST (SUBSCRIBED) \"\" \"*\"\r\n").await;
    let remote = client
        .send("A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n")
        .await;
    assert_eq!(remote, subscribed);
    assert!(remote.contains("Fruit/Peach"), "{remote}");
}

// RFC 5258 §5, the RECURSIVEMATCH example with Foo, Foo/Bar, Foo/Baz,
// Moo, Moo/Bar, Moo/Baz: a parent that is itself subscribed, a parent
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

// RFC 5258 §5, the multiple-pattern example `LIST "" ("INBOX" "Drafts"
// "Sent/%")`, with the RFC's Sent children created here.
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

// RFC 5258 §5, the RECURSIVEMATCH example whose matching parent does not
// exist: it is returned `\NonExistent` with CHILDINFO, since a subscribed
// descendant remains.
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
