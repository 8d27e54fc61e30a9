//! Contract: the Loki client and tailer replay `query_range` stream responses in the shape
//! Loki's HTTP API documents (`resultType: streams`, values as
//! `["<ns>", "<line>"]`, optionally with structured metadata) from a local axum server that
//! honours `start` (inclusive), `end` (exclusive), `limit` and `direction` as Loki does.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failure here is a broken test

mod kit;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use onwatch::app::Clock;
use onwatch::app::msg::{LogWindow, Payload};
use onwatch::domain::health::SourceError;
use onwatch::domain::logs::Level;
use onwatch::poll::LokiFetcher;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_millis(500);

/// Entries (ns, app label, line) and every query received.
#[derive(Clone, Default)]
struct Store {
    entries: Arc<Mutex<Vec<(i128, String, String)>>>,
    queries: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl Store {
    fn push(&self, ts: i128, app: &str, line: &str) {
        self.entries
            .lock()
            .unwrap()
            .push((ts, app.into(), line.into()));
    }
}

async fn query_range(
    State(store): State<Store>,
    Query(q): Query<HashMap<String, String>>,
) -> (StatusCode, String) {
    store.queries.lock().unwrap().push(q.clone());
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i128>().ok());
    let (Some(start), Some(end)) = (num("start"), num("end")) else {
        return (StatusCode::BAD_REQUEST, "bad start/end".into());
    };
    let limit = num("limit").unwrap_or(100) as usize;
    let forward = q.get("direction").map(String::as_str) == Some("forward");
    let mut hits: Vec<_> = store
        .entries
        .lock()
        .unwrap()
        .iter()
        .filter(|(ts, _, _)| *ts >= start && *ts < end)
        .cloned()
        .collect();
    hits.sort_by_key(|(ts, _, _)| *ts);
    if !forward {
        hits.reverse();
    }
    hits.truncate(limit);
    let mut streams: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for (i, (ts, app, line)) in hits.into_iter().enumerate() {
        // Loki 3 may add structured metadata as a third element.
        let v = if i % 2 == 0 {
            json!([ts.to_string(), line])
        } else {
            json!([ts.to_string(), line, {"trace_id": "abc"}])
        };
        streams.entry(app).or_default().push(v);
    }
    let result: Vec<_> = streams
        .into_iter()
        .map(|(app, values)| json!({"stream": {"app": app, "job": "varlogs"}, "values": values}))
        .collect();
    let body = json!({
        "status": "success",
        "data": {"resultType": "streams", "result": result, "stats": {"summary": {}}}
    });
    (StatusCode::OK, body.to_string())
}

async fn serve(store: Store) -> String {
    let app = Router::new()
        .route("/loki/api/v1/query_range", get(query_range))
        .with_state(store);
    kit::serve(app).await
}

fn now_ns() -> i128 {
    let now = chrono::Utc::now();
    i128::from(now.timestamp()) * 1_000_000_000 + i128::from(now.timestamp_subsec_nanos())
}

async fn poll(f: &mut LokiFetcher) -> Arc<LogWindow> {
    match f.fetch().await.unwrap() {
        Payload::Logs(w) => w,
        other => panic!("a logs payload, got {other:?}"),
    }
}

#[tokio::test]
async fn replays_streams_forward_with_the_parameters_loki_expects() {
    let store = Store::default();
    let t = now_ns() - 5_000_000_000;
    store.push(t + 2, "api", "second");
    store.push(t + 1, "web", "first");
    store.push(t + 3, "web", "third");
    let base = serve(store.clone()).await;
    let got = kit::loki_client(&base, TIMEOUT)
        .query_range("{job=\"varlogs\"}", t, t + 10, 100, true)
        .await
        .unwrap();
    let lines: Vec<(i128, &str, &str)> = got
        .iter()
        .map(|e| (e.ts_ns - t, e.labels["app"].as_str(), e.line.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (1, "web", "first"),
            (2, "api", "second"),
            (3, "web", "third")
        ]
    );
    let q = store.queries.lock().unwrap()[0].clone();
    assert_eq!(q["query"], "{job=\"varlogs\"}");
    assert_eq!(q["start"], t.to_string(), "nanosecond epoch");
    assert_eq!(q["end"], (t + 10).to_string());
    assert_eq!(q["limit"], "100");
    assert_eq!(q["direction"], "forward");
}

#[tokio::test]
async fn no_line_lost_or_repeated_across_the_poll_boundary() {
    let store = Store::default();
    let t = now_ns() - 10_000_000_000;
    store.push(t, "web", "a");
    store.push(t + 1, "web", "b1");
    store.push(t + 1, "web", "b2");
    store.push(t + 1, "api", "c");
    let base = serve(store.clone()).await;
    let mut f = LokiFetcher::new(
        "prod",
        kit::loki_client(&base, TIMEOUT),
        "{job=\"varlogs\"}",
        Duration::from_secs(60),
        100,
    );
    let w1 = poll(&mut f).await;
    assert_eq!(w1.lines.len(), 4);
    // More lines land at the boundary nanosecond, and after it.
    store.push(t + 1, "web", "b3");
    store.push(t + 2, "web", "d");
    let w2 = poll(&mut f).await;
    let mut all = kit::texts(&w2);
    assert_eq!(all.len(), 6, "{all:?}");
    assert_eq!(&all[4..], ["b3", "d"]);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 6, "no duplicate");
    assert_eq!(w2.first_seq, 0);
    let queries = store.queries.lock().unwrap().clone();
    assert_eq!(
        queries[1]["start"],
        (t + 1).to_string(),
        "the second poll starts at the last nanosecond seen (inclusive)"
    );
    // Nothing new: nothing added.
    let w3 = poll(&mut f).await;
    assert_eq!(w3.lines.len(), 6);
}

#[tokio::test]
async fn bursts_larger_than_a_page_are_paged_without_loss() {
    let store = Store::default();
    let t = now_ns() - 10_000_000_000;
    store.push(t - 5, "web", "before");
    let base = serve(store.clone()).await;
    let mut f = LokiFetcher::new(
        "prod",
        kit::loki_client(&base, TIMEOUT),
        "{}",
        Duration::from_secs(60),
        100,
    )
    .with_page_size(2);
    assert_eq!(kit::texts(&*poll(&mut f).await), ["before"]);
    // Three lines share one nanosecond: more than a page of two.
    for (dt, line) in [(0, "p0"), (1, "s1"), (1, "s2"), (1, "s3"), (2, "p2")] {
        store.push(t + dt, "web", line);
    }
    // At most four pages a poll: the rest comes with the next one, still in order.
    poll(&mut f).await;
    let w = poll(&mut f).await;
    assert_eq!(kit::texts(&w), ["before", "p0", "s1", "s2", "s3", "p2"]);
}

#[tokio::test]
async fn the_first_poll_opens_on_the_newest_lines_of_the_lookback() {
    let store = Store::default();
    let t = now_ns() - 10_000_000_000;
    for i in 0..10 {
        store.push(t + i, "web", &format!("line {i}"));
    }
    let base = serve(store.clone()).await;
    let mut f = LokiFetcher::new(
        "prod",
        kit::loki_client(&base, TIMEOUT),
        "{}",
        Duration::from_secs(60),
        100,
    )
    .with_page_size(3);
    // A busy lookback: the pane opens on the newest page, oldest first.
    assert_eq!(
        kit::texts(&*poll(&mut f).await),
        ["line 7", "line 8", "line 9"]
    );
    let queries = store.queries.lock().unwrap().clone();
    assert_eq!(queries[0]["direction"], "backward");
    store.push(t + 10, "web", "line 10");
    assert_eq!(
        kit::texts(&*poll(&mut f).await),
        ["line 7", "line 8", "line 9", "line 10"]
    );
}

#[tokio::test]
async fn lines_are_sanitised_levelled_and_windowed_with_consecutive_seqs() {
    let store = Store::default();
    let t = now_ns() - 10_000_000_000;
    store.push(
        t,
        "web",
        "\x1b[31mERROR\x1b[0m payment failed\x1b]0;pwned\x07",
    );
    let base = serve(store.clone()).await;
    let mut f = LokiFetcher::new(
        "prod",
        kit::loki_client(&base, TIMEOUT),
        "{}",
        Duration::from_secs(60),
        2,
    );
    let w = poll(&mut f).await;
    assert_eq!(w.first_seq, 0);
    assert_eq!(w.lines[0].line, "ERROR payment failed^[]0;pwned^G");
    assert_eq!(w.lines[0].level, Level::Error);

    store.push(t + 1, "web", "level=warn msg=\"slow\"");
    store.push(t + 2, "web", "{\"level\":\"info\",\"msg\":\"ok\"}");
    let w = poll(&mut f).await;
    // Three lines seen, two kept: the window starts at sequence 1.
    assert_eq!(w.first_seq, 1);
    assert_eq!(w.lines.len(), 2);
    assert_eq!(w.lines[0].level, Level::Warn);
    assert_eq!(w.lines[1].level, Level::Info);
    assert!(w.lines.iter().all(|l| l.source == "prod"));

    store.push(t + 3, "web", "\x1b[1mFATAL\x1b[0m out of memory\r");
    let w = poll(&mut f).await;
    assert_eq!(w.first_seq, 2);
    let last = w.lines.last().unwrap();
    assert_eq!(last.line, "FATAL out of memory^M");
    assert_eq!(last.level, Level::Fatal);
    assert!(w.lines.iter().all(|l| !l.line.contains('\x1b')));
}

#[tokio::test]
async fn first_line_ansi_is_sanitised_too() {
    let store = Store::default();
    let t = now_ns() - 10_000_000_000;
    store.push(
        t,
        "web",
        "\x1b[31mERROR\x1b[0m payment failed\x1b]0;pwned\x07",
    );
    let base = serve(store).await;
    let mut f = LokiFetcher::new(
        "prod",
        kit::loki_client(&base, TIMEOUT),
        "{}",
        Duration::from_secs(60),
        10,
    );
    let w = poll(&mut f).await;
    assert_eq!(w.lines[0].line, "ERROR payment failed^[]0;pwned^G");
    assert_eq!(w.lines[0].level, Level::Error);
}

#[tokio::test]
async fn loki_errors_are_source_errors() {
    let base = kit::serve(Router::new().route(
        "/loki/api/v1/query_range",
        get(|Query(q): Query<HashMap<String, String>>| async move {
            match q.get("query").map(String::as_str) {
                Some("matrix") => (
                    StatusCode::OK,
                    json!({"status": "success", "data": {"resultType": "matrix", "result": []}})
                        .to_string(),
                ),
                Some("malformed") => (StatusCode::OK, "{\"status\":".to_string()),
                _ => (
                    StatusCode::BAD_REQUEST,
                    "parse error : syntax error: unexpected IDENTIFIER\n".to_string(),
                ),
            }
        }),
    ))
    .await;
    let c = kit::loki_client(&base, TIMEOUT);
    assert_eq!(
        c.query_range("{bad", 0, 1, 10, true).await.unwrap_err(),
        SourceError::Http {
            status: 400,
            message: "parse error : syntax error: unexpected IDENTIFIER".into()
        }
    );
    assert_eq!(
        c.query_range("matrix", 0, 1, 10, true).await.unwrap_err(),
        SourceError::BadResponse("expected streams, got matrix".into())
    );
    assert!(matches!(
        c.query_range("malformed", 0, 1, 10, true)
            .await
            .unwrap_err(),
        SourceError::BadResponse(_)
    ));
}

#[tokio::test]
async fn a_failed_poll_leaves_the_cursor_so_nothing_is_lost() {
    // A server that fails once, then answers.
    let store = Store::default();
    let t = now_ns() - 10_000_000_000;
    store.push(t, "web", "one");
    let fail_next = Arc::new(Mutex::new(false));
    let (s, fail) = (store.clone(), fail_next.clone());
    let app = Router::new().route(
        "/loki/api/v1/query_range",
        get(move |q: Query<HashMap<String, String>>| {
            let (s, fail) = (s.clone(), fail.clone());
            async move {
                if std::mem::take(&mut *fail.lock().unwrap()) {
                    return (StatusCode::SERVICE_UNAVAILABLE, "overloaded".to_string());
                }
                query_range(State(s), q).await
            }
        }),
    );
    let base = kit::serve(app).await;
    let mut f = LokiFetcher::new(
        "prod",
        kit::loki_client(&base, TIMEOUT),
        "{}",
        Duration::from_secs(60),
        10,
    );
    assert_eq!(kit::texts(&*poll(&mut f).await), ["one"]);
    store.push(t + 5, "web", "two");
    *fail_next.lock().unwrap() = true;
    assert!(matches!(
        f.fetch().await,
        Err(SourceError::Http { status: 503, .. })
    ));
    assert_eq!(kit::texts(&*poll(&mut f).await), ["one", "two"]);
}

#[tokio::test]
async fn replayed_loki_answer_with_bad_entries_keeps_the_good_ones_and_says_so() {
    let t = now_ns() - 5_000_000_000;
    let body = json!({"status": "success", "data": {"resultType": "streams", "result": [
        {"stream": {"app": "api"}, "values": [
            [(t + 1).to_string(), "good one"],
            ["2026-13-45", "bad time"],
            [(t + 2).to_string()],
        ]},
        {"stream": {"app": {"nested": "hunter2"}}, "values": [[(t + 3).to_string(), "x"]]},
        {"stream": {"app": "web"}, "values": [[(t + 4).to_string(), "good two"]]},
    ]}})
    .to_string();
    let base = kit::serve(
        Router::new().route("/loki/api/v1/query_range", get(move || async move { body })),
    )
    .await;
    let mut f = LokiFetcher::new(
        "prod",
        kit::loki_client(&base, TIMEOUT),
        "{job=\"varlogs\"}",
        Duration::from_secs(60),
        100,
    );
    let w = poll(&mut f).await;
    assert_eq!(kit::texts(&w), ["good one", "good two"]);
    let said = w.unreadable.clone().unwrap();
    assert_eq!(said, "3 log entries unreadable: not [time, line]");
    // Through the cockpit: the lines shown, the count in the source's title, no value.
    let mut s = kit::state(onwatch::app::state::Setup {
        sources: vec![kit::loki()],
        ..kit::setup()
    });
    let c = kit::clock();
    onwatch::app::update(
        &mut s,
        kit::source_msg(kit::loki(), 1, c.now(), Ok(Payload::Logs(w))),
        &c,
    );
    let screen = kit::screen(&s, 160, 30);
    assert!(screen.contains("good two"), "{screen}");
    assert!(screen.contains("3 log entries unreadable"), "{screen}");
    assert!(!screen.contains("hunter2"));
}
