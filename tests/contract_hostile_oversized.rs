//! A local server whose answers never end (a body streamed without end, a WebSocket message
//! larger than the cap): every client, actions included, stops reading at `[general]
//! max_response` and says so, naming the cap and the key that raises it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod kit;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use onwatch::config::HttpOptions;
use onwatch::domain::health::SourceError;
use onwatch::sources::http::HttpClient;
use onwatch::sources::loki_tail::{TailConnector, TailEnd};
use onwatch::sources::prometheus::PrometheusClient;
use onwatch::sources::webhook::{Delivery, JsonPoster};
use std::time::{Duration, Instant};

const CAP: u64 = 1 << 20;
const SAID: &str = "answer larger than 1 MiB, not read; raise [general] max_response";
const TIMEOUT: Duration = Duration::from_secs(10);

/// A body that never ends, 64 KiB at a time, without a `Content-Length`.
fn endless(status: StatusCode) -> Response {
    let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
    let stream = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    (status, Body::from_stream(stream)).into_response()
}

async fn server() -> String {
    let app = axum::Router::new()
        .route("/api/v1/query", post(|| async { endless(StatusCode::OK) }))
        .route("/ok/hook", post(|| async { endless(StatusCode::OK) }))
        .route(
            "/down/hook",
            post(|| async { endless(StatusCode::INTERNAL_SERVER_ERROR) }),
        )
        .route(
            "/loki/api/v1/tail",
            get(|ws: WebSocketUpgrade| async move {
                ws.on_upgrade(|mut socket| async move {
                    let huge = format!("{{\"streams\":[],\"x\":\"{}\"}}", "y".repeat(2 << 20));
                    let _ = socket.send(Message::Text(huge.into())).await;
                    while let Some(Ok(_)) = socket.recv().await {}
                })
            }),
        );
    kit::http::serve(app).await
}

#[tokio::test]
async fn a_poller_stops_reading_an_endless_answer_at_the_cap() {
    let base = server().await;
    let http = HttpClient::new(&HttpOptions::default(), TIMEOUT)
        .unwrap()
        .with_max_body(CAP);
    let prom = PrometheusClient::new(&base, http).unwrap();
    let started = Instant::now();
    let err = prom.instant("up", None).await.unwrap_err();
    assert_eq!(err, SourceError::BadResponse(SAID.into()));
    assert!(
        started.elapsed() < TIMEOUT,
        "cut at the cap, not by the timeout"
    );
}

#[tokio::test]
async fn an_action_reads_its_answer_no_further_than_the_cap_and_its_status_still_decides() {
    let base = server().await;
    let poster = JsonPoster::new(TIMEOUT, CAP).unwrap();
    let started = Instant::now();
    let ok = url::Url::parse(&format!("{base}/ok/hook")).unwrap();
    assert_eq!(
        poster.post(&ok, "{}".into()).await,
        Delivery::Accepted {
            status: 200,
            body: SAID.into()
        },
        "a 2xx took the event: it is delivered, not sent again"
    );
    let down = url::Url::parse(&format!("{base}/down/hook")).unwrap();
    assert_eq!(
        poster.post(&down, "{}".into()).await,
        Delivery::Failed(format!("HTTP 500: {SAID}"))
    );
    assert!(
        started.elapsed() < TIMEOUT,
        "cut at the cap, not by the timeout"
    );
}

#[tokio::test]
async fn a_loki_tail_refuses_a_message_over_the_cap() {
    let base = server().await;
    let tail = TailConnector::new(&base, &HttpOptions::default())
        .unwrap()
        .with_max_message(CAP);
    let end = tokio::time::timeout(
        TIMEOUT,
        tail.run(r#"{app="x"}"#, 0, 10, |f| panic!("no frame is read: {f:?}")),
    )
    .await
    .unwrap();
    let TailEnd::Error(e) = end else {
        panic!("the tail ended without an error: {end:?}");
    };
    assert_eq!(e, SourceError::BadResponse(SAID.into()));
}

#[test]
fn the_cap_is_read_from_the_config_and_a_bad_one_is_refused_by_name() {
    let c: onwatch::config::Config =
        toml::from_str("[general]\nmax_response = \"256MiB\"\n").unwrap();
    assert_eq!(c.general.max_response, 256 << 20);
    let d: onwatch::config::Config = toml::from_str("").unwrap();
    assert_eq!(d.general.max_response, 64 << 20, "the default");
    let e = toml::from_str::<onwatch::config::Config>("[general]\nmax_response = \"64\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("max_response") && e.contains("needs a unit"),
        "{e}"
    );
}
