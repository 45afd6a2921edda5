//! SORT and THREAD over one mailbox (RFC 5256, RFC 5957): the messages a
//! search program selects ([`super::search`]), then the few columns the
//! order needs (UID, size, INTERNALDATE and, only when a key reads it, the
//! stored header text) read a page at a time in UID order. The ordering and
//! threading themselves are the shared ones of `mailkeep_common::mail`, so
//! every backend answers alike. No blob is ever read.

use mailkeep_common::mail::{
    SearchQuery, SortCriterion, SortInput, SortOutcome, ThreadAlgorithm, ThreadOutcome, sort_uids,
    thread_messages,
};
use mailkeep_common::{AccountId, MailboxId, ModSeq, Uid};

use super::driver::{Arg, Driver};
use super::search::search;
use crate::error::StoreError;

const PAGE: i64 = 512;

const SORT_PAGE: &str = "SELECT uid, size, internal_date, \
    CASE WHEN $5 <> 0 THEN header_text ELSE '' END \
    FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid BETWEEN $3 AND $4 \
    ORDER BY uid LIMIT $6";

pub async fn sort<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    query: &SearchQuery,
    criteria: &[SortCriterion],
) -> Result<SortOutcome, StoreError> {
    let reads_header = criteria
        .iter()
        .any(|criterion| criterion.key.reads_header());
    let (inputs, highest_modseq) =
        sort_inputs(driver, account, mailbox, query, reads_header).await?;
    Ok(SortOutcome {
        uids: sort_uids(&inputs, criteria),
        highest_modseq,
    })
}

pub async fn thread<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    query: &SearchQuery,
    algorithm: ThreadAlgorithm,
) -> Result<ThreadOutcome, StoreError> {
    let (inputs, highest_modseq) = sort_inputs(driver, account, mailbox, query, true).await?;
    Ok(ThreadOutcome {
        threads: thread_messages(&inputs, algorithm),
        highest_modseq,
    })
}

/// The sort columns of the messages `query` matches, ascending by UID. A
/// message expunged between the search and the read is left out.
async fn sort_inputs<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    query: &SearchQuery,
    reads_header: bool,
) -> Result<(Vec<SortInput>, ModSeq), StoreError> {
    let matched = search(driver, account, mailbox, query).await?;
    let (Some(&first), Some(&last)) = (matched.uids.first(), matched.uids.last()) else {
        return Ok((Vec::new(), matched.highest_modseq));
    };
    let (account_text, mailbox_text) = (account.to_string(), mailbox.to_string());
    let mut tx = driver.begin_read().await?;
    let mut inputs = Vec::with_capacity(matched.uids.len());
    let mut floor = i64::from(first.get());
    loop {
        let rows = D::fetch_all(
            &mut tx,
            SORT_PAGE,
            &[
                Arg::Text(&account_text),
                Arg::Text(&mailbox_text),
                Arg::Int(floor),
                Arg::Int(i64::from(last.get())),
                Arg::Int(i64::from(reads_header)),
                Arg::Int(PAGE),
            ],
        )
        .await?;
        let mut last_read = None;
        for row in &rows {
            let uid = Uid::new(row.u32(0)?).ok_or_else(|| StoreError::Corrupt("uid 0".into()))?;
            last_read = Some(uid);
            if matched.uids.binary_search(&uid).is_err() {
                continue;
            }
            inputs.push(SortInput {
                uid,
                size: row.u64(1)?,
                internal_date: row.int(2)?,
                header_text: row.text(3)?,
            });
        }
        match last_read {
            Some(uid) if rows.len() as i64 == PAGE => floor = i64::from(uid.get()) + 1,
            _ => break,
        }
    }
    D::commit(tx).await?;
    Ok((inputs, matched.highest_modseq))
}
