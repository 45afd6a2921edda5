//! QUOTA (RFC 9208) against the memory backend: one root `""` for the
//! account's byte limit, no root without limits, SETQUOTA refused.

use super::support::{assert_responses, deliver, logged_in, message};
use mailkeep_common::mail::Flags;

#[tokio::test]
async fn rfc9208_getquotaroot_and_getquota() {
    let mut client = logged_in().await;
    // No limit: no quota root at all (RFC 9208 §4.3).
    let output = client
        .send("G0 GETQUOTAROOT INBOX\r\nG1 GETQUOTA \"\"\r\n")
        .await;
    assert_eq!(
        output,
        "* QUOTAROOT INBOX\r\nG0 OK GETQUOTAROOT completed\r\n\
         G1 NO [NONEXISTENT] no such quota root\r\n"
    );
    client
        .backend
        .set_quota(&client.principal, Some(10 * 1024 * 1024));
    deliver(&client, &message("hello"), Flags::default());
    let used = message("hello").len().div_ceil(1024);
    let output = client.send("G2 GETQUOTAROOT INBOX\r\n").await;
    assert_eq!(
        output,
        format!(
            "* QUOTAROOT INBOX \"\"\r\n\
             * QUOTA \"\" (STORAGE {used} 10240)\r\n\
             G2 OK GETQUOTAROOT completed\r\n"
        )
    );
    assert_responses(&output);
    let output = client.send("G3 GETQUOTA \"\"\r\n").await;
    assert_eq!(
        output,
        format!("* QUOTA \"\" (STORAGE {used} 10240)\r\nG3 OK GETQUOTA completed\r\n")
    );
    let output = client
        .send(
            "G4 GETQUOTA \"#user/alice\"\r\n\
             S0 SETQUOTA \"\" (STORAGE 512)\r\n\
             S1 SETQUOTA \"\" (STORAGE\r\n",
        )
        .await;
    assert_eq!(
        output,
        "G4 NO [NONEXISTENT] no such quota root\r\n\
         S0 NO [NOPERM] quotas are set by the administrator\r\n\
         S1 BAD syntax error: expected a space\r\n"
    );
}
