//! `/v1/tenants/{domain}/accounts/{local_part}/imports`: start an IMAP
//! import job (202, the job runs in the background on a gateway pod), list
//! an account's jobs, show one, cancel one. Every field of the request is
//! checked and bounded here before the metadata call; the source password
//! goes to the metadata service (which encrypts it) and into no answer, log
//! or audit entry.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use mailkeep_proto::metadata::v1 as pb;

use super::answer;
use crate::AdminState;
use crate::audit::AuditTarget;
use crate::error::{AdminError, ErrorBody};
use crate::extract::{JsonBody, PathParams};
use crate::model::{
    CreateImportRequest, FolderRule, ImportJobList, ImportJobResponse, ImportSourceRequest, TlsMode,
};
use crate::validate;

/// Longest host name (RFC 1035 §2.3.4, as text).
const MAX_HOST_LEN: usize = 253;
/// Longest source login name.
const MAX_USERNAME_BYTES: usize = 256;
/// Longest source password.
const MAX_SOURCE_PASSWORD_BYTES: usize = 1024;
/// Longest folder name in a rule.
const MAX_FOLDER_BYTES: usize = 512;
/// Most folder rules in one job.
const MAX_FOLDER_RULES: usize = 100;
/// Highest pull rate a job may ask for.
const MAX_MESSAGES_PER_SECOND: u32 = 1000;

/// Starts an import job from another IMAP server.
#[utoipa::path(
    post, path = "/v1/tenants/{domain}/accounts/{local_part}/imports", tag = "imports",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    request_body = CreateImportRequest,
    responses(
        (status = 202, description = "queued; `Location` names the job", body = ImportJobResponse,
         headers(("Location" = String, description = "the job's URL path"))),
        (status = 409, description = "a queued or running job of this account has the same \
                                      source, or the service cannot keep passwords", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_import(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
    JsonBody(request): JsonBody<CreateImportRequest>,
) -> Result<Response, AdminError> {
    let domain = validate::domain(&domain)?;
    let local_part = validate::local_part(&local_part)?;
    let create = create_request(domain.clone(), local_part.clone(), request)?;
    let job = answer(state.imports_client().create_import_job(create).await)?;
    let location = format!(
        "/v1/tenants/{domain}/accounts/{local_part}/imports/{}",
        job.id
    );
    let target = format!("{local_part}@{domain} {}", job.id);
    let mut response = (StatusCode::ACCEPTED, Json(ImportJobResponse::from(job))).into_response();
    if let Ok(location) = HeaderValue::try_from(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response.extensions_mut().insert(AuditTarget {
        target,
        tenant: None,
    });
    Ok(response)
}

/// Lists an account's import jobs, newest first.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/accounts/{local_part}/imports", tag = "imports",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    responses((status = 200, description = "the jobs, newest first", body = ImportJobList)),
    security(("bearer" = []))
)]
pub async fn list_imports(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
) -> Result<Json<ImportJobList>, AdminError> {
    let list = answer(
        state
            .imports_client()
            .list_import_jobs(pb::ListImportJobsRequest {
                domain: validate::domain(&domain)?,
                local_part: validate::local_part(&local_part)?,
            })
            .await,
    )?;
    Ok(Json(ImportJobList {
        items: list.jobs.into_iter().map(Into::into).collect(),
    }))
}

/// Shows one import job with its progress.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/accounts/{local_part}/imports/{id}", tag = "imports",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
        ("id" = String, Path, description = "the job id"),
    ),
    responses((status = 200, description = "the job", body = ImportJobResponse)),
    security(("bearer" = []))
)]
pub async fn get_import(
    State(state): State<AdminState>,
    PathParams(path): PathParams<(String, String, String)>,
) -> Result<Json<ImportJobResponse>, AdminError> {
    let job = answer(state.imports_client().get_import_job(job_ref(path)?).await)?;
    Ok(Json(job.into()))
}

/// Cancels a queued or running import job; mail already imported stays.
#[utoipa::path(
    delete, path = "/v1/tenants/{domain}/accounts/{local_part}/imports/{id}", tag = "imports",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
        ("id" = String, Path, description = "the job id"),
    ),
    responses(
        (status = 200, description = "cancelled; the job as it is now", body = ImportJobResponse),
        (status = 409, description = "the job has already ended", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn cancel_import(
    State(state): State<AdminState>,
    PathParams(path): PathParams<(String, String, String)>,
) -> Result<Json<ImportJobResponse>, AdminError> {
    let job = answer(
        state
            .imports_client()
            .cancel_import_job(job_ref(path)?)
            .await,
    )?;
    Ok(Json(job.into()))
}

fn job_ref(
    (domain, local_part, id): (String, String, String),
) -> Result<pb::ImportJobRef, AdminError> {
    Ok(pb::ImportJobRef {
        domain: validate::domain(&domain)?,
        local_part: validate::local_part(&local_part)?,
        job_id: validate::identifier(&id)?,
    })
}

fn invalid(message: String) -> AdminError {
    AdminError::InvalidInput(message)
}

/// Checks the request and turns it into the metadata call.
fn create_request(
    domain: String,
    local_part: String,
    request: CreateImportRequest,
) -> Result<pb::CreateImportJobRequest, AdminError> {
    if request.folders.len() > MAX_FOLDER_RULES {
        return Err(invalid(format!(
            "at most {MAX_FOLDER_RULES} folder rules are allowed"
        )));
    }
    let mut folders: Vec<pb::FolderRule> = Vec::with_capacity(request.folders.len());
    for rule in request.folders {
        let folder = folder_rule(rule)?;
        if folders.iter().any(|known| known.source == folder.source) {
            return Err(invalid(format!(
                "folders has two rules for the source folder {:?}",
                folder.source
            )));
        }
        folders.push(folder);
    }
    let since = instant("since", request.since.as_deref())?;
    let before = instant("before", request.before.as_deref())?;
    if since != 0 && before != 0 && since >= before {
        return Err(invalid("since must be earlier than before".to_owned()));
    }
    let max_messages_per_second = match request.max_messages_per_second {
        None => 0,
        Some(rate) if (1..=MAX_MESSAGES_PER_SECOND).contains(&rate) => rate,
        Some(_) => {
            return Err(invalid(format!(
                "max_messages_per_second must be 1 to {MAX_MESSAGES_PER_SECOND}"
            )));
        }
    };
    Ok(pb::CreateImportJobRequest {
        domain,
        local_part,
        source: Some(source_server(request.source)?),
        folders,
        since,
        before,
        max_messages_per_second,
    })
}

fn source_server(source: ImportSourceRequest) -> Result<pb::ImportSource, AdminError> {
    let tls = match source.tls.as_deref() {
        None => TlsMode::Tls,
        Some(raw) => TlsMode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == raw)
            .ok_or_else(|| invalid("source.tls must be tls, starttls or plain".to_owned()))?,
    };
    let port = match source.port {
        None => u32::from(tls.default_port()),
        Some(port) if (1..=u32::from(u16::MAX)).contains(&port) => port,
        Some(_) => return Err(invalid("source.port must be 1 to 65535".to_owned())),
    };
    Ok(pb::ImportSource {
        host: host(&source.host)?,
        port,
        tls: tls.as_str().to_owned(),
        username: bounded_text("source.username", source.username, MAX_USERNAME_BYTES)?,
        password: bounded_text(
            "source.password",
            source.password,
            MAX_SOURCE_PASSWORD_BYTES,
        )?,
        accept_invalid_certs: source.accept_invalid_certs,
    })
}

/// A host name or an IPv4 or IPv6 address (without brackets), lower case.
fn host(raw: &str) -> Result<String, AdminError> {
    let valid = !raw.is_empty()
        && raw.len() <= MAX_HOST_LEN
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    if !valid {
        return Err(invalid(format!(
            "source.host must be a host name or IP address of 1 to {MAX_HOST_LEN} characters"
        )));
    }
    Ok(raw.to_ascii_lowercase())
}

/// 1 to `max_bytes` bytes without control characters.
fn bounded_text(field: &str, value: String, max_bytes: usize) -> Result<String, AdminError> {
    if value.is_empty() || value.len() > max_bytes || value.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{field} must be 1 to {max_bytes} bytes without control characters"
        )));
    }
    Ok(value)
}

fn folder_rule(rule: FolderRule) -> Result<pb::FolderRule, AdminError> {
    let source = bounded_text("folders[].source", rule.source, MAX_FOLDER_BYTES)?;
    let target = match rule.target {
        Some(target) => bounded_text("folders[].target", target, MAX_FOLDER_BYTES)?,
        None => String::new(),
    };
    Ok(pb::FolderRule { source, target })
}

/// An RFC 3339 time as unix seconds (absent: 0, unbounded). Times before
/// 1970 are refused because the contract reads 0 as "no bound".
fn instant(field: &str, raw: Option<&str>) -> Result<i64, AdminError> {
    let Some(raw) = raw else {
        return Ok(0);
    };
    let seconds = DateTime::parse_from_rfc3339(raw)
        .map_err(|_| {
            invalid(format!(
                "{field} must be an RFC 3339 time such as 2020-01-01T00:00:00Z"
            ))
        })?
        .timestamp();
    if seconds <= 0 {
        return Err(invalid(format!("{field} must be after 1970-01-01")));
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> Result<pb::CreateImportJobRequest, AdminError> {
        let request: CreateImportRequest = serde_json::from_value(json).unwrap();
        create_request("ex.test".into(), "alice".into(), request)
    }

    fn with_source(extra: serde_json::Value) -> serde_json::Value {
        let mut source =
            serde_json::json!({"host": "IMAP.Example.com", "username": "a", "password": "pw"});
        for (key, value) in extra.as_object().unwrap() {
            source[key] = value.clone();
        }
        serde_json::json!({ "source": source })
    }

    #[test]
    fn defaults_fill_port_and_tls_and_rules_map_null_to_skip() {
        let mut body = with_source(serde_json::json!({"tls": "starttls"}));
        body["folders"] = serde_json::json!([
            {"source": "Sent Items", "target": "Sent"},
            {"source": "Spam", "target": null}
        ]);
        body["since"] = "2020-01-01T00:00:00Z".into();
        body["before"] = "2021-01-01T01:00:00+01:00".into();
        let create = request(body).unwrap();
        let source = create.source.unwrap();
        assert_eq!(
            (source.host.as_str(), source.port, source.tls.as_str()),
            ("imap.example.com", 143, "starttls")
        );
        assert_eq!(create.folders[1].target, "");
        assert_eq!(
            (create.since, create.before),
            (1_577_836_800, 1_609_459_200)
        );
        assert_eq!(create.max_messages_per_second, 0);
        let implicit = request(with_source(serde_json::json!({}))).unwrap();
        assert_eq!(implicit.source.unwrap().port, 993);
    }

    #[test]
    fn bad_fields_are_refused_without_echoing_the_password() {
        let bad_sources = [
            serde_json::json!({"port": 0}),
            serde_json::json!({"port": 65536}),
            serde_json::json!({"tls": "ssl"}),
            serde_json::json!({"host": "a b"}),
            serde_json::json!({"host": "h".repeat(254)}),
            serde_json::json!({"username": ""}),
            serde_json::json!({"username": "u".repeat(257)}),
            serde_json::json!({"password": "p".repeat(1025)}),
            serde_json::json!({"password": "hunter2\nhunter2"}),
        ];
        for extra in bad_sources {
            let error = request(with_source(extra.clone())).unwrap_err();
            assert!(matches!(error, AdminError::InvalidInput(_)), "{extra}");
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
        let mut dates = with_source(serde_json::json!({}));
        dates["since"] = "2021-01-01T00:00:00Z".into();
        dates["before"] = "2020-01-01T00:00:00Z".into();
        assert!(request(dates.clone()).is_err());
        dates["before"] = "yesterday".into();
        assert!(request(dates).is_err());
        let mut rate = with_source(serde_json::json!({}));
        rate["max_messages_per_second"] = 0.into();
        assert!(request(rate).is_err());
        let mut twice = with_source(serde_json::json!({}));
        twice["folders"] = serde_json::json!([
            {"source": "A", "target": "B"}, {"source": "A", "target": null}
        ]);
        assert!(request(twice).is_err());
        let mut many = with_source(serde_json::json!({}));
        many["folders"] = (0..=MAX_FOLDER_RULES)
            .map(|n| serde_json::json!({"source": format!("F{n}"), "target": null}))
            .collect();
        assert!(request(many).is_err());
    }
}
