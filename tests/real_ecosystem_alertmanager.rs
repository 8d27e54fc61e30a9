//! The real ecosystem's shapes on a real two-replica Alertmanager 0.25: a kube-prometheus-like
//! config (grouped by namespace, critical inhibits warning of the same alert and namespace),
//! alerts as an HA Prometheus pair posts them with the labels Sloth and kube-prometheus give
//! (`severity=pageteam` + `sloth_severity=page`, Watchdog's `severity=none`, a `cluster` label),
//! and an ack made by running amtool itself ("ack: on it"). The cockpit reads each as an
//! on-call engineer expects, and so do the snapshot's counts and the timeline.

#![allow(clippy::unwrap_used)]

mod am_support;
mod kit;

use am_support::{AmPair, prom_alert};
use onwatch::app::msg::Payload;
use onwatch::domain::alerts::{AlertReading, Severity};
use std::time::{Duration, Instant};

/// kube-prometheus' Alertmanager config in short: group by namespace, a null receiver, and its
/// inhibit rule (critical silences warning and info of the same alert in the same namespace).
const KUBE_PROMETHEUS_LIKE: &str = r#"route:
  receiver: "null"
  group_by: [namespace]
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: "null"
inhibit_rules:
  - source_matchers: ['severity = critical']
    target_matchers: ['severity =~ warning|info']
    equal: [namespace, alertname]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_prometheus_sloth_and_amtool_shapes_read_as_an_on_call_engineer_expects() {
    let pair = AmPair::start_with(KUBE_PROMETHEUS_LIKE).await;
    let now = chrono::Utc::now() - chrono::Duration::minutes(2);
    let mut posted = Vec::new();
    for replica in ["prom-a", "prom-b"] {
        for labels in [
            &[
                ("alertname", "KubePodCrashLooping"),
                ("namespace", "shop"),
                ("severity", "critical"),
                ("cluster", "eu-1"),
            ][..],
            &[
                ("alertname", "KubePodCrashLooping"),
                ("namespace", "shop"),
                ("severity", "warning"),
                ("cluster", "eu-1"),
            ][..],
            &[
                ("alertname", "Watchdog"),
                ("namespace", "monitoring"),
                ("severity", "none"),
                ("cluster", "eu-1"),
            ][..],
            &[
                ("alertname", "CheckoutHighErrorRate"),
                ("namespace", "shop"),
                ("severity", "pageteam"),
                ("sloth_severity", "page"),
                ("sloth_slo", "requests-availability"),
                ("cluster", "eu-1"),
            ][..],
        ] {
            posted.push(prom_alert(labels, replica, now, None));
        }
    }
    pair.post_alerts(&posted).await;

    // The ack, made with amtool as an engineer would type it.
    let out = std::process::Command::new("amtool")
        .arg(format!("--alertmanager.url={}", pair.replicas[0].url()))
        .args([
            "silence",
            "add",
            "--author=bob",
            "--comment=ack: on it",
            "--duration=1h",
        ])
        .arg("alertname=Watchdog")
        .output()
        .expect("amtool is installed with prometheus-alertmanager");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let silence_id = String::from_utf8_lossy(&out.stdout).trim().to_string();

    let mut fetcher = pair.fetcher("prod");
    let mut c = kit::Cockpit::with(onwatch::app::state::Setup {
        sources: vec![kit::am()],
        group_by: vec!["alertname".into(), "namespace".into()],
        dedup_labels: vec!["replica".into()],
        ..kit::setup()
    });
    // Inhibition is marked when the pipeline flushes the group (group_wait 1s); the silence
    // reaches the second replica by gossip. Polled until both show, within a deadline.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut records = Vec::new();
    loop {
        let Payload::Alerts(snap) = fetcher.fetch().await.unwrap() else {
            panic!("an alerts payload")
        };
        c.generation += 1;
        let generation = c.generation;
        let effects = c.send(kit::alerts_msg(
            kit::am(),
            generation,
            kit::t0(),
            (*snap).clone(),
        ));
        records.extend(effects.into_iter().filter_map(|e| match e {
            onwatch::app::Effect::Record(entry) => Some(entry),
            _ => None,
        }));
        let read = |name: &str, severity: &str| {
            c.state
                .cluster_alerts("prod")
                .iter()
                .find(|a| {
                    a.alert.labels.get("alertname").unwrap_or_default() == name
                        && a.alert.labels.get("severity").unwrap_or_default() == severity
                })
                .map(|a| (a.reading.clone(), a.severity, a.sources.len()))
        };
        let inhibited = matches!(
            read("KubePodCrashLooping", "warning"),
            Some((AlertReading::Inhibited, ..))
        );
        let acked = matches!(
            read("Watchdog", "none"),
            Some((AlertReading::Acked { .. }, ..))
        );
        let on_both = snap
            .observations
            .iter()
            .filter(|o| o.alert.silenced_by.contains(&silence_id))
            .count()
            == 4;
        if inhibited && acked && on_both {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "inhibited {inhibited}, acked {acked}, silence on both replicas {on_both}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cluster = c.state.cluster_alerts("prod");
    let one = |name: &str, severity: &str| {
        cluster
            .iter()
            .find(|a| {
                a.alert.labels.get("alertname").unwrap_or_default() == name
                    && a.alert.labels.get("severity").unwrap_or_default() == severity
            })
            .unwrap()
    };
    // Four replicas' worth of each alert (2 Prometheus x 2 Alertmanager) is one row.
    assert_eq!(cluster.len(), 4, "{cluster:?}");
    assert_eq!(one("KubePodCrashLooping", "critical").sources.len(), 4);
    assert_eq!(
        one("CheckoutHighErrorRate", "pageteam").severity,
        Severity::Critical,
        "sloth_severity=page"
    );
    assert_eq!(one("Watchdog", "none").severity, Severity::Info);
    assert!(
        matches!(&one("Watchdog", "none").reading, AlertReading::Acked { by, .. } if by == "bob"),
        "amtool's lowercase ack is an ack"
    );
    assert_eq!(
        one("KubePodCrashLooping", "critical").reading,
        AlertReading::Firing
    );
    // A label called `cluster` is a label: not the Alertmanager cluster, not a grouping key.
    assert_eq!(one("Watchdog", "none").id.cluster(), "prod");
    // With silenced and inhibited alerts shown (`s`), the group counts the inhibited one.
    c.state.show_silenced = true;
    c.state.regroup();
    let group = c
        .state
        .groups
        .iter()
        .find(|g| g.labels.get("alertname").map(String::as_str) == Some("KubePodCrashLooping"))
        .unwrap();
    assert_eq!((group.firing, group.inhibited), (1, 1), "{group:?}");

    // The timeline has bob's ack, seen on a poll, with its author.
    let recorded = records
        .iter()
        .any(|e| format!("{:?}", e.event).contains("bob"));
    assert!(recorded, "{records:?}");
}

/// Two real Alertmanager clusters whose alerts both carry a `cluster` label with the same
/// value (a common copy-pasted external label): the Alertmanager cluster is its own dimension,
/// so the same alert from each is two rows, each named by its Alertmanager cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clusters_whose_alerts_carry_the_same_cluster_label_stay_apart() {
    let (eu, us) = (AmPair::start().await, AmPair::start().await);
    let now = chrono::Utc::now() - chrono::Duration::minutes(1);
    let alert = [
        ("alertname", "DiskFull"),
        ("cluster", "main"),
        ("severity", "critical"),
    ];
    for pair in [&eu, &us] {
        pair.post_alerts(&[prom_alert(&alert, "prom-a", now, None)])
            .await;
    }
    let source = |name: &str| {
        onwatch::domain::health::SourceId::new(
            onwatch::domain::health::SourceKind::Alertmanager,
            name,
        )
    };
    let mut c = kit::Cockpit::with(onwatch::app::state::Setup {
        sources: vec![source("eu"), source("us")],
        dedup_labels: vec!["replica".into()],
        ..kit::setup()
    });
    for (name, pair) in [("eu", &eu), ("us", &us)] {
        let Payload::Alerts(snap) = pair.fetcher(name).fetch().await.unwrap() else {
            panic!("an alerts payload")
        };
        c.generation += 1;
        let generation = c.generation;
        c.send(kit::alerts_msg(
            source(name),
            generation,
            kit::t0(),
            (*snap).clone(),
        ));
    }
    let groups: Vec<String> = c
        .state
        .groups
        .iter()
        .map(|g| format!("{:?}", g.labels))
        .collect();
    assert_eq!(
        groups.len(),
        2,
        "one row per Alertmanager cluster: {groups:?}"
    );
    assert!(
        groups.iter().any(|g| g.contains("\"@cluster\": \"eu\""))
            && groups.iter().any(|g| g.contains("\"@cluster\": \"us\"")),
        "{groups:?}"
    );
    let out = kit::screen(&c.state, 100, 30);
    assert_eq!(out.matches("DiskFull").count(), 2, "{out}");
}
