//! Escalation targets other than PagerDuty: an Alertmanager re-post with extra labels, and a
//! command run with an argument vector (never a shell).

#![allow(clippy::unwrap_used)]
mod act_support;

mod kit;
use act_support::{executor, wait_for};
use chrono::Utc;
use kit::labels;
use onwatch::actions::Target;
use onwatch::app::acts::{ActionRequest, Outcome};
use onwatch::domain::alerts::Alert;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::net::TcpListener;

/// alice escalates the warning Disk to `target` of chain crit.
fn disk_warning(target: &str, note: &str) -> ActionRequest {
    let alert = Alert {
        annotations: std::sync::Arc::new(labels(&[("summary", "disk full")]).into()),
        fingerprint: "f".into(),
        ..kit::alert(
            &[("alertname", "Disk"), ("severity", "warning")],
            Utc::now(),
        )
    };
    kit::escalation(&format!("1-0-{target}"), target, &alert, note)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_repost_adds_the_labels_on_every_replica() {
    let dir = tempfile::tempdir().unwrap();
    let mut fakes = Vec::new();
    let mut clients = Vec::new();
    for _ in 0..2 {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        clients.push(kit::am_client(&url, Duration::from_secs(3)));
        fakes.push(act_support::fake::serve_am(l));
    }
    let mut clusters = BTreeMap::new();
    clusters.insert("prod".to_string(), clients);
    let mut targets = BTreeMap::new();
    targets.insert(
        ("crit".to_string(), "tier2".to_string()),
        Target::Alertmanager {
            cluster: None,
            labels: labels(&[("escalated", "true"), ("severity", "critical")]),
        },
    );
    let (x, mut rx) = executor(dir.path(), clusters, targets);
    x.submit(disk_warning("tier2", "wake tier 2")).unwrap();
    let r = wait_for(&mut rx, |o| {
        matches!(o, Outcome::Done(_) | Outcome::Failed(_))
    })
    .await;
    assert!(matches!(r.outcome, Outcome::Done(_)), "{r:?}");
    for (am, _) in &fakes {
        let s = am.lock().unwrap();
        assert_eq!(s.alerts.len(), 1);
        let a = &s.alerts[0];
        assert_eq!(a["labels"]["escalated"], "true");
        assert_eq!(a["labels"]["severity"], "critical");
        assert_eq!(a["labels"]["alertname"], "Disk");
        assert_eq!(a["annotations"]["escalated_by"], "alice");
        assert_eq!(a["annotations"]["escalation_note"], "wake tier 2");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_gets_each_placeholder_as_one_argument_and_no_shell() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("args");
    // the program writes its arguments one per line; a shell would have run `touch`
    let script = dir.path().join("record.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> {}; done\n",
            out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let pwned = dir.path().join("pwned");
    let note = format!("x; touch {} $(touch {})", pwned.display(), pwned.display());
    let mut targets = BTreeMap::new();
    targets.insert(
        ("crit".to_string(), "cmd".to_string()),
        Target::Command {
            argv: vec![
                script.display().to_string(),
                "--alert={{alertname}}".into(),
                "{{note}}".into(),
            ],
            timeout: Duration::from_secs(10),
        },
    );
    targets.insert(
        ("crit".to_string(), "fails".to_string()),
        Target::Command {
            argv: vec!["false".into()],
            timeout: Duration::from_secs(10),
        },
    );
    let (x, mut rx) = executor(dir.path(), BTreeMap::new(), targets);
    x.submit(disk_warning("cmd", &note)).unwrap();
    let r = wait_for(&mut rx, |o| {
        matches!(o, Outcome::Done(_) | Outcome::Failed(_))
    })
    .await;
    assert!(matches!(r.outcome, Outcome::Done(_)), "{r:?}");
    let args = std::fs::read_to_string(&out).unwrap();
    assert_eq!(args, format!("--alert=Disk\n{note}\n"));
    assert!(!pwned.exists());
    // a failing command is reported, not retried
    x.submit(disk_warning("fails", "")).unwrap();
    let r = wait_for(&mut rx, |o| {
        matches!(
            o,
            Outcome::Done(_) | Outcome::Failed(_) | Outcome::Retrying(_)
        )
    })
    .await;
    assert!(matches!(r.outcome, Outcome::Failed(_)), "{r:?}");
}
