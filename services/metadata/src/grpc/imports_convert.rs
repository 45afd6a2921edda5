//! Conversions between the wire types of `imports.proto` and the import
//! model: a create request becomes a [`NewImportJob`] with its password
//! checked and sealed; a job goes back without its password or account id
//! (the claim adds those for its worker).

use mailkeep_proto::metadata::v1 as pb;

use crate::error::StoreError;
use crate::imports::{
    FolderProgress, FolderRule, ImportCounters, ImportJob, ImportReport, ImportSource,
    MAX_SOURCE_PASSWORD_BYTES, NewImportJob,
};
use crate::sealed::SecretsKey;

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::InvalidArgument(message.into())
}

/// The job to store: `id` is new, the password sealed for it under `key`.
pub fn new_job(
    request: pb::CreateImportJobRequest,
    id: String,
    key: &SecretsKey,
) -> Result<NewImportJob, StoreError> {
    let source = request
        .source
        .ok_or_else(|| invalid("source is required"))?;
    if source.password.is_empty() {
        return Err(invalid("source password is required"));
    }
    if source.password.len() > MAX_SOURCE_PASSWORD_BYTES {
        return Err(invalid(format!(
            "source password is longer than {MAX_SOURCE_PASSWORD_BYTES} bytes"
        )));
    }
    let port = u16::try_from(source.port)
        .ok()
        .filter(|port| *port > 0)
        .ok_or_else(|| invalid("source port must be 1 to 65535"))?;
    let password = key
        .seal(source.password.as_bytes(), id.as_bytes())
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
    Ok(NewImportJob {
        id,
        domain: request.domain,
        local_part: request.local_part,
        source: ImportSource {
            host: source.host,
            port,
            tls: source.tls,
            username: source.username,
            accept_invalid_certs: source.accept_invalid_certs,
        },
        password,
        rules: request
            .folders
            .into_iter()
            .map(|rule| FolderRule {
                source: rule.source,
                target: rule.target,
            })
            .collect(),
        since: request.since,
        before: request.before,
        max_messages_per_second: request.max_messages_per_second,
    })
}

fn folder_to_wire(folder: FolderProgress) -> pb::FolderProgress {
    pb::FolderProgress {
        source: folder.source,
        target: folder.target,
        uidvalidity: folder.uidvalidity,
        last_uid: folder.last_uid,
        messages_total: folder.messages_total,
        messages_done: folder.messages_done,
        done: folder.done,
    }
}

fn folder_from_wire(folder: pb::FolderProgress) -> FolderProgress {
    FolderProgress {
        source: folder.source,
        target: folder.target,
        uidvalidity: folder.uidvalidity,
        last_uid: folder.last_uid,
        messages_total: folder.messages_total,
        messages_done: folder.messages_done,
        done: folder.done,
    }
}

/// A job for the admin side: no password, no account id.
pub fn job_to_wire(job: ImportJob) -> pb::ImportJob {
    let counters = job.counters;
    pb::ImportJob {
        id: job.id,
        domain: job.domain,
        local_part: job.local_part,
        state: job.state,
        source: Some(pb::ImportSource {
            host: job.source.host,
            port: u32::from(job.source.port),
            tls: job.source.tls,
            username: job.source.username,
            password: String::new(),
            accept_invalid_certs: job.source.accept_invalid_certs,
        }),
        rules: job
            .rules
            .into_iter()
            .map(|rule| pb::FolderRule {
                source: rule.source,
                target: rule.target,
            })
            .collect(),
        since: job.since,
        before: job.before,
        max_messages_per_second: job.max_messages_per_second,
        folders: job.folders.into_iter().map(folder_to_wire).collect(),
        messages_total: counters.messages_total,
        messages_imported: counters.messages_imported,
        messages_skipped: counters.messages_skipped,
        messages_failed: counters.messages_failed,
        bytes_imported: counters.bytes_imported,
        errors: job.errors,
        error: job.error,
        created_at: job.created_at,
        started_at: job.started_at,
        updated_at: job.updated_at,
        finished_at: job.finished_at,
        attempts: job.attempts,
        account_id: String::new(),
    }
}

pub fn report_from_wire(report: pb::ReportImportProgressRequest) -> ImportReport {
    let counters = report.counters.unwrap_or_default();
    ImportReport {
        job_id: report.job_id,
        worker_id: report.worker_id,
        lease_seconds: report.lease_seconds,
        counters: ImportCounters {
            messages_total: counters.messages_total,
            messages_imported: counters.messages_imported,
            messages_skipped: counters.messages_skipped,
            messages_failed: counters.messages_failed,
            bytes_imported: counters.bytes_imported,
        },
        folders: report.folders.into_iter().map(folder_from_wire).collect(),
        new_errors: report.new_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(password: &str, port: u32) -> pb::CreateImportJobRequest {
        pb::CreateImportJobRequest {
            domain: "example.com".into(),
            local_part: "alice".into(),
            source: Some(pb::ImportSource {
                host: "imap.example.org".into(),
                port,
                tls: "tls".into(),
                username: "alice".into(),
                password: password.into(),
                accept_invalid_certs: false,
            }),
            folders: vec![pb::FolderRule {
                source: "Sent Items".into(),
                target: "Sent".into(),
            }],
            ..pb::CreateImportJobRequest::default()
        }
    }

    fn key() -> SecretsKey {
        SecretsKey::from_base64(&SecretsKey::generate_base64()).unwrap()
    }

    #[test]
    fn a_new_job_carries_the_password_sealed_for_its_id() {
        let key = key();
        let job = new_job(request("hunter2", 993), "job-1".into(), &key).unwrap();
        assert_eq!(key.open(&job.password, b"job-1").unwrap(), b"hunter2");
        assert_eq!(job.source.port, 993);
        assert_eq!(job.rules[0].target, "Sent");
        assert!(!format!("{job:?}").contains("hunter2"));
    }

    #[test]
    fn passwords_and_ports_are_bounded() {
        let key = key();
        for (password, port) in [
            ("", 993),
            (&*"x".repeat(1025), 993),
            ("pw", 0),
            ("pw", 70000),
        ] {
            let error = new_job(request(password, port), "j".into(), &key).unwrap_err();
            assert!(matches!(error, StoreError::InvalidArgument(_)), "{error}");
        }
        let mut no_source = request("pw", 993);
        no_source.source = None;
        assert!(new_job(no_source, "j".into(), &key).is_err());
    }

    #[test]
    fn reports_keep_their_folders_and_counters() {
        let report = report_from_wire(pb::ReportImportProgressRequest {
            job_id: "j".into(),
            worker_id: "w".into(),
            lease_seconds: 30,
            counters: Some(pb::ImportCounters {
                messages_imported: 3,
                ..pb::ImportCounters::default()
            }),
            folders: vec![pb::FolderProgress {
                source: "INBOX".into(),
                uidvalidity: 7,
                last_uid: 42,
                ..pb::FolderProgress::default()
            }],
            new_errors: vec!["boom".into()],
        });
        assert_eq!(report.counters.messages_imported, 3);
        assert_eq!(
            (report.folders[0].uidvalidity, report.folders[0].last_uid),
            (7, 42)
        );
        assert_eq!(report.new_errors, ["boom"]);
    }
}
