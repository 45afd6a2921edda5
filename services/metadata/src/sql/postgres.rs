//! `PostgresStore`: the store on PostgreSQL through sqlx. This module owns the
//! pool, the migrations of `migrations/postgres`, and the SQLSTATE mapping
//! (23505 -> AlreadyExists; serialization failures, deadlocks and connection
//! loss -> Unavailable). Writers run at READ COMMITTED and serialise on the
//! rows they `UPDATE ... RETURNING` (mailbox counters, usage); readers take a
//! REPEATABLE READ snapshot.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Column, Postgres, Row as _, Transaction, TypeInfo};

use super::driver::{Arg, Driver, Row, Value};
use super::store::SqlStore;
use crate::error::StoreError;

/// The metadata store on PostgreSQL.
pub type PostgresStore = SqlStore<PostgresDriver>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

#[derive(Debug, Clone)]
pub struct PostgresDriver {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://` or `postgresql://`) and applies the
    /// pending migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(map_error)?;
        MIGRATOR.run(&pool).await?;
        Ok(SqlStore::new(PostgresDriver { pool }))
    }
}

/// SQLSTATE classes: 23505 unique_violation; 40001 serialization_failure;
/// 40P01 deadlock_detected; 55P03 lock_not_available; 57P0x shutdown.
fn map_error(error: sqlx::Error) -> StoreError {
    let sqlstate = match &error {
        sqlx::Error::Database(database) => database.code().map(|code| code.into_owned()),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => return StoreError::Unavailable(error),
        _ => None,
    };
    match sqlstate.as_deref() {
        Some("23505") => StoreError::AlreadyExists("record"),
        Some("40001" | "40P01" | "55P03" | "57P01" | "57P02" | "57P03") => {
            StoreError::Unavailable(error)
        }
        _ => StoreError::Database(error),
    }
}

fn bind(
    sql: &'static str,
    args: &[Arg<'_>],
) -> sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments> {
    args.iter().fold(sqlx::query(sql), |query, arg| match *arg {
        Arg::Int(value) => query.bind(value),
        Arg::OptInt(value) => query.bind(value),
        Arg::Text(value) => query.bind(value),
        Arg::Bytes(value) => query.bind(value),
    })
}

fn decode(row: &PgRow) -> Result<Row, StoreError> {
    let values = row
        .columns()
        .iter()
        .map(|column| {
            let index = column.ordinal();
            let value = match column.type_info().name() {
                "INT8" => row
                    .try_get::<Option<i64>, _>(index)
                    .map(|v| v.map(Value::Int)),
                "TEXT" | "VARCHAR" => row
                    .try_get::<Option<String>, _>(index)
                    .map(|v| v.map(Value::Text)),
                "BYTEA" => row
                    .try_get::<Option<Vec<u8>>, _>(index)
                    .map(|v| v.map(Value::Bytes)),
                other => {
                    return Err(StoreError::Corrupt(format!(
                        "unexpected column type {other} at {index}"
                    )));
                }
            };
            Ok(value.map_err(StoreError::Database)?.unwrap_or(Value::Null))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Row(values))
}

#[async_trait]
impl Driver for PostgresDriver {
    type Tx = Transaction<'static, Postgres>;
    const TEXT_INDEX: super::text_index::TextIndex = super::text_index::TextIndex::TrigramIlike;

    async fn begin_write(&self) -> Result<Self::Tx, StoreError> {
        self.pool.begin().await.map_err(map_error)
    }

    async fn begin_ephemeral_write(&self) -> Result<Self::Tx, StoreError> {
        let mut tx = self.begin_write().await?;
        // Visible at commit as usual; only the WAL flush is deferred.
        Self::execute(&mut tx, "SET LOCAL synchronous_commit TO OFF", &[]).await?;
        Ok(tx)
    }

    async fn begin_read(&self) -> Result<Self::Tx, StoreError> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(map_error)
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
