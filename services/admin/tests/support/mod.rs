//! Shared harness of the admin API tests: a real in-process metadata gRPC
//! server on port 0 over a fresh SQLite file, the admin router driven through
//! `Router::oneshot`, and helpers to call it with a token.
#![allow(clippy::unwrap_used, dead_code)] // test helpers; not every test file uses each one

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use mailkeep_admin::{AdminState, RateLimit, router};
use mailkeep_metadata::{MetadataGrpc, SecretsKey};
use mailkeep_proto::InternalAuth;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tower::ServiceExt;

pub const BOOTSTRAP: &str = "test-admin-token";
pub const INTERNAL: &str = "internal-secret";
pub const PASSWORD: &str = "correct horse battery";

/// A running metadata server; dropping it stops the server.
pub struct Metadata {
    pub url: String,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

pub async fn start_metadata() -> Metadata {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("metadata.db").display());
    let store = mailkeep_metadata::open_store(&url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let auth = InternalAuth::new(INTERNAL).unwrap();
    // A secrets key, so that import jobs can keep their source password.
    let key = SecretsKey::from_base64(&SecretsKey::generate_base64()).unwrap();
    tokio::spawn(mailkeep_metadata::serve_service(
        listener,
        async move {
            let _ = stopped.await;
        },
        MetadataGrpc::new(store).with_secrets_key(Some(key)),
        auth,
    ));
    Metadata {
        url: format!("http://{address}"),
        _stop: stop,
        _dir: dir,
    }
}

pub fn state(metadata_url: &str) -> AdminState {
    let internal = InternalAuth::new(INTERNAL).unwrap();
    AdminState::connect_lazy(metadata_url, internal, BOOTSTRAP).unwrap()
}

/// One answer: status, headers and the JSON body (`Null` when empty).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// The router plus the metadata server behind it.
pub struct Api {
    pub app: Router,
    pub metadata: Metadata,
}

impl Api {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    pub async fn start_with(limit: Option<RateLimit>) -> Self {
        let metadata = start_metadata().await;
        let mut state = state(&metadata.url);
        if let Some(limit) = limit {
            state = state.with_rate_limit(limit);
        }
        Self {
            app: router(state),
            metadata,
        }
    }

    /// Calls with the bootstrap token.
    pub async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> Answer {
        self.request(method, uri, Some(BOOTSTRAP), body, &[]).await
    }

    /// Calls with `token` (none: no Authorization header) and extra headers.
    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.raw(method, uri, token, body.map(|b| b.to_string()), headers)
            .await
    }

    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
            .await
            .unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Creates a tenant with the bootstrap token.
    pub async fn tenant(&self, domain: &str) {
        let answer = self
            .call(Method::POST, "/v1/tenants", Some(json!({"domain": domain})))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }

    /// Creates an account with [`PASSWORD`].
    pub async fn account(&self, domain: &str, local_part: &str) -> Value {
        let answer = self
            .call(
                Method::POST,
                &format!("/v1/tenants/{domain}/accounts"),
                Some(json!({"local_part": local_part, "password": PASSWORD})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body
    }

    /// Creates an API token and returns its secret.
    pub async fn token(&self, name: &str, role: &str, tenant: Option<&str>) -> String {
        let mut body = json!({"name": name, "role": role});
        if let Some(tenant) = tenant {
            body["tenant"] = json!(tenant);
        }
        let answer = self.call(Method::POST, "/v1/tokens", Some(body)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["secret"].as_str().unwrap().to_owned()
    }
}
