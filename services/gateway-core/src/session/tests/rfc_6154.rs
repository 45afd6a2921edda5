//! RFC 6154 (SPECIAL-USE) §5.1 examples not replayed in `list_ext.rs`:
//! the special-use attributes returned on request, and the SPECIAL-USE
//! selection option alone.

use super::support::{assert_responses, logged_in};

/// INBOX and the default special-use mailboxes, as `LIST "" "%"` answers
/// them with the special-use attributes.
const TOP_LEVEL: &str = "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
     * LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n\
     * LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n\
     * LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n\
     * LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n\
     * LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n";

// RFC 6154 §5.1, first example: `t1 LIST "" "%" RETURN (SPECIAL-USE)`,
// a mailbox without a use (the RFC's ToDo) among those with one.
#[tokio::test]
async fn rfc6154_return_special_use_example() {
    let mut client = logged_in().await;
    let output = client
        .send("t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n")
        .await;
    assert_eq!(output, format!("{TOP_LEVEL}t1 OK LIST completed\r\n"));
    assert_responses(&output);
}

// RFC 6154 §5.1, second example: `t3 LIST (SPECIAL-USE) "" "*"` lists only
// the mailboxes that have a special use, with their attributes.
#[tokio::test]
async fn rfc6154_special_use_selection_example() {
    let mut client = logged_in().await;
    let output = client
        .send("c CREATE ToDo\r\nc CREATE Projects/Foo\r\n")
        .await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    let output = client.send("t3 LIST (SPECIAL-USE) \"\" \"*\"\r\n").await;
    let expected: String = TOP_LEVEL
        .lines()
        .skip(1)
        .map(|line| format!("{line}\r\n"))
        .collect();
    assert_eq!(output, format!("{expected}t3 OK LIST completed\r\n"));
    assert_responses(&output);
}
