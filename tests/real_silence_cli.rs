//! `onwatch silence list` on a real two-replica Alertmanager 0.25, with amtool as the oracle:
//! silences made by running amtool (active, pending, an ack, an expired one) are listed once
//! each across the replicas with amtool's matchers, times, author and comment, the state and
//! how many alerts each matches now.

#![allow(clippy::unwrap_used)]

mod am_support;
mod kit;

use am_support::{AmPair, prom_alert};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

fn amtool(url: &str, args: &[&str]) -> String {
    let out = Command::new("amtool")
        .arg(format!("--alertmanager.url={url}"))
        .args(args)
        .output()
        .expect("amtool is installed with prometheus-alertmanager");
    assert!(
        out.status.success(),
        "amtool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// amtool's JSON silences by id (`silence query -o json`, `--expired` for expired ones).
fn amtool_silences(url: &str, expired: bool) -> BTreeMap<String, Value> {
    let mut args = vec!["silence", "query", "-o", "json"];
    if expired {
        args.push("--expired");
    }
    let list: Vec<Value> = serde_json::from_str(&amtool(url, &args)).unwrap();
    list.into_iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s))
        .collect()
}

fn instant(v: &Value) -> chrono::DateTime<chrono::Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silences_made_with_amtool_are_listed_once_each_as_amtool_shows_them() {
    let pair = AmPair::start().await;
    let started = chrono::Utc::now() - chrono::Duration::minutes(5);
    let mut posted = Vec::new();
    for instance in ["db-1", "db-2", "web-1"] {
        for replica in ["prom-a", "prom-b"] {
            posted.push(prom_alert(
                &[("alertname", "DiskFull"), ("instance", instance)],
                replica,
                started,
                None,
            ));
        }
    }
    pair.post_alerts(&posted).await;
    let url = pair.replicas[0].url();
    let active = amtool(
        &url,
        &[
            "silence",
            "add",
            "--author=bob",
            "--comment=disk swap on the db hosts",
            "--duration=2h",
            "alertname=DiskFull",
            "instance=~db-.*",
        ],
    );
    let ack = amtool(
        &url,
        &[
            "silence",
            "add",
            "--author=carol",
            "--comment=ack: looking",
            "--duration=30m",
            "instance=web-1",
        ],
    );
    let start = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let pending = amtool(
        &url,
        &[
            "silence",
            "add",
            "--author=dave",
            "--comment=Sunday window",
            &format!("--start={start}"),
            "--duration=2h",
            "alertname=DiskFull",
        ],
    );
    let gone = amtool(
        &url,
        &[
            "silence",
            "add",
            "--author=erin",
            "--comment=done already",
            "--duration=1h",
            "alertname=Old",
        ],
    );
    amtool(&url, &["silence", "expire", &gone]);

    // Both replicas know all four (gossip), and Alertmanager has marked the silenced alerts.
    let other = pair.replicas[1].url();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let known = amtool_silences(&other, false).len() + amtool_silences(&other, true).len();
        let marked = pair
            .client(0)
            .alerts()
            .await
            .unwrap()
            .iter()
            .filter(|a| !a.silenced_by.is_empty())
            .count();
        if known == 4 && marked == 6 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{known} silences, {marked} marked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("onwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[[alertmanager]]\nname = \"prod\"\nurls = [\"{url}\", \"{other}\"]\n\n[alerts]\ndedup_labels = [\"replica\"]\n"
        ),
    )
    .unwrap();
    let list = |extra: &[&str]| {
        let (code, out, err) = kit::binary::run(
            kit::binary::onwatch(home.path())
                .arg("--config")
                .arg(&config)
                .args(["silence", "list"])
                .args(extra),
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let rows: Vec<Value> = serde_json::from_str(&list(&["--format", "json"])).unwrap();
    let oracle = amtool_silences(&url, false);
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [ack.as_str(), active.as_str(), pending.as_str()],
        "soonest end first, then pending"
    );
    for row in &rows {
        let want = &oracle[row["id"].as_str().unwrap()];
        assert_eq!(row["created_by"], want["createdBy"]);
        assert_eq!(row["comment"], want["comment"]);
        assert_eq!(row["state"], want["status"]["state"]);
        assert_eq!(instant(&row["starts_at"]), instant(&want["startsAt"]));
        assert_eq!(instant(&row["ends_at"]), instant(&want["endsAt"]));
        let matchers = |v: &Value, regex: &str, equal: &str| -> Vec<(String, String, bool, bool)> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m["name"].as_str().unwrap().to_string(),
                        m["value"].as_str().unwrap().to_string(),
                        m[regex].as_bool().unwrap(),
                        m[equal].as_bool().unwrap_or(true),
                    )
                })
                .collect()
        };
        let mut got = matchers(&row["matchers"], "is_regex", "is_equal");
        let mut expected = matchers(&want["matchers"], "isRegex", "isEqual");
        got.sort();
        expected.sort();
        assert_eq!(got, expected);
    }
    let by_id = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(
        by_id(&active)["matching"],
        2,
        "db-1 and db-2, once each across HA copies"
    );
    assert_eq!(by_id(&ack)["kind"], "ack");
    assert_eq!(by_id(&active)["kind"], "silence");
    assert_eq!(by_id(&pending)["state"], "pending");
    assert_eq!(
        by_id(&pending)["matching"],
        3,
        "what it would silence once it starts"
    );
    let seconds = by_id(&pending)["seconds"].as_i64().unwrap();
    assert!(
        (3500..=3600).contains(&seconds),
        "starts in about an hour: {seconds}"
    );

    let with_expired: Vec<Value> =
        serde_json::from_str(&list(&["--format", "json", "--expired"])).unwrap();
    assert_eq!(with_expired.len(), 4);
    assert_eq!(with_expired[3]["id"], gone.as_str());
    assert_eq!(with_expired[3]["state"], "expired");

    let text = list(&[]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("CLUSTER"), "{text}");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[2].contains(&active)
            && lines[2].contains("{alertname=\"DiskFull\", instance=~\"db-.*\"}"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_that_does_not_answer_is_said_and_the_others_are_still_listed() {
    let pair = AmPair::start().await;
    let url = pair.replicas[0].url();
    let id = pair.silence(&[("alertname", "X")], "bob", "window").await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("onwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[general]\ntimeout = \"2s\"\n\n[[alertmanager]]\nname = \"prod\"\nurls = [\"{url}\"]\n\n[[alertmanager]]\nname = \"gone\"\nurls = [\"http://127.0.0.1:9\"]\n"
        ),
    )
    .unwrap();
    let (code, out, err) = kit::binary::run(
        kit::binary::onwatch(home.path())
            .arg("--config")
            .arg(&config)
            .args(["silence", "list", "--format", "json"]),
    );
    assert_eq!(code, 2, "some cluster did not answer");
    assert!(err.contains("gone") && err.contains("refused"), "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["cluster"], "prod");
}
