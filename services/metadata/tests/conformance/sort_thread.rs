//! SORT and THREAD (RFC 5256, RFC 5957) through the store: keys read from
//! the stored header text, the search program narrowing the messages,
//! reading in pages, expunged messages left out and account scoping.

use mailkeep_common::ErrorCode;
use mailkeep_common::mail::{
    Flags, MessageAnalysis, NewMessageMeta, SearchQuery, SortCriterion, SortKey, ThreadAlgorithm,
    ThreadNode,
};

use crate::support::{Store, account, blob, code, delete_and_expunge, mailbox, set, uids};

/// 2024-06-03 00:00 UTC.
const JUNE_3: i64 = 1_717_372_800;

fn mail(size: u64, internal_date: i64, headers: &str) -> NewMessageMeta {
    NewMessageMeta {
        blob_id: blob(size as u8),
        size,
        prefix: Vec::new(),
        internal_date,
        internal_date_offset: 0,
        flags: Flags::default(),
        analysis: MessageAnalysis {
            header_text: headers.into(),
            ..MessageAnalysis::default()
        },
    }
}

fn by(key: SortKey, reverse: bool) -> SortCriterion {
    SortCriterion { key, reverse }
}

fn leaf(uid: u32) -> ThreadNode {
    ThreadNode {
        uid: uids(&[uid]).first().copied(),
        children: Vec::new(),
    }
}

fn node(uid: Option<u32>, children: Vec<ThreadNode>) -> ThreadNode {
    ThreadNode {
        uid: uid.and_then(|uid| uids(&[uid]).first().copied()),
        children,
    }
}

async fn sorts_and_threads_from_stored_headers(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let messages = vec![
        mail(
            300,
            JUNE_3 + 5,
            "message-id: <1@x>\nsubject: lunch\ndate: Mon, 3 Jun 2024 10:00:00 +0000\nfrom: Zed <z@x>\n",
        ),
        mail(
            100,
            JUNE_3 + 1,
            "message-id: <2@x>\nreferences: <1@x>\nsubject: Re: lunch\n\
             date: Mon, 3 Jun 2024 09:00:00 -0300\nfrom: amy <a@x>\n",
        ),
        mail(
            200,
            JUNE_3 + 1,
            "message-id: <3@x>\nin-reply-to: <1@x>\nsubject: Re: lunch\n\
             date: Mon, 3 Jun 2024 11:00:00 +0000\nfrom: Bob <y@x>\n",
        ),
        mail(
            400,
            JUNE_3 + 9,
            "message-id: <4@x>\nreferences: <1@x> <2@x>\nsubject: [list] Re: lunch\n\
             date: Mon, 3 Jun 2024 14:00:00 +0000\nfrom: <c@x>\n",
        ),
        // No Date header: sorted by its INTERNALDATE (08:00 UTC).
        mail(
            50,
            JUNE_3 + 8 * 3600,
            "message-id: <5@x>\nsubject: agenda\nfrom: Dan <d@x>\n",
        ),
    ];
    store.append(id, inbox, messages).await.unwrap();

    let all = SearchQuery::All;
    let cases: Vec<(Vec<SortCriterion>, &[u32])> = vec![
        (vec![by(SortKey::Date, false)], &[5, 1, 3, 2, 4]),
        (vec![by(SortKey::Arrival, true)], &[5, 4, 1, 2, 3]),
        (vec![by(SortKey::Size, false)], &[5, 2, 3, 1, 4]),
        (
            vec![by(SortKey::Subject, false), by(SortKey::Date, true)],
            &[5, 4, 2, 3, 1],
        ),
        (vec![by(SortKey::From, false)], &[2, 4, 5, 3, 1]),
        (vec![by(SortKey::DisplayFrom, false)], &[2, 3, 4, 5, 1]),
        (vec![by(SortKey::To, false)], &[1, 2, 3, 4, 5]),
    ];
    for (criteria, expected) in cases {
        let outcome = store.sort(id, inbox, &all, &criteria).await.unwrap();
        assert_eq!(outcome.uids, uids(expected), "{criteria:?}");
    }
    let narrowed = SearchQuery::And(vec![
        SearchQuery::Uid(set(&[(2, 4)])),
        SearchQuery::Larger(150),
    ]);
    let outcome = store
        .sort(id, inbox, &narrowed, &[by(SortKey::Date, true)])
        .await
        .unwrap();
    assert_eq!(outcome.uids, uids(&[4, 3]));

    let threads = store
        .thread(id, inbox, &all, ThreadAlgorithm::References)
        .await
        .unwrap();
    let lunch = node(Some(1), vec![leaf(3), node(Some(2), vec![leaf(4)])]);
    assert_eq!(threads.threads, vec![leaf(5), lunch]);
    let ordered = store
        .thread(id, inbox, &all, ThreadAlgorithm::OrderedSubject)
        .await
        .unwrap();
    assert_eq!(
        ordered.threads,
        vec![leaf(5), node(Some(1), vec![leaf(3), leaf(2), leaf(4)])]
    );

    // Expunging <1@x> leaves a placeholder parent for 2 and 3.
    delete_and_expunge(&store, id, inbox, &set(&[(1, 1)])).await;
    let threads = store
        .thread(id, inbox, &all, ThreadAlgorithm::References)
        .await
        .unwrap();
    let orphans = node(None, vec![leaf(3), node(Some(2), vec![leaf(4)])]);
    assert_eq!(threads.threads, vec![leaf(5), orphans]);
    let outcome = store
        .sort(id, inbox, &all, &[by(SortKey::Date, false)])
        .await
        .unwrap();
    assert_eq!(outcome.uids, uids(&[5, 3, 2, 4]));
}

async fn sort_reads_every_page_and_stays_in_its_account(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    // More than one page of rows, sizes descending with the UID.
    let messages: Vec<NewMessageMeta> = (0..600u64)
        .map(|index| mail(10_000 - index, JUNE_3, "subject: bulk\n"))
        .collect();
    store.append(id, inbox, messages).await.unwrap();
    let outcome = store
        .sort(id, inbox, &SearchQuery::All, &[by(SortKey::Size, false)])
        .await
        .unwrap();
    let expected: Vec<u32> = (1..=600).rev().collect();
    assert_eq!(outcome.uids, uids(&expected));

    let other = account(&store).await.id;
    assert_eq!(
        code(
            store
                .sort(other, inbox, &SearchQuery::All, &[by(SortKey::Size, false)])
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            store
                .thread(other, inbox, &SearchQuery::All, ThreadAlgorithm::References)
                .await
        ),
        ErrorCode::NotFound
    );
}

crate::conformance!(
    sorts_and_threads_from_stored_headers,
    sort_reads_every_page_and_stays_in_its_account
);
