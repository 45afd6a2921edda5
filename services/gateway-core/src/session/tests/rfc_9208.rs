//! RFC 9208 (QUOTA) examples not replayed in `quota.rs`: GETQUOTAROOT on a
//! mailbox other than INBOX names the account's one root, and STATUS
//! DELETED-STORAGE.

use super::support::{assert_responses, deliver, logged_in};
use crate::backend::{Flags, SystemFlags};

// RFC 9208, the GETQUOTAROOT example: `GETQUOTAROOT` on another mailbox
// names the same root.
#[tokio::test]
async fn rfc9208_getquotaroot_of_another_mailbox() {
    let mut client = logged_in().await;
    client
        .backend
        .set_quota(&client.principal, Some(512 * 1024));
    let output = client.send("G0 GETQUOTAROOT Sent\r\n").await;
    assert_eq!(
        output,
        "* QUOTAROOT Sent \"\"\r\n* QUOTA \"\" (STORAGE 0 512)\r\nG0 OK GETQUOTAROOT completed\r\n"
    );
    assert_responses(&output);
}

// RFC 9208 §4.2 (STATUS DELETED-STORAGE, required with the STORAGE
// resource): what EXPUNGE would free, in units of 1024 octets, rounded up.
#[tokio::test]
async fn rfc9208_status_deleted_storage() {
    let mut client = logged_in().await;
    let body = "x".repeat(2000);
    let doomed = format!("Subject: doomed\r\n\r\n{body}\r\n");
    let deleted = Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    deliver(&client, &doomed, deleted);
    deliver(&client, "Subject: kept\r\n\r\nhello\r\n", Flags::default());
    let output = client
        .send("D1 STATUS INBOX (DELETED DELETED-STORAGE MESSAGES)\r\n")
        .await;
    assert_eq!(
        output,
        "* STATUS INBOX (DELETED 1 DELETED-STORAGE 2 MESSAGES 2)\r\nD1 OK STATUS completed\r\n"
    );
}
