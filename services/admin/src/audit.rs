//! The audit record of a mutating admin call: who (token id and name, or
//! `bootstrap`), what (a stable action name), which tenant and target, from
//! which address, with which request id and HTTP result. Built only from
//! the route and its path parameters, never from the body, so no password or
//! secret can reach the log. Handlers that create an object name it with an
//! [`AuditTarget`] response extension.

use axum::http::Method;
use mailkeep_proto::metadata::v1 as pb;

use crate::AdminState;
use crate::access::RouteInfo;
use crate::auth::Principal;

/// The object a create call made, when the path does not name it, and the
/// tenant it belongs to when that is not in the path either (a new tenant).
#[derive(Clone, Debug)]
pub struct AuditTarget {
    pub target: String,
    pub tenant: Option<String>,
}

/// Where a call came from and how it ended.
pub struct CallOutcome<'a> {
    pub source_ip: String,
    pub request_id: &'a str,
    pub status: u16,
    pub created: Option<&'a AuditTarget>,
}

/// The stable action name of a mutating route.
pub fn action(route: &RouteInfo) -> String {
    let name = match (&route.method, route.template.as_str()) {
        (&Method::POST, "/v1/tenants") => "tenant.create",
        (&Method::PATCH, "/v1/tenants/{domain}") => "tenant.update",
        (&Method::DELETE, "/v1/tenants/{domain}") => "tenant.delete",
        (&Method::POST, "/v1/tenants/{domain}/usage/recalculate") => "tenant.usage.recalculate",
        (&Method::POST, "/v1/tenants/{domain}/accounts") => "account.create",
        (&Method::PATCH, "/v1/tenants/{domain}/accounts/{local_part}") => "account.update",
        (&Method::DELETE, "/v1/tenants/{domain}/accounts/{local_part}") => "account.delete",
        (&Method::POST, "/v1/tenants/{domain}/accounts/{local_part}/usage/recalculate") => {
            "account.usage.recalculate"
        }
        (&Method::POST, "/v1/tenants/{domain}/accounts/{local_part}/app-passwords") => {
            "app-password.create"
        }
        (&Method::DELETE, "/v1/tenants/{domain}/accounts/{local_part}/app-passwords/{id}") => {
            "app-password.delete"
        }
        (&Method::POST, "/v1/tenants/{domain}/accounts/{local_part}/imports") => "import.create",
        (&Method::DELETE, "/v1/tenants/{domain}/accounts/{local_part}/imports/{id}") => {
            "import.cancel"
        }
        (&Method::PUT, "/v1/tenants/{domain}/aliases/{alias}") => "alias.put",
        (&Method::DELETE, "/v1/tenants/{domain}/aliases/{alias}") => "alias.delete",
        (&Method::POST, "/v1/tokens") => "token.create",
        (&Method::DELETE, "/v1/tokens/{id}") => "token.revoke",
        (method, template) => return format!("{method} {template}"),
    };
    name.to_owned()
}

/// The object the route names: `local@domain`, `alias@domain`, the domain,
/// or a token id, followed by an app password id where there is one.
pub fn target(route: &RouteInfo) -> String {
    let domain = route.domain();
    let mailbox_owner = route.param("local_part").or(route.param("alias"));
    let mut target = match (mailbox_owner, &domain) {
        (Some(local), Some(domain)) => format!("{}@{domain}", local.to_ascii_lowercase()),
        (None, Some(domain)) => domain.clone(),
        _ => String::new(),
    };
    if let Some(id) = route.param("id") {
        if !target.is_empty() {
            target.push(' ');
        }
        target.push_str(id);
    }
    target
}

/// Records one mutating call. A failure to record is logged, never hidden.
pub async fn record(
    state: &AdminState,
    principal: &Principal,
    route: &RouteInfo,
    outcome: CallOutcome<'_>,
) {
    let action = action(route);
    let target = outcome
        .created
        .map(|created| created.target.clone())
        .unwrap_or_else(|| target(route));
    let tenant_domain = route
        .domain()
        .or_else(|| outcome.created.and_then(|created| created.tenant.clone()))
        .unwrap_or_default();
    let entry = pb::RecordAuditRequest {
        actor_id: principal.token_id.clone(),
        actor_name: principal.name.clone(),
        action: action.clone(),
        tenant_domain,
        target,
        source_ip: outcome.source_ip,
        request_id: outcome.request_id.to_owned(),
        result_code: u32::from(outcome.status),
    };
    if let Err(status) = state.admin_client().record_audit(entry).await {
        tracing::error!(
            action = %action,
            request_id = outcome.request_id,
            error = %status.message(),
            "audit record failed"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: Method, template: &str, params: &[(&str, &str)]) -> RouteInfo {
        RouteInfo {
            method,
            template: template.into(),
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn actions_and_targets_come_from_the_route() {
        let app_password = route(
            Method::DELETE,
            "/v1/tenants/{domain}/accounts/{local_part}/app-passwords/{id}",
            &[("domain", "Ex.TEST"), ("local_part", "Alice"), ("id", "p1")],
        );
        assert_eq!(action(&app_password), "app-password.delete");
        assert_eq!(target(&app_password), "alice@ex.test p1");
        let token = route(Method::DELETE, "/v1/tokens/{id}", &[("id", "t9")]);
        assert_eq!(
            (action(&token), target(&token)),
            ("token.revoke".into(), "t9".into())
        );
        let alias = route(
            Method::PUT,
            "/v1/tenants/{domain}/aliases/{alias}",
            &[("domain", "ex.test"), ("alias", "info")],
        );
        assert_eq!(target(&alias), "info@ex.test");
        let unknown = route(Method::POST, "/v1/other", &[]);
        assert_eq!(action(&unknown), "POST /v1/other");
    }
}
