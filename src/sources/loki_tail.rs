//! Loki's live tail: the `/loki/api/v1/tail` WebSocket. Each text message carries new entries
//! and the count of entries Loki dropped from the tail (`dropped_entries`).

use super::http::{BuildError, endpoint, parse_base, short_text};
use super::loki::LokiEntry;
use crate::config::{HttpOptions, secret};
use crate::domain::duration;
use crate::domain::health::{SourceError, Unreadable};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use url::Url;

/// Where and how to open the tail. Secrets are read at build time, never logged.
#[derive(Clone)]
pub struct TailConnector {
    base: Url,
    /// Header values, the Authorization one included: never shown (see Debug).
    headers: Vec<(String, String)>,
    /// For `https` bases: the source's TLS options as the HTTP client applies them.
    tls: Option<Arc<rustls::ClientConfig>>,
    /// Bounds the TCP connect, TLS and WebSocket upgrade together: a server that accepts and
    /// never answers would otherwise hold the tail (and a green dot) for minutes.
    timeout: Duration,
    /// Silence after which the tail pings, and then gives up: Loki sends nothing while no line
    /// matches, so only an answered ping tells a quiet stream from a dead one.
    idle: Duration,
    /// `[general] max_response`: a message (or frame) larger than this is not read.
    max_message: usize,
}

/// The handshake bound when neither the source nor `[general]` sets a timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the tail stays silent before it pings (and, unanswered, as long again before it
/// reconnects).
pub const IDLE_WINDOW: Duration = Duration::from_secs(30);

impl std::fmt::Debug for TailConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TailConnector")
            .field("base", &super::http::display_url(&self.base))
            .finish_non_exhaustive()
    }
}

/// One message of the tail.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TailFrame {
    pub entries: Vec<LokiEntry>,
    pub dropped: usize,
    /// Entries of the message that could not be read.
    pub unreadable: Unreadable,
}

/// What a tail connection reports while it runs.
#[derive(Clone, Debug, PartialEq)]
pub enum TailEvent {
    /// The handshake completed: the server is proved alive.
    Open,
    Frame(TailFrame),
    /// A pong (or another control frame): the quiet stream is still alive.
    Alive,
}

/// What ended a tail connection.
#[derive(Clone, Debug, PartialEq)]
pub enum TailEnd {
    /// The server closed it (Loki does after about an hour, code 1011).
    Closed(Option<u16>),
    Error(SourceError),
}

#[derive(Deserialize)]
struct WireFrame {
    #[serde(default)]
    streams: serde_json::Value,
    #[serde(default)]
    dropped_entries: Option<Vec<serde_json::Value>>,
}

/// Reads one tail message; entries that cannot be read are counted in the frame.
pub fn parse_frame(text: &str) -> Result<TailFrame, SourceError> {
    let wire: WireFrame = serde_json::from_str(text).map_err(|e| {
        SourceError::BadResponse(format!(
            "expected a Loki tail message: {}",
            super::http::data_error(&e.to_string())
        ))
    })?;
    let streams = match wire.streams {
        serde_json::Value::Null => serde_json::Value::Array(Vec::new()),
        s @ serde_json::Value::Array(_) => s,
        _ => {
            return Err(SourceError::BadResponse(
                "expected a Loki tail message: streams is not a list".into(),
            ));
        }
    };
    let (entries, unreadable) = super::loki::read_streams(streams, true)?;
    Ok(TailFrame {
        entries,
        dropped: wire.dropped_entries.map_or(0, |d| d.len()),
        unreadable,
    })
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        crate::domain::redact::base64(format!("{user}:{password}").as_bytes())
    )
}

impl TailConnector {
    pub fn new(base_url: &str, opts: &HttpOptions) -> Result<Self, BuildError> {
        let base = parse_base(base_url)?;
        let tls = if base.scheme() == "https" {
            Some(super::tls::client_config(&opts.tls)?)
        } else {
            None
        };
        let mut headers = Vec::new();
        secret::remember_headers(&opts.headers);
        for (k, v) in &opts.headers {
            headers.push((k.clone(), v.clone()));
        }
        if let Some(t) = &opts.bearer_token {
            let token = secret::read(t)?;
            headers.push(("Authorization".into(), format!("Bearer {}", token.expose())));
        } else if let Some(b) = &opts.basic_auth {
            let password = secret::read_basic(b)?;
            headers.push((
                "Authorization".into(),
                basic(&b.username, password.expose()),
            ));
        }
        Ok(Self {
            base,
            headers,
            tls,
            timeout: opts.timeout.unwrap_or(DEFAULT_TIMEOUT),
            idle: IDLE_WINDOW,
            max_message: crate::sources::http::MAX_BODY_BYTES,
        })
    }

    /// The largest WebSocket message (and frame) read; a larger one ends the connection.
    pub fn with_max_message(mut self, bytes: u64) -> Self {
        self.max_message = usize::try_from(bytes).unwrap_or(usize::MAX);
        self
    }

    /// The silence after which the tail pings (`idle` of the source).
    pub fn with_idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// `ws(s)://…/loki/api/v1/tail?query=…&start=…&limit=…`.
    pub fn url(&self, query: &str, start_ns: i128, limit: u32) -> Url {
        let mut url = endpoint(&self.base, &["loki", "api", "v1", "tail"]);
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        // http -> ws and https -> wss are both allowed scheme changes.
        let _ = url.set_scheme(scheme);
        url.query_pairs_mut()
            .append_pair("query", query)
            .append_pair("start", &start_ns.to_string())
            .append_pair("limit", &limit.to_string());
        url
    }

    /// Opens the tail and hands each message to `on_frame` until the connection ends.
    pub async fn run(
        &self,
        query: &str,
        start_ns: i128,
        limit: u32,
        mut on_frame: impl FnMut(TailFrame),
    ) -> TailEnd {
        self.run_events(query, start_ns, limit, |e| {
            if let TailEvent::Frame(f) = e {
                on_frame(f);
            }
        })
        .await
    }

    /// Like `run`, also telling when the connection is proved alive (open, or a pong).
    pub async fn run_events(
        &self,
        query: &str,
        start_ns: i128,
        limit: u32,
        mut on_event: impl FnMut(TailEvent),
    ) -> TailEnd {
        let url = self.url(query, start_ns, limit);
        let shown = super::http::display_url(&url);
        let mut request = match url.as_str().into_client_request() {
            Ok(r) => r,
            Err(e) => return TailEnd::Error(SourceError::Unreachable(format!("{shown}: {e}"))),
        };
        for (k, v) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                request.headers_mut().insert(name, value);
            }
        }
        let connector = self.tls.clone().map(Connector::Rustls);
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(self.max_message))
            .max_frame_size(Some(self.max_message));
        let connect = tokio_tungstenite::connect_async_tls_with_config(
            request,
            Some(ws_config),
            false,
            connector,
        );
        let Ok(connected) = tokio::time::timeout(self.timeout, connect).await else {
            return TailEnd::Error(SourceError::Unreachable(format!(
                "handshake timed out after {}",
                duration::label(self.timeout)
            )));
        };
        let mut ws = match connected {
            Ok((ws, _)) => ws,
            Err(tungstenite::Error::Http(resp)) => {
                let body = resp.body().as_deref().map(short_text).unwrap_or_default();
                return TailEnd::Error(SourceError::Http {
                    status: resp.status().as_u16(),
                    message: body,
                });
            }
            Err(e) => {
                let why = match tls_error(&e) {
                    Some(tls) => tls_message(tls),
                    None => short_text(e.to_string().as_bytes()),
                };
                return TailEnd::Error(SourceError::Unreachable(why));
            }
        };
        on_event(TailEvent::Open);
        let mut pinged = false;
        loop {
            let msg = match tokio::time::timeout(self.idle, ws.next()).await {
                Ok(Some(msg)) => msg,
                Ok(None) => return TailEnd::Closed(None),
                Err(_) if !pinged => {
                    // Silence: ask. A live server answers even when no line matches.
                    pinged = true;
                    if let Err(e) = ws.send(Message::Ping(Vec::new().into())).await {
                        return TailEnd::Error(SourceError::Unreachable(short_text(
                            e.to_string().as_bytes(),
                        )));
                    }
                    continue;
                }
                Err(_) => {
                    return TailEnd::Error(SourceError::Unreachable(format!(
                        "no data for {} (a ping went unanswered)",
                        duration::label(self.idle * 2)
                    )));
                }
            };
            pinged = false;
            match msg {
                Ok(Message::Text(text)) => match parse_frame(text.as_str()) {
                    Ok(frame) => on_event(TailEvent::Frame(frame)),
                    Err(e) => return TailEnd::Error(e),
                },
                Ok(Message::Close(frame)) => {
                    return TailEnd::Closed(frame.map(|f| u16::from(f.code)));
                }
                // Pings are answered by tungstenite; binary is not part of the API.
                Ok(_) => on_event(TailEvent::Alive),
                Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                    return TailEnd::Closed(None);
                }
                Err(tungstenite::Error::Capacity(_)) => {
                    return TailEnd::Error(SourceError::BadResponse(
                        crate::sources::http::too_large(self.max_message as u64),
                    ));
                }
                Err(e) => {
                    return TailEnd::Error(SourceError::Unreachable(short_text(
                        e.to_string().as_bytes(),
                    )));
                }
            }
        }
    }
}

/// The TLS failure under a connection error (tokio-rustls reports it as an I/O error).
fn tls_error(e: &tungstenite::Error) -> Option<&rustls::Error> {
    match e {
        tungstenite::Error::Tls(tungstenite::error::TlsError::Rustls(r)) => Some(r),
        tungstenite::Error::Io(io) => io.get_ref()?.downcast_ref(),
        _ => None,
    }
}

/// `TLS: invalid peer certificate: UnknownIssuer (…)`, naming the option that fixes a
/// certificate the tail does not trust.
fn tls_message(e: &rustls::Error) -> String {
    let hint = match e {
        // General: the verifier found no root to check against (no system CA store).
        rustls::Error::InvalidCertificate(_) | rustls::Error::General(_) => {
            " (trust the server's CA with tls.ca_file, or opt in to tls.insecure_skip_verify)"
        }
        _ => "",
    };
    format!("TLS: {}{hint}", short_text(e.to_string().as_bytes()))
}

/// Loki's code when it ends a tail after its maximum duration.
pub const CLOSE_SERVER_ERROR: u16 = 1011;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_flatten_sort_and_count_dropped() {
        let f = parse_frame(
            r#"{"streams":[{"stream":{"app":"a"},"values":[["20","b"],["10","a"]]}],
                "dropped_entries":[{"labels":{"app":"a"},"timestamp":"5"}]}"#,
        )
        .unwrap();
        assert_eq!(
            f.entries.iter().map(|e| e.ts_ns).collect::<Vec<_>>(),
            [10, 20]
        );
        assert_eq!(f.dropped, 1);
        assert!(
            parse_frame("{\"streams\":[],\"dropped_entries\":null}")
                .unwrap()
                .entries
                .is_empty()
        );
        assert!(parse_frame("not json").is_err());
    }

    #[test]
    fn basic_auth_is_base64() {
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic("a", "b"), "Basic YTpi");
    }
}
