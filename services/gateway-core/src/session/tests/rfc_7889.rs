//! RFC 7889 (APPENDLIMIT) §4 beyond `wire.rs`: the APPENDLIMIT status item
//! through LIST-STATUS (RFC 5819), one value for every mailbox.

use crate::session::{ConnectionInfo, SessionConfig};
use crate::testing::TestClient;

// RFC 7889 §4: `STATUS (APPENDLIMIT)` per mailbox, asked here for INBOX and
// Sent in one LIST ... RETURN (STATUS (APPENDLIMIT)).
#[tokio::test]
async fn rfc7889_appendlimit_through_list_status() {
    let config = SessionConfig {
        max_literal_bytes: 257_890,
        ..SessionConfig::default()
    };
    let connection = ConnectionInfo {
        tls_active: true,
        trusted_peer: true,
        starttls_available: false,
    };
    let mut client = TestClient::new(connection, config);
    client.greet().await;
    client.login().await;
    let output = client
        .send("t1 LIST \"\" (INBOX Sent) RETURN (STATUS (APPENDLIMIT))\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
         * STATUS INBOX (APPENDLIMIT 257890)\r\n\
         * LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n\
         * STATUS Sent (APPENDLIMIT 257890)\r\n\
         t1 OK LIST completed\r\n"
    );
    // imap-codec 2.0 does not know the APPENDLIMIT status item: no oracle.
}
