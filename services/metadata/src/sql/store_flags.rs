//! STORE (RFC 9051 §6.4.6) with CONDSTORE UNCHANGEDSINCE (RFC 7162 §3.1.3).
//! Messages whose flags really change take one new MODSEQ of the mailbox in
//! the transaction of the change; a store that changes nothing takes none.
//! Messages modified after UNCHANGEDSINCE are left alone and reported.

use mailkeep_common::mail::{FlagUpdate, Flags, StoreOperation, StoreOutcome};
use mailkeep_common::{AccountId, MailboxId, ModSeq, Uid, UidSet};

use super::driver::{Arg, Driver};
use super::rows::{
    flags_from_ids, ids_of, keyword_names, lock_mailbox, next_modseq, resolve_keywords, to_i64,
};
use crate::error::StoreError;
use crate::flags::{self, KeywordIds, check_system, decode_ids, encode_ids};

struct Current {
    uid: Uid,
    modseq: ModSeq,
    system: u32,
    keywords: KeywordIds,
}

pub async fn store_flags<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    uids: &UidSet,
    operation: StoreOperation,
    given: &Flags,
    unchanged_since: Option<ModSeq>,
) -> Result<StoreOutcome, StoreError> {
    let given_system = check_system(given.system.0)?;
    let mut tx = driver.begin_write().await?;
    // Keywords first (lock order); removing never creates one.
    let create = operation != StoreOperation::Remove;
    let known = resolve_keywords::<D>(&mut tx, account, &given.keywords, create).await?;
    let given_keywords = ids_of(&given.keywords, &known);
    let row = lock_mailbox::<D>(&mut tx, account, mailbox).await?;
    let names = keyword_names::<D>(&mut tx, account).await?;
    let (account_text, mailbox_text) = (account.to_string(), mailbox.to_string());

    let mut current = Vec::new();
    for &(first, last) in uids.ranges() {
        let rows = D::fetch_all(
            &mut tx,
            "SELECT uid, modseq, system_flags, keyword_ids FROM messages \
             WHERE account_id = $1 AND mailbox_id = $2 AND uid BETWEEN $3 AND $4 ORDER BY uid",
            &[
                Arg::Text(&account_text),
                Arg::Text(&mailbox_text),
                Arg::Int(i64::from(first)),
                Arg::Int(i64::from(last)),
            ],
        )
        .await?;
        for row in &rows {
            current.push(Current {
                uid: Uid::new(row.u32(0)?).ok_or_else(|| StoreError::Corrupt("uid 0".into()))?,
                modseq: ModSeq::new(row.u64(1)?),
                system: row.u32(2)?,
                keywords: decode_ids(&row.text(3)?)?,
            });
        }
    }

    let mut modified = UidSet::new();
    let mut kept = Vec::new();
    let mut changed = Vec::new();
    for message in current {
        if unchanged_since.is_some_and(|limit| message.modseq > limit) {
            modified.insert(message.uid);
            continue;
        }
        let after = flags::apply(
            operation,
            (message.system, &message.keywords),
            (given_system, &given_keywords),
        );
        if after == (message.system, message.keywords.clone()) {
            kept.push(message);
        } else {
            changed.push((message.uid, after));
        }
    }

    let mut highest_modseq = row.info.highest_modseq;
    let mut updated: Vec<FlagUpdate> = kept
        .iter()
        .map(|message| FlagUpdate {
            uid: message.uid,
            modseq: message.modseq,
            flags: flags_from_ids(message.system, &message.keywords, &names),
        })
        .collect();
    if !changed.is_empty() {
        highest_modseq = next_modseq::<D>(&mut tx, account, mailbox).await?;
        let modseq = to_i64(highest_modseq.get(), "modseq")?;
        for (uid, (system, keywords)) in &changed {
            let encoded = encode_ids(keywords);
            D::execute(
                &mut tx,
                "UPDATE messages SET system_flags = $4, keyword_ids = $5, modseq = $6 \
                 WHERE account_id = $1 AND mailbox_id = $2 AND uid = $3",
                &[
                    Arg::Text(&account_text),
                    Arg::Text(&mailbox_text),
                    Arg::Int(i64::from(uid.get())),
                    Arg::Int(i64::from(*system)),
                    Arg::Text(&encoded),
                    Arg::Int(modseq),
                ],
            )
            .await?;
            updated.push(FlagUpdate {
                uid: *uid,
                modseq: highest_modseq,
                flags: flags_from_ids(*system, keywords, &names),
            });
        }
    }
    D::commit(tx).await?;
    updated.sort_by_key(|update| update.uid);
    Ok(StoreOutcome {
        updated,
        modified,
        highest_modseq,
    })
}
