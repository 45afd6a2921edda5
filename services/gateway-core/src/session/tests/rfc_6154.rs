//! RFC 6154 (SPECIAL-USE, CREATE-SPECIAL-USE) §5 examples replayed over our
//! default special-use mailboxes (Archive, Drafts, Junk, Sent, Trash): §5.1
//! `t1 LIST "" "%"`, §5.2 `t1 CAPABILITY`, `t2 LIST "" "%" RETURN
//! (SPECIAL-USE)` and `t3 LIST (SPECIAL-USE) "" "*"`, §5.3 `t1 CAPABILITY`,
//! `t2 CREATE MySpecial (USE (\Drafts \Sent))` and `t3 CREATE Everything
//! (USE (\All))`, and §5.4's METADATA session (`t1` to `t5`). `list_ext.rs`
//! has more SPECIAL-USE selection cases. We use no `\Marked` (an optional
//! RFC 3501 attribute) and always send the children attributes.

use super::support::{assert_responses, logged_in};
use crate::testing::TestClient;

/// `* LIST` of the default special-use mailboxes, in name order.
fn special_use_lines(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("* LIST (\\HasNoChildren \\{name}) \"/\" {name}\r\n"))
        .collect()
}

/// What `LIST "" "%"` answers once §5.1's ToDo and Projects/Foo exist:
/// special-use attributes come without being asked for (§2: a server "MAY
/// include any or all of the following attributes in responses to the
/// non-extended IMAP LIST command"), and a mailbox without a use has none.
fn top_level() -> String {
    format!(
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n{}\
         * LIST (\\HasChildren) \"/\" Projects\r\n{}\
         * LIST (\\HasNoChildren) \"/\" ToDo\r\n{}",
        special_use_lines(&["Archive", "Drafts", "Junk"]),
        special_use_lines(&["Sent"]),
        special_use_lines(&["Trash"])
    )
}

/// A logged-in client with §5.1's ToDo and Projects (with a child).
async fn example_client() -> TestClient {
    let mut client = logged_in().await;
    let output = client
        .send("c CREATE ToDo\r\nc CREATE Projects/Foo\r\n")
        .await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    client
}

// RFC 6154 §5.1: `t1 LIST "" "%"`.
#[tokio::test]
async fn rfc6154_5_1_list() {
    let mut client = example_client().await;
    let output = client.send("t1 LIST \"\" \"%\"\r\n").await;
    assert_eq!(output, format!("{}t1 OK LIST completed\r\n", top_level()));
    assert_responses(&output);
}

// RFC 6154 §5.2: `t1 CAPABILITY` lists SPECIAL-USE; `t2 LIST "" "%" RETURN
// (SPECIAL-USE)` answers as §5.1 does (§2: "The extended LIST command MAY
// return SPECIAL-USE attributes even if the client does not specify the
// return option"); `t3 LIST (SPECIAL-USE) "" "*"` lists "only those
// mailboxes that have a special-use attribute set".
#[tokio::test]
async fn rfc6154_5_2_extended_list() {
    let mut client = example_client().await;
    let output = client.send("t1 CAPABILITY\r\n").await;
    assert!(output.contains(" SPECIAL-USE "), "{output}");
    let output = client
        .send("t2 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n")
        .await;
    assert_eq!(output, format!("{}t2 OK LIST completed\r\n", top_level()));
    let output = client.send("t3 LIST (SPECIAL-USE) \"\" \"*\"\r\n").await;
    assert_eq!(
        output,
        format!(
            "{}t3 OK LIST completed\r\n",
            special_use_lines(&["Archive", "Drafts", "Junk", "Sent", "Trash"])
        )
    );
    assert_responses(&output);
}

// RFC 6154 §5.3: `t1 CAPABILITY` lists CREATE-SPECIAL-USE; `t2 CREATE
// MySpecial (USE (\Drafts \Sent))` and `t3 CREATE Everything (USE
// (\All))`, the latter answered `t3 NO [USEATTR] \All not supported`. §3
// lets a server refuse a use it cannot assign ("it MUST NOT create the
// mailbox, and MUST respond to the CREATE command with a tagged NO", with
// USEATTR when the reason is the use); we keep one use per mailbox and
// support no `\All`, so both are refused and nothing is created.
#[tokio::test]
async fn rfc6154_5_3_create_with_uses() {
    let mut client = logged_in().await;
    let output = client.send("t1 CAPABILITY\r\n").await;
    assert!(output.contains(" CREATE-SPECIAL-USE "), "{output}");
    let output = client
        .send(
            "t2 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n\
             t3 CREATE Everything (USE (\\All))\r\n",
        )
        .await;
    assert_eq!(
        output,
        "t2 NO [USEATTR] a mailbox takes one special use\r\n\
         t3 NO [USEATTR] unsupported special use \\All\r\n"
    );
    assert_responses(&output);
    let output = client
        .send("t4 LIST \"\" MySpecial\r\nt5 LIST \"\" Everything\r\n")
        .await;
    assert_eq!(output, "t4 OK LIST completed\r\nt5 OK LIST completed\r\n");
}

// RFC 6154 §5.4, with our Drafts and Sent for its MyDrafts and SentMail:
// `t1 LIST "" "%" RETURN (SPECIAL-USE)`; `t2 GETMETADATA` of the drafts
// mailbox's `/private/specialuse` answers `"\\Drafts"` (§4: the entry
// holds the uses "presented the same way they would be presented in the
// LIST command response"); `t3 SETMETADATA "SavedDrafts"
// (/private/specialuse "\\Drafts")` and `t4 SETMETADATA` of NIL on the
// sent mailbox change uses on the RFC's server, but §4 only says a server
// "MAY allow the setting of special-use attributes through the METADATA
// mechanisms": ours keeps the entry read-only (uses are set by CREATE), so
// both are refused and `t5`'s LIST is `t1`'s. Our `t6` checks that a
// mailbox without a use has NIL there (§4).
#[tokio::test]
async fn rfc6154_5_4_specialuse_metadata() {
    let mut client = logged_in().await;
    let output = client.send("c CREATE SavedDrafts\r\n").await;
    assert!(output.starts_with("c OK "), "{output}");
    let listing = format!(
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n{}\
         * LIST (\\HasNoChildren) \"/\" SavedDrafts\r\n{}",
        special_use_lines(&["Archive", "Drafts", "Junk"]),
        special_use_lines(&["Sent", "Trash"])
    );
    let output = client
        .send("t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n")
        .await;
    assert_eq!(output, format!("{listing}t1 OK LIST completed\r\n"));
    let output = client
        .send(
            "t2 GETMETADATA \"Drafts\" /private/specialuse\r\n\
             t3 SETMETADATA \"SavedDrafts\" (/private/specialuse \"\\\\Drafts\")\r\n\
             t4 SETMETADATA \"Sent\" (/private/specialuse NIL)\r\n\
             t6 GETMETADATA SavedDrafts /private/specialuse\r\n",
        )
        .await;
    assert_eq!(
        output,
        "* METADATA Drafts (/private/specialuse \"\\\\Drafts\")\r\nt2 OK GETMETADATA completed\r\n\
         t3 NO [NOPERM] /private/specialuse is read-only\r\n\
         t4 NO [NOPERM] /private/specialuse is read-only\r\n\
         * METADATA SavedDrafts (/private/specialuse NIL)\r\nt6 OK GETMETADATA completed\r\n"
    );
    let output = client
        .send("t5 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n")
        .await;
    assert_eq!(output, format!("{listing}t5 OK LIST completed\r\n"));
}
