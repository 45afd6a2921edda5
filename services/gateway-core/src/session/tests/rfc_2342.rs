//! RFC 2342 (NAMESPACE) §5 examples replayed against a session. §5 shows
//! nine server configurations (Examples 5.1 to 5.9, the RFC's only
//! examples); ours is the first, one personal namespace with no prefix and
//! `/` as delimiter, so 5.1 is replayed exactly. The others describe
//! namespaces this server does not have (shared, other users', `INBOX.` or
//! `#mh/` prefixes); §5 allows NIL for any class a server lacks, and their
//! tests replay the examples' CREATE and LIST commands to check that our
//! answers agree with our NAMESPACE. §4's state rule has its own test.

use super::support::{assert_responses, logged_in};
use crate::testing::TestClient;

/// Our NAMESPACE answer: §5.1's, word for word.
const PERSONAL_ONLY: &str = "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n";

// RFC 2342 §5.1: `A001 NAMESPACE` answers `* NAMESPACE (("" "/")) NIL NIL`.
#[tokio::test]
async fn rfc2342_5_1_single_personal_namespace() {
    let mut client = logged_in().await;
    let output = client.send("A001 NAMESPACE\r\n").await;
    assert_eq!(
        output,
        format!("{PERSONAL_ONLY}A001 OK NAMESPACE completed\r\n")
    );
    assert_responses(&output);
    // The personal namespace's delimiter is the one LIST reports.
    let output = client.send("A002 LIST \"\" \"\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\Noselect) \"/\" \"\"\r\nA002 OK LIST completed\r\n"
    );
}

// RFC 2342 §5.2 to §5.4 and §5.7 to §5.9 show servers with shared
// namespaces (`("" ".")`, `"Public Folders/"`, `#shared/`, `#public/`,
// `#ftp/`, `#news.`) and other users' namespaces (`~`, `"Other Users/"`,
// `#Users/`). Which namespaces exist is the server's choice, and §5 says
// "The response will contain a NIL for any namespace class that is not
// available": ours has neither class. The LISTs of §5.7 (`A002 LIST ""
// "Other Users/%"`), §5.8 (`A002 LIST "" "#Users/%"`, `A003 LIST ""
// "#Users/Mike/%"`) and §5.9 (`A002 LIST "" "~mark/%"`) therefore find
// nothing; where §5.8's server answers NO, §5 allows either ("a server MAY
// return NO to such a LIST command").
#[tokio::test]
async fn rfc2342_other_users_and_shared_namespaces_are_nil() {
    let mut client = logged_in().await;
    let output = client.send("A001 NAMESPACE\r\n").await;
    assert!(output.starts_with(PERSONAL_ONLY), "{output}");
    for pattern in [
        "Other Users/%",
        "#Users/%",
        "#Users/Mike/%",
        "~mark/%",
        "Public Folders/%",
        "#shared/%",
        "#public/%",
        "#ftp/%",
        "#news.%",
    ] {
        let output = client
            .send(&format!("A002 LIST \"\" \"{pattern}\"\r\n"))
            .await;
        assert_eq!(output, "A002 OK LIST completed\r\n", "{pattern}");
    }
}

// RFC 2342 §5.5 (`(("INBOX." "."))`, then `A002 CREATE "INBOX.Sent
// Mail"`) and §5.6 (a second personal namespace `"#mh/"` with `X-PARAM`,
// then `A002 CREATE "Sent Mail"`, `A003 CREATE "Delete Items"`, `A004
// CREATE "#mh/Deleted Items"`): the same commands succeed here, but as
// names in our one personal namespace, which has no prefix and `/` as
// delimiter, so "INBOX.Sent Mail" is a top-level name with a dot in it and
// "#mh" an ordinary parent mailbox.
#[tokio::test]
async fn rfc2342_5_5_and_5_6_creates_in_our_namespace() {
    let mut client = logged_in().await;
    for (tag, name) in [
        ("A002", "INBOX.Sent Mail"),
        ("A003", "Sent Mail"),
        ("A004", "Delete Items"),
        ("A005", "#mh/Deleted Items"),
    ] {
        let output = client.send(&format!("{tag} CREATE \"{name}\"\r\n")).await;
        assert!(output.starts_with(&format!("{tag} OK ")), "{output}");
    }
    let output = client.send("A006 LIST \"\" \"INBOX*\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
         * LIST (\\HasNoChildren) \"/\" \"INBOX.Sent Mail\"\r\n\
         A006 OK LIST completed\r\n"
    );
    let output = client.send("A007 LIST \"\" \"#mh/%\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" \"#mh/Deleted Items\"\r\nA007 OK LIST completed\r\n"
    );
    assert_responses(&output);
    let output = client.send("A008 NAMESPACE\r\n").await;
    assert!(output.starts_with(PERSONAL_ONLY), "{output}");
}

// RFC 2342 §5: "The NAMESPACE command is valid in the Authenticated and
// Selected state"; before login it is refused, after SELECT answered.
#[tokio::test]
async fn rfc2342_namespace_needs_authentication() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client.send("A001 NAMESPACE\r\n").await;
    assert!(output.starts_with("A001 BAD "), "{output}");
    client.login().await;
    client.send("S1 SELECT INBOX\r\n").await;
    let output = client.send("A002 NAMESPACE\r\n").await;
    assert_eq!(
        output,
        format!("{PERSONAL_ONLY}A002 OK NAMESPACE completed\r\n")
    );
}
