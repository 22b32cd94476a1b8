//! How CLI verbs reach the running node of their data directory: its URL from `node.url`, its
//! token from `api.token`, its certificate from `tls/` when it serves HTTPS.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::{Error, Result, config, daemon::URL_FILE, tls, token};

/// An API client bound to one node.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    /// A client for the node running from `dir`.
    pub fn for_node(dir: &Path) -> Result<Self> {
        let token = token::load(dir)?;
        let base = match std::fs::read_to_string(dir.join(URL_FILE)) {
            Ok(url) => url.trim().to_owned(),
            Err(_) => {
                return Err(Error::Unreachable(format!(
                    "the node in {} is not running; start it with `badgemesh run`",
                    dir.display()
                )));
            }
        };
        let mut builder = reqwest::Client::builder().no_proxy();
        if base.starts_with("https:") {
            // The file may say `off` while `--tls-self-signed` was given: then the self-signed
            // certificate in the data directory is the one.
            let config = config::load(dir)?;
            let self_signed = dir.join(tls::TLS_DIR).join("cert.pem");
            let path = tls::certificate_path(dir, &config)
                .filter(|p| p.exists())
                .or_else(|| self_signed.exists().then_some(self_signed));
            if let Some(path) = path {
                let pem = std::fs::read(&path).map_err(Error::io(&path))?;
                let cert = reqwest::Certificate::from_pem(&pem)
                    .map_err(|e| Error::Unreachable(format!("{}: {e}", path.display())))?;
                // Our own node: its certificate is the only one to trust.
                builder = builder.tls_certs_only([cert]);
            }
        }
        let http = builder.build().map_err(|e| Error::Unreachable(e.to_string()))?;
        Ok(Self { http, base, token })
    }

    /// The node's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET path` with query pairs.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value> {
        self.send(self.http.get(self.url(path)).query(query)).await
    }

    /// `GET path` answering bytes (an image), or the API's error.
    pub async fn get_bytes(&self, path: &str, query: &[(&str, String)]) -> Result<Vec<u8>> {
        self.bytes(self.http.get(self.url(path)).query(query)).await
    }

    /// `POST path` with a JSON body, answering bytes (a backup), or the API's error.
    pub async fn post_for_bytes<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Vec<u8>> {
        self.bytes(self.http.post(self.url(path)).json(body)).await
    }

    /// A raw body with its content type and one more header.
    pub async fn send_bytes_with(
        &self,
        path: &str,
        content_type: &str,
        header: (&str, String),
        body: Vec<u8>,
    ) -> Result<Value> {
        let request = self
            .http
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(header.0, header.1)
            .body(body);
        self.send(request).await
    }

    async fn bytes(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>> {
        let response = self.respond(request).await?;
        let status = response.status();
        if status.is_success() {
            let bytes = response.bytes().await.map_err(|e| {
                Error::Unreachable(format!("the node at {} stopped answering: {e}", self.base))
            })?;
            return Ok(bytes.to_vec());
        }
        let body: Value = response.json().await.unwrap_or(Value::Null);
        Err(api_error(status, &body))
    }

    /// `POST path` with a JSON body.
    pub async fn post<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<Value> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    /// `POST path` with a JSON body; the answer whatever its status (the verify endpoints answer
    /// 422 with a report, which is a result, not a failure).
    pub async fn post_report<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<Value> {
        let response = self.respond(self.http.post(self.url(path)).json(body)).await?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() || body.get("report").is_some() {
            return Ok(body);
        }
        Err(api_error(status, &body))
    }

    /// `PUT path` with a JSON body.
    pub async fn put<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<Value> {
        self.send(self.http.put(self.url(path)).json(body)).await
    }

    /// A raw body (image, CSV) with its content type.
    pub async fn send_bytes(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Value> {
        let request = self
            .http
            .request(method, self.url(path))
            .query(query)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        self.send(request).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `request` with the token; the node's answer, whatever its status.
    async fn respond(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| Error::Unreachable(format!("cannot reach the node at {}: {e}", self.base)))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value> {
        let response = self.respond(request).await?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        Err(api_error(status, &body))
    }
}

/// The node's JSON error (`{"code", "message"}`) as ours; a body that is not one still gives
/// the HTTP status.
fn api_error(status: reqwest::StatusCode, body: &Value) -> Error {
    Error::Api {
        status: status.as_u16(),
        code: body["code"].as_str().unwrap_or("http_error").to_owned(),
        message: body["message"].as_str().map_or_else(|| status.to_string(), str::to_owned),
    }
}
