//! PagerDuty Events API v2 and webhooks against a local server on 127.0.0.1 that checks the
//! exact JSON of the reference and answers 202, 400, 429 with Retry-After, and 500.

#![allow(clippy::unwrap_used)]
mod act_support;

mod kit;
use act_support::fake::{Recorder, serve_recorder};
use act_support::{executor, wait_for};
use chrono::Utc;
use kit::labels;
use onwatch::actions::Target;
use onwatch::app::acts::{ActKind, ActionRequest, Outcome};
use onwatch::domain::alerts::Alert;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const KEY: &str = "R0123456789abcdef0123456789abcde";

/// alice escalates DiskFull on db-1 to `target` of chain crit.
fn disk_full(target: &str) -> ActionRequest {
    let pairs = [
        ("alertname", "DiskFull"),
        ("severity", "critical"),
        ("instance", "db-1:9100"),
        ("job", "node"),
    ];
    let alert = Alert {
        annotations: std::sync::Arc::new(
            labels(&[
                ("summary", "disk 99% full"),
                ("runbook_url", "https://rb.example/disk"),
            ])
            .into(),
        ),
        generator_url: Some("http://prom.example/graph?g0.expr=x".into()),
        fingerprint: "a1b2c3".into(),
        ..kit::alert(&pairs, kit::t0())
    };
    kit::escalation("1-0-1", target, &alert, "db team, please")
}

fn expected_trigger() -> Value {
    json!({
        "routing_key": KEY,
        "event_action": "trigger",
        "dedup_key": "onwatch/prod/a1b2c3",
        "payload": {
            "summary": "[DiskFull] disk 99% full",
            "source": "db-1:9100",
            "severity": "critical",
            "timestamp": "2026-11-22T03:00:00.000Z",
            "component": "node",
            "group": "prod",
            "class": "DiskFull",
            "custom_details": {
                "alertname": "DiskFull",
                "severity": "critical",
                "instance": "db-1:9100",
                "job": "node",
                "onwatch_note": "db team, please",
                "onwatch_escalated_by": "alice"
            }
        },
        "client": "onwatch",
        "client_url": "http://prom.example/graph?g0.expr=x",
        "links": [
            {"href": "https://rb.example/disk", "text": "Runbook"},
            {"href": "http://prom.example/graph?g0.expr=x", "text": "Generator"}
        ]
    })
}

async fn run(
    script: Vec<(u16, Option<&str>, Value)>,
) -> (Recorder, Outcome, Vec<Outcome>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let secret = act_support::secret_file(dir.path(), "key", KEY);
    let (rec, addr) = serve_recorder(script).await;
    let poster =
        onwatch::sources::webhook::JsonPoster::new(Duration::from_secs(3), 64 << 20).unwrap();
    let mut targets = BTreeMap::from([act_support::crit_target(
        "pd",
        act_support::pagerduty(addr, poster.clone(), secret.clone()),
    )]);
    targets.insert(
        ("crit".to_string(), "hook".to_string()),
        Target::Webhook {
            url: format!("http://{addr}/hooks/esc").parse().unwrap(),
            poster,
            body: Some(r#"{"text":"{{user}} escalated {{alertname}}: {{note}}","sev":"{{labels.severity}}"}"#.into()),
        },
    );
    let (x, mut rx) = executor(dir.path(), BTreeMap::new(), targets);
    let target = if rec
        .lock()
        .unwrap()
        .script
        .front()
        .is_some_and(|s| s.2 == json!("hook"))
    {
        "hook"
    } else {
        "pd"
    };
    x.submit(disk_full(target)).unwrap();
    let mut seen = Vec::new();
    let last = wait_for(&mut rx, |o| {
        matches!(
            o,
            Outcome::Done(_) | Outcome::Failed(_) | Outcome::Retrying(_)
        )
    })
    .await;
    let mut last = last.outcome;
    while matches!(last, Outcome::Retrying(_)) {
        seen.push(last);
        last = wait_for(&mut rx, |_| true).await.outcome;
    }
    (rec, last, seen, dir)
}

fn accepted() -> (u16, Option<&'static str>, Value) {
    (
        202,
        None,
        json!({"status":"success","message":"Event processed","dedup_key":"onwatch/prod/a1b2c3"}),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_pagerduty_trigger_sends_the_exact_json_and_202_is_done() {
    let (rec, last, retries, _dir) = run(vec![accepted()]).await;
    assert!(retries.is_empty());
    let Outcome::Done(detail) = &last else {
        panic!("{last:?}")
    };
    assert!(detail.contains("onwatch/prod/a1b2c3"), "{detail}");
    let seen = rec.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v2/enqueue");
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(seen[0].body, expected_trigger());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_pagerduty_400_fails_without_retrying_and_shows_no_key() {
    let (rec, last, retries, dir) = run(vec![(
        400,
        None,
        json!({"status":"Unrecognized object","message":"Event object format is unrecognized","errors":[format!("bad key {KEY}")]}),
    )])
    .await;
    assert!(retries.is_empty());
    let Outcome::Failed(reason) = &last else {
        panic!("{last:?}")
    };
    assert!(reason.contains("HTTP 400"), "{reason}");
    assert!(!reason.contains(KEY), "{reason}");
    assert_eq!(rec.lock().unwrap().seen.len(), 1);
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(!audit.contains(KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_pagerduty_429_waits_for_retry_after_then_sends_the_same_event() {
    let (rec, last, retries, _dir) = run(vec![
        (
            429,
            Some("1"),
            json!({"status":"throttle","message":"Request Limit Exceeded"}),
        ),
        accepted(),
    ])
    .await;
    assert!(matches!(last, Outcome::Done(_)), "{last:?}");
    assert_eq!(retries.len(), 1);
    let seen = rec.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 2);
    // the backoff alone would be 20 ms: the gap is the server's Retry-After
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_millis(950), "{gap:?}");
    // the same dedup_key: PagerDuty attaches the retry to one alert
    assert_eq!(seen[0].body, seen[1].body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_pagerduty_500_is_retried_with_the_same_dedup_key() {
    let (rec, last, retries, _dir) = run(vec![
        (500, None, json!({"status":"error","message":"internal"})),
        (500, None, json!({"status":"error","message":"internal"})),
        accepted(),
    ])
    .await;
    assert!(matches!(last, Outcome::Done(_)), "{last:?}");
    assert_eq!(retries.len(), 2);
    let Outcome::Retrying(reason) = &retries[0] else {
        unreachable!()
    };
    assert!(reason.contains("HTTP 500"), "{reason}");
    let seen = rec.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|s| s.body == expected_trigger()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_webhook_body_is_the_rendered_template() {
    let (rec, last, _retries, _dir) = run(vec![(200, None, json!("hook"))]).await;
    assert!(matches!(last, Outcome::Done(_)), "{last:?}");
    let seen = rec.lock().unwrap().seen.clone();
    assert_eq!(seen[0].path, "/hooks/esc");
    assert_eq!(
        seen[0].body,
        json!({"text": "alice escalated DiskFull: db team, please", "sev": "critical"})
    );
}

/// `[actions.pagerduty_ack]` on the local server: the acknowledge that goes with an ack.
async fn acknowledge(
    script: Vec<(u16, Option<&str>, Value)>,
) -> (Recorder, Outcome, Vec<Outcome>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let secret = act_support::secret_file(dir.path(), "pd-ack-key", &format!("{KEY}\n"));
    let (rec, addr) = serve_recorder(script).await;
    let poster =
        onwatch::sources::webhook::JsonPoster::new(Duration::from_secs(3), 64 << 20).unwrap();
    let target = act_support::pagerduty(addr, poster, secret.clone());
    let (x, mut rx) = act_support::executor_with_pagerduty_ack(
        dir.path(),
        BTreeMap::new(),
        BTreeMap::new(),
        Some(target),
    );
    x.submit(ActionRequest {
        id: "1-0-2".into(),
        created_at: Utc::now(),
        user: "alice".into(),
        kind: ActKind::PagerdutyAck {
            cluster: "prod".into(),
            labels: labels(&[("alertname", "DiskFull"), ("cluster", "eu-1")]),
            dedup_key: "DiskFull/eu-1".into(),
        },
    })
    .unwrap();
    let mut seen = Vec::new();
    let mut last = wait_for(&mut rx, |o| !matches!(o, Outcome::Queued))
        .await
        .outcome;
    while matches!(last, Outcome::Retrying(_)) {
        seen.push(last);
        last = wait_for(&mut rx, |_| true).await.outcome;
    }
    (rec, last, seen, dir)
}

fn expected_acknowledge() -> Value {
    json!({"routing_key": KEY, "event_action": "acknowledge", "dedup_key": "DiskFull/eu-1"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_pagerduty_acknowledge_sends_exactly_key_action_and_dedup_key() {
    let (rec, last, retries, dir) = acknowledge(vec![(
        202,
        None,
        json!({"status":"success","message":"Event processed","dedup_key":"DiskFull/eu-1"}),
    )])
    .await;
    assert!(retries.is_empty());
    assert_eq!(
        last,
        Outcome::Done("PagerDuty acknowledge accepted (HTTP 202)".into())
    );
    let seen = rec.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v2/enqueue");
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    // nothing but the three fields the reference gives for acknowledge
    assert_eq!(seen[0].body, expected_acknowledge());
    // audited (queued, done) with the routing key redacted; the outbox is empty again
    let audit = act_support::audit_lines(dir.path());
    let outcomes: Vec<&str> = audit
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["queued", "done"]);
    assert_eq!(audit[1]["action"], "pagerduty_ack");
    assert_eq!(audit[1]["target"], "pagerduty acknowledge DiskFull/eu-1");
    assert!(
        !std::fs::read_to_string(dir.path().join("audit.jsonl"))
            .unwrap()
            .contains(KEY)
    );
    assert_eq!(act_support::outbox_len(dir.path()), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_pagerduty_acknowledge_honours_retry_after_and_retries_5xx_with_one_body() {
    let (rec, last, retries, _dir) = acknowledge(vec![
        (
            429,
            Some("1"),
            json!({"status":"throttle","message":"Request Limit Exceeded"}),
        ),
        (500, None, json!({"status":"error","message":"internal"})),
        (
            202,
            None,
            json!({"status":"success","message":"Event processed"}),
        ),
    ])
    .await;
    assert!(matches!(last, Outcome::Done(_)), "{last:?}");
    assert_eq!(retries.len(), 2, "{retries:?}");
    let seen = rec.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 3);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_millis(950), "{gap:?}");
    assert!(seen.iter().all(|s| s.body == expected_acknowledge()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_pagerduty_acknowledge_400_fails_once_and_shows_no_key() {
    let (rec, last, retries, _dir) = acknowledge(vec![(
        400,
        None,
        json!({"status":"Unrecognized object","message":"bad","errors":[format!("key {KEY}")]}),
    )])
    .await;
    assert!(retries.is_empty());
    let Outcome::Failed(reason) = &last else {
        panic!("{last:?}")
    };
    assert!(
        reason.contains("PagerDuty acknowledge refused: HTTP 400"),
        "{reason}"
    );
    assert!(!reason.contains(KEY), "{reason}");
    assert_eq!(rec.lock().unwrap().seen.len(), 1);
}
