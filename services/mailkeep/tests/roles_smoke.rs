//! The production roles as separate processes, configured the way a
//! deployment is (a TOML file plus `MAILKEEP_*` overrides), on embedded
//! backends: `migrate`, then `metadata`, `blob`, `admin` and `gateway`
//! talking gRPC with a shared internal token; provision over REST, log in
//! over IMAP, and see `/readyz` follow a peer going away.
#![allow(clippy::unwrap_used)] // helpers of a test crate; `allow-unwrap-in-tests` covers only #[test] fns

mod support;

use serde_json::json;
use support::{Mailkeep, command, imap_login};

const INTERNAL_TOKEN: &str = "internal-test-token";
const ADMIN_TOKEN: &str = "admin-test-token";

#[tokio::test(flavor = "multi_thread")]
async fn separate_roles_work_together() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("metadata.db").display());
    let config = dir.path().join("mailkeep.toml");
    // The file sets ports that are taken on purpose: the environment must win.
    std::fs::write(
        &config,
        format!(
            "[internal]\ntoken = \"{INTERNAL_TOKEN}\"\n[metadata]\ndatabase_url = \"{database_url}\"\n\
             listen = \"127.0.0.1:1\"\n[ops]\nlisten = \"127.0.0.1:1\"\n"
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let role = |name: &str| {
        let mut role = command(&["--config", config, name]);
        role.env("MAILKEEP_OPS__LISTEN", "127.0.0.1:0");
        role
    };

    let migrate = role("migrate").output().unwrap();
    assert!(migrate.status.success());
    assert_eq!(
        String::from_utf8_lossy(&migrate.stdout).trim(),
        "migrations applied"
    );

    let mut metadata = role("metadata");
    metadata.env("MAILKEEP_METADATA__LISTEN", "127.0.0.1:0");
    let metadata = Mailkeep::start(metadata, &["metadata", "ops"], false);
    let metadata_url = format!("http://{}", metadata.addresses["metadata"]);

    let mut blob = role("blob");
    blob.env("MAILKEEP_BLOB__LISTEN", "127.0.0.1:0").env(
        "MAILKEEP_BLOB__URL",
        format!("file://{}", dir.path().join("blobs").display()),
    );
    let blob = Mailkeep::start(blob, &["blob", "ops"], false);

    let token_file = dir.path().join("admin-token");
    std::fs::write(&token_file, format!("{ADMIN_TOKEN}\n")).unwrap();
    let mut admin = role("admin");
    admin
        .env("MAILKEEP_ADMIN__LISTEN", "127.0.0.1:0")
        .env("MAILKEEP_ADMIN__METADATA_URL", &metadata_url)
        .env("MAILKEEP_ADMIN__BOOTSTRAP_TOKEN_FILE", &token_file);
    let admin = Mailkeep::start(admin, &["admin", "ops"], false);

    let mut gateway = role("gateway");
    gateway
        .env("MAILKEEP_GATEWAY__IMAP_LISTEN", "127.0.0.1:0")
        .env("MAILKEEP_GATEWAY__METADATA_URL", &metadata_url)
        .env(
            "MAILKEEP_GATEWAY__BLOB_URL",
            format!("http://{}", blob.addresses["blob"]),
        );
    let gateway = Mailkeep::start(gateway, &["imap", "ops"], false);

    let http = reqwest::Client::new();
    for process in [&metadata, &blob, &admin, &gateway] {
        let ready = http
            .get(process.url("ops", "/readyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), 200, "{:?}", process.addresses);
    }
    let tenant = http
        .post(admin.url("admin", "/v1/tenants"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"domain": "roles.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(tenant.status(), 201);
    let account = http
        .post(admin.url("admin", "/v1/tenants/roles.test/accounts"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"local_part": "bob", "password": "builder-1234"}))
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), 201);
    imap_login(&gateway.addresses["imap"], "bob@roles.test", "builder-1234");

    blob.terminate();
    let ready = http
        .get(gateway.url("ops", "/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503, "the gateway needs its blob peer");
    for process in [gateway, admin, metadata] {
        process.terminate();
    }
}

#[test]
fn roles_refuse_to_start_without_their_required_keys() {
    let output = command(&["admin"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("admin.bootstrap_token"));
    let output = command(&["metadata"])
        .env("MAILKEEP_METADATA__LISTEN_ADDRESS", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("listen_address"));
}
