//! The middleware in front of every protected route, in order: authenticate
//! the bearer token, count it against its rate limit, check its role against
//! the matched route, run the handler, and record every mutating call
//! (including refused ones) in the audit log.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AdminState;
use crate::access::{self, RouteInfo};
use crate::audit::{self, AuditTarget, CallOutcome};
use crate::auth::{self, Principal};
use crate::request_id::RequestId;

/// Middleware: see the module comment.
pub async fn guard(State(state): State<AdminState>, request: Request, next: Next) -> Response {
    let principal = match auth::authenticate(&state, request.headers()).await {
        Ok(principal) => principal,
        Err(error) => {
            tracing::info!(path = %request.uri().path(), "admin request without a valid token");
            return error.into_response();
        }
    };
    if let Err(error) = state.limiter.check(principal.rate_key()) {
        return error.into_response();
    }
    let (mut parts, body) = request.into_parts();
    let route = route_info(&mut parts).await;
    let request = Request::from_parts(parts, body);
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let source_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default();
    let response = match access::authorize(&principal, &route) {
        Ok(()) => run(request, next, principal.clone()).await,
        Err(error) => error.into_response(),
    };
    if route.is_mutating() {
        let outcome = CallOutcome {
            source_ip,
            request_id: &request_id,
            status: response.status().as_u16(),
            created: response.extensions().get::<AuditTarget>(),
        };
        audit::record(&state, &principal, &route, outcome).await;
    }
    response
}

async fn run(mut request: Request, next: Next, principal: Principal) -> Response {
    request.extensions_mut().insert(principal);
    next.run(request).await
}

async fn route_info(parts: &mut Parts) -> RouteInfo {
    let template = parts
        .extensions
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_default();
    let params = match RawPathParams::from_request_parts(parts, &()).await {
        Ok(raw) => raw
            .iter()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect(),
        Err(_) => Vec::new(),
    };
    RouteInfo {
        method: parts.method.clone(),
        template,
        params,
    }
}
