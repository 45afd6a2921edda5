//! Quotas at the limit (the acceptance line of issue 5): eight tasks racing
//! APPENDs into one account or across the accounts of one tenant never push
//! usage past the quota; COPY and MOVE respect the tenant's cap; usage reads
//! and recalculation agree with the stored messages.

use std::sync::Arc;

use mailkeep_common::ErrorCode;
use mailkeep_common::mail::AppendOutcome;
use mailkeep_metadata::StoreError;
use mailkeep_metadata::admin::{TenantQuotas, TenantUpdate};
use mailkeep_metadata::model::NewAccount;

use tokio::task::JoinHandle;

use crate::admin_tenants::admin;
use crate::support::{Store, account_with_quota, code, mailbox, message, set, usage};

/// How many racers appended; every refusal must be `OverQuota`.
async fn accepted(racers: Vec<JoinHandle<Result<AppendOutcome, StoreError>>>) -> usize {
    let mut accepted = 0;
    for racer in racers {
        match racer.await.expect("racer") {
            Ok(_) => accepted += 1,
            Err(error) => assert_eq!(error.code(), ErrorCode::OverQuota),
        }
    }
    accepted
}

/// Eight racers, each appending one 30-byte message, into a 100-byte quota.
async fn racing_appends_stay_within_the_account_byte_quota(store: Store) {
    let owner = account_with_quota(&store, 100, 0).await;
    let (id, inbox) = (owner.id, mailbox(&store, owner.id, "INBOX").await);
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.append(id, inbox, vec![message(30)]).await })
        })
        .collect();
    let accepted = accepted(racers).await;
    assert_eq!(accepted, 3);
    assert_eq!(usage(&store, &owner).await, (90, 3));
    let summary = admin(&store)
        .account_usage(&owner.domain, &owner.local_part)
        .await
        .unwrap();
    assert_eq!((summary.used_bytes, summary.quota_bytes), (90, 100));
}

/// Eight racers on four accounts of a tenant capped at five messages.
async fn racing_appends_stay_within_the_tenant_quota(store: Store) {
    let admin = admin(&store);
    let quotas = TenantQuotas {
        quota_messages: 5,
        ..TenantQuotas::default()
    };
    admin
        .create_tenant_with_quotas("cap.example", quotas)
        .await
        .unwrap();
    let mut targets = Vec::new();
    for local_part in ["a", "b", "c", "d"] {
        let account = store
            .create_account(NewAccount::new("cap.example", local_part, "pw"))
            .await
            .unwrap();
        targets.push((account.id, mailbox(&store, account.id, "INBOX").await));
    }
    let racers: Vec<_> = (0..8)
        .map(|index| {
            let store = Arc::clone(&store);
            let (id, inbox) = targets[index % targets.len()];
            tokio::spawn(async move { store.append(id, inbox, vec![message(10)]).await })
        })
        .collect();
    let accepted = accepted(racers).await;
    assert_eq!(accepted, 5);
    let tenant = admin.tenant_usage("cap.example").await.unwrap();
    assert_eq!(
        (tenant.used_messages, tenant.quota_messages, tenant.accounts),
        (5, 5, 4)
    );

    // At the cap, COPY is refused and MOVE (no growth) is not. The racers
    // that lost are random, so take an inbox that holds something.
    let mut nonempty = None;
    for &(id, inbox) in &targets {
        if store.mailbox_status(id, "INBOX").await.unwrap().messages > 0 {
            nonempty = Some((id, inbox));
        }
    }
    let (id, inbox) = nonempty.expect("five messages landed somewhere");
    let trash = mailbox(&store, id, "Trash").await;
    let everything = set(&[(1, u32::MAX)]);
    assert_eq!(
        code(store.copy_messages(id, inbox, &everything, trash).await),
        ErrorCode::OverQuota
    );
    let moved = store
        .move_messages(id, inbox, &everything, trash)
        .await
        .unwrap();
    let moved = u64::try_from(moved.source_uids.len()).unwrap();
    assert!(moved > 0);

    // Raising the cap lets copies through again.
    let raise = TenantUpdate {
        quota_messages: Some(5 + moved),
        ..TenantUpdate::default()
    };
    admin.update_tenant("cap.example", raise).await.unwrap();
    store
        .copy_messages(id, trash, &everything, inbox)
        .await
        .unwrap();
    assert_eq!(
        admin
            .tenant_usage("cap.example")
            .await
            .unwrap()
            .used_messages,
        5 + moved
    );
}

async fn recalculation_matches_the_stored_messages(store: Store) {
    let admin = admin(&store);
    let owner = account_with_quota(&store, 0, 0).await;
    let inbox = mailbox(&store, owner.id, "INBOX").await;
    store
        .append(owner.id, inbox, vec![message(7), message(8)])
        .await
        .unwrap();
    let (before, after) = admin
        .recalculate_usage(&owner.domain, Some(&owner.local_part))
        .await
        .unwrap();
    assert_eq!((after.used_bytes, after.used_messages), (15, 2));
    assert_eq!(before, after);
    let (_, tenant) = admin.recalculate_usage(&owner.domain, None).await.unwrap();
    assert_eq!(
        (tenant.used_bytes, tenant.used_messages, tenant.accounts),
        (15, 2, 1)
    );
    assert_eq!(
        code(admin.recalculate_usage(&owner.domain, Some("ghost")).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(admin.recalculate_usage("ghost.example", None).await),
        ErrorCode::NotFound
    );
}

crate::conformance!(
    racing_appends_stay_within_the_account_byte_quota,
    racing_appends_stay_within_the_tenant_quota,
    recalculation_matches_the_stored_messages,
);
