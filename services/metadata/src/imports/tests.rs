use super::*;

fn job() -> NewImportJob {
    NewImportJob {
        id: new_job_id(),
        domain: "example.com".into(),
        local_part: "alice".into(),
        source: ImportSource {
            host: "imap.example.org".into(),
            port: 993,
            tls: "starttls".into(),
            username: "Alice@Example.org".into(),
            accept_invalid_certs: false,
        },
        password: SealedSecret::from_stored(vec![1; 40]),
        rules: vec![FolderRule {
            source: "Old".into(),
            target: String::new(),
        }],
        since: 100,
        before: 200,
        max_messages_per_second: 0,
    }
}

#[test]
fn a_valid_job_passes_and_its_source_key_ignores_case() {
    let job = job();
    check_new_job(&job).unwrap();
    assert_eq!(job.source.key(), "imap.example.org:993/alice@example.org");
    assert_eq!(new_job_id().len(), 32);
    assert_ne!(new_job_id(), new_job_id());
}

#[test]
fn each_rule_of_a_new_job_is_enforced() {
    let spoilers: [fn(&mut NewImportJob); 9] = [
        |job| job.source.host = String::new(),
        |job| job.source.host = "a b".into(),
        |job| job.source.username = "a\u{0}".into(),
        |job| job.source.tls = "TLS".into(),
        |job| job.before = 100,
        |job| job.max_messages_per_second = MAX_MESSAGES_PER_SECOND + 1,
        |job| job.rules.push(job.rules[0].clone()),
        |job| job.rules[0].target = "t".repeat(MAX_FOLDER_BYTES + 1),
        |job| job.id = String::new(),
    ];
    for spoil in spoilers {
        let mut job = job();
        spoil(&mut job);
        assert!(matches!(
            check_new_job(&job),
            Err(StoreError::InvalidArgument(_))
        ));
    }
}

#[test]
fn leases_default_and_are_bounded() {
    assert_eq!(lease_seconds(0).unwrap(), DEFAULT_LEASE_SECONDS);
    assert_eq!(lease_seconds(5).unwrap(), 5);
    assert!(lease_seconds(MAX_LEASE_SECONDS + 1).is_err());
}

#[test]
fn reports_are_bounded() {
    let report = ImportReport {
        job_id: "j".into(),
        worker_id: "w".into(),
        ..ImportReport::default()
    };
    check_report(&report).unwrap();
    let mut no_worker = report.clone();
    no_worker.worker_id.clear();
    assert!(check_report(&no_worker).is_err());
    let mut too_many = report.clone();
    too_many.folders = vec![FolderProgress::default(); MAX_REPORTED_FOLDERS + 1];
    assert!(check_report(&too_many).is_err());
    let mut unnamed = report;
    unnamed.folders = vec![FolderProgress::default()];
    assert!(check_report(&unnamed).is_err());
}

#[test]
fn errors_keep_the_last_fifty_cut_on_a_character_boundary() {
    let long = "é".repeat(400);
    assert_eq!(truncate_error(&long).len(), MAX_ERROR_BYTES);
    assert_eq!(
        truncate_error(&format!("x{long}")).len(),
        MAX_ERROR_BYTES - 1
    );
    assert_eq!(truncate_error("short"), "short");
    let errors: Vec<String> = (0..60).map(|n| n.to_string()).collect();
    let kept = kept_errors(&errors);
    assert_eq!(
        (kept.len(), kept[0], kept[49]),
        (MAX_JOB_ERRORS, "10", "59")
    );
}
