//! The Loki live tail against a local WebSocket server replaying the shapes of
//! `/loki/api/v1/tail` (reference: loki-http-api.md "Stream logs").

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
mod kit;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use onwatch::app::msg::SourceUpdate;
use onwatch::config::HttpOptions;
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::logs::SanitiseOptions;
use onwatch::poll::loki_tail::LokiTail;
use onwatch::poll::stream::{StreamPublisher, spawn_stream};
use onwatch::sources::loki_tail::TailConnector;
use serde_json::json;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};

type Plan = (Vec<serde_json::Value>, Option<u16>);
/// The query parameters, X-Scope-OrgID and Authorization of each connection.
type Seen = (BTreeMap<String, String>, Option<String>, Option<String>);

/// What each connection sends, in order; after its frames it closes with the code, or stays open.
#[derive(Clone)]
struct Script {
    connections: Arc<Mutex<VecDeque<Plan>>>,
    seen: mpsc::UnboundedSender<Seen>,
}

async fn tail(
    State(script): State<Script>,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    script
        .seen
        .send((params, header("x-scope-orgid"), header("authorization")))
        .unwrap();
    let next = script.connections.lock().unwrap().pop_front();
    ws.on_upgrade(move |socket| serve(socket, next))
}

async fn serve(mut socket: WebSocket, plan: Option<Plan>) {
    let Some((frames, close)) = plan else {
        return;
    };
    for f in frames {
        if socket
            .send(Message::Text(f.to_string().into()))
            .await
            .is_err()
        {
            return;
        }
    }
    match close {
        Some(code) => {
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code,
                    reason: "reached tail max duration limit".into(),
                })))
                .await;
        }
        None => {
            // Stay open until the client goes away.
            while let Some(Ok(_)) = socket.recv().await {}
        }
    }
}

/// A nanosecond a minute ago, plus `offset`: inside the tail's first lookback.
fn ts(offset: i128) -> String {
    static T0: std::sync::OnceLock<i128> = std::sync::OnceLock::new();
    let t0 = T0.get_or_init(|| i128::from(chrono::Utc::now().timestamp() - 60) * 1_000_000_000);
    (t0 + offset).to_string()
}

fn frame(entries: &[(&str, i128, &str)], dropped: usize) -> serde_json::Value {
    let streams: Vec<_> = entries
        .iter()
        .map(|(app, offset, line)| json!({"stream": {"app": app}, "values": [[ts(*offset), line]]}))
        .collect();
    let dropped: Vec<_> = (0..dropped)
        .map(|i| json!({"labels": {"app": "api"}, "timestamp": format!("{}", 100 + i)}))
        .collect();
    json!({"streams": streams, "dropped_entries": if dropped.is_empty() { serde_json::Value::Null } else { json!(dropped) }})
}

struct Server {
    url: String,
    seen: mpsc::UnboundedReceiver<Seen>,
}

async fn server(connections: Vec<Plan>) -> Server {
    let (tx, seen) = mpsc::unbounded_channel();
    let script = Script {
        connections: Arc::new(Mutex::new(connections.into())),
        seen: tx,
    };
    let app = axum::Router::new()
        .route("/loki/api/v1/tail", get(tail))
        .with_state(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server {
        url: format!("http://{addr}"),
        seen,
    }
}

fn start(
    url: &str,
) -> (
    onwatch::poll::PollerHandle,
    watch::Receiver<Option<SourceUpdate>>,
) {
    let opts = HttpOptions {
        headers: [("X-Scope-OrgID".to_string(), "tenant-1".to_string())].into(),
        ..Default::default()
    };
    let (p, rx) = StreamPublisher::new(
        SourceId::new(SourceKind::Loki, "prod"),
        1000,
        1 << 20,
        Arc::new(Notify::new()),
    );
    let tail = LokiTail {
        connector: TailConnector::new(url, &opts).unwrap(),
        query: r#"{app="api"}"#.into(),
        lookback: Duration::from_secs(300),
        limit: 100,
        sanitise: SanitiseOptions::default(),
        backoff_start: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
    };
    (spawn_stream(p, rx.clone(), |p| tail.run(p)), rx)
}

#[tokio::test]
async fn contract_loki_tail_close_1011_resumes_without_loss_or_duplicate() {
    let mut srv = server(vec![
        (
            vec![
                frame(&[("api", 1000, "a")], 0),
                frame(&[("api", 2000, "b"), ("web", 2000, "c")], 0),
            ],
            Some(1011),
        ),
        // The resumed tail replays from its start (inclusive): b and c again, d new at the
        // same nanosecond, then e.
        (
            vec![frame(
                &[
                    ("api", 2000, "b"),
                    ("web", 2000, "c"),
                    ("api", 2000, "d"),
                    ("api", 3000, "e"),
                ],
                0,
            )],
            None,
        ),
    ])
    .await;
    let (_h, mut rx) = start(&srv.url);
    let w = kit::until(&mut rx, Duration::from_secs(20), |w| {
        w.lines.iter().any(|l| l.line == "e")
    })
    .await;
    let lines: Vec<&str> = w.lines.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(lines, ["a", "b", "c", "d", "e"]);
    assert_eq!(w.first_seq, 0);
    let (first, org, auth) = srv.seen.recv().await.unwrap();
    assert_eq!(first["query"], r#"{app="api"}"#);
    assert_eq!(first["limit"], "100");
    assert_eq!(org.as_deref(), Some("tenant-1"));
    assert_eq!(auth, None);
    let (second, _, _) = srv.seen.recv().await.unwrap();
    assert_eq!(
        second["start"],
        ts(2000),
        "resumed at the last nanosecond seen"
    );
    assert!(
        first["start"].parse::<i128>().unwrap() < ts(0).parse::<i128>().unwrap(),
        "the first start is now - lookback"
    );
}

#[tokio::test]
async fn contract_loki_tail_dropped_entries_are_shown() {
    let srv = server(vec![(
        vec![
            frame(&[("api", 1000, "before")], 0),
            frame(&[("api", 2000, "after")], 3),
            frame(&[], 2),
        ],
        None,
    )])
    .await;
    let (_h, mut rx) = start(&srv.url);
    let w = kit::until(&mut rx, Duration::from_secs(20), |w| {
        w.lines.iter().any(|l| l.line.contains("5 in all"))
    })
    .await;
    let lines: Vec<&str> = w.lines.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "before",
            "after",
            "onwatch: Loki dropped 3 entries from the live tail (3 in all)",
            "onwatch: Loki dropped 2 entries from the live tail (5 in all)",
        ]
    );
}

#[tokio::test]
async fn contract_loki_tail_refused_upgrade_is_an_http_error_then_retried() {
    // No route for the tail: a 404 instead of an upgrade.
    let app = axum::Router::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let (_h, mut rx) = start(&format!("http://{addr}"));
    let wait = async {
        let mut errors = 0;
        loop {
            rx.changed().await.unwrap();
            let u = rx.borrow_and_update().clone().unwrap();
            if let Err(e) = u.result {
                assert!(e.to_string().contains("404"), "{e}");
                errors += 1;
                if errors == 2 {
                    return;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .expect("two failed attempts, each reported");
}
