//! The thin seam between the store logic and a concrete sqlx driver. The
//! store's SQL is written once in the dialect both PostgreSQL and SQLite
//! accept (`$n` parameters, `RETURNING`, `ON CONFLICT DO NOTHING`, window
//! functions); a [`Driver`] binds [`Arg`]s, runs a statement inside its own
//! transaction type and decodes rows into owned [`Row`]s. Drivers also own
//! the mapping of their database errors to [`StoreError`].
//!
//! Invariant: every integer column or expression the store reads is BIGINT
//! (cast aggregates), so drivers decode integers as `i64` only.

use async_trait::async_trait;

use crate::error::StoreError;

/// A statement parameter.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// One decoded column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// An owned result row with typed accessors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn column(&self, index: usize) -> Result<&Value, StoreError> {
        self.0
            .get(index)
            .ok_or_else(|| StoreError::Corrupt(format!("missing column {index}")))
    }

    pub fn int(&self, index: usize) -> Result<i64, StoreError> {
        match self.column(index)? {
            Value::Int(value) => Ok(*value),
            other => Err(StoreError::Corrupt(format!(
                "column {index} is {other:?}, not an integer"
            ))),
        }
    }

    pub fn opt_int(&self, index: usize) -> Result<Option<i64>, StoreError> {
        match self.column(index)? {
            Value::Null => Ok(None),
            _ => self.int(index).map(Some),
        }
    }

    /// An integer column that must fit a `u32` (UIDs, UIDVALIDITY, counts).
    pub fn u32(&self, index: usize) -> Result<u32, StoreError> {
        let value = self.int(index)?;
        u32::try_from(value)
            .map_err(|_| StoreError::Corrupt(format!("column {index} out of range: {value}")))
    }

    /// An integer column that must not be negative (sizes, MODSEQs).
    pub fn u64(&self, index: usize) -> Result<u64, StoreError> {
        let value = self.int(index)?;
        u64::try_from(value)
            .map_err(|_| StoreError::Corrupt(format!("column {index} is negative: {value}")))
    }

    pub fn text(&self, index: usize) -> Result<String, StoreError> {
        match self.column(index)? {
            Value::Text(value) => Ok(value.clone()),
            other => Err(StoreError::Corrupt(format!(
                "column {index} is {other:?}, not text"
            ))),
        }
    }

    /// A text column holding an id newtype (or any `FromStr` value).
    pub fn parse<T: std::str::FromStr>(&self, index: usize) -> Result<T, StoreError> {
        let text = self.text(index)?;
        text.parse()
            .map_err(|_| StoreError::Corrupt(format!("column {index} holds {text:?}")))
    }

    pub fn bytes(&self, index: usize) -> Result<Vec<u8>, StoreError> {
        match self.column(index)? {
            Value::Bytes(value) => Ok(value.clone()),
            // Optional byte columns are selected as NULL when not asked for.
            Value::Null => Ok(Vec::new()),
            other => Err(StoreError::Corrupt(format!(
                "column {index} is {other:?}, not bytes"
            ))),
        }
    }
}

/// A database the store can run on.
#[async_trait]
pub trait Driver: Clone + Send + Sync + 'static {
    type Tx: Send;
    /// How SEARCH finds rows by substring (`text_index.rs`).
    const TEXT_INDEX: super::text_index::TextIndex;

    /// A transaction that will write; writers of one mailbox serialise on the
    /// rows they update (SQLite: on the whole database).
    async fn begin_write(&self) -> Result<Self::Tx, StoreError>;
    /// A write transaction for state a crash may roll back harmlessly
    /// (`\Recent` claims: RFC 3501 §2.3.2 lets a message be recent again);
    /// its commit does not wait for the disk, which takes a flush off
    /// every new message's path to its idlers.
    async fn begin_ephemeral_write(&self) -> Result<Self::Tx, StoreError>;
    /// A read-only transaction with one consistent snapshot.
    async fn begin_read(&self) -> Result<Self::Tx, StoreError>;
    async fn commit(tx: Self::Tx) -> Result<(), StoreError>;
    /// Runs a statement; returns the number of rows it changed.
    async fn execute(
        tx: &mut Self::Tx,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<u64, StoreError>;
    async fn fetch_all(
        tx: &mut Self::Tx,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Vec<Row>, StoreError>;
}

/// Helpers every store module uses on a transaction.
pub async fn fetch_optional<D: Driver>(
    tx: &mut D::Tx,
    sql: &'static str,
    args: &[Arg<'_>],
) -> Result<Option<Row>, StoreError> {
    Ok(D::fetch_all(tx, sql, args).await?.into_iter().next())
}

pub async fn fetch_one<D: Driver>(
    tx: &mut D::Tx,
    sql: &'static str,
    args: &[Arg<'_>],
) -> Result<Row, StoreError> {
    fetch_optional::<D>(tx, sql, args)
        .await?
        .ok_or_else(|| StoreError::Corrupt("statement returned no row".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_check_types_and_ranges() {
        let row = Row(vec![
            Value::Int(5),
            Value::Null,
            Value::Text("abc".into()),
            Value::Bytes(vec![1]),
            Value::Int(-1),
        ]);
        assert_eq!(row.int(0).unwrap(), 5);
        assert_eq!(row.opt_int(1).unwrap(), None);
        assert_eq!(row.opt_int(0).unwrap(), Some(5));
        assert_eq!(row.text(2).unwrap(), "abc");
        assert_eq!(row.bytes(3).unwrap(), vec![1]);
        assert!(row.text(0).is_err());
        assert!(row.u32(4).is_err());
        assert!(row.u64(4).is_err());
        assert!(row.int(9).is_err());
    }
}
