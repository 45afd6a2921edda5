//! The endpoint handlers, one file per resource: validate and normalise the
//! input at the edge, make one metadata call, map its answer. Role and tenant
//! checks happened before (see [`crate::access`]); passwords and secrets go
//! to the metadata service and are never logged.

pub mod accounts;
pub mod aliases;
pub mod app_passwords;
pub mod audit_log;
pub mod imports;
pub mod tenants;
pub mod tokens;
pub mod usage;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::audit::AuditTarget;
use crate::error::AdminError;
use crate::extract::etag;

/// Unwraps a metadata answer, classifying a failure.
pub fn answer<T>(result: Result<tonic::Response<T>, tonic::Status>) -> Result<T, AdminError> {
    result
        .map(tonic::Response::into_inner)
        .map_err(|status| AdminError::from_status(&status))
}

/// 200 with the resource and its `ETag`.
pub fn tagged<T: Serialize>(version: i64, body: T) -> Response {
    ([(header::ETAG, etag(version))], Json(body)).into_response()
}

/// 201 with the new resource, naming it (and for a new tenant, its tenant)
/// for the audit log.
pub fn created<T: Serialize>(target: String, tenant: Option<String>, body: T) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    response
        .extensions_mut()
        .insert(AuditTarget { target, tenant });
    response
}
