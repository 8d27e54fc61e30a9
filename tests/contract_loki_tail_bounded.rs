//! Bounded waits of the Loki tail, against local replays on 127.0.0.1: a server that accepts
//! TCP and never answers the upgrade, then one that does; one that goes silent; one that
//! answers pings.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
use futures::{SinkExt, StreamExt};
use onwatch::app::msg::SourceUpdate;
use onwatch::config::HttpOptions;
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::logs::SanitiseOptions;
use onwatch::domain::publish::Payload;
use onwatch::poll::loki_tail::LokiTail;
use onwatch::poll::stream::{StreamPublisher, spawn_stream};
use onwatch::sources::loki_tail::TailConnector;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio_tungstenite::tungstenite::Message;

fn start(
    url: &str,
    idle: Duration,
) -> (
    onwatch::poll::PollerHandle,
    watch::Receiver<Option<SourceUpdate>>,
) {
    let opts = HttpOptions {
        timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let (p, rx) = StreamPublisher::new(
        SourceId::new(SourceKind::Loki, "prod"),
        1000,
        1 << 20,
        Arc::new(Notify::new()),
    );
    let tail = LokiTail {
        connector: TailConnector::new(url, &opts).unwrap().with_idle(idle),
        query: r#"{app="api"}"#.into(),
        lookback: Duration::from_secs(300),
        limit: 100,
        sanitise: SanitiseOptions::default(),
        backoff_start: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
    };
    (spawn_stream(p, rx.clone(), |p| tail.run(p)), rx)
}

/// The next update, within `within`.
async fn next(rx: &mut watch::Receiver<Option<SourceUpdate>>, within: Duration) -> SourceUpdate {
    tokio::time::timeout(within, rx.changed())
        .await
        .expect("an update in time")
        .unwrap();
    rx.borrow_and_update().clone().unwrap()
}

fn lines(u: &SourceUpdate) -> Vec<String> {
    match &u.result {
        Ok(Payload::Logs(w)) => w.lines.iter().map(|l| l.line.clone()).collect(),
        _ => Vec::new(),
    }
}

fn now_ns() -> String {
    let now = chrono::Utc::now();
    (i128::from(now.timestamp()) * 1_000_000_000).to_string()
}

#[tokio::test]
async fn replayed_loki_tail_unanswered_upgrade_times_out_then_recovers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (heal_tx, heal_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        // The fault: accept and hold the socket, never answering the upgrade.
        let (held, _) = listener.accept().await.unwrap();
        let _ = heal_rx.await;
        drop(held);
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let frame = format!(
                    r#"{{"streams":[{{"stream":{{"app":"api"}},"values":[["{}","recovered"]]}}]}}"#,
                    now_ns()
                );
                let _ = ws.send(Message::Text(frame.into())).await;
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    let (_h, mut rx) = start(&format!("http://{addr}"), Duration::from_secs(30));
    let began = tokio::time::Instant::now();
    let first = next(&mut rx, Duration::from_millis(1300)).await;
    let err = first
        .result
        .as_ref()
        .expect_err("the first update is the failure, never green");
    assert!(
        err.to_string().contains("handshake timed out after 300ms"),
        "{err}"
    );
    assert!(began.elapsed() < Duration::from_millis(1300));
    heal_tx.send(()).unwrap();
    let wait = async {
        loop {
            let u = next(&mut rx, Duration::from_secs(5)).await;
            if lines(&u).iter().any(|l| l == "recovered") {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("the tail reconnects and delivers the line");
}

/// A server that completes the handshake and sends nothing; `answer` whether it reads (and so
/// answers pings) or holds the socket unread.
async fn quiet_server(answer: bool) -> (String, tokio::sync::mpsc::UnboundedReceiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (conn_tx, conn_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let conn_tx = conn_tx.clone();
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let _ = conn_tx.send(());
                if answer {
                    while let Some(Ok(_)) = ws.next().await {}
                } else {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    drop(ws);
                }
            });
        }
    });
    (format!("http://{addr}"), conn_rx)
}

#[tokio::test]
async fn replayed_loki_tail_silent_server_reports_no_data_and_reconnects() {
    let (url, mut conns) = quiet_server(false).await;
    let (_h, mut rx) = start(&url, Duration::from_millis(200));
    let open = next(&mut rx, Duration::from_secs(2)).await;
    assert!(open.result.is_ok(), "green once the handshake completed");
    let failed = next(&mut rx, Duration::from_secs(2)).await;
    let err = failed.result.expect_err("silence is a failure");
    assert!(err.to_string().contains("no data for 400ms"), "{err}");
    tokio::time::timeout(Duration::from_secs(2), async {
        conns.recv().await.unwrap();
        conns.recv().await.unwrap();
    })
    .await
    .expect("a second connection after the silence");
}

#[tokio::test]
async fn replayed_loki_tail_quiet_server_that_answers_pings_stays_healthy() {
    let (url, mut conns) = quiet_server(true).await;
    let (_h, mut rx) = start(&url, Duration::from_millis(100));
    let quiet = async {
        let mut updates = 0;
        while updates < 8 {
            let u = next(&mut rx, Duration::from_secs(2)).await;
            assert!(
                u.result.is_ok(),
                "answered pings keep it healthy: {:?}",
                u.result
            );
            updates += 1;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), quiet)
        .await
        .expect("pongs refresh the health");
    conns.recv().await.unwrap();
    assert!(conns.try_recv().is_err(), "one connection: no reconnect");
}
