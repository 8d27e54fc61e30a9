//! The outbox and the audit log: an ack pressed while Alertmanager is down survives the
//! executor being dropped and re-created, and makes exactly one silence once it is up; a lost
//! answer is not a second silence; audit lines are JSON without secrets.

#![allow(clippy::unwrap_used)]
mod act_support;

mod kit;
use act_support::{audit_lines, executor, outbox_len, wait_for};
use chrono::Utc;
use kit::labels;
use onwatch::app::acts::{ActKind, ActionRequest, Outcome};
use onwatch::domain::alerts::Alert;
use onwatch::domain::alerts::Labels;
use std::collections::BTreeMap;
use tokio::net::TcpListener;

fn ack(id: &str) -> ActionRequest {
    let now = Utc::now();
    ActionRequest {
        id: id.into(),
        created_at: now,
        user: "alice".into(),
        kind: ActKind::Ack {
            cluster: "prod".into(),
            matchers: labels(&[("alertname", "Disk"), ("instance", "a")]),
            exclude: Default::default(),
            comment: "ACK: on it".into(),
            starts_at: now,
            ends_at: now + chrono::Duration::hours(1),
            until_resolved: false,
        },
    }
}

fn cluster(url: &str) -> BTreeMap<String, Vec<onwatch::sources::alertmanager::AlertmanagerClient>> {
    let mut m = BTreeMap::new();
    m.insert(
        "prod".to_string(),
        vec![kit::am_client(url, std::time::Duration::from_secs(3))],
    );
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_while_down_survives_a_restart_and_makes_exactly_one_silence() {
    let dir = tempfile::tempdir().unwrap();
    // a port with nothing listening: connections are refused
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let url = format!("http://{addr}");

    let (first, mut rx) = executor(dir.path(), cluster(&url), BTreeMap::new());
    first.submit(ack("1-0-1")).unwrap();
    let r = wait_for(&mut rx, |o| matches!(o, Outcome::Retrying(_))).await;
    let Outcome::Retrying(reason) = &r.outcome else {
        unreachable!()
    };
    assert!(reason.contains("unreachable"), "{reason}");
    assert_eq!(outbox_len(dir.path()), 1);
    drop(first); // the cockpit quits with the ack undelivered

    // Alertmanager comes back on the same address; a new cockpit starts on the same state dir
    let listener = TcpListener::bind(addr).await.unwrap();
    let (am, _server) = act_support::fake::serve_am(listener);
    let (second, mut rx) = executor(dir.path(), cluster(&url), BTreeMap::new());
    assert_eq!(second.resume().unwrap(), 1);
    let done = wait_for(&mut rx, |o| {
        matches!(o, Outcome::Done(_) | Outcome::Failed(_))
    })
    .await;
    let Outcome::Done(id) = &done.outcome else {
        panic!("{done:?}")
    };
    let s = am.lock().unwrap();
    assert_eq!(s.silences.len(), 1, "{:?}", s.silences);
    let sil = &s.silences[0];
    assert_eq!(sil["id"], serde_json::json!(id));
    assert_eq!(sil["createdBy"], "alice");
    assert_eq!(sil["comment"], "ACK: on it");
    assert_eq!(
        kit::amtool::matchers_of(&sil["matchers"], "isRegex", "isEqual"),
        vec![
            ("alertname".to_string(), "Disk".to_string(), false, true),
            ("instance".to_string(), "a".to_string(), false, true)
        ]
    );
    drop(s);
    assert_eq!(outbox_len(dir.path()), 0);
    // a third start finds nothing to resend
    let (third, _rx) = executor(dir.path(), cluster(&url), BTreeMap::new());
    assert_eq!(third.resume().unwrap(), 0);

    let audit = audit_lines(dir.path());
    let outcomes: Vec<&str> = audit
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["queued", "retrying", "resumed", "done"]);
    for l in &audit {
        assert_eq!(l["user"], "alice");
        assert_eq!(l["host"], "testhost");
        assert_eq!(l["ssh_client"], "10.9.8.7 5555");
        assert_eq!(l["action"], "ack");
        assert_eq!(l["cluster"], "prod");
        assert_eq!(l["matchers"]["alertname"], "Disk");
        assert!(
            l["time"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<Utc>>()
                .is_ok()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_retried_without_a_second_silence() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (am, _server) = act_support::fake::serve_am(listener);
    am.lock().unwrap().lose_next_post = true;
    let (x, mut rx) = executor(dir.path(), cluster(&url), BTreeMap::new());
    x.submit(ack("1-0-2")).unwrap();
    let done = wait_for(&mut rx, |o| {
        matches!(o, Outcome::Done(_) | Outcome::Failed(_))
    })
    .await;
    assert!(matches!(done.outcome, Outcome::Done(_)), "{done:?}");
    let s = am.lock().unwrap();
    assert_eq!(s.posts, 1, "the retry looked first and found the silence");
    assert_eq!(s.silences.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unack_expires_once_and_a_repeat_is_done_without_a_call() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (am, _server) = act_support::fake::serve_am(listener);
    let (x, mut rx) = executor(dir.path(), cluster(&url), BTreeMap::new());
    x.submit(ack("1-0-3")).unwrap();
    let Outcome::Done(id) = wait_for(&mut rx, |o| matches!(o, Outcome::Done(_)))
        .await
        .outcome
    else {
        unreachable!()
    };
    for n in 4..6 {
        x.submit(ActionRequest {
            id: format!("1-0-{n}"),
            created_at: Utc::now(),
            user: "alice".into(),
            kind: ActKind::Unack {
                cluster: "prod".into(),
                silence_id: id.clone(),
                matchers: Labels::new(),
            },
        })
        .unwrap();
        let r = wait_for(&mut rx, |o| {
            matches!(o, Outcome::Done(_) | Outcome::Failed(_))
        })
        .await;
        assert_eq!(r.outcome, Outcome::Done(id.clone()));
    }
    let s = am.lock().unwrap();
    assert_eq!(s.silences[0]["status"]["state"], "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_lines_are_json_and_never_hold_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let key = "R0UTINGKEYabcdef0123456789SECRET";
    let secret = act_support::secret_file(dir.path(), "pd-key", &format!("{key}\n"));
    let (pd, addr) = act_support::fake::serve_recorder(vec![(
        202,
        None,
        serde_json::json!({"status":"success","message":"Event processed","dedup_key":"k"}),
    )])
    .await;
    let poster =
        onwatch::sources::webhook::JsonPoster::new(std::time::Duration::from_secs(3), 64 << 20)
            .unwrap();
    let targets = BTreeMap::from([act_support::crit_target(
        "pd",
        act_support::pagerduty(addr, poster, secret.clone()),
    )]);
    let (x, mut rx) = executor(dir.path(), BTreeMap::new(), targets);
    let alert = Alert {
        fingerprint: "abc".into(),
        ..kit::alert(
            &[("alertname", "Disk"), ("severity", "critical")],
            Utc::now(),
        )
    };
    // someone pasted the key into the note
    x.submit(kit::escalation(
        "1-0-9",
        "pd",
        &alert,
        &format!("key is {key}"),
    ))
    .unwrap();
    let r = wait_for(&mut rx, |o| {
        matches!(o, Outcome::Done(_) | Outcome::Failed(_))
    })
    .await;
    assert!(matches!(r.outcome, Outcome::Done(_)), "{r:?}");
    assert_eq!(pd.lock().unwrap().seen.len(), 1);
    let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(!text.contains(key), "{text}");
    let lines = audit_lines(dir.path());
    assert_eq!(lines.len(), 2);
    for l in &lines {
        assert_eq!(l["action"], "escalate");
        assert_eq!(l["target"], "crit/pd");
        assert_eq!(l["text"], "key is ***");
    }
    assert_eq!(lines[1]["outcome"], "done");
}
