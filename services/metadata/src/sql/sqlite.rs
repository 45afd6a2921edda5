//! `SqliteStore`: the embedded store on one SQLite file through sqlx. This
//! module owns the pool (WAL journal, busy timeout, foreign keys), the
//! migrations of `migrations/sqlite`, and the error mapping (unique and
//! primary-key violations -> AlreadyExists, SQLITE_BUSY/LOCKED ->
//! Unavailable). Write transactions start with `BEGIN IMMEDIATE`, so writers
//! take the database lock up front and never fail on a read-to-write upgrade.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::error::ErrorKind;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row as _, Sqlite, Transaction, TypeInfo, ValueRef};

use super::driver::{Arg, Driver, Row, Value};
use super::store::SqlStore;
use crate::error::StoreError;

/// The metadata store on SQLite.
pub type SqliteStore = SqlStore<SqliteDriver>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How long a writer waits for the database lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct SqliteDriver {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it when missing) the database at `url`
    /// (`sqlite://path`) and applies the pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|error| StoreError::InvalidArgument(format!("sqlite url: {error}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(map_error)?;
        MIGRATOR.run(&pool).await?;
        Ok(SqlStore::new(SqliteDriver { pool }))
    }
}

/// Primary codes (the low byte of the extended code): 5 SQLITE_BUSY,
/// 6 SQLITE_LOCKED.
fn map_error(error: sqlx::Error) -> StoreError {
    let busy = match &error {
        sqlx::Error::Database(database) => {
            if database.kind() == ErrorKind::UniqueViolation {
                return StoreError::AlreadyExists("record");
            }
            database
                .code()
                .and_then(|code| code.parse::<i32>().ok())
                .is_some_and(|code| matches!(code & 0xff, 5 | 6))
        }
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        _ => false,
    };
    if busy {
        StoreError::Unavailable(error)
    } else {
        StoreError::Database(error)
    }
}

fn bind(
    sql: &'static str,
    args: &[Arg<'_>],
) -> sqlx::query::Query<'static, Sqlite, sqlx::sqlite::SqliteArguments> {
    args.iter().fold(sqlx::query(sql), |query, arg| match *arg {
        Arg::Int(value) => query.bind(value),
        Arg::OptInt(value) => query.bind(value),
        Arg::Text(value) => query.bind(value.to_owned()),
        Arg::Bytes(value) => query.bind(value.to_vec()),
    })
}

/// SQLite is dynamically typed: decode by the storage class of each value.
fn decode(row: &SqliteRow) -> Result<Row, StoreError> {
    (0..row.len())
        .map(|index| {
            let raw = row.try_get_raw(index).map_err(StoreError::Database)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let class = raw.type_info().name().to_owned();
            let value = match class.as_str() {
                "INTEGER" => row.try_get_unchecked::<i64, _>(index).map(Value::Int),
                "TEXT" => row.try_get_unchecked::<String, _>(index).map(Value::Text),
                "BLOB" => row.try_get_unchecked::<Vec<u8>, _>(index).map(Value::Bytes),
                other => {
                    return Err(StoreError::Corrupt(format!(
                        "unexpected storage class {other} at {index}"
                    )));
                }
            };
            value.map_err(StoreError::Database)
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Row)
}

#[async_trait]
impl Driver for SqliteDriver {
    type Tx = Transaction<'static, Sqlite>;
    const TEXT_INDEX: super::text_index::TextIndex = super::text_index::TextIndex::Fts5Trigram;

    async fn begin_write(&self) -> Result<Self::Tx, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_error)
    }

    async fn begin_ephemeral_write(&self) -> Result<Self::Tx, StoreError> {
        // WAL with `synchronous = NORMAL` already commits without a sync.
        self.begin_write().await
    }

    async fn begin_read(&self) -> Result<Self::Tx, StoreError> {
        self.pool.begin().await.map_err(map_error)
    }

    async fn commit(tx: Self::Tx) -> Result<(), StoreError> {
        tx.commit().await.map_err(map_error)
    }

    async fn execute(
        tx: &mut Self::Tx,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<u64, StoreError> {
        let done = bind(sql, args)
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
        Ok(done.rows_affected())
    }

    async fn fetch_all(
        tx: &mut Self::Tx,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Vec<Row>, StoreError> {
        let rows = bind(sql, args)
            .fetch_all(&mut **tx)
            .await
            .map_err(map_error)?;
        rows.iter().map(decode).collect()
    }
}
