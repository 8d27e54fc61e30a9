//! Cheap on the backend: slow windows (1d, 3d, the period) and the sparkline are queried every
//! `slow_every`th poll and reused in between; no more than `max_in_flight` queries at once.
//! A local counting server stands in for the backend (it has to count and hold requests).

#![allow(clippy::unwrap_used)]

use axum::Router;
use axum::routing::post;
use onwatch::app::msg::Payload;
use onwatch::config::{HttpOptions, SloConfig};
use onwatch::domain::slo::{default_rules, windows_for};
use onwatch::poll::SloFetcher;
use onwatch::sources::http::HttpClient;
use onwatch::sources::prometheus::PrometheusClient;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Default)]
struct Seen {
    queries: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    changed: Notify,
}

const VECTOR: &str = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0.001"]}]}}"#;
const MATRIX: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"0.001"],[2,"0.002"]]}]}}"#;

/// Answers every query; each request waits (bounded) until `overlap` requests are in flight,
/// so concurrency is observed rather than hoped for.
async fn server(seen: Arc<Seen>, overlap: usize) -> String {
    let handler = |seen: Arc<Seen>, range: bool| {
        move |body: String| {
            let seen = seen.clone();
            async move {
                seen.queries.lock().unwrap().push(body);
                let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
                seen.changed.notify_waiters();
                let _ = tokio::time::timeout(Duration::from_millis(300), async {
                    while seen.in_flight.load(Ordering::SeqCst) < overlap {
                        seen.changed.notified().await;
                    }
                })
                .await;
                seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                if range { MATRIX } else { VECTOR }
            }
        }
    };
    let app = Router::new()
        .route("/api/v1/query", post(handler(seen.clone(), false)))
        .route("/api/v1/query_range", post(handler(seen, true)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn fetcher(url: &str) -> SloFetcher {
    fetcher_within(url, Duration::from_secs(5))
}

/// Three SLOs on `url`, each request bounded by `timeout`.
fn fetcher_within(url: &str, timeout: Duration) -> SloFetcher {
    let client = PrometheusClient::new(
        url,
        HttpClient::new(&HttpOptions::default(), timeout).unwrap(),
    )
    .unwrap();
    SloFetcher::new(
        client,
        (0..3)
            .map(|i| SloConfig {
                name: format!("slo{i}"),
                source: "p".into(),
                objective: 99.9,
                period: Duration::from_secs(30 * 86_400),
                error_query: format!("sum(rate(errors{i}[$window]))"),
                total_query: "sum(rate(total[$window]))".into(),
                ..Default::default()
            })
            .collect(),
        windows_for(&default_rules()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_windows_every_nth_poll_and_reused_in_between() {
    let seen = Arc::new(Seen::default());
    let url = server(seen.clone(), 1).await;
    let mut f = fetcher(&url).slow_every(3);
    let mut per_poll = Vec::new();
    for _ in 0..4 {
        let before = seen.queries.lock().unwrap().len();
        let Payload::Slo(samples) = f.fetch().await.unwrap() else {
            panic!("an SLO payload")
        };
        per_poll.push(seen.queries.lock().unwrap().len() - before);
        // Every poll has every window, fresh or reused.
        for s in samples.iter() {
            assert!(s.measurement.error_ratios.values().all(Option::is_some));
            assert_eq!(s.measurement.period_ratio, Some(0.001));
        }
    }
    // 3 SLOs: 7 windows + period + sparkline on slow polls, the 5 fast windows otherwise.
    assert_eq!(per_poll, [27, 15, 15, 27]);
    assert_eq!(f.queries_sent(), 84);
    let queries = seen.queries.lock().unwrap();
    let slow = queries[27..57]
        .iter()
        .filter(|q| q.contains("%5B1d%5D"))
        .count();
    assert_eq!(slow, 0, "no 1d window between slow polls");
    let first = queries[..27]
        .iter()
        .filter(|q| q.contains("%5B1d%5D"))
        .count();
    assert_eq!(first, 3, "the slow poll measures 1d for each SLO");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_more_than_max_in_flight() {
    let seen = Arc::new(Seen::default());
    let url = server(seen.clone(), 2).await;
    let mut f = fetcher(&url).max_in_flight(2);
    f.fetch().await.unwrap();
    assert_eq!(seen.max_in_flight.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_answers_no_query_of_a_whole_round_fails_the_poll_within_one_timeout() {
    // A tarpit: every query is taken and held, never answered.
    let taken = Arc::new(AtomicUsize::new(0));
    let counter = taken.clone();
    let held = move || {
        counter.fetch_add(1, Ordering::SeqCst);
        std::future::pending::<&'static str>()
    };
    let app = Router::new()
        .route("/api/v1/query", post(held.clone()))
        .route("/api/v1/query_range", post(held));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let timeout = Duration::from_millis(300);
    let mut f = fetcher_within(&url, timeout).max_in_flight(4);
    let started = std::time::Instant::now();
    let err = f.fetch().await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.to_string(), "timed out after 300ms");
    // 27 queries, 4 at a time, would wait 7 timeouts; the first round says the backend is down.
    assert!(took < timeout * 2, "failed after {took:?}");
    // The stream refills a slot as soon as a query of the round ends, so up to 3 more may have
    // been sent when the fourth timeout ends the poll; never the 23 queries left.
    let sent = taken.load(Ordering::SeqCst);
    assert!(
        (4..=7).contains(&sent),
        "one round and what refilled it, no more: {sent}"
    );
}
