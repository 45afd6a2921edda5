//! SEARCH by every key kind of the contract.

use mailkeep_common::mail::{
    Flags, MessageAnalysis, NewMessageMeta, SearchFlag, SearchQuery, StoreOperation, SystemFlags,
};
use mailkeep_common::{ModSeq, Uid};

use crate::support::{Store, account, blob, mailbox, set, uids};

const DAY: i64 = 86_400;
/// 2024-06-01 00:00 UTC.
const JUNE_1: i64 = 19_875 * DAY;

fn mail(
    size: u64,
    internal_date: i64,
    offset_minutes: i32,
    sent: Option<i64>,
    headers: &str,
    body: &str,
    flags: Flags,
) -> NewMessageMeta {
    NewMessageMeta {
        blob_id: blob(size as u8),
        size,
        prefix: Vec::new(),
        internal_date,
        internal_date_offset: offset_minutes,
        flags,
        analysis: MessageAnalysis {
            header_text: headers.into(),
            body_text: body.into(),
            sent_date: sent,
            ..MessageAnalysis::default()
        },
    }
}

async fn search_by_every_key_kind(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let messages = vec![
        // uid 1: June 1 noon UTC, seen, small, from Alice.
        mail(
            100,
            JUNE_1 + 12 * 3600,
            0,
            Some(JUNE_1 - DAY),
            "from: Alice Ärger <alice@example.test>\nsubject: Quarterly Report\nto: bob@example.test\n",
            "Numbers are UP this quarter",
            Flags {
                system: SystemFlags(SystemFlags::SEEN),
                keywords: vec!["$Work".into()],
            },
        ),
        // uid 2: June 1 23:30 UTC written at +02:00, so June 2 locally.
        mail(
            5_000,
            JUNE_1 + 23 * 3600 + 1800,
            120,
            Some(JUNE_1 + DAY),
            "from: Bob <bob@example.test>\nsubject: Grüße\ncc: carol@example.test\nx-priority: 1\n",
            "Schöne Grüße aus Köln",
            Flags {
                system: SystemFlags(SystemFlags::FLAGGED),
                keywords: Vec::new(),
            },
        ),
        // uid 3: June 3, no Date: header, deleted.
        mail(
            20_000,
            JUNE_1 + 2 * DAY + 60,
            0,
            None,
            "from: carol@example.test\nsubject: lunch?\nbcc: dave@example.test\n",
            "",
            Flags {
                system: SystemFlags(SystemFlags::DELETED),
                keywords: Vec::new(),
            },
        ),
    ];
    store.append(id, inbox, messages).await.unwrap();
    let touched = store
        .store_flags(
            id,
            inbox,
            &set(&[(3, 3)]),
            StoreOperation::Add,
            &Flags {
                system: SystemFlags(SystemFlags::ANSWERED),
                keywords: Vec::new(),
            },
            None,
        )
        .await
        .unwrap();

    let header = |field: &str, value: &str| SearchQuery::Header {
        field: field.into(),
        value: value.into(),
    };
    let system = SearchFlag::System;
    let cases: Vec<(SearchQuery, &[u32])> = vec![
        (SearchQuery::All, &[1, 2, 3]),
        (SearchQuery::Uid(set(&[(2, 9)])), &[2, 3]),
        (SearchQuery::Uid(set(&[])), &[]),
        (SearchQuery::FlagSet(system(SystemFlags::SEEN)), &[1]),
        (SearchQuery::FlagUnset(system(SystemFlags::SEEN)), &[2, 3]),
        (
            SearchQuery::FlagSet(SearchFlag::Keyword("$Work".into())),
            &[1],
        ),
        (
            SearchQuery::FlagUnset(SearchFlag::Keyword("$Work".into())),
            &[2, 3],
        ),
        (
            SearchQuery::FlagSet(SearchFlag::Keyword("$Unknown".into())),
            &[],
        ),
        (SearchQuery::InternalOn(JUNE_1), &[1]),
        (SearchQuery::InternalOn(JUNE_1 + DAY), &[2]),
        (SearchQuery::InternalBefore(JUNE_1 + DAY), &[1]),
        (SearchQuery::InternalSince(JUNE_1 + DAY), &[2, 3]),
        // WITHIN (RFC 5032): exact instants; uid 2 arrived at June 1 23:30 UTC.
        (
            SearchQuery::InternalBeforeInstant(JUNE_1 + 23 * 3600 + 1800),
            &[1],
        ),
        (
            SearchQuery::InternalSinceInstant(JUNE_1 + 23 * 3600 + 1800),
            &[2, 3],
        ),
        (SearchQuery::SentBefore(JUNE_1), &[1]),
        (SearchQuery::SentOn(JUNE_1 + DAY), &[2]),
        (SearchQuery::SentSince(JUNE_1 - DAY), &[1, 2]),
        (SearchQuery::Larger(100), &[2, 3]),
        (SearchQuery::Smaller(5_000), &[1]),
        (header("from", "ALICE"), &[1]),
        (header("from", "ärger"), &[1]),
        (header("to", "bob"), &[1]),
        (header("cc", "carol"), &[2]),
        (header("bcc", "dave"), &[3]),
        (header("subject", "grüße"), &[2]),
        (header("x-priority", ""), &[2]),
        (header("subject", ""), &[1, 2, 3]),
        (SearchQuery::Body("köln".into()), &[2]),
        (SearchQuery::Body("bob".into()), &[]),
        (SearchQuery::Text("bob".into()), &[1, 2]),
        (SearchQuery::Text("quarter".into()), &[1]),
        (SearchQuery::ModSeqAtLeast(touched.highest_modseq), &[3]),
        (SearchQuery::ModSeqAtLeast(ModSeq::new(0)), &[1, 2, 3]),
        (SearchQuery::Not(Box::new(SearchQuery::Larger(100))), &[1]),
        (
            SearchQuery::Or(vec![SearchQuery::Smaller(101), header("cc", "carol")]),
            &[1, 2],
        ),
        (
            SearchQuery::And(vec![
                SearchQuery::FlagSet(system(SystemFlags::DELETED)),
                SearchQuery::FlagSet(system(SystemFlags::ANSWERED)),
                SearchQuery::Larger(10_000),
            ]),
            &[3],
        ),
        (
            SearchQuery::And(vec![
                SearchQuery::Uid(set(&[(1, 2)])),
                SearchQuery::Text("grüße".into()),
            ]),
            &[2],
        ),
    ];
    for (query, expected) in cases {
        let outcome = store.search(id, inbox, &query).await.unwrap();
        let expected: Vec<Uid> = uids(expected);
        assert_eq!(outcome.uids, expected, "{query:?}");
        assert_eq!(outcome.highest_modseq, touched.highest_modseq);
    }
}

crate::conformance!(search_by_every_key_kind);
