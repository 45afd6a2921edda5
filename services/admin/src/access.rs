//! Which role may call which route. A read-only token may only read; a
//! tenant-admin token may only touch routes whose `{domain}` is its own
//! tenant (and read the audit log, which its handler narrows to that tenant),
//! never change the tenant object itself, and never manage API tokens.
//! Decided from the matched route template and its path parameters, before
//! any handler runs, so no endpoint can forget the check.

use axum::http::Method;

use crate::auth::{Principal, Role};
use crate::error::AdminError;

/// The audit-log route, the one tenant-wide route a tenant-admin may read.
pub const AUDIT_ROUTE: &str = "/v1/audit";
const TENANT_ROUTE: &str = "/v1/tenants/{domain}";

/// The route a request matched, with its decoded path parameters.
#[derive(Clone, Debug)]
pub struct RouteInfo {
    pub method: Method,
    /// The route template, e.g. `/v1/tenants/{domain}/accounts`.
    pub template: String,
    pub params: Vec<(String, String)>,
}

impl RouteInfo {
    /// The value of path parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The tenant the route names, in lower case.
    pub fn domain(&self) -> Option<String> {
        self.param("domain").map(str::to_ascii_lowercase)
    }

    /// True for every method that may change state.
    pub fn is_mutating(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}

/// Refuses the call unless `principal`'s role allows `route`.
pub fn authorize(principal: &Principal, route: &RouteInfo) -> Result<(), AdminError> {
    match &principal.role {
        Role::Admin => Ok(()),
        Role::ReadOnly if route.is_mutating() => Err(AdminError::Forbidden(
            "a read-only token cannot change anything",
        )),
        Role::ReadOnly => Ok(()),
        Role::TenantAdmin(own) => match route.domain() {
            Some(domain) if domain != *own => Err(AdminError::Forbidden(
                "this token is limited to another tenant",
            )),
            Some(_) if route.template == TENANT_ROUTE && route.is_mutating() => Err(
                AdminError::Forbidden("a tenant-admin token cannot change or delete its tenant"),
            ),
            Some(_) => Ok(()),
            None if route.template == AUDIT_ROUTE && !route.is_mutating() => Ok(()),
            None => Err(AdminError::Forbidden(
                "a tenant-admin token cannot use this endpoint",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            token_id: "t1".into(),
            name: "ops".into(),
            role,
        }
    }

    fn route(method: Method, template: &str, domain: Option<&str>) -> RouteInfo {
        RouteInfo {
            method,
            template: template.into(),
            params: domain
                .map(|d| vec![("domain".to_owned(), d.to_owned())])
                .unwrap_or_default(),
        }
    }

    #[test]
    fn roles_are_enforced_per_route() {
        let tenant_admin = principal(Role::TenantAdmin("a.test".into()));
        let accounts = "/v1/tenants/{domain}/accounts";
        assert!(
            authorize(
                &tenant_admin,
                &route(Method::POST, accounts, Some("A.TEST"))
            )
            .is_ok()
        );
        assert!(authorize(&tenant_admin, &route(Method::GET, accounts, Some("b.test"))).is_err());
        assert!(
            authorize(
                &tenant_admin,
                &route(Method::GET, TENANT_ROUTE, Some("a.test"))
            )
            .is_ok()
        );
        assert!(
            authorize(
                &tenant_admin,
                &route(Method::PATCH, TENANT_ROUTE, Some("a.test"))
            )
            .is_err()
        );
        assert!(authorize(&tenant_admin, &route(Method::GET, AUDIT_ROUTE, None)).is_ok());
        assert!(authorize(&tenant_admin, &route(Method::GET, "/v1/tenants", None)).is_err());
        assert!(authorize(&tenant_admin, &route(Method::POST, "/v1/tokens", None)).is_err());

        let read_only = principal(Role::ReadOnly);
        assert!(authorize(&read_only, &route(Method::GET, accounts, Some("b.test"))).is_ok());
        assert!(
            authorize(
                &read_only,
                &route(Method::DELETE, TENANT_ROUTE, Some("b.test"))
            )
            .is_err()
        );

        let admin = principal(Role::Admin);
        assert!(authorize(&admin, &route(Method::POST, "/v1/tokens", None)).is_ok());
    }
}
