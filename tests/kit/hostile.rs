//! A hostile backend on 127.0.0.1 for every source kind at once (Prometheus, Alertmanager, Loki
//! with its WebSocket tail, Elasticsearch), whose fault is switched while it runs, so a test
//! sees a failure and then the recovery. HTTP/1.1 is written by hand on a raw accept loop: a
//! tarpit, a trickle or a cut body are what a framework would not let a handler do. It runs on
//! its own thread and runtime, so synchronous tests (the binary in a pty) use it as async ones
//! do; it stops when dropped. Also here: every form a secret could be read back in.

use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

/// What the backend does with each request, from the next request on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Good, realistic answers on every API.
    Healthy,
    /// Each connection is reset as soon as it is accepted (the listener stays bound, so
    /// clearing the fault needs no rebind that another process could race for the port).
    Refuse,
    /// The request is read, never answered (a tail's upgrade too).
    TarpitHeaders,
    /// The headers, then one byte a second of a body (or a tail's frame) that never ends.
    TrickleBody,
    /// This status, with a page echoing every request header, raw and URL-encoded.
    EchoStatus(u16),
    /// 200 whose JSON puts the echoed headers where a list, a map or a number belongs.
    EchoIntoWrongField,
    /// Half the body the headers promised (a tail: half a frame), then the connection closed.
    Truncated,
    /// The list the API answers (and the versions `check` reads), nested 100,000 deep.
    DeeplyNested,
    /// Valid JSON of the wrong shape (an object where a list belongs, a matrix for streams).
    WrongShape,
    /// Good items and one bad one: an alert with `startsAt` 2026-13-45, a rule group without a
    /// name, a log entry without a time, a search hit that is not an object.
    BadItemsAmongGood,
    /// Everything healthy, but the tail's upgrade answered and then silence, pings unanswered.
    SilentStream,
    /// Healthy answers that also carry the echoed headers where they are shown: an alert's
    /// annotation and label, a log line of each log source, the versions `check` prints (the
    /// build info, the `/metrics` build series, the cluster's status).
    EchoIntoShownFields,
}

/// The Elasticsearch index the good answers are served for.
pub const INDEX: &str = "logs-app";
/// The good items every answer carries (alert names, log lines), never containing a secret.
pub const GOOD_ALERTS: [&str; 2] = ["DiskFillingUp", "ApiLatencyHigh"];
pub const GOOD_LOKI_LINES: [&str; 2] = ["loki line one", "loki line two"];
pub const GOOD_TAIL_LINES: [&str; 2] = ["tail line one", "tail line two"];
pub const GOOD_ES_LINES: [&str; 2] = ["es line one", "es line two"];
/// The alert whose annotation and label are the echo (with `EchoIntoShownFields`).
pub const ECHOED: &str = "EchoedHeaders";

/// A running hostile backend (see the module); stops when dropped.
pub struct Hostile {
    /// `http://127.0.0.1:PORT`: the base URL of every kind.
    pub url: String,
    fault: watch::Sender<Fault>,
    tails: Arc<AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// What each connection is served from: the fault now, when the server started (every item's
/// time, so a poll's answer repeats the last one as a real backend's would), the tails opened.
#[derive(Clone)]
struct Ctx {
    fault: watch::Receiver<Fault>,
    born_ns: i128,
    tails: Arc<AtomicUsize>,
}

impl Hostile {
    pub fn start(fault: Fault) -> Hostile {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = watch::channel(fault);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let tails = Arc::new(AtomicUsize::new(0));
        let ctx = Ctx {
            fault: rx,
            born_ns: now_ns(),
            tails: tails.clone(),
        };
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let accept = async {
                    while let Ok((tcp, _)) = listener.accept().await {
                        tokio::spawn(connection(tcp, ctx.clone()));
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = stopped => {}
                }
            });
        });
        Hostile {
            url,
            fault: tx,
            tails,
            _stop: stop,
        }
    }

    /// Switches the fault; held connections (a tarpit, a trickle) are let go.
    pub fn set(&self, fault: Fault) {
        self.fault.send_replace(fault);
    }

    /// How many tail upgrades were asked for so far (each connection of the Loki tail).
    pub fn tail_connections(&self) -> usize {
        self.tails.load(Ordering::SeqCst)
    }
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_tail(&self) -> bool {
        self.path.ends_with("/loki/api/v1/tail")
    }
}

/// The request head and its `Content-Length` body, or `None` when the client went away.
async fn read_request(tcp: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = tcp.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while body.len() < len {
        let n = tcp.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body,
    })
}

async fn connection(mut tcp: TcpStream, ctx: Ctx) {
    // Marked seen now: `changed` then means a change after this connection came.
    let mut fault = ctx.fault.clone();
    if *fault.borrow_and_update() == Fault::Refuse {
        // A reset, not a close: the client cannot take it for an empty answer.
        let _ = tcp.set_zero_linger();
        return;
    }
    let Some(req) = read_request(&mut tcp).await else {
        return;
    };
    if req.is_tail() {
        ctx.tails.fetch_add(1, Ordering::SeqCst);
    }
    let now = *fault.borrow_and_update();
    match now {
        Fault::TarpitHeaders => {
            // Held until the fault changes (or the server stops).
            let _ = fault.changed().await;
        }
        Fault::TrickleBody => trickle(tcp, &req, fault).await,
        Fault::EchoStatus(status) => {
            let page = echo_page(status, &req);
            let _ = respond(&mut tcp, status, "text/html", page.as_bytes()).await;
        }
        _ if req.is_tail() => tail(tcp, &req, now, fault, ctx.born_ns).await,
        _ => {
            let (status, body) = answer(&req, now, ctx.born_ns);
            if now == Fault::Truncated {
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tcp.write_all(head.as_bytes()).await;
                let _ = tcp.write_all(&body[..body.len() / 2]).await;
                let _ = tcp.flush().await;
            } else {
                let _ = respond(&mut tcp, status, "application/json", &body).await;
            }
        }
    }
}

async fn respond(tcp: &mut TcpStream, status: u16, kind: &str, body: &[u8]) -> std::io::Result<()> {
    let extra = match status {
        401 => "www-authenticate: Bearer realm=\"onwatch-test\"\r\n",
        429 => "retry-after: 1\r\n",
        _ => "",
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).await?;
    tcp.write_all(body).await?;
    tcp.flush().await
}

/// Headers (a tail: the upgrade) then one byte a second, until the fault changes.
async fn trickle(mut tcp: TcpStream, req: &Request, mut fault: watch::Receiver<Fault>) {
    let head = if req.is_tail() {
        upgrade_head(req)
    } else {
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\nconnection: close\r\n\r\n".to_string()
    };
    if tcp.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    // A tail gets the start of a text frame of 1000 bytes, whose payload then trickles.
    if req.is_tail() && tcp.write_all(&[0x81, 126, 0x03, 0xe8]).await.is_err() {
        return;
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if tcp.write_all(b"[").await.is_err() || tcp.flush().await.is_err() {
                    return;
                }
            }
            _ = fault.changed() => return,
        }
    }
}

fn upgrade_head(req: &Request) -> String {
    let key = req.header("sec-websocket-key").unwrap_or("");
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: {accept}\r\n\r\n"
    )
}

/// The Loki tail: the upgrade answered, then the fault's frame.
async fn tail(
    mut tcp: TcpStream,
    req: &Request,
    now: Fault,
    mut fault: watch::Receiver<Fault>,
    born_ns: i128,
) {
    if tcp.write_all(upgrade_head(req).as_bytes()).await.is_err() {
        return;
    }
    if now == Fault::Truncated {
        // Half of a 1000-byte frame, then gone without a close frame.
        let _ = tcp.write_all(&[0x81, 126, 0x03, 0xe8]).await;
        let _ = tcp.write_all(&[b'{'; 500]).await;
        return;
    }
    if now == Fault::SilentStream {
        // Never read, so a ping is never answered.
        let _ = fault.changed().await;
        return;
    }
    let role = tokio_tungstenite::tungstenite::protocol::Role::Server;
    let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(tcp, role, None).await;
    let frame = match now {
        Fault::EchoIntoWrongField => {
            serde_json::json!({ "streams": [{"stream": echo(req), "values": [[echo(req), 7]]}] })
                .to_string()
        }
        Fault::DeeplyNested => format!("{{\"streams\":{}}}", nested()),
        Fault::WrongShape => r#"{"streams":{"stream":{"app":"api"}}}"#.to_string(),
        _ => streams(&GOOD_TAIL_LINES, now, &echo(req), born_ns).to_string(),
    };
    if ws.send(Message::Text(frame.into())).await.is_err() {
        return;
    }
    // Read on, so pings are answered, until the client or a new fault ends it.
    loop {
        tokio::select! {
            m = ws.next() => if !matches!(m, Some(Ok(_))) { return },
            _ = fault.changed() => return,
        }
    }
}

fn echo(req: &Request) -> String {
    echo_of(
        req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &req.query,
        &req.body,
    )
}

/// Each header `name: value; name-encoded: %..; `, the credentials first (so they are in what
/// a client keeps of a long page), then the query and the body.
pub fn echo_of<'a>(
    headers: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    query: &str,
    body: &[u8],
) -> String {
    let credentials = |k: &str| matches!(k, "authorization" | "x-scope-orgid");
    let header = |(k, v): (&str, &str)| format!("{k}: {v}; {k}-encoded: {}; ", url_encoded(v));
    let mut out: String = headers
        .clone()
        .filter(|(k, _)| credentials(k))
        .map(header)
        .collect();
    out.push_str(&format!(
        "query: {query}; body: {}; ",
        String::from_utf8_lossy(body)
    ));
    out.extend(headers.filter(|(k, _)| !credentials(k)).map(header));
    out
}

/// Fails when `text` holds any of `forbidden` (a secret in any form it travels in).
#[track_caller]
pub fn assert_none_of(forbidden: &[String], text: &str, what: &str) {
    for f in forbidden {
        assert!(!text.contains(f), "{what} shows {f:?}:\n{text}");
    }
}

fn echo_page(status: u16, req: &Request) -> String {
    let e = echo(req);
    match status {
        401 | 403 => format!("denied {} {}; you sent {e}", req.method, req.path),
        429 => format!("slow down; you sent {e}"),
        _ => format!("<html><body>upstream failed; request: {e}</body></html>"),
    }
}

/// 100,000 nested lists.
fn nested() -> String {
    format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))
}

fn now_ns() -> i128 {
    i128::from(chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0))
}

/// Loki streams holding `lines` (a second apart, ending a second before `now`), and the entry
/// `fault` adds: one whose time is no number, or one at `now` whose line is `echo`.
fn streams(lines: &[&str], fault: Fault, echo: &str, now: i128) -> serde_json::Value {
    let mut values: Vec<serde_json::Value> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let ts = now - 1_000_000_000 * (lines.len() - i) as i128;
            serde_json::json!([ts.to_string(), l])
        })
        .collect();
    match fault {
        Fault::BadItemsAmongGood => {
            values.insert(1, serde_json::json!(["yesterday", "a line without a time"]));
        }
        Fault::EchoIntoShownFields => values.push(serde_json::json!([now.to_string(), echo])),
        _ => {}
    }
    serde_json::json!({"streams": [{"stream": {"app": "api", "level": "info"}, "values": values}]})
}

fn alert(name: &str, starts_at: &str) -> serde_json::Value {
    serde_json::json!({
        "labels": {"alertname": name, "severity": "critical", "service": "checkout"},
        "annotations": {"summary": format!("{name} on checkout")},
        "startsAt": starts_at,
        "endsAt": "0001-01-01T00:00:00Z",
        "updatedAt": starts_at,
        "fingerprint": format!("{:016x}", name.len() * 7919),
        "generatorURL": "http://prometheus.example/graph",
        "receivers": [{"name": "oncall"}],
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}
    })
}

/// The 2xx answer to `req` under `fault` (the faults that answer with JSON).
fn answer(req: &Request, fault: Fault, born_ns: i128) -> (u16, Vec<u8>) {
    use serde_json::json;
    let (bad, e) = (fault == Fault::BadItemsAmongGood, echo(req));
    let shown = fault == Fault::EchoIntoShownFields;
    let p = req.path.as_str();
    let born = chrono::DateTime::from_timestamp_nanos(i64::try_from(born_ns).unwrap());
    let started = (born - chrono::Duration::minutes(5)).to_rfc3339();
    let ok = |data: serde_json::Value| json!({"status": "success", "data": data});
    let json = match (fault, p) {
        (Fault::DeeplyNested, "/api/v2/alerts" | "/api/v2/silences") => {
            return (200, nested().into_bytes());
        }
        (Fault::DeeplyNested, "/api/v1/status/buildinfo") => {
            let body = format!(
                "{{\"status\":\"success\",\"data\":{{\"version\":{}}}}}",
                nested()
            );
            return (200, body.into_bytes());
        }
        (Fault::DeeplyNested, "/api/v2/status") => {
            return (
                200,
                format!("{{\"versionInfo\":{{\"version\":{}}}}}", nested()).into_bytes(),
            );
        }
        (Fault::DeeplyNested, _) if p.ends_with("_search") => {
            return (
                200,
                format!("{{\"hits\":{{\"hits\":{}}}}}", nested()).into_bytes(),
            );
        }
        (
            Fault::DeeplyNested,
            "/api/v1/query" | "/api/v1/query_range" | "/api/v1/rules" | "/loki/api/v1/query_range",
        ) => {
            let kind = if p.starts_with("/loki") {
                "streams"
            } else {
                "vector"
            };
            let body = format!(
                "{{\"status\":\"success\",\"data\":{{\"resultType\":\"{kind}\",\"result\":{},\"groups\":{}}}}}",
                nested(),
                nested()
            );
            return (200, body.into_bytes());
        }
        (Fault::EchoIntoWrongField, "/api/v1/query" | "/api/v1/query_range") => {
            ok(json!({"resultType": "vector", "result": e}))
        }
        (Fault::EchoIntoWrongField, "/api/v1/status/buildinfo") => {
            ok(json!({"version": [e], "revision": 7}))
        }
        (Fault::EchoIntoWrongField, "/api/v1/rules") => ok(json!({"groups": e})),
        (Fault::EchoIntoWrongField, "/api/v2/alerts") => {
            json!([{"labels": e.clone(), "startsAt": 42}, {"labels": {"alertname": 7}, "startsAt": e}])
        }
        (Fault::EchoIntoWrongField, "/api/v2/silences") => json!({"silences": e}),
        (Fault::EchoIntoWrongField, "/api/v2/status") => {
            json!({"versionInfo": {"version": 7}, "cluster": {"status": 9, "peers": e}})
        }
        (Fault::EchoIntoWrongField, "/loki/api/v1/query_range") => {
            ok(json!({"resultType": "streams", "result": [{"stream": e.clone(), "values": e}]}))
        }
        (Fault::EchoIntoWrongField, _) if p.ends_with("_search") => {
            json!({"hits": {"hits": e}, "timed_out": false})
        }
        (Fault::WrongShape, "/api/v1/query") => ok(json!({"resultType": "matrix", "result": {}})),
        (Fault::WrongShape, "/api/v1/query_range") => {
            ok(json!({"resultType": "vector", "result": []}))
        }
        (Fault::WrongShape, "/api/v1/status/buildinfo") => json!(["2.53.0"]),
        (Fault::WrongShape, "/api/v1/rules") => ok(json!({"groups": {"name": "slo"}})),
        (Fault::WrongShape, "/api/v2/alerts" | "/api/v2/silences") => json!({"alerts": []}),
        (Fault::WrongShape, "/api/v2/status") => json!([]),
        (Fault::WrongShape, "/loki/api/v1/query_range") => {
            ok(json!({"resultType": "matrix", "result": []}))
        }
        (Fault::WrongShape, _) if p.ends_with("_search") => {
            json!({"took": 1, "hits": {"hits": {"_id": "x", "_source": {}}}})
        }
        (_, "/api/v1/query") => {
            let sample = json!({"metric": {}, "value": [born.timestamp(), "0.001"]});
            ok(json!({"resultType": "vector", "result": [sample]}))
        }
        (_, "/api/v1/query_range") => ok(json!({"resultType": "matrix", "result": []})),
        (_, "/api/v1/status/buildinfo") if shown => ok(json!({"version": e, "revision": e})),
        (_, "/api/v1/status/buildinfo") => ok(json!({"version": "2.53.0", "revision": "f1e2d3c"})),
        (_, "/api/v1/rules") => {
            let group = |name: &str| {
                json!({"name": name, "file": "slo.yml", "interval": 30, "rules": [
                {"type": "recording", "name": "job:up:sum", "query": "sum(up)", "health": "ok"}]})
            };
            let mut groups = vec![group("availability"), group("latency")];
            if bad {
                groups.insert(1, json!({"file": "broken.yml", "rules": []}));
            }
            ok(json!({"groups": groups}))
        }
        (_, "/metrics") if shown => {
            let text = format!("prometheus_build_info{{version=\"{e}\"}} 1\n");
            return (200, text.into_bytes());
        }
        (_, "/metrics") => {
            let text =
                "# HELP prometheus_build_info x\nprometheus_build_info{version=\"2.53.0\"} 1\n";
            return (200, text.as_bytes().to_vec());
        }
        (_, "/api/v2/alerts") => {
            let mut alerts: Vec<_> = GOOD_ALERTS.iter().map(|n| alert(n, &started)).collect();
            if bad {
                alerts.insert(1, alert("BadStartsAt", "2026-13-45T00:00:00Z"));
            }
            if shown {
                let mut echoed = alert(ECHOED, &started);
                echoed["annotations"]["summary"] = json!(e);
                echoed["labels"]["sent"] = json!(e);
                alerts.push(echoed);
            }
            json!(alerts)
        }
        (_, "/api/v2/silences") => json!([]),
        (_, "/api/v2/status") if shown => {
            json!({"versionInfo": {"version": e}, "cluster": {"name": e, "status": e, "peers": []}})
        }
        (_, "/api/v2/status") => json!({"versionInfo": {"version": "0.27.0"},
            "cluster": {"name": "01HOST", "status": "ready", "peers": [{"name": "a", "address": "127.0.0.1:9094"}]}}),
        (_, "/loki/api/v1/query_range") => {
            let s = streams(&GOOD_LOKI_LINES, fault, &e, born_ns);
            ok(json!({"resultType": "streams", "result": s["streams"]}))
        }
        (_, "/ready") => return (200, b"ready\n".to_vec()),
        (_, _) if p == format!("/{INDEX}/_search") && req.method == "POST" => {
            // Nothing is newer than the first page: a page after it is empty.
            if String::from_utf8_lossy(&req.body).contains("search_after") {
                return (200, br#"{"timed_out":false,"hits":{"hits":[]}}"#.to_vec());
            }
            let now = born.timestamp_millis();
            let hit = |i: i64, line: &str| {
                json!({"_index": INDEX, "_id": format!("id{i}"),
                "_source": {"@timestamp": "2026-01-01T00:00:00Z", "message": line, "level": "info"},
                "sort": [now - 2000 + i, format!("id{i}")]})
            };
            let mut hits = vec![hit(0, GOOD_ES_LINES[0]), hit(1, GOOD_ES_LINES[1])];
            if bad {
                hits.insert(1, json!("a hit that is no object"));
            }
            if shown {
                hits.push(hit(2, &e));
            }
            json!({"took": 2, "timed_out": false, "hits": {"hits": hits}})
        }
        _ => return (404, b"{\"error\":\"not found\"}".to_vec()),
    };
    (200, json.to_string().into_bytes())
}

/// A secret as a form's or URL's query carries it.
pub fn url_encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every form `plain` could be read back in: raw, URL-encoded, base64 (standard and URL-safe,
/// padded or not). Basic auth's `user:password` is one of `plain` when a test uses it.
pub fn forms(plain: &[String]) -> Vec<String> {
    let mut plain = plain.to_vec();
    plain.extend(plain.clone().iter().map(|s| url_encoded(s)));
    let mut out = plain.clone();
    for s in &plain {
        let b64 = onwatch::domain::redact::base64(s.as_bytes());
        let url_safe = b64.replace('+', "-").replace('/', "_");
        out.push(b64.trim_end_matches('=').to_string());
        out.push(url_safe.trim_end_matches('=').to_string());
    }
    out
}
