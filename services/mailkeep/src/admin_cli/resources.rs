//! Turns each CLI command into its API request and the view of the answer.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::client::{ApiRequest, CliError};
use super::commands::{
    AccountCommand, AliasCommand, AppPasswordCommand, AuditArgs, ListArgs, QuotaArgs,
    TenantCommand, TokenCommand,
};
use super::output::View;

const TENANT_COLUMNS: &[&str] = &["domain", "status", "accounts", "used_bytes", "quota_bytes"];
const ACCOUNT_COLUMNS: &[&str] = &[
    "login",
    "status",
    "used_messages",
    "used_bytes",
    "quota_bytes",
];
const ALIAS_COLUMNS: &[&str] = &["address", "target"];
const APP_PASSWORD_COLUMNS: &[&str] = &["id", "name", "scopes", "created_at", "last_used_at"];
const TOKEN_COLUMNS: &[&str] = &["id", "name", "role", "tenant", "expires_at", "revoked_at"];
const MAILBOX_COLUMNS: &[&str] = &["name", "special_use", "messages", "bytes"];
const AUDIT_COLUMNS: &[&str] = &[
    "at",
    "actor_name",
    "action",
    "target",
    "result",
    "source_ip",
];

/// `local@domain` → (local, domain).
fn address(raw: &str) -> Result<(String, String), CliError> {
    match raw.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            Ok((local.to_owned(), domain.to_owned()))
        }
        _ => Err(CliError::Usage(format!(
            "{raw:?} is not an address of the form local@domain"
        ))),
    }
}

fn segments(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|part| (*part).to_owned()).collect()
}

fn account_path(raw: &str, rest: &[&str]) -> Result<Vec<String>, CliError> {
    let (local, domain) = address(raw)?;
    let mut path = segments(&["tenants", &domain, "accounts", &local]);
    path.extend(rest.iter().map(|part| (*part).to_owned()));
    Ok(path)
}

fn get(path: Vec<String>) -> ApiRequest {
    ApiRequest {
        method: Method::GET,
        segments: path,
        ..ApiRequest::default()
    }
}

fn call(method: Method, path: Vec<String>, body: Option<Value>) -> ApiRequest {
    ApiRequest {
        method,
        segments: path,
        body,
        ..ApiRequest::default()
    }
}

/// Keeps the `Some` values as JSON fields; quota 0 becomes null (unlimited).
fn fields(pairs: &[(&str, Option<Value>)]) -> Value {
    let mut object = Map::new();
    for (key, value) in pairs {
        if let Some(value) = value {
            let unlimited = key.contains("quota") && value == &json!(0);
            object.insert(
                (*key).to_owned(),
                if unlimited {
                    Value::Null
                } else {
                    value.clone()
                },
            );
        }
    }
    Value::Object(object)
}

/// The query pairs whose value is set.
fn query<const N: usize>(
    pairs: [(&'static str, Option<String>); N],
) -> Vec<(&'static str, String)> {
    pairs
        .into_iter()
        .filter_map(|(key, value)| value.map(|value| (key, value)))
        .collect()
}

fn list_query(list: &ListArgs) -> Vec<(&'static str, String)> {
    query([
        ("status", list.status.clone()),
        ("prefix", list.prefix.clone()),
        ("limit", list.limit.map(|limit| limit.to_string())),
        ("cursor", list.cursor.clone()),
    ])
}

fn read_password() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|error| CliError::Usage(format!("cannot read the password: {error}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn quota_fields(quota: &QuotaArgs) -> [(&'static str, Option<Value>); 2] {
    [
        ("quota_bytes", quota.quota_bytes.map(Value::from)),
        ("quota_messages", quota.quota_messages.map(Value::from)),
    ]
}

pub fn tenant(command: &TenantCommand) -> (ApiRequest, View) {
    let tenant = |domain: &str, rest: &[&str]| {
        let mut path = segments(&["tenants", domain]);
        path.extend(rest.iter().map(|part| (*part).to_owned()));
        path
    };
    match command {
        TenantCommand::Create {
            domain,
            quota,
            default_quota_bytes,
            default_quota_messages,
        } => {
            let mut pairs = vec![
                ("domain", Some(Value::from(domain.as_str()))),
                ("default_quota_bytes", default_quota_bytes.map(Value::from)),
                (
                    "default_quota_messages",
                    default_quota_messages.map(Value::from),
                ),
            ];
            pairs.extend(quota_fields(quota));
            let body = fields(&pairs);
            (
                call(Method::POST, segments(&["tenants"]), Some(body)),
                View::Object,
            )
        }
        TenantCommand::List(list) => {
            let mut request = get(segments(&["tenants"]));
            request.query = list_query(list);
            (request, View::Table(TENANT_COLUMNS))
        }
        TenantCommand::Get { domain } => (get(tenant(domain, &[])), View::Object),
        TenantCommand::Update {
            domain,
            status,
            quota,
            if_match,
        } => {
            let mut pairs = vec![("status", status.clone().map(Value::from))];
            pairs.extend(quota_fields(quota));
            let mut request = call(Method::PATCH, tenant(domain, &[]), Some(fields(&pairs)));
            request.if_match = if_match.clone();
            (request, View::Object)
        }
        TenantCommand::Delete { domain } => (
            call(Method::DELETE, tenant(domain, &[]), None),
            View::Object,
        ),
        TenantCommand::Purge { domain } => (get(tenant(domain, &["purge"])), View::Object),
        TenantCommand::Usage { domain } => (get(tenant(domain, &["usage"])), View::Object),
        TenantCommand::Recalculate { domain } => (
            call(
                Method::POST,
                tenant(domain, &["usage", "recalculate"]),
                None,
            ),
            View::Object,
        ),
    }
}

pub fn account(command: &AccountCommand) -> Result<(ApiRequest, View), CliError> {
    Ok(match command {
        AccountCommand::Create {
            address: raw,
            password_stdin,
            quota,
            display_name,
            app_passwords_only,
        } => {
            let (local, domain) = address(raw)?;
            let password = password_stdin.then(read_password).transpose()?;
            let mut pairs = vec![
                ("local_part", Some(Value::from(local))),
                ("generate_password", Some(Value::from(password.is_none()))),
                ("password", password.map(Value::from)),
                ("display_name", display_name.clone().map(Value::from)),
                ("app_passwords_only", Some(Value::from(*app_passwords_only))),
            ];
            pairs.extend(quota_fields(quota));
            let path = segments(&["tenants", &domain, "accounts"]);
            (call(Method::POST, path, Some(fields(&pairs))), View::Object)
        }
        AccountCommand::List { domain, list } => {
            let mut request = get(segments(&["tenants", domain, "accounts"]));
            request.query = list_query(list);
            (request, View::Table(ACCOUNT_COLUMNS))
        }
        AccountCommand::Get { address } => (get(account_path(address, &[])?), View::Object),
        AccountCommand::Update {
            address,
            password_stdin,
            generate_password,
            status,
            quota,
            display_name,
            app_passwords_only,
            if_match,
        } => {
            let password = password_stdin.then(read_password).transpose()?;
            let mut pairs = vec![
                ("password", password.map(Value::from)),
                (
                    "generate_password",
                    generate_password.then_some(Value::from(true)),
                ),
                ("status", status.clone().map(Value::from)),
                ("display_name", display_name.clone().map(Value::from)),
                ("app_passwords_only", app_passwords_only.map(Value::from)),
            ];
            pairs.extend(quota_fields(quota));
            let mut request = call(
                Method::PATCH,
                account_path(address, &[])?,
                Some(fields(&pairs)),
            );
            request.if_match = if_match.clone();
            (request, View::Object)
        }
        AccountCommand::Delete { address } => (
            call(Method::DELETE, account_path(address, &[])?, None),
            View::Done("account deleted"),
        ),
        AccountCommand::Usage { address } => {
            (get(account_path(address, &["usage"])?), View::Object)
        }
        AccountCommand::Mailboxes { address } => (
            get(account_path(address, &["mailboxes"])?),
            View::Table(MAILBOX_COLUMNS),
        ),
    })
}

pub fn alias(command: &AliasCommand) -> Result<(ApiRequest, View), CliError> {
    Ok(match command {
        AliasCommand::Put { alias, target } => {
            let (local, domain) = address(alias)?;
            let path = segments(&["tenants", &domain, "aliases", &local]);
            (
                call(Method::PUT, path, Some(json!({"target": target}))),
                View::Object,
            )
        }
        AliasCommand::List {
            domain,
            target,
            prefix,
        } => {
            let mut request = get(segments(&["tenants", domain, "aliases"]));
            request.query = query([("target", target.clone()), ("prefix", prefix.clone())]);
            (request, View::Table(ALIAS_COLUMNS))
        }
        AliasCommand::Delete { alias } => {
            let (local, domain) = address(alias)?;
            let path = segments(&["tenants", &domain, "aliases", &local]);
            (
                call(Method::DELETE, path, None),
                View::Done("alias deleted"),
            )
        }
    })
}

pub fn app_password(command: &AppPasswordCommand) -> Result<(ApiRequest, View), CliError> {
    Ok(match command {
        AppPasswordCommand::Create {
            address,
            name,
            scopes,
        } => {
            let body = json!({"name": name, "scopes": scopes});
            let path = account_path(address, &["app-passwords"])?;
            (call(Method::POST, path, Some(body)), View::Object)
        }
        AppPasswordCommand::List { address } => (
            get(account_path(address, &["app-passwords"])?),
            View::Table(APP_PASSWORD_COLUMNS),
        ),
        AppPasswordCommand::Delete { address, id } => (
            call(
                Method::DELETE,
                account_path(address, &["app-passwords", id])?,
                None,
            ),
            View::Done("app password revoked"),
        ),
    })
}

pub fn token(command: &TokenCommand) -> (ApiRequest, View) {
    match command {
        TokenCommand::Create {
            name,
            role,
            tenant,
            expires_at,
        } => {
            let body = fields(&[
                ("name", Some(Value::from(name.as_str()))),
                ("role", Some(Value::from(role.as_str()))),
                ("tenant", tenant.clone().map(Value::from)),
                ("expires_at", expires_at.map(Value::from)),
            ]);
            (
                call(Method::POST, segments(&["tokens"]), Some(body)),
                View::Object,
            )
        }
        TokenCommand::List {
            tenant,
            include_revoked,
        } => {
            let mut request = get(segments(&["tokens"]));
            request.query = query([
                ("tenant", tenant.clone()),
                (
                    "include_revoked",
                    include_revoked.then(|| "true".to_owned()),
                ),
            ]);
            (request, View::Table(TOKEN_COLUMNS))
        }
        TokenCommand::Revoke { id } => (
            call(Method::DELETE, segments(&["tokens", id]), None),
            View::Object,
        ),
    }
}

pub fn audit(args: &AuditArgs) -> (ApiRequest, View) {
    let mut request = get(segments(&["audit"]));
    request.query = query([
        ("tenant", args.tenant.clone()),
        ("actor", args.actor.clone()),
        ("action", args.action.clone()),
        ("since", args.since.map(|since| since.to_string())),
        ("until", args.until.map(|until| until.to_string())),
        ("limit", args.limit.map(|limit| limit.to_string())),
        ("cursor", args.cursor.clone()),
    ]);
    (request, View::Table(AUDIT_COLUMNS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_accounts_and_quota_zero_is_unlimited() {
        assert_eq!(
            address("alice@example.test").unwrap(),
            ("alice".to_owned(), "example.test".to_owned())
        );
        assert!(address("alice").is_err() && address("@x").is_err());
        let (request, _) = tenant(&TenantCommand::Update {
            domain: "example.test".into(),
            status: None,
            quota: QuotaArgs {
                quota_bytes: Some(0),
                quota_messages: Some(5),
            },
            if_match: Some("\"3\"".into()),
        });
        assert_eq!(request.method, Method::PATCH);
        assert_eq!(request.segments, ["tenants", "example.test"]);
        assert_eq!(
            request.body,
            Some(json!({"quota_bytes": null, "quota_messages": 5}))
        );
        assert_eq!(request.if_match.as_deref(), Some("\"3\""));
    }
}
