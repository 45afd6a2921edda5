//! The HTTP side of the CLI: one request to the admin API with the bearer
//! token, and the classification of its failure into an exit code.

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

/// Largest answer the CLI reads.
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// A CLI failure and the exit code it maps to (see the module docs).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{status}: {code}: {message}")]
    Api {
        status: StatusCode,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Other(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Api { status, .. } => match status.as_u16() {
                404 => 3,
                409 | 412 => 4,
                401 | 403 => 5,
                _ => 1,
            },
            CliError::Other(_) => 1,
        }
    }
}

/// One API call: the path as segments (each percent-encoded on the way),
/// query pairs, an optional JSON body and an optional `If-Match`.
#[derive(Debug, Default)]
pub struct ApiRequest {
    pub method: Method,
    pub segments: Vec<String>,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    pub if_match: Option<String>,
}

/// A client for one API base URL and token.
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    token: String,
}

impl ApiClient {
    pub fn new(base: &str, token: Option<&str>) -> Result<Self, CliError> {
        let base = Url::parse(base)
            .map_err(|error| CliError::Usage(format!("invalid --url {base:?}: {error}")))?;
        if base.cannot_be_a_base() {
            return Err(CliError::Usage(format!("invalid --url {base}")));
        }
        let token = token
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                CliError::Usage("no token: pass --token or set MAILKEEP_ADMIN_TOKEN".to_owned())
            })?
            .to_owned();
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|error| CliError::Other(format!("cannot build the http client: {error}")))?;
        Ok(Self { http, base, token })
    }

    fn url(&self, request: &ApiRequest) -> Result<Url, CliError> {
        let mut url = self.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| CliError::Usage(format!("invalid --url {}", self.base)))?;
            path.pop_if_empty().push("v1");
            for segment in &request.segments {
                path.push(segment);
            }
        }
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }

    /// Sends `request`; a 2xx answer's JSON (`None` when empty), else the
    /// API's error.
    pub async fn send(&self, request: &ApiRequest) -> Result<Option<Value>, CliError> {
        let mut builder = self
            .http
            .request(request.method.clone(), self.url(request)?)
            .bearer_auth(&self.token);
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        if let Some(etag) = &request.if_match {
            builder = builder.header(reqwest::header::IF_MATCH, etag);
        }
        let response = builder
            .send()
            .await
            .map_err(|error| CliError::Other(format!("cannot reach the admin api: {error}")))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| CliError::Other(format!("cannot read the answer: {error}")))?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(CliError::Other("the answer is too large".to_owned()));
        }
        let json: Option<Value> = if bytes.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&bytes).map_err(|error| {
                CliError::Other(format!("the answer ({status}) is not json: {error}"))
            })?)
        };
        if status.is_success() {
            return Ok(json);
        }
        let error = json.as_ref().map(|json| &json["error"]);
        let field = |name: &str| {
            error
                .and_then(|error| error[name].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        Err(CliError::Api {
            status,
            code: field("code"),
            message: field("message"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_built_from_encoded_segments() {
        let client = ApiClient::new("http://127.0.0.1:8080/base/", Some("t")).unwrap();
        let request = ApiRequest {
            segments: vec!["tenants".into(), "a/b".into()],
            query: vec![("prefix", "x y".into())],
            ..ApiRequest::default()
        };
        assert_eq!(
            client.url(&request).unwrap().as_str(),
            "http://127.0.0.1:8080/base/v1/tenants/a%2Fb?prefix=x+y"
        );
        assert!(matches!(
            ApiClient::new("http://h", None),
            Err(CliError::Usage(_))
        ));
        assert!(ApiClient::new("not a url", Some("t")).is_err());
    }

    #[test]
    fn failures_map_to_exit_codes() {
        let api = |status: u16| CliError::Api {
            status: StatusCode::from_u16(status).unwrap(),
            code: String::new(),
            message: String::new(),
        };
        assert_eq!(api(404).exit_code(), 3);
        assert_eq!(api(409).exit_code(), 4);
        assert_eq!(api(412).exit_code(), 4);
        assert_eq!(api(401).exit_code(), 5);
        assert_eq!(api(403).exit_code(), 5);
        assert_eq!(api(503).exit_code(), 1);
        assert_eq!(CliError::Usage(String::new()).exit_code(), 2);
    }
}
