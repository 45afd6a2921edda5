//! Import jobs (issue 7): creation rules, account scoping, cancellation,
//! exclusive claims, lease expiry and resume from checkpoints, the holder
//! rule of reports, the password wiped when a job ends, checkpoints carried
//! over to the next job of a source, and deletion with the account.

use std::sync::Arc;
use std::time::Duration;

use mailkeep_common::ErrorCode;
use mailkeep_metadata::ImportStore;
use mailkeep_metadata::imports::{
    FolderProgress, FolderRule, ImportCounters, ImportJob, ImportReport, ImportSource,
    NewImportJob, new_job_id,
};
use mailkeep_metadata::model::{Account, NewAccount};
use mailkeep_metadata::sealed::SecretsKey;

use crate::support::{Store, account, code};

fn imports(store: &Store) -> Arc<dyn ImportStore> {
    Arc::clone(store)
        .imports()
        .expect("the SQL stores keep import jobs")
}

fn key() -> SecretsKey {
    SecretsKey::from_base64(&SecretsKey::generate_base64()).unwrap()
}

fn new_job(account: &Account, key: &SecretsKey, username: &str) -> NewImportJob {
    let id = new_job_id();
    NewImportJob {
        password: key.seal(b"source password", id.as_bytes()).unwrap(),
        id,
        domain: account.domain.clone(),
        local_part: account.local_part.clone(),
        source: ImportSource {
            host: "imap.example.org".into(),
            port: 993,
            tls: "tls".into(),
            username: username.into(),
            accept_invalid_certs: false,
        },
        rules: vec![FolderRule {
            source: "Sent Items".into(),
            target: "Sent".into(),
        }],
        since: 0,
        before: 0,
        max_messages_per_second: 0,
    }
}

/// Queues a job for `account` from the default source (user "alice").
async fn create_job(
    imports: &Arc<dyn ImportStore>,
    account: &Account,
    key: &SecretsKey,
) -> ImportJob {
    imports
        .create_import_job(new_job(account, key, "alice"))
        .await
        .unwrap()
}

/// Asserts that "alice" of `domain` can neither read `job_id` nor list any job.
async fn assert_no_job_visible(imports: &dyn ImportStore, domain: &str, job_id: &str) {
    assert_eq!(
        code(imports.get_import_job(domain, "alice", job_id).await),
        ErrorCode::NotFound
    );
    assert!(
        imports
            .list_import_jobs(domain, "alice")
            .await
            .unwrap()
            .is_empty()
    );
}

fn report(job: &ImportJob, worker: &str) -> ImportReport {
    ImportReport {
        job_id: job.id.clone(),
        worker_id: worker.into(),
        lease_seconds: 60,
        ..ImportReport::default()
    }
}

fn folder(source: &str, uidvalidity: u32, last_uid: u32) -> FolderProgress {
    FolderProgress {
        source: source.into(),
        target: source.into(),
        uidvalidity,
        last_uid,
        messages_total: 10,
        messages_done: 5,
        done: false,
    }
}

async fn jobs_are_created_read_listed_and_cancelled(store: Store) {
    let (imports, key) = (imports(&store), key());
    let alice = account(&store).await;
    let created = create_job(&imports, &alice, &key).await;
    assert_eq!(
        (created.state.as_str(), created.attempts, created.started_at),
        ("queued", 0, 0)
    );
    assert_eq!(created.account_id, alice.id);
    assert_eq!(created.max_messages_per_second, 100);
    assert_eq!(created.rules[0].target, "Sent");
    let sealed = created
        .password
        .clone()
        .expect("a queued job keeps its password");
    assert_eq!(
        key.open(&sealed, created.id.as_bytes()).unwrap(),
        b"source password"
    );
    // One active job per source; the source key ignores case.
    let again = imports
        .create_import_job(new_job(&alice, &key, "ALICE"))
        .await;
    assert_eq!(code(again), ErrorCode::AlreadyExists);
    let other = imports
        .create_import_job(new_job(&alice, &key, "alice2"))
        .await
        .unwrap();
    let listed = imports
        .list_import_jobs(&alice.domain, "alice")
        .await
        .unwrap();
    let ids: Vec<_> = listed.iter().map(|job| job.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&other.id.as_str()) && ids.contains(&created.id.as_str()));
    assert_eq!(listed[0].rules.len(), 1);
    let read = imports
        .get_import_job(&alice.domain, "alice", &created.id)
        .await
        .unwrap();
    assert_eq!(read, created);

    // Another account sees none of it.
    let bob = account(&store).await;
    assert_no_job_visible(imports.as_ref(), &bob.domain, &created.id).await;
    assert_eq!(
        code(
            imports
                .cancel_import_job(&bob.domain, "alice", &created.id)
                .await
        ),
        ErrorCode::NotFound
    );
    let mut unknown = new_job(&alice, &key, "alice");
    unknown.local_part = "nobody".into();
    assert_eq!(
        code(imports.create_import_job(unknown).await),
        ErrorCode::NotFound
    );

    let cancelled = imports
        .cancel_import_job(&alice.domain, "alice", &created.id)
        .await
        .unwrap();
    assert_eq!(cancelled.state, "cancelled");
    assert!(cancelled.password.is_none());
    assert!(cancelled.finished_at > 0);
    assert_eq!(
        code(
            imports
                .cancel_import_job(&alice.domain, "alice", &created.id)
                .await
        ),
        ErrorCode::Conflict
    );
    // The source is free again.
    create_job(&imports, &alice, &key).await;
}

async fn invalid_jobs_are_refused(store: Store) {
    let (imports, key) = (imports(&store), key());
    let alice = account(&store).await;
    let cases: [fn(&mut NewImportJob); 8] = [
        |job| job.source.tls = "ssl".into(),
        |job| job.source.port = 0,
        |job| job.source.host = "h".repeat(256),
        |job| job.source.username = "u".repeat(321),
        |job| (job.since, job.before) = (200, 100),
        |job| job.since = -1,
        |job| {
            job.rules = (0..501)
                .map(|n| FolderRule {
                    source: format!("f{n}"),
                    target: String::new(),
                })
                .collect()
        },
        |job| job.rules[0].source = "x".repeat(1025),
    ];
    for spoil in cases {
        let mut job = new_job(&alice, &key, "alice");
        spoil(&mut job);
        assert_eq!(
            code(imports.create_import_job(job).await),
            ErrorCode::InvalidArgument
        );
    }
}

async fn one_worker_claims_a_job_and_only_it_reports(store: Store) {
    let (imports, key) = (imports(&store), key());
    let alice = account(&store).await;
    let job = create_job(&imports, &alice, &key).await;
    let claims = (0..8).map(|worker| {
        let imports = Arc::clone(&imports);
        tokio::spawn(async move { imports.claim_import_job(&format!("w{worker}"), 60).await })
    });
    let mut winners = Vec::new();
    for claim in claims {
        if let Some(claimed) = claim.await.unwrap().unwrap() {
            winners.push(claimed);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one worker takes the job");
    let claimed = winners.pop().unwrap();
    assert_eq!(
        (claimed.id.as_str(), claimed.state.as_str()),
        (job.id.as_str(), "running")
    );
    assert_eq!(claimed.attempts, 1);
    assert!(claimed.started_at > 0 && claimed.password.is_some());
    assert!(
        imports
            .claim_import_job("late", 60)
            .await
            .unwrap()
            .is_none()
    );

    // Find the winner by its report being accepted.
    let mut holder = None;
    for worker in 0..8 {
        let worker = format!("w{worker}");
        match imports.report_import_progress(report(&job, &worker)).await {
            Ok(_) => holder = Some(worker),
            Err(error) => assert_eq!(error.code(), ErrorCode::Conflict),
        }
    }
    let holder = holder.expect("the claimer holds the job");
    let mut progress = report(&job, &holder);
    progress.counters = ImportCounters {
        messages_total: 10,
        messages_imported: 4,
        messages_skipped: 1,
        messages_failed: 1,
        bytes_imported: 4096,
    };
    progress.folders = vec![folder("INBOX", 7, 42)];
    progress.new_errors = (0..60)
        .map(|n| format!("error {n} {}", "é".repeat(300)))
        .collect();
    let reported = imports.report_import_progress(progress).await.unwrap();
    assert_eq!(reported.counters.messages_imported, 4);
    assert_eq!(reported.folders, vec![folder("INBOX", 7, 42)]);
    assert_eq!(reported.errors.len(), 50);
    assert!(reported.errors[0].starts_with("error 10 "));
    assert!(reported.errors.iter().all(|error| error.len() <= 500));
    let mut more = report(&job, &holder);
    more.new_errors = vec!["latest".into()];
    let reported = imports.report_import_progress(more).await.unwrap();
    assert_eq!(reported.errors.len(), 50);
    assert_eq!(reported.errors.last().map(String::as_str), Some("latest"));
    assert!(reported.errors[0].starts_with("error 11 "));
    // A report by no holder, or for an unknown job.
    let mut unknown = report(&job, &holder);
    unknown.job_id = new_job_id();
    assert_eq!(
        code(imports.report_import_progress(unknown).await),
        ErrorCode::NotFound
    );
}

async fn an_expired_lease_is_reclaimed_with_its_checkpoints(store: Store) {
    let (imports, key) = (imports(&store), key());
    let alice = account(&store).await;
    create_job(&imports, &alice, &key).await;
    let first = imports.claim_import_job("w1", 1).await.unwrap().unwrap();
    let mut progress = report(&first, "w1");
    progress.lease_seconds = 1;
    progress.folders = vec![folder("INBOX", 7, 42)];
    imports.report_import_progress(progress).await.unwrap();
    assert!(imports.claim_import_job("w2", 60).await.unwrap().is_none());
    // Leases are whole seconds: past `lease_until` within 2 s.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let resumed = imports.claim_import_job("w2", 60).await.unwrap().unwrap();
    assert_eq!(resumed.id, first.id);
    assert_eq!(resumed.attempts, 2);
    assert_eq!(resumed.started_at, first.started_at);
    assert_eq!(resumed.folders, vec![folder("INBOX", 7, 42)]);
    assert_eq!(
        code(imports.report_import_progress(report(&first, "w1")).await),
        ErrorCode::Conflict
    );

    let finished = imports
        .finish_import_job(report(&first, "w2"), "")
        .await
        .unwrap();
    assert_eq!(finished.state, "completed");
    assert!(finished.finished_at > 0 && finished.error.is_empty());
    // The secret is gone from the stored row.
    let stored = imports
        .get_import_job(&alice.domain, "alice", &first.id)
        .await
        .unwrap();
    assert!(stored.password.is_none());
    for late in [
        imports.report_import_progress(report(&first, "w2")).await,
        imports.finish_import_job(report(&first, "w2"), "").await,
    ] {
        assert_eq!(code(late), ErrorCode::Conflict);
    }
    assert!(imports.claim_import_job("w3", 60).await.unwrap().is_none());
}

async fn checkpoints_carry_over_to_the_next_job_of_a_source(store: Store) {
    let (imports, key) = (imports(&store), key());
    let alice = account(&store).await;
    create_job(&imports, &alice, &key).await;
    let first = imports.claim_import_job("w1", 60).await.unwrap().unwrap();
    let mut done = report(&first, "w1");
    // UIDVALIDITY 0: the folder was not opened yet, so no checkpoint.
    done.folders = vec![
        folder("INBOX", 7, 42),
        folder("Sent", 9, 3),
        folder("Junk", 0, 0),
    ];
    let failed = imports
        .finish_import_job(done, &"x".repeat(600))
        .await
        .unwrap();
    assert_eq!(failed.state, "failed");
    assert_eq!(failed.error.len(), 500);
    assert!(failed.password.is_none());

    let mut rerun = new_job(&alice, &key, "Alice");
    rerun.source.host = "IMAP.example.org".into();
    imports.create_import_job(rerun).await.unwrap();
    let second = imports.claim_import_job("w2", 60).await.unwrap().unwrap();
    assert_ne!(second.id, first.id);
    let positions: Vec<_> = second
        .folders
        .iter()
        .map(|f| {
            (
                f.source.as_str(),
                f.uidvalidity,
                f.last_uid,
                f.messages_done,
            )
        })
        .collect();
    assert_eq!(positions, [("INBOX", 7, 42, 0), ("Sent", 9, 3, 0)]);

    // Another source starts from nothing.
    imports
        .create_import_job(new_job(&alice, &key, "someone-else"))
        .await
        .unwrap();
    let third = imports.claim_import_job("w3", 60).await.unwrap().unwrap();
    assert!(third.folders.is_empty());
}

async fn a_job_cancelled_under_its_worker_says_so(store: Store) {
    let (imports, key) = (imports(&store), key());
    let alice = account(&store).await;
    let job = create_job(&imports, &alice, &key).await;
    imports.claim_import_job("w1", 60).await.unwrap().unwrap();
    imports
        .cancel_import_job(&alice.domain, "alice", &job.id)
        .await
        .unwrap();
    let mut progress = report(&job, "w1");
    progress.counters.messages_imported = 9;
    let answer = imports.report_import_progress(progress).await.unwrap();
    assert_eq!(answer.state, "cancelled");
    assert_eq!(answer.counters.messages_imported, 0, "nothing is written");
    let answer = imports
        .finish_import_job(report(&job, "w1"), "")
        .await
        .unwrap();
    assert_eq!(answer.state, "cancelled");
    assert_eq!(
        code(imports.report_import_progress(report(&job, "w2")).await),
        ErrorCode::Conflict
    );
}

async fn deleting_the_account_deletes_its_jobs_and_checkpoints(store: Store) {
    let (imports, key) = (imports(&store), key());
    let alice = account(&store).await;
    let job = create_job(&imports, &alice, &key).await;
    let claimed = imports.claim_import_job("w1", 60).await.unwrap().unwrap();
    let mut progress = report(&claimed, "w1");
    progress.folders = vec![folder("INBOX", 7, 42)];
    progress.new_errors = vec!["transient".into()];
    imports.report_import_progress(progress).await.unwrap();

    store.delete_account(&alice.domain, "alice").await.unwrap();
    assert_eq!(
        code(imports.report_import_progress(report(&job, "w1")).await),
        ErrorCode::NotFound
    );
    store
        .create_account(NewAccount::new(&alice.domain, "alice", "secret"))
        .await
        .unwrap();
    assert_no_job_visible(imports.as_ref(), &alice.domain, &job.id).await;
    create_job(&imports, &alice, &key).await;
    let fresh = imports.claim_import_job("w2", 60).await.unwrap().unwrap();
    assert!(fresh.folders.is_empty(), "the old checkpoints are gone");
    assert!(fresh.errors.is_empty());
}

crate::conformance!(
    jobs_are_created_read_listed_and_cancelled,
    invalid_jobs_are_refused,
    one_worker_claims_a_job_and_only_it_reports,
    an_expired_lease_is_reclaimed_with_its_checkpoints,
    checkpoints_carry_over_to_the_next_job_of_a_source,
    a_job_cancelled_under_its_worker_says_so,
    deleting_the_account_deletes_its_jobs_and_checkpoints,
);
