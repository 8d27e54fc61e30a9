//! The HTTP client every backend client shares: auth, extra headers, TLS, timeout, a body cap,
//! and failures mapped to `SourceError` without ever naming a URL, a token or a password.
//! Body and header text becomes error text only through `short_text`, which masks every known
//! secret (`secret::known()`) before cutting the text short.

use crate::config::HttpOptions;
use crate::config::secret::{self, Secret, SecretError};
use crate::domain::duration;
use crate::domain::health::SourceError;
use crate::domain::logs::{SanitiseOptions, sanitise};
use crate::domain::redact;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;
use url::Url;

/// A backend that answers with more than this is lying or broken; we stop reading.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How much of an error body is kept in `SourceError::Http`.
const ERROR_BODY_CHARS: usize = 200;

/// Bytes read past the kept part so a secret standing across the cut is still found whole.
const SECRET_SLACK: usize = 4096;
/// What is read of an error page.
const ERROR_HEAD: usize = ERROR_BODY_CHARS * 4 + SECRET_SLACK + 1;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Secret(#[from] SecretError),
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("header {name}: {reason}")]
    Header { name: String, reason: String },
    #[error("invalid URL: {0}")]
    Url(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

#[derive(Clone)]
enum Auth {
    None,
    Bearer(Secret),
    Basic { user: String, password: Secret },
}

/// A `reqwest::Client` configured from a source's `HttpOptions`. Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    auth: Auth,
    timeout: Duration,
    max_body: usize,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match self.auth {
            Auth::None => "none",
            Auth::Bearer(_) => "bearer ***",
            Auth::Basic { .. } => "basic ***",
        };
        f.debug_struct("HttpClient")
            .field("auth", &auth)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A response read in full (within the cap), whatever its status.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `SourceError::Http` with the start of the body, masked and sanitised (it may reach the
    /// terminal).
    pub fn http_error(&self) -> SourceError {
        SourceError::Http {
            status: self.status,
            message: short_text(&self.body),
        }
    }

    /// Decodes a 2xx JSON body; `what` names what was expected, for the error.
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, SourceError> {
        if !self.is_success() {
            return Err(self.http_error());
        }
        decode(&self.body, what)
    }
}

/// Decodes JSON; the error says what was expected and where decoding stopped, never the data.
pub fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, SourceError> {
    serde_json::from_slice(body).map_err(|e| decode_error(&e, what))
}

/// `BadResponse` naming what was expected; serde's message says where, not what the data was.
pub fn decode_error(e: &serde_json::Error, what: &str) -> SourceError {
    let cause = match e.classify() {
        // serde_json stops at 128 levels; the answer may be JSON, just not one we can read.
        _ if e.to_string().starts_with("recursion limit exceeded") => {
            "JSON nested too deeply to read".to_string()
        }
        serde_json::error::Category::Eof => "truncated JSON".to_string(),
        serde_json::error::Category::Syntax => "not JSON".to_string(),
        _ => data_error(&e.to_string()),
    };
    SourceError::BadResponse(format!("expected {what}: {cause}"))
}

/// A decoder's message about data of the wrong shape, without the strings it quotes (a field
/// can hold anything, an echoed token included).
pub fn data_error(message: &str) -> String {
    short_text(redact::strip_quoted_strings(message).as_bytes())
}

/// The first characters of a body, secrets masked, safe for the terminal, on one line.
pub fn short_text(body: &[u8]) -> String {
    // Masked before it is cut: a secret across the cut would otherwise show its first half.
    let scan = &body[..body.len().min(ERROR_BODY_CHARS * 4 + SECRET_SLACK)];
    let masked = secret::known().mask_bytes(scan);
    let head = &masked.as_bytes()[..masked.len().min(ERROR_BODY_CHARS * 4)];
    let clean = sanitise(head, SanitiseOptions::default());
    let one_line = clean.replace("^J", " ").replace("^M", "");
    let mut out: String = one_line.trim().chars().take(ERROR_BODY_CHARS).collect();
    if one_line.trim().chars().count() > ERROR_BODY_CHARS
        || masked.len() > head.len()
        || body.len() > scan.len()
    {
        out.push('…');
    }
    out
}

/// Parses a base URL; only http and https, and the error never repeats the URL (it may hold a
/// password).
pub fn parse_base(text: &str) -> Result<Url, BuildError> {
    let url = Url::parse(text.trim()).map_err(|e| BuildError::Url(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BuildError::Url(format!(
            "scheme {} is not http or https",
            url.scheme()
        )));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(BuildError::Url("no host".into()));
    }
    secret::remember_url(&url);
    Ok(url)
}

/// `base` + path segments, each percent-encoded (a silence id cannot escape its segment).
pub fn endpoint(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// `host:port` of a URL, the name of an Alertmanager replica (no userinfo, no path).
pub fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// A URL safe to show: userinfo, query and fragment removed.
pub fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

impl HttpClient {
    /// Builds the client; secrets are read now so a missing one fails at start, not mid-shift.
    pub fn new(opts: &HttpOptions, default_timeout: Duration) -> Result<Self, BuildError> {
        let auth = match (&opts.bearer_token, &opts.basic_auth) {
            (Some(token), _) => Auth::Bearer(secret::read(token)?),
            (None, Some(basic)) => Auth::Basic {
                user: basic.username.clone(),
                password: secret::read_basic(basic)?,
            },
            (None, None) => Auth::None,
        };
        secret::remember_headers(&opts.headers);
        let mut headers = HeaderMap::new();
        for (name, value) in &opts.headers {
            let header_name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|e| BuildError::Header {
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
            let header_value = HeaderValue::from_str(value).map_err(|e| BuildError::Header {
                name: name.clone(),
                reason: e.to_string(),
            })?;
            headers.insert(header_name, header_value);
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("onwatch/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            // Redirects could carry our auth header to another host; backends don't need them.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &opts.tls.ca_file {
            let pem = super::tls::read_ca_file(path)?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| BuildError::CaFile {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
            builder = builder.tls_certs_merge(certs);
        }
        if opts.tls.insecure_skip_verify {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|e| BuildError::Client(e.without_url().to_string()))?;
        Ok(Self {
            client,
            auth,
            timeout: opts.timeout.unwrap_or(default_timeout),
            max_body: MAX_BODY_BYTES,
        })
    }

    /// The per-request timeout (the source's own, else the general one).
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The body cap: `[general] max_response` (tests lower it to check a huge body is refused).
    pub fn with_max_body(mut self, bytes: u64) -> Self {
        self.max_body = usize::try_from(bytes).unwrap_or(usize::MAX);
        self
    }

    pub fn get(&self, url: Url) -> reqwest::RequestBuilder {
        self.client.get(url)
    }

    pub fn post(&self, url: Url) -> reqwest::RequestBuilder {
        self.client.post(url)
    }

    pub fn delete(&self, url: Url) -> reqwest::RequestBuilder {
        self.client.delete(url)
    }

    fn authed(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.auth {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
            Auth::Basic { user, password } => request.basic_auth(user, Some(password.expose())),
        }
    }

    /// Sends with auth and the timeout, reads the body within the cap. Any status is returned;
    /// transport failures become `Unreachable` or `Timeout`.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<RawResponse, SourceError> {
        let request = self.authed(request);
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(SourceError::Timeout(duration::label(self.timeout))),
        }
    }

    /// Like `send`, but a 2xx body is handed to `on_chunk` as it arrives (within the cap and
    /// the timeout) instead of being held; any other status is read and returned as its
    /// `SourceError::Http`.
    pub async fn stream(
        &self,
        request: reqwest::RequestBuilder,
        on_chunk: impl FnMut(&[u8]) -> Result<(), SourceError> + Send,
    ) -> Result<(), SourceError> {
        let request = self.authed(request);
        match tokio::time::timeout(self.timeout, self.stream_exchange(request, on_chunk)).await {
            Ok(result) => result,
            Err(_) => Err(SourceError::Timeout(duration::label(self.timeout))),
        }
    }

    async fn stream_exchange(
        &self,
        request: reqwest::RequestBuilder,
        on_chunk: impl FnMut(&[u8]) -> Result<(), SourceError> + Send,
    ) -> Result<(), SourceError> {
        let response = request.send().await.map_err(|e| self.transport(&e))?;
        if !response.status().is_success() {
            let status = response.status().as_u16();
            let body = self.read_head(response).await?;
            return Err(RawResponse { status, body }.http_error());
        }
        self.each_chunk(response, on_chunk).await
    }

    async fn exchange(&self, request: reqwest::RequestBuilder) -> Result<RawResponse, SourceError> {
        let response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        let body = if response.status().is_success() {
            self.read_body(response).await?
        } else {
            self.read_head(response).await?
        };
        Ok(RawResponse { status, body })
    }

    /// The start of an error page: what its message shows (`short_text`) and a byte more, to
    /// know it went on. The rest is never read, so an endless error page costs nothing.
    async fn read_head(&self, mut response: reqwest::Response) -> Result<Vec<u8>, SourceError> {
        let mut head = Vec::new();
        while head.len() < ERROR_HEAD {
            let Some(chunk) = response.chunk().await.map_err(|e| self.transport(&e))? else {
                break;
            };
            head.extend_from_slice(&chunk[..chunk.len().min(ERROR_HEAD - head.len())]);
        }
        Ok(head)
    }

    /// The whole body, within the cap.
    async fn read_body(&self, response: reqwest::Response) -> Result<Vec<u8>, SourceError> {
        // Sized once when the server says how much comes (Alertmanager streams chunked: then
        // the buffer grows).
        let declared = response.content_length().map_or(0, |len| len as usize);
        let mut body = Vec::with_capacity(declared.min(self.max_body));
        let cap = self.max_body;
        self.each_chunk(response, |chunk| {
            // Doubling, but never past the cap (`each_chunk` stops before it): a body just
            // under 64 MiB must not reserve 128.
            let needed = body.len() + chunk.len();
            if needed > body.capacity() {
                let grown = (body.capacity() * 2).clamp(needed, cap.max(needed));
                body.reserve_exact(grown - body.len());
            }
            body.extend_from_slice(chunk);
            Ok(())
        })
        .await?;
        Ok(body)
    }

    /// The body chunk by chunk, stopped at the cap: at once when the server declares more,
    /// else as soon as what was read passes it.
    async fn each_chunk(
        &self,
        mut response: reqwest::Response,
        mut on_chunk: impl FnMut(&[u8]) -> Result<(), SourceError> + Send,
    ) -> Result<(), SourceError> {
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body as u64)
        {
            return Err(self.too_large());
        }
        let mut read = 0;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(&e))? {
            read += chunk.len();
            if read > self.max_body {
                return Err(self.too_large());
            }
            on_chunk(&chunk)?;
        }
        Ok(())
    }

    fn too_large(&self) -> SourceError {
        SourceError::BadResponse(too_large(self.max_body as u64))
    }

    /// A short cause from the innermost error, without the URL, with any secret masked.
    fn transport(&self, err: &reqwest::Error) -> SourceError {
        if err.is_timeout() {
            return SourceError::Timeout(duration::label(self.timeout));
        }
        let mut cause: &dyn std::error::Error = err;
        while let Some(inner) = cause.source() {
            cause = inner;
        }
        let text = if std::ptr::addr_eq(cause, err) {
            err_without_url(err)
        } else {
            cause.to_string()
        };
        let text = sanitise(secret::mask(&text).as_bytes(), SanitiseOptions::default());
        if err.is_connect() {
            SourceError::Unreachable(text)
        } else if err.is_body() || err.is_decode() {
            SourceError::BadResponse(format!("body cut short: {text}"))
        } else {
            SourceError::Unreachable(text)
        }
    }
}

/// What an answer over the cap is called, naming the key that raises it.
pub fn too_large(cap: u64) -> String {
    format!(
        "answer larger than {}, not read; raise [general] max_response",
        crate::domain::size::spoken(cap)
    )
}

fn err_without_url(err: &reqwest::Error) -> String {
    // reqwest::Error is not Clone; rebuild its message without the URL it carries.
    let text = err.to_string();
    match err.url() {
        Some(url) => text.replace(&format!(" for url ({url})"), ""),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keeps_prefix_and_encodes_segments() {
        let base = parse_base("http://h:9090/prom/").unwrap();
        assert_eq!(
            endpoint(&base, &["api", "v1", "query"]).as_str(),
            "http://h:9090/prom/api/v1/query"
        );
        let base = parse_base("http://h:9093").unwrap();
        assert_eq!(
            endpoint(&base, &["api", "v2", "silence", "../x?y"]).as_str(),
            "http://h:9093/api/v2/silence/..%2Fx%3Fy"
        );
    }

    #[test]
    fn base_url_errors_never_repeat_the_url() {
        let e = parse_base("ftp://user:hunter2@h/").unwrap_err().to_string();
        assert!(e.contains("ftp"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(parse_base("not a url with hunter2").is_err());
        assert!(
            !parse_base("http://[::1")
                .unwrap_err()
                .to_string()
                .contains("::1")
        );
    }

    #[test]
    fn host_port_drops_userinfo_and_path() {
        let u = parse_base("https://u:p@am-0.example:9443/x").unwrap();
        assert_eq!(host_port(&u), "am-0.example:9443");
        assert_eq!(display_url(&u), "https://am-0.example:9443/x");
        let u = parse_base("https://am-1.example/").unwrap();
        assert_eq!(host_port(&u), "am-1.example:443");
    }

    #[test]
    fn short_text_is_sanitised_single_line_and_capped() {
        let body = format!("\x1b]0;evil\x07line1\nline2 {}", "x".repeat(1000));
        let t = short_text(body.as_bytes());
        assert!(!t.contains('\x1b') && !t.contains('\n'), "{t}");
        assert!(t.starts_with("^[]0;evil^Gline1 line2"), "{t}");
        assert!(t.chars().count() <= ERROR_BODY_CHARS + 1);
        assert!(t.ends_with('…'));
    }

    #[test]
    fn decode_names_what_was_expected() {
        let e = decode::<Vec<u32>>(b"<html>", "a list of alerts").unwrap_err();
        assert_eq!(
            e,
            SourceError::BadResponse("expected a list of alerts: not JSON".into())
        );
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let e = decode::<serde_json::Value>(deep.as_bytes(), "a query result").unwrap_err();
        assert_eq!(
            e,
            SourceError::BadResponse(
                "expected a query result: JSON nested too deeply to read".into()
            )
        );
        let e = decode::<Vec<u32>>(b"[1, 2", "a list").unwrap_err();
        assert_eq!(
            e,
            SourceError::BadResponse("expected a list: truncated JSON".into())
        );
    }

    #[test]
    fn missing_secret_names_the_variable() {
        let var = "ONWATCH_TEST_HTTP_DEBUG_TOKEN";
        let opts = HttpOptions {
            bearer_token: Some(crate::config::SecretRef {
                file: None,
                env: Some(var.into()),
            }),
            ..Default::default()
        };
        // Missing variable: the error names the variable, nothing else.
        let e = HttpClient::new(&opts, Duration::from_secs(1)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("environment variable {var} is not set")
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "tok-abc-123\n").unwrap();
        let opts = HttpOptions {
            bearer_token: Some(crate::config::SecretRef {
                file: Some(path),
                env: None,
            }),
            ..Default::default()
        };
        let c = HttpClient::new(&opts, Duration::from_secs(1)).unwrap();
        let d = format!("{c:?}");
        assert!(d.contains("bearer ***") && !d.contains("tok-abc"), "{d}");
        assert_eq!(
            short_text(b"token tok-abc-123 rejected"),
            "token *** rejected"
        );
        // a secret across the cut is masked whole, not shown in half
        let long = format!("{} tok-abc-123", "x".repeat(ERROR_BODY_CHARS * 4 - 5));
        assert!(!short_text(long.as_bytes()).contains("tok-"));
    }
}
