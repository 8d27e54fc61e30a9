//! Contract: the Alertmanager client replays the v2 wire shapes of Alertmanager's OpenAPI spec
//! from local axum servers: a 0.25-era alert (no `mutedBy`) beside a current one, silences,
//! status, creating and expiring a silence, and a cluster with a replica down.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failure here is a broken test

mod kit;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use onwatch::app::msg::Payload;
use onwatch::domain::alerts::{AmState, Matcher, SilenceState};
use onwatch::domain::health::SourceError;
use onwatch::poll::ClusterFetcher;
use onwatch::sources::alertmanager::PostableSilence;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_millis(300);

/// 0.25 (Debian stable): `status` has no `mutedBy`; this one also lacks `endsAt`,
/// `generatorURL` and `receivers`, which some proxies and older builds drop.
const ALERT_0_25: &str = r#"{
  "annotations": {"summary": "Disk almost full", "runbook_url": "https://runbooks/disk"},
  "fingerprint": "0a1b2c3d4e5f6789",
  "startsAt": "2026-11-22T02:50:00.000Z",
  "updatedAt": "2026-11-22T03:00:00.123Z",
  "status": {"state": "suppressed", "silencedBy": ["5f0c7a34-5e2b-4d3c-9a1e-2b7c8d9e0f11"], "inhibitedBy": []},
  "labels": {"alertname": "DiskFull", "severity": "warning", "instance": "db-1:9100"}
}"#;

/// Current releases: every field, `mutedBy` included, plus one this client has never heard of.
const ALERT_CURRENT: &str = r#"{
  "annotations": {"summary": "5xx above 2%"},
  "endsAt": "2026-11-22T03:04:00.000Z",
  "fingerprint": "ffee000011112222",
  "receivers": [{"name": "pager"}, {"name": "slack"}],
  "startsAt": "2026-11-22T02:58:00.000Z",
  "updatedAt": "2026-11-22T03:00:00.000Z",
  "generatorURL": "http://prometheus:9090/graph?g0.expr=x",
  "status": {"state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []},
  "labels": {"alertname": "HighErrorRate", "severity": "critical", "service": "checkout"},
  "someFutureField": {"x": 1}
}"#;

const SILENCES: &str = r#"[
  {
    "id": "5f0c7a34-5e2b-4d3c-9a1e-2b7c8d9e0f11",
    "status": {"state": "active"},
    "updatedAt": "2026-11-22T02:55:00.000Z",
    "annotations": {},
    "matchers": [
      {"name": "alertname", "value": "DiskFull", "isRegex": false, "isEqual": true},
      {"name": "instance", "value": "db-.*", "isRegex": true}
    ],
    "startsAt": "2026-11-22T02:55:00.000Z",
    "endsAt": "2026-11-22T04:55:00.000Z",
    "createdBy": "alice",
    "comment": "ACK: resizing the volume"
  },
  {
    "id": "0d1e2f30-aaaa-bbbb-cccc-000000000001",
    "status": {"state": "expired"},
    "updatedAt": "2026-11-21T10:00:00.000Z",
    "matchers": [{"name": "service", "value": "search", "isRegex": false, "isEqual": false}],
    "startsAt": "2026-11-21T08:00:00.000Z",
    "endsAt": "2026-11-21T10:00:00.000Z",
    "createdBy": "bob",
    "comment": "maintenance"
  }
]"#;

const STATUS: &str = r#"{
  "cluster": {
    "name": "01HZX",
    "status": "ready",
    "peers": [{"name": "01HZX", "address": "10.0.0.1:9094"}, {"name": "01HZY", "address": "10.0.0.2:9094"}]
  },
  "versionInfo": {
    "branch": "HEAD", "buildDate": "20230316-13:32:00", "buildUser": "root@x",
    "goVersion": "go1.20.2", "revision": "258fab7", "version": "0.25.0"
  },
  "config": {"original": "global: {}"},
  "uptime": "2026-11-22T01:00:00.000Z"
}"#;

fn json(body: String) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    (StatusCode::OK, [("content-type", "application/json")], body)
}

/// A replica answering the reference shapes; records the alerts query string.
fn replica(seen_query: Arc<Mutex<HashMap<String, String>>>) -> Router {
    Router::new()
        .route(
            "/api/v2/alerts",
            get(move |Query(q): Query<HashMap<String, String>>| {
                let seen = seen_query.clone();
                async move {
                    *seen.lock().unwrap() = q;
                    json(format!("[{ALERT_0_25},{ALERT_CURRENT}]"))
                }
            }),
        )
        .route("/api/v2/silences", get(|| async { json(SILENCES.into()) }))
        .route("/api/v2/status", get(|| async { json(STATUS.into()) }))
}

#[tokio::test]
async fn replays_alerts_of_0_25_and_current_releases() {
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let base = kit::serve(replica(seen.clone())).await;
    let alerts = kit::am_client(&base, TIMEOUT).alerts().await.unwrap();
    assert_eq!(alerts.len(), 2);

    let old = &alerts[0];
    assert_eq!(old.labels.get("alertname").unwrap_or_default(), "DiskFull");
    assert_eq!(old.state, AmState::Suppressed);
    assert_eq!(old.silenced_by, ["5f0c7a34-5e2b-4d3c-9a1e-2b7c8d9e0f11"]);
    assert_eq!(old.ends_at, None);
    assert_eq!(old.generator_url, None);
    assert!(old.receivers.is_empty());
    assert_eq!(
        old.annotations.get("runbook_url").unwrap_or_default(),
        "https://runbooks/disk"
    );

    let new = &alerts[1];
    assert_eq!(new.state, AmState::Active);
    assert_eq!(*new.receivers, ["pager", "slack"]);
    assert_eq!(new.fingerprint, "ffee000011112222");
    assert_eq!(
        new.ends_at.unwrap().to_rfc3339(),
        "2026-11-22T03:04:00+00:00"
    );

    let q = seen.lock().unwrap().clone();
    for k in ["active", "silenced", "inhibited", "unprocessed"] {
        assert_eq!(q.get(k).map(String::as_str), Some("true"), "{k}");
    }
}

#[tokio::test]
async fn replays_silences_and_status() {
    let base = kit::serve(replica(Arc::default())).await;
    let c = kit::am_client(&base, TIMEOUT);
    let silences = c.silences().await.unwrap();
    assert_eq!(silences.len(), 2);
    assert!(onwatch::domain::alerts::AlertPolicy::default().is_ack(&silences[0]));
    assert_eq!(silences[0].state, SilenceState::Active);
    assert!(silences[0].matchers[0].is_equal, "isEqual as sent");
    assert!(
        silences[0].matchers[1].is_regex && silences[0].matchers[1].is_equal,
        "isEqual defaults to true when absent"
    );
    assert_eq!(silences[1].state, SilenceState::Expired);
    assert!(!silences[1].matchers[0].is_equal);

    let status = c.status().await.unwrap();
    assert_eq!(status.version, "0.25.0");
    assert_eq!(status.cluster_status, "ready");
    assert_eq!(status.peers, 2);
}

#[tokio::test]
async fn posts_a_silence_and_expires_it() {
    let posted = Arc::new(Mutex::new(None));
    let expired = Arc::new(Mutex::new(None));
    let (p, e) = (posted.clone(), expired.clone());
    let base = kit::serve(
        Router::new()
            .route(
                "/api/v2/silences",
                post(move |body: String| {
                    let p = p.clone();
                    async move {
                        *p.lock().unwrap() = Some(body);
                        json(r#"{"silenceID":"7a8b9c0d-1111-2222-3333-444455556666"}"#.into())
                    }
                }),
            )
            .route(
                "/api/v2/silence/{id}",
                delete(move |Path(id): Path<String>| {
                    let e = e.clone();
                    async move {
                        *e.lock().unwrap() = Some(id);
                        StatusCode::OK
                    }
                }),
            ),
    )
    .await;
    let c = kit::am_client(&base, TIMEOUT);
    let now = chrono::Utc::now();
    let id = c
        .post_silence(&PostableSilence {
            id: None,
            matchers: vec![Matcher {
                name: "alertname".into(),
                value: "HighErrorRate".into(),
                is_regex: false,
                is_equal: true,
            }],
            starts_at: now,
            ends_at: now + chrono::Duration::hours(1),
            created_by: "alice".into(),
            comment: "ACK: on it".into(),
        })
        .await
        .unwrap();
    assert_eq!(id, "7a8b9c0d-1111-2222-3333-444455556666");
    let body: serde_json::Value =
        serde_json::from_str(posted.lock().unwrap().as_deref().unwrap()).unwrap();
    assert_eq!(body["createdBy"], "alice");
    assert_eq!(body["comment"], "ACK: on it");
    assert_eq!(body["matchers"][0]["isRegex"], false);
    assert_eq!(body["matchers"][0]["isEqual"], true);
    assert!(body.get("id").is_none(), "no id: a new silence");
    assert!(
        body["startsAt"]
            .as_str()
            .unwrap()
            .starts_with(&now.format("%Y-%m-%dT").to_string())
    );

    c.expire_silence(&id).await.unwrap();
    assert_eq!(expired.lock().unwrap().as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn failures_map_to_source_errors() {
    let base = kit::serve(
        Router::new()
            .route(
                "/api/v2/alerts",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom\n") }),
            )
            .route(
                "/api/v2/silences",
                get(|| async { (StatusCode::OK, "[{\"id\": \"x\", \"matchers\": [") }),
            )
            .route(
                "/api/v2/status",
                get(|| async { (StatusCode::UNAUTHORIZED, "no") }),
            )
            .route(
                "/api/v2/silence/{id}",
                delete(|| async { (StatusCode::NOT_FOUND, "silence not found") }),
            ),
    )
    .await;
    let c = kit::am_client(&base, TIMEOUT);
    assert_eq!(
        c.alerts().await.unwrap_err(),
        SourceError::Http {
            status: 500,
            message: "boom".into()
        }
    );
    assert_eq!(
        c.silences().await.unwrap_err(),
        SourceError::BadResponse("expected a list of silences: truncated JSON".into())
    );
    assert!(matches!(
        c.status().await.unwrap_err(),
        SourceError::Http { status: 401, .. }
    ));
    assert_eq!(
        c.expire_silence("nope").await.unwrap_err(),
        SourceError::Http {
            status: 404,
            message: "silence not found".into()
        }
    );
    assert!(matches!(
        kit::am_client(&kit::refused_url().await, TIMEOUT)
            .alerts()
            .await
            .unwrap_err(),
        SourceError::Unreachable(_)
    ));
}

#[tokio::test]
async fn a_replica_down_costs_nothing_while_another_answers() {
    let up = kit::serve(replica(Arc::default())).await;
    let down = kit::refused_url().await;
    let names = |u: &str| u.trim_start_matches("http://").to_string();
    let mut f = ClusterFetcher::new(
        "prod",
        vec![
            (names(&up), kit::am_client(&up, TIMEOUT)),
            (names(&down), kit::am_client(&down, TIMEOUT)),
        ],
    );
    let Payload::Alerts(snap) = f.fetch().await.unwrap() else {
        panic!("an alerts payload")
    };
    assert_eq!(snap.observations.len(), 2);
    assert!(
        snap.observations
            .iter()
            .all(|o| *o.replica == names(&up) && &*o.cluster == "prod")
    );
    assert_eq!(snap.silences.len(), 2);
    assert_eq!(snap.replicas.len(), 2);
    assert_eq!(snap.replicas[0].error, None);
    assert_eq!(snap.replicas[0].version.as_deref(), Some("0.25.0"));
    assert!(matches!(
        snap.replicas[1].error,
        Some(SourceError::Unreachable(_))
    ));
}

#[tokio::test]
async fn both_replicas_answering_report_each_alert_twice_and_silences_once() {
    let a = kit::serve(replica(Arc::default())).await;
    let b = kit::serve(replica(Arc::default())).await;
    let mut f = ClusterFetcher::new(
        "prod",
        vec![
            ("a".into(), kit::am_client(&a, TIMEOUT)),
            ("b".into(), kit::am_client(&b, TIMEOUT)),
        ],
    );
    let Payload::Alerts(snap) = f.fetch().await.unwrap() else {
        panic!("an alerts payload")
    };
    assert_eq!(snap.observations.len(), 4, "dedup is the domain's job");
    assert_eq!(snap.silences.len(), 2, "merged by id");
    // Yet each alert is held once: the replicas' equal copies are one, and so are the next
    // poll's copies of alerts that did not change.
    let of = |snap: &onwatch::app::msg::ClusterSnapshot, replica: &str, name: &str| {
        snap.observations
            .iter()
            .find(|o| {
                &*o.replica == replica
                    && o.alert.labels.get("alertname").unwrap_or_default() == name
            })
            .map(|o| Arc::clone(&o.alert))
            .unwrap()
    };
    assert!(Arc::ptr_eq(
        &of(&snap, "a", "DiskFull"),
        &of(&snap, "b", "DiskFull")
    ));
    let Payload::Alerts(next) = f.fetch().await.unwrap() else {
        panic!("an alerts payload")
    };
    assert!(Arc::ptr_eq(
        &of(&snap, "a", "HighErrorRate"),
        &of(&next, "b", "HighErrorRate")
    ));
}

#[tokio::test]
async fn every_replica_down_is_an_error() {
    let (x, y) = (kit::refused_url().await, kit::refused_url().await);
    let mut f = ClusterFetcher::new(
        "prod",
        vec![
            ("x".into(), kit::am_client(&x, TIMEOUT)),
            ("y".into(), kit::am_client(&y, TIMEOUT)),
        ],
    );
    assert!(matches!(f.fetch().await, Err(SourceError::Unreachable(_))));
}

/// The alerts answer trickled a few bytes a chunk, without a length, one bad alert among
/// good ones: decoded as it arrives, the good ones kept, the bad one counted.
#[tokio::test]
async fn alerts_trickled_in_small_chunks_are_decoded_as_they_arrive() {
    let bad = ALERT_CURRENT.replace("2026-11-22T02:58:00.000Z", "2026-13-45T00:00:00Z");
    let body = format!("[{ALERT_0_25},{bad},{ALERT_CURRENT}]").into_bytes();
    let app = Router::new().route(
        "/api/v2/alerts",
        get(move || {
            let body = body.clone();
            async move {
                // Chunks of 1 to 7 bytes: items straddle chunks everywhere, strings too.
                let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = body
                    .chunks(7)
                    .flat_map(|c| {
                        let (a, b) = c.split_at(c.len().min(1 + c.len() / 3));
                        [a.to_vec(), b.to_vec()]
                    })
                    .filter(|c| !c.is_empty())
                    .map(|c| Ok(axum::body::Bytes::from(c)))
                    .collect();
                axum::body::Body::from_stream(futures::stream::iter(chunks))
            }
        }),
    );
    let base = kit::serve(app).await;
    let client = onwatch::sources::alertmanager::AlertmanagerClient::new(
        &base,
        onwatch::sources::http::HttpClient::new(&Default::default(), Duration::from_secs(5))
            .unwrap(),
    )
    .unwrap();
    let (alerts, unreadable) = client.alerts_lenient().await.unwrap();
    let names: Vec<&str> = alerts
        .iter()
        .map(|a| a.labels.get("alertname").unwrap_or_default())
        .collect();
    assert_eq!(names, ["DiskFull", "HighErrorRate"]);
    assert_eq!(
        unreadable.describe().as_deref(),
        Some("1 alert unreadable: bad startsAt")
    );
}
