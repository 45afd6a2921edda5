//! IMAP import jobs: the request that starts one and the job as the API
//! shows it. The source password is write-only: it is in the request (whose
//! `Debug` redacts it) and in no answer. Times are RFC 3339 in UTC here,
//! unix seconds in the metadata contract (0 there is null here).

use chrono::{DateTime, SecondsFormat};
use mailkeep_proto::metadata::v1 as pb;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// How the import connects to the source server.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Implicit TLS (IMAPS), default port 993.
    Tls,
    /// Plain connection upgraded with STARTTLS, default port 143.
    Starttls,
    /// No TLS at all (servers on a trusted network only), default port 143.
    Plain,
}

impl TlsMode {
    /// Every mode, in the order the API lists them.
    pub const ALL: [TlsMode; 3] = [TlsMode::Tls, TlsMode::Starttls, TlsMode::Plain];

    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Tls => "tls",
            TlsMode::Starttls => "starttls",
            TlsMode::Plain => "plain",
        }
    }

    /// The IMAP port a server usually listens on in this mode.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::Tls => 993,
            TlsMode::Starttls | TlsMode::Plain => 143,
        }
    }
}

/// `POST /v1/tenants/{domain}/accounts/{local_part}/imports`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateImportRequest {
    pub source: ImportSourceRequest,
    /// Explicit folder rules, at most 100. Source folders without a rule go
    /// to the folder with the same special use (`\Sent` to Sent, ...) or
    /// well-known name, else to a folder of the same name.
    #[serde(default)]
    pub folders: Vec<FolderRule>,
    /// Only messages whose internal date is at or after this time.
    #[serde(default)]
    #[schema(format = DateTime, example = "2020-01-01T00:00:00Z")]
    pub since: Option<String>,
    /// Only messages whose internal date is before this time; later than
    /// `since`.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub before: Option<String>,
    /// Pull at most this many messages a second, 1 to 1000 (default 100).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000)]
    pub max_messages_per_second: Option<u32>,
}

/// The source IMAP server and the login there. `Debug` redacts the password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportSourceRequest {
    /// Host name or IP address, at most 253 characters.
    #[schema(example = "imap.example.com")]
    pub host: String,
    /// 1 to 65535; absent means 993 for `tls`, 143 otherwise.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<u32>,
    /// `tls` (default), `starttls` or `plain`.
    #[serde(default)]
    #[schema(value_type = Option<TlsMode>)]
    pub tls: Option<String>,
    /// The login name on the source server, at most 256 bytes.
    pub username: String,
    /// The password or app password there, at most 1024 bytes. Kept
    /// encrypted only while the job runs; never shown again.
    #[schema(format = Password)]
    pub password: String,
    /// Accept any server certificate (test servers with a self-signed one).
    #[serde(default)]
    pub accept_invalid_certs: bool,
}

impl std::fmt::Debug for ImportSourceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSourceRequest")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .finish()
    }
}

/// One folder rule: where mail of a source folder goes.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FolderRule {
    /// Source folder name, UTF-8, `/` between hierarchy levels; at most
    /// 512 bytes.
    #[schema(example = "Sent Items")]
    pub source: String,
    /// Target folder (at most 512 bytes), or null to skip the source folder.
    /// Required, so that a forgotten target never skips mail silently.
    #[serde(deserialize_with = "nullable")]
    #[schema(required = true, example = "Sent")]
    pub target: Option<String>,
}

/// A field that must be present but may be null.
fn nullable<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(deserializer)
}

/// The source server of a job; it has no password field.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportSourceResponse {
    pub host: String,
    pub port: u32,
    #[schema(value_type = TlsMode)]
    pub tls: String,
    pub username: String,
    pub accept_invalid_certs: bool,
}

/// Progress of one source folder.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FolderProgress {
    pub source: String,
    /// The target folder, or null when the folder is skipped.
    pub target: Option<String>,
    /// Messages of this folder the job looks at (within the date filter).
    pub messages_total: u64,
    /// Of those, how many it has imported, skipped or failed.
    pub messages_done: u64,
    pub done: bool,
}

/// The counters of a job. Totals grow while the worker lists the source
/// folders.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportProgress {
    /// Source folders found so far.
    pub folders_total: u64,
    pub folders_done: u64,
    pub messages_total: u64,
    pub messages_imported: u64,
    /// Already in the target folder (same bytes) or outside the date filter.
    pub messages_skipped: u64,
    pub messages_failed: u64,
    pub bytes_imported: u64,
    /// Messages processed (imported + skipped + failed) divided by the
    /// seconds from `started_at` to the last progress report (`updated_at`);
    /// 0 before the first report.
    pub rate_messages_per_second: f64,
    /// The messages left (`messages_total` minus processed) divided by
    /// `rate_messages_per_second`, rounded up; null unless the job is
    /// `running` with a known rate.
    pub eta_seconds: Option<u64>,
    /// One entry per source folder found so far.
    pub folders: Vec<FolderProgress>,
}

/// An import job. It never contains the source password.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportJobResponse {
    /// 32 lower-case hex digits.
    pub id: String,
    /// The account the mail goes to, `local_part@domain`.
    pub login: String,
    /// `queued`, `running`, `completed`, `failed` or `cancelled`.
    #[schema(example = "running")]
    pub state: String,
    pub source: ImportSourceResponse,
    /// The folder rules of the request.
    pub folders: Vec<FolderRule>,
    #[schema(format = DateTime)]
    pub since: Option<String>,
    #[schema(format = DateTime)]
    pub before: Option<String>,
    pub max_messages_per_second: u32,
    #[schema(format = DateTime)]
    pub created_at: Option<String>,
    /// When a worker first picked the job up; null while queued.
    #[schema(format = DateTime)]
    pub started_at: Option<String>,
    /// The last change or progress report.
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
    /// When the job ended; null until then.
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
    /// How many times a worker picked the job up (2 after a resume).
    pub attempts: u32,
    pub progress: ImportProgress,
    /// The most recent non-fatal errors, oldest first (at most 50).
    pub errors: Vec<String>,
    /// The error that failed the job, or null.
    pub error: Option<String>,
}

/// An account's import jobs, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportJobList {
    pub items: Vec<ImportJobResponse>,
}

/// Unix seconds as RFC 3339 UTC; the contract's 0 ("not yet") is null.
pub fn rfc3339(unix_seconds: i64) -> Option<String> {
    if unix_seconds == 0 {
        return None;
    }
    DateTime::from_timestamp(unix_seconds, 0)
        .map(|time| time.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// Rate and ETA of a job, as [`ImportProgress`] documents them.
fn rate_and_eta(job: &pb::ImportJob) -> (f64, Option<u64>) {
    let processed = job
        .messages_imported
        .saturating_add(job.messages_skipped)
        .saturating_add(job.messages_failed);
    let elapsed = job.updated_at.saturating_sub(job.started_at);
    if job.started_at == 0 || elapsed <= 0 || processed == 0 {
        return (0.0, None);
    }
    let rate = processed as f64 / elapsed as f64;
    if job.state != "running" {
        return (rate, None);
    }
    let remaining = job.messages_total.saturating_sub(processed);
    let eta = (remaining as f64 / rate).ceil() as u64;
    (rate, Some(eta))
}

fn rule(rule: pb::FolderRule) -> FolderRule {
    FolderRule {
        source: rule.source,
        target: (!rule.target.is_empty()).then_some(rule.target),
    }
}

impl From<pb::ImportJob> for ImportJobResponse {
    fn from(job: pb::ImportJob) -> Self {
        let (rate_messages_per_second, eta_seconds) = rate_and_eta(&job);
        let source = job.source.clone().unwrap_or_default();
        let folders_done = job.folders.iter().filter(|folder| folder.done).count();
        let progress = ImportProgress {
            folders_total: job.folders.len() as u64,
            folders_done: folders_done as u64,
            messages_total: job.messages_total,
            messages_imported: job.messages_imported,
            messages_skipped: job.messages_skipped,
            messages_failed: job.messages_failed,
            bytes_imported: job.bytes_imported,
            rate_messages_per_second,
            eta_seconds,
            folders: job
                .folders
                .into_iter()
                .map(|folder| FolderProgress {
                    source: folder.source,
                    target: (!folder.target.is_empty()).then_some(folder.target),
                    messages_total: folder.messages_total,
                    messages_done: folder.messages_done,
                    done: folder.done,
                })
                .collect(),
        };
        Self {
            id: job.id,
            login: format!("{}@{}", job.local_part, job.domain),
            state: job.state,
            source: ImportSourceResponse {
                host: source.host,
                port: source.port,
                tls: source.tls,
                username: source.username,
                accept_invalid_certs: source.accept_invalid_certs,
            },
            folders: job.rules.into_iter().map(rule).collect(),
            since: rfc3339(job.since),
            before: rfc3339(job.before),
            max_messages_per_second: job.max_messages_per_second,
            created_at: rfc3339(job.created_at),
            started_at: rfc3339(job.started_at),
            updated_at: rfc3339(job.updated_at),
            finished_at: rfc3339(job.finished_at),
            attempts: job.attempts,
            progress,
            errors: job.errors,
            error: (!job.error.is_empty()).then_some(job.error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running_job() -> pb::ImportJob {
        pb::ImportJob {
            id: "j1".into(),
            domain: "ex.test".into(),
            local_part: "alice".into(),
            state: "running".into(),
            source: Some(pb::ImportSource {
                host: "imap.ex.test".into(),
                port: 993,
                tls: "tls".into(),
                username: "alice".into(),
                password: "hunter2hunter2".into(),
                accept_invalid_certs: false,
            }),
            rules: vec![
                pb::FolderRule {
                    source: "Sent Items".into(),
                    target: "Sent".into(),
                },
                pb::FolderRule {
                    source: "Spam".into(),
                    target: String::new(),
                },
            ],
            folders: vec![
                pb::FolderProgress {
                    source: "INBOX".into(),
                    target: "INBOX".into(),
                    messages_total: 80,
                    messages_done: 80,
                    done: true,
                    ..Default::default()
                },
                pb::FolderProgress {
                    source: "Sent Items".into(),
                    target: "Sent".into(),
                    messages_total: 120,
                    messages_done: 20,
                    ..Default::default()
                },
            ],
            messages_total: 200,
            messages_imported: 90,
            messages_skipped: 8,
            messages_failed: 2,
            created_at: 1_577_836_790,
            started_at: 1_577_836_800,
            updated_at: 1_577_836_850,
            since: 1_577_836_800,
            ..Default::default()
        }
    }

    #[test]
    fn a_job_shows_rate_eta_and_rules_without_the_password() {
        let job = ImportJobResponse::from(running_job());
        assert_eq!(job.login, "alice@ex.test");
        assert_eq!(job.since.as_deref(), Some("2020-01-01T00:00:00Z"));
        assert_eq!(job.before, None);
        assert_eq!(job.finished_at, None);
        assert_eq!(job.folders[1].target, None);
        assert_eq!(job.progress.folders_total, 2);
        assert_eq!(job.progress.folders_done, 1);
        assert!((job.progress.rate_messages_per_second - 2.0).abs() < f64::EPSILON);
        assert_eq!(job.progress.eta_seconds, Some(50));
        let json = serde_json::to_string(&job).unwrap();
        assert!(
            !json.contains("hunter2") && !json.contains("password"),
            "{json}"
        );
    }

    #[test]
    fn eta_is_unknown_before_a_report_and_after_the_end() {
        let mut queued = running_job();
        queued.state = "queued".into();
        queued.started_at = 0;
        assert_eq!(rate_and_eta(&queued), (0.0, None));
        let mut done = running_job();
        done.state = "completed".into();
        let (rate, eta) = rate_and_eta(&done);
        assert!(rate > 0.0 && eta.is_none());
    }

    #[test]
    fn rules_need_an_explicit_target_and_requests_redact_the_password() {
        let missing = serde_json::from_str::<FolderRule>(r#"{"source": "Spam"}"#);
        assert!(missing.unwrap_err().to_string().contains("target"));
        let skip: FolderRule =
            serde_json::from_str(r#"{"source": "Spam", "target": null}"#).unwrap();
        assert_eq!(skip.target, None);
        let request: CreateImportRequest = serde_json::from_str(
            r#"{"source": {"host": "h.test", "username": "u", "password": "hunter2hunter2"}}"#,
        )
        .unwrap();
        assert!(!format!("{request:?}").contains("hunter2"));
        assert!(
            serde_json::from_str::<CreateImportRequest>(
                r#"{"source": {"host": "h", "username": "u", "password": "p"}, "extra": 1}"#
            )
            .is_err()
        );
    }
}
