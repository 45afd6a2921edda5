//! SEARCH through the text index (issue 3, migration `0005_fts.sql`): a
//! substring key of three or more characters is answered through the
//! store's text index (pg_trgm / FTS5 trigram) with IMAP semantics
//! (case-insensitive substrings of decoded text), the same answer as the
//! scan, scoped to the account and mailbox, and the index follows appends,
//! moves and expunges.

use mailkeep_common::mail::SearchQuery;
use mailkeep_common::{AccountId, MailboxId, Uid};

use crate::support::{Store, account, delete_and_expunge, mailbox, message, set, uids};

fn mail(size: u64, headers: &str, body: &str) -> mailkeep_common::mail::NewMessageMeta {
    let mut new = message(size);
    new.analysis.header_text = headers.into();
    new.analysis.body_text = body.into();
    new
}

/// The UIDs `query` finds, asserting that the scan (the same query under a
/// one-armed OR, which the index never serves) agrees.
async fn found(
    store: &Store,
    account: AccountId,
    mailbox: MailboxId,
    query: SearchQuery,
) -> Vec<Uid> {
    let indexed = store.search(account, mailbox, &query).await.unwrap();
    let scanned = SearchQuery::Or(vec![query.clone()]);
    let scanned = store.search(account, mailbox, &scanned).await.unwrap();
    assert_eq!(
        indexed.uids, scanned.uids,
        "index and scan differ for {query:?}"
    );
    indexed.uids
}

async fn text_index_answers_like_the_scan(store: Store) {
    let owner = account(&store).await.id;
    let inbox = mailbox(&store, owner, "INBOX").await;
    let archive = store
        .create_mailbox(owner, "Projects", None)
        .await
        .unwrap()
        .id;
    let stranger = account(&store).await.id;
    let stranger_inbox = mailbox(&store, stranger, "INBOX").await;
    store
        .append(
            owner,
            inbox,
            vec![
                mail(10, "subject: Quarterly plans\n", "The REPORT is attached."),
                mail(11, "subject: hi\n", "Schöne GRÜSSE aus Köln"),
                mail(12, "subject: sale\n", "discount 50%_off today"),
                mail(13, "from: carol@example.test\n", "nothing here"),
            ],
        )
        .await
        .unwrap();
    let quarterly = mail(14, "subject: quarterly\n", "quarterly report");
    store
        .append(owner, archive, vec![quarterly.clone()])
        .await
        .unwrap();
    store
        .append(stranger, stranger_inbox, vec![quarterly])
        .await
        .unwrap();

    let text = |needle: &str| SearchQuery::Text(needle.into());
    let body = |needle: &str| SearchQuery::Body(needle.into());
    let cases: Vec<(SearchQuery, &[u32])> = vec![
        (text("quarterly"), &[1]),
        (body("quarterly"), &[]),
        (body("report"), &[1]),
        (body("grüsse"), &[2]),
        (body("KÖLN"), &[2]),
        (body("50%_"), &[3]),
        (body("0%"), &[3]),
        (body("%"), &[3]),
        (text("example.test"), &[4]),
        (
            SearchQuery::Header {
                field: "subject".into(),
                value: "plans".into(),
            },
            &[1],
        ),
        (
            SearchQuery::Header {
                field: "from".into(),
                value: "plans".into(),
            },
            &[],
        ),
        (
            SearchQuery::And(vec![body("today"), SearchQuery::Uid(set(&[(1, 2)]))]),
            &[],
        ),
        (SearchQuery::And(vec![text("sale"), body("discount")]), &[3]),
        (text("absent words"), &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            found(&store, owner, inbox, query.clone()).await,
            uids(expected),
            "{query:?}"
        );
    }
    assert_eq!(
        found(&store, owner, archive, body("quarterly")).await,
        uids(&[1])
    );

    // The index follows moves and expunges.
    store
        .move_messages(owner, inbox, &set(&[(1, 1)]), archive)
        .await
        .unwrap();
    assert!(found(&store, owner, inbox, body("report")).await.is_empty());
    assert_eq!(
        found(&store, owner, archive, body("report")).await,
        uids(&[1, 2])
    );
    delete_and_expunge(&store, owner, inbox, &set(&[(2, 2)])).await;
    assert!(found(&store, owner, inbox, body("köln")).await.is_empty());
}

crate::conformance!(text_index_answers_like_the_scan);
