//! The HTTP side of the protocol: one method per endpoint, errors sorted into
//! offline / signed out / refused.

use std::time::Duration;

use helpdeck_core::op::{OP_SCHEMA_VERSION, Op};
use helpdeck_core::sync::{
    ErrorBody, LoginRequest, LoginResponse, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse,
    PushRequest, PushResponse,
};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{Result, SyncError};

/// Where an upload stands on the server (`GET /blobs/{sha}/status`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct BlobStatus {
    pub size: Option<u64>,
    pub received: u64,
    pub complete: bool,
}

/// A connection to one Helpdeck server.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    /// Attachment bytes this client (and its clones) has sent, for what a resumed upload
    /// costs (`helpdeck-sync-bench files`).
    chunk_bytes_sent: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Checks and normalises a server URL.
pub fn normalise_server_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        SyncError::Setup(format!(
            "server URL '{url}' is not valid ({e}); expected e.g. https://helpdeck.example.com or http://127.0.0.1:8080"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SyncError::Setup(format!(
            "server URL '{url}' must start with http:// or https://"
        )));
    }
    Ok(url.to_string())
}

/// The warning to give before a password goes to `url`: plain `http://` to a host that is not
/// this machine sends it (and every ticket after it) unencrypted over the network.
pub fn plain_http_warning(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url.trim()).ok()?;
    if parsed.scheme() != "http" {
        return None;
    }
    let host = parsed
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    let local = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!local).then(|| {
        format!(
            "{url} is plain http: your password and every ticket cross the network unencrypted; \
             use https:// (the server with a certificate, or behind a TLS reverse proxy)"
        )
    })
}

impl Client {
    pub fn new(base: &str, token: Option<String>) -> Result<Client> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("helpdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Setup(e.to_string()))?;
        Ok(Client {
            http,
            base: normalise_server_url(base)?,
            token,
            chunk_bytes_sent: Default::default(),
        })
    }

    /// Attachment bytes sent by [`Client::put_chunk`] so far (accepted or not).
    pub fn chunk_bytes_sent(&self) -> u64 {
        self.chunk_bytes_sent
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string());
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let resp = req.send().await.map_err(|e| transport_error(&e))?;
        let status = resp.status();
        if status.is_success() {
            return resp
                .json::<T>()
                .await
                .map_err(|e| SyncError::Offline(format!("reading the answer failed: {e}")));
        }
        let message = match resp.json::<ErrorBody>().await {
            Ok(b) => b.message,
            Err(_) => status.to_string(),
        };
        Err(match status {
            StatusCode::UNAUTHORIZED => SyncError::Unauthorized(message),
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                SyncError::Offline(format!("server answered {s}: {message}"))
            }
            _ => SyncError::Refused(message),
        })
    }

    pub async fn login(&self, req: &LoginRequest) -> Result<LoginResponse> {
        self.send(self.request(reqwest::Method::POST, "/auth/login").json(req))
            .await
            .map_err(|e| match e {
                // A wrong password is the user's to fix, not a session to renew.
                SyncError::Unauthorized(m) => SyncError::Refused(m),
                other => other,
            })
    }

    pub async fn logout(&self) -> Result<()> {
        let _: serde_json::Value = self
            .send(self.request(reqwest::Method::POST, "/auth/logout"))
            .await?;
        Ok(())
    }

    pub async fn push(&self, ops: &[Op]) -> Result<PushResponse> {
        self.send(
            self.request(reqwest::Method::POST, "/sync/push")
                .json(&PushRequest { ops: ops.to_vec() }),
        )
        .await
    }

    /// The workspace rules in force on the server.
    pub async fn rules(&self) -> Result<helpdeck_core::sync::WorkspaceRules> {
        self.send(self.request(reqwest::Method::GET, "/admin/rules"))
            .await
    }

    /// An admin's change of the workspace rules; the answer is the rules now in force.
    pub async fn change_rules(
        &self,
        change: &helpdeck_core::workspace::RulesChange,
    ) -> Result<helpdeck_core::sync::WorkspaceRules> {
        self.send(
            self.request(reqwest::Method::POST, "/admin/rules")
                .json(change),
        )
        .await
    }

    /// Which assignment rule a ticket would match and why (staff).
    pub async fn routing_test(
        &self,
        probe: &helpdeck_core::routing::Probe,
    ) -> Result<helpdeck_core::routing::Decision> {
        self.send(
            self.request(reqwest::Method::POST, "/routing/test")
                .json(probe),
        )
        .await
    }

    /// Everyone in the workspace and its teams (admins).
    pub async fn people(&self) -> Result<helpdeck_core::people::Directory> {
        self.send(self.request(reqwest::Method::GET, "/admin/people"))
            .await
    }

    /// An admin adds a person (with a first password).
    pub async fn add_person(
        &self,
        draft: &helpdeck_core::people::PersonDraft,
    ) -> Result<helpdeck_core::people::PersonView> {
        self.send(
            self.request(reqwest::Method::POST, "/admin/people")
                .json(draft),
        )
        .await
    }

    /// An admin changes a person's role, team, tier or organization.
    pub async fn update_person(
        &self,
        patch: &helpdeck_core::people::PersonPatch,
    ) -> Result<helpdeck_core::people::PersonView> {
        self.send(
            self.request(reqwest::Method::PATCH, "/admin/people")
                .json(patch),
        )
        .await
    }

    /// An admin adds a team; the answer is every team.
    pub async fn add_team(&self, name: &str) -> Result<Vec<String>> {
        self.send(
            self.request(reqwest::Method::POST, "/admin/teams")
                .json(&serde_json::json!({ "name": name })),
        )
        .await
    }

    /// A pull page; `wait_ms` > 0 long-polls until something changes or the time is up.
    pub async fn pull(&self, cursor: i64, wait_ms: u64) -> Result<PullResponse> {
        let path = format!("/sync/pull?cursor={cursor}&wait={wait_ms}&schema={OP_SCHEMA_VERSION}");
        let req = self
            .request(reqwest::Method::GET, &path)
            .timeout(Duration::from_millis(wait_ms) + Duration::from_secs(30));
        self.send(req).await
    }

    /// Where an upload of the file `sha` stands on the server.
    pub async fn blob_status(&self, sha: &str) -> Result<BlobStatus> {
        self.send(self.request(reqwest::Method::GET, &format!("/blobs/{sha}/status")))
            .await
    }

    /// Sends one chunk of the `size`-byte file `sha` at `offset`.
    pub async fn put_chunk(
        &self,
        sha: &str,
        offset: u64,
        size: u64,
        chunk: Vec<u8>,
    ) -> Result<BlobStatus> {
        self.chunk_bytes_sent
            .fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.send(
            self.request(
                reqwest::Method::PUT,
                &format!("/blobs/{sha}?offset={offset}&size={size}"),
            )
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(chunk),
        )
        .await
    }

    /// Up to one chunk of the file `sha` from `offset`, and the file's size.
    pub async fn get_chunk(&self, sha: &str, offset: u64) -> Result<(Vec<u8>, u64)> {
        let resp = self
            .request(
                reqwest::Method::GET,
                &format!("/blobs/{sha}?offset={offset}"),
            )
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = resp.status();
        if !status.is_success() {
            let message = match resp.json::<ErrorBody>().await {
                Ok(b) => b.message,
                Err(_) => status.to_string(),
            };
            return Err(match status {
                StatusCode::UNAUTHORIZED => SyncError::Unauthorized(message),
                s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => {
                    SyncError::Offline(format!("server answered {s}: {message}"))
                }
                _ => SyncError::Refused(message),
            });
        }
        let size = resp
            .headers()
            .get("helpdeck-blob-size")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| SyncError::Offline(format!("reading the file failed: {e}")))?;
        Ok((bytes.to_vec(), size))
    }

    /// Says what this device's user is doing now (presence; staff).
    pub async fn put_presence(&self, u: &helpdeck_core::sync::PresenceUpdate) -> Result<()> {
        let _: serde_json::Value = self
            .send(self.request(reqwest::Method::PUT, "/presence").json(u))
            .await?;
        Ok(())
    }

    /// Everyone else's presence right now (staff).
    pub async fn presence(&self) -> Result<Vec<helpdeck_core::sync::PresenceEntry>> {
        self.send(self.request(reqwest::Method::GET, "/presence"))
            .await
    }

    pub async fn health(&self) -> Result<serde_json::Value> {
        self.send(self.request(reqwest::Method::GET, "/health"))
            .await
    }
}

/// A request that got no answer: offline (retried later), or a server whose certificate this
/// computer does not trust (not retried: it will not change by itself).
fn transport_error(e: &reqwest::Error) -> SyncError {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(rustls::Error::InvalidCertificate(why)) = tls_error(s) {
            return SyncError::Setup(format!(
                "the server's certificate is not trusted by this computer ({why:?}); if your office uses its own certificate authority, install it in the system's certificate store"
            ));
        }
        source = s.source();
    }
    SyncError::Offline(describe(e))
}

/// The TLS error inside `e`: TLS errors reach us wrapped in I/O errors (maybe twice), whose
/// `source` skips the error they wrap.
fn tls_error<'a>(mut e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    loop {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        e = e.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "cannot connect to the server".into()
    } else if e.is_timeout() {
        "the server did not answer in time".into()
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::plain_http_warning;

    #[test]
    fn plain_http_is_fine_on_this_machine_only() {
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:3000/",
            "http://[::1]:8080",
            "https://helpdeck.example.com",
        ] {
            assert_eq!(plain_http_warning(local), None, "{local}");
        }
        let w = plain_http_warning("http://192.168.1.20:8080").unwrap();
        assert!(w.contains("unencrypted") && w.contains("https://"), "{w}");
        assert!(plain_http_warning("http://helpdeck.example.com").is_some());
    }
}
