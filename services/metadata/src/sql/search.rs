//! SEARCH over one mailbox: the cheap bounds of the query (UID range, size,
//! required and forbidden system flags, MODSEQ) narrow the rows in SQL, and
//! so does the text index for a substring key (`text_index`); the compiled
//! [`Matcher`] decides every row in Rust. Rows are read in UID order, a page
//! at a time inside one snapshot, and the text columns only when the query
//! reads them. No blob is ever read.

use mailkeep_common::mail::{SearchOutcome, SearchQuery};
use mailkeep_common::{AccountId, MailboxId};

use super::driver::{Arg, Driver};
use super::rows::{keyword_ids, mailbox_by_id, to_i64};
use super::text_index::{IndexedNeedle, TextColumn, TextIndex};
use crate::error::StoreError;
use crate::flags::decode_ids;
use crate::search::{Matcher, Prefilter, SearchRow, collect_matches};

const PAGE: i64 = 512;

/// One page of search rows; `$filter` adds the text index condition on `$14`.
macro_rules! search_page {
    ($filter:literal) => {
        concat!(
            "SELECT uid, modseq, system_flags, keyword_ids, size, internal_date, \
             internal_date_offset, sent_date, \
             CASE WHEN $10 <> 0 THEN header_text ELSE '' END, \
             CASE WHEN $10 <> 0 THEN body_text ELSE '' END \
             FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid BETWEEN $3 AND $4 \
             AND size BETWEEN $5 AND $6 AND (system_flags & $7) = $7 AND (system_flags & $8) = 0 \
             AND modseq >= $9 AND internal_date BETWEEN $12 AND $13 ",
            $filter,
            " ORDER BY uid LIMIT $11"
        )
    };
}

const SEARCH_PAGE: &str = search_page!("");
const TRIGRAM_HEADER_PAGE: &str = search_page!("AND header_text ILIKE $14");
const TRIGRAM_BODY_PAGE: &str = search_page!("AND body_text ILIKE $14");
const TRIGRAM_EITHER_PAGE: &str =
    search_page!("AND (header_text ILIKE $14 OR body_text ILIKE $14)");
const FTS5_PAGE: &str =
    search_page!("AND rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH $14)");

/// The page query for a needle in `column` on `index`.
fn indexed_page(index: TextIndex, column: TextColumn) -> &'static str {
    match (index, column) {
        (TextIndex::TrigramIlike, TextColumn::Header) => TRIGRAM_HEADER_PAGE,
        (TextIndex::TrigramIlike, TextColumn::Body) => TRIGRAM_BODY_PAGE,
        (TextIndex::TrigramIlike, TextColumn::Either) => TRIGRAM_EITHER_PAGE,
        (TextIndex::Fts5Trigram, _) => FTS5_PAGE,
    }
}

pub async fn search<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    query: &SearchQuery,
) -> Result<SearchOutcome, StoreError> {
    let mut tx = driver.begin_read().await?;
    let row = mailbox_by_id::<D>(&mut tx, account, mailbox).await?;
    let keywords = keyword_ids::<D>(&mut tx, account).await?;
    let matcher = Matcher::compile(query, &keywords);
    let bounds = Prefilter::of(&matcher);
    let (sql, pattern) = match &IndexedNeedle::of(&matcher) {
        Some(needle) => (
            indexed_page(D::TEXT_INDEX, needle.column),
            Some(needle.pattern(D::TEXT_INDEX)),
        ),
        None => (SEARCH_PAGE, None),
    };
    let (account_text, mailbox_text) = (account.to_string(), mailbox.to_string());
    let size_max = i64::try_from(bounds.size_max).unwrap_or(i64::MAX);
    let size_min = i64::try_from(bounds.size_min).unwrap_or(i64::MAX);
    let modseq_min = to_i64(bounds.modseq_min, "modseq")?;
    let reads_text = i64::from(matcher.reads_text());
    let mut uids = Vec::new();
    let mut floor = i64::from(bounds.uid_min);
    while floor <= i64::from(bounds.uid_max) {
        let mut args = vec![
            Arg::Text(&account_text),
            Arg::Text(&mailbox_text),
            Arg::Int(floor),
            Arg::Int(i64::from(bounds.uid_max)),
            Arg::Int(size_min),
            Arg::Int(size_max),
            Arg::Int(i64::from(bounds.flags_set)),
            Arg::Int(i64::from(bounds.flags_clear)),
            Arg::Int(modseq_min),
            Arg::Int(reads_text),
            Arg::Int(PAGE),
            Arg::Int(bounds.internal_min),
            Arg::Int(bounds.internal_max),
        ];
        if let Some(pattern) = &pattern {
            args.push(Arg::Text(pattern));
        }
        let rows = D::fetch_all(&mut tx, sql, &args).await?;
        let page = rows
            .iter()
            .map(|row| {
                Ok(SearchRow {
                    uid: row.u32(0)?,
                    modseq: row.u64(1)?,
                    system: row.u32(2)?,
                    keywords: decode_ids(&row.text(3)?)?,
                    size: row.u64(4)?,
                    internal_date: row.int(5)?,
                    internal_date_offset: i32::try_from(row.int(6)?)
                        .map_err(|_| StoreError::Corrupt("internal date offset".into()))?,
                    sent_date: row.opt_int(7)?,
                    header_text: row.text(8)?,
                    body_text: row.text(9)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        collect_matches(&matcher, &page, &mut uids);
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => floor = i64::from(last.uid) + 1,
            _ => break,
        }
    }
    D::commit(tx).await?;
    Ok(SearchOutcome {
        uids,
        highest_modseq: row.info.highest_modseq,
    })
}
