//! Fixtures of the conformance suite: a fresh store per test (an SQLite file
//! in a temporary directory, or a fresh PostgreSQL database created from
//! `MAILKEEP_TEST_POSTGRES_URL` and dropped afterwards), the macro that runs
//! every case against both, and builders for accounts and messages.

use std::sync::Arc;

use mailkeep_common::mail::{
    ExpungeOutcome, Flags, MessageAnalysis, NewMessageMeta, StoreOperation, SystemFlags,
};
use mailkeep_common::{AccountId, BlobId, ErrorCode, MailboxId, Uid, UidSet};
use mailkeep_metadata::model::{Account, NewAccount};
use mailkeep_metadata::{MetadataStore, StoreError, open_store};
use sqlx::Connection;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub type Store = Arc<dyn MetadataStore>;

fn random_suffix() -> String {
    format!("{:016x}", uuid::Uuid::new_v4().as_u128() as u64)
}

pub enum Fixture {
    /// The directory is removed when the fixture drops.
    Sqlite {
        _directory: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        database: String,
    },
}

impl Fixture {
    pub async fn sqlite() -> (Store, Fixture) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("metadata.db").display());
        let store = open_store(&url).await.expect("open sqlite store");
        (store, Fixture::Sqlite { _directory: dir })
    }

    pub async fn postgres() -> (Store, Fixture) {
        let admin_url = std::env::var("MAILKEEP_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let database = format!("mailkeep_test_{}", random_suffix());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to MAILKEEP_TEST_POSTGRES_URL (run scripts/test to start PostgreSQL)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        admin.close().await.expect("close admin connection");
        let store = open_store(&database_url(&admin_url, &database))
            .await
            .expect("open postgres store");
        (
            store,
            Fixture::Postgres {
                admin_url,
                database,
            },
        )
    }

    /// Drops the PostgreSQL database (the SQLite directory goes with `self`).
    pub async fn cleanup(self) {
        if let Fixture::Postgres {
            admin_url,
            database,
        } = self
        {
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("reconnect to drop the test database");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await
            .expect("drop test database");
        }
    }
}

/// The URL of `database` on the server of `admin_url`.
fn database_url(admin_url: &str, database: &str) -> String {
    let (without_query, query) = match admin_url.split_once('?') {
        Some((url, query)) => (url, format!("?{query}")),
        None => (admin_url, String::new()),
    };
    let scheme_end = without_query.find("://").map_or(0, |index| index + 3);
    let host_end = without_query[scheme_end..]
        .find('/')
        .map_or(without_query.len(), |index| scheme_end + index);
    format!("{}/{database}{query}", &without_query[..host_end])
}

/// Runs each listed `async fn(Store)` case against SQLite and PostgreSQL.
#[macro_export]
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let (store, fixture) = $crate::support::Fixture::sqlite().await;
                    super::$case(store).await;
                    fixture.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let (store, fixture) = $crate::support::Fixture::postgres().await;
                    super::$case(store).await;
                    fixture.cleanup().await;
                }
            )*
        }
    };
}

pub fn code<T: std::fmt::Debug>(result: Result<T, StoreError>) -> ErrorCode {
    result.expect_err("expected an error").code()
}

/// A fresh tenant with one account (`alice@<random domain>`, password "secret").
pub async fn account_with_quota(store: &Store, quota_bytes: u64, quota_messages: u64) -> Account {
    let domain = format!("t{}.example", random_suffix());
    store.create_tenant(&domain).await.expect("create tenant");
    store
        .create_account(NewAccount {
            domain,
            local_part: "alice".into(),
            password: "secret".into(),
            quota_bytes: Some(quota_bytes),
            quota_messages: Some(quota_messages),
            ..NewAccount::new("", "", "")
        })
        .await
        .expect("create account")
}

pub async fn account(store: &Store) -> Account {
    account_with_quota(store, 0, 0).await
}

/// (used bytes, used messages) of the account.
pub async fn usage(store: &Store, account: &Account) -> (u64, u64) {
    let account = store
        .get_account(&account.domain, &account.local_part)
        .await
        .expect("get account");
    (account.used_bytes, account.used_messages)
}

pub async fn mailbox(store: &Store, account: AccountId, name: &str) -> MailboxId {
    store
        .list_mailboxes(account)
        .await
        .expect("list mailboxes")
        .into_iter()
        .find(|mailbox| mailbox.name == name)
        .unwrap_or_else(|| panic!("mailbox {name} exists"))
        .id
}

pub fn blob(seed: u8) -> BlobId {
    BlobId::from_digest([seed; 32])
}

pub fn message(size: u64) -> NewMessageMeta {
    NewMessageMeta {
        blob_id: blob(size as u8),
        size,
        prefix: Vec::new(),
        internal_date: 1_717_200_000,
        internal_date_offset: 0,
        flags: Flags::default(),
        analysis: MessageAnalysis {
            envelope: b"\x01(envelope)".to_vec(),
            bodystructure: b"\x01(bodystructure)".to_vec(),
            body: b"\x01(body)".to_vec(),
            part_table: b"\x01parts".to_vec(),
            header_text: "subject: hello\n".into(),
            body_text: "hello".into(),
            sent_date: Some(1_717_200_000),
            subject: "hello".into(),
            ..MessageAnalysis::default()
        },
    }
}

pub fn flagged(size: u64, system: u32, keywords: &[&str]) -> NewMessageMeta {
    let mut new = message(size);
    new.flags = Flags {
        system: SystemFlags(system),
        keywords: keywords
            .iter()
            .map(|keyword| (*keyword).to_owned())
            .collect(),
    };
    new
}

pub fn uids(values: &[u32]) -> Vec<Uid> {
    values
        .iter()
        .map(|&value| Uid::new(value).expect("non-zero uid"))
        .collect()
}

pub fn set(ranges: &[(u32, u32)]) -> UidSet {
    UidSet::from_ranges(ranges.iter().copied())
}

pub fn all() -> UidSet {
    set(&[(1, u32::MAX)])
}

#[test]
fn database_urls_keep_host_and_query() {
    assert_eq!(
        database_url("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        database_url("postgresql://u:p@h/db?sslmode=disable", "y"),
        "postgresql://u:p@h/y?sslmode=disable"
    );
    assert_eq!(
        database_url("postgres://h:5432", "z"),
        "postgres://h:5432/z"
    );
}

/// Sets `\Deleted` on `uids` and expunges the mailbox, as a client's
/// `STORE +FLAGS (\Deleted)` and `EXPUNGE` would.
pub async fn delete_and_expunge(
    store: &Store,
    account: AccountId,
    mailbox: MailboxId,
    uids: &UidSet,
) -> ExpungeOutcome {
    let deleted = Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    store
        .store_flags(account, mailbox, uids, StoreOperation::Add, &deleted, None)
        .await
        .unwrap();
    store.expunge(account, mailbox, None).await.unwrap()
}
