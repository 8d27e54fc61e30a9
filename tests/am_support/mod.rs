//! Two real `prometheus-alertmanager` replicas clustered on 127.0.0.1, the one harness for every
//! test and bench that needs a real cluster: free ports, temp storage, `timeout` wrapper,
//! readiness and peer-join polled with a deadline, stopped by PID one after the other.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // test harness: a failure is a broken test

use chrono::{DateTime, Utc};
use onwatch::domain::alerts::Matcher;
use onwatch::poll::ClusterFetcher;
use onwatch::sources::alertmanager::{AlertmanagerClient, PostableSilence};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = "/usr/bin/prometheus-alertmanager";
const READY_DEADLINE: Duration = Duration::from_secs(20);
/// Upper bound on a daemon's life, so nothing outlives a crashed test run; a held
/// bench pair (`STORM_HOLD`) measured for longer sets `AM_LIFETIME_SECS`.
fn lifetime_secs() -> String {
    std::env::var("AM_LIFETIME_SECS").unwrap_or_else(|_| "900".into())
}

const CONFIG: &str = "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n";

pub fn require_binary(path: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: run .ci/install (as root) to install the real backends"
    );
}

/// A port free on 127.0.0.1 for TCP and, when `udp`, UDP too (memberlist gossips on both).
#[path = "../common/ports.rs"]
mod ports;
pub use ports::free_port;

pub struct Replica {
    pub name: String,
    pub web_port: u16,
    pub cluster_port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Replica {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.web_port)
    }

    fn spawn(&mut self, peer_port: u16, config: &Path) {
        let storage = self.dir.join("data");
        std::fs::create_dir_all(&storage).unwrap();
        let log = std::fs::File::create(self.dir.join("am.log")).unwrap();
        let child = Command::new("timeout")
            .arg(lifetime_secs())
            .arg(BIN)
            .arg(format!("--web.listen-address=127.0.0.1:{}", self.web_port))
            .arg(format!("--storage.path={}", storage.display()))
            .arg(format!(
                "--cluster.listen-address=127.0.0.1:{}",
                self.cluster_port
            ))
            .arg(format!(
                "--cluster.advertise-address=127.0.0.1:{}",
                self.cluster_port
            ))
            .arg(format!("--cluster.peer=127.0.0.1:{peer_port}"))
            .arg(format!("--config.file={}", config.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn timeout + prometheus-alertmanager");
        std::fs::write(self.dir.join("pid"), child.id().to_string()).unwrap();
        self.child = Some(child);
    }

    /// SIGTERM to `timeout`, which forwards it to Alertmanager; then reap it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
        }
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("am.log")).unwrap_or_default()
    }
}

pub struct AmPair {
    pub replicas: Vec<Replica>,
    config: PathBuf,
    _tmp: tempfile::TempDir,
    pub http: reqwest::Client,
}

impl AmPair {
    pub async fn start() -> Self {
        Self::start_with(CONFIG).await
    }

    /// The pair with this `alertmanager.yml` (routes, inhibit rules).
    pub async fn start_with(config_text: &str) -> Self {
        require_binary(BIN);
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("alertmanager.yml");
        std::fs::write(&config, config_text).unwrap();
        let replicas = (0..2)
            .map(|i| {
                let dir = tmp.path().join(format!("am-{i}"));
                std::fs::create_dir_all(&dir).unwrap();
                Replica {
                    name: format!("am-{i}"),
                    web_port: free_port(false),
                    cluster_port: free_port(true),
                    dir,
                    child: None,
                }
            })
            .collect();
        let mut pair = Self {
            replicas,
            config,
            _tmp: tmp,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        };
        for i in 0..2 {
            let peer = pair.replicas[1 - i].cluster_port;
            let config = pair.config.clone();
            pair.replicas[i].spawn(peer, &config);
        }
        for i in 0..2 {
            pair.wait_ready(i).await;
        }
        pair.wait_peers(2).await;
        pair
    }

    async fn wait_ready(&self, i: usize) {
        let url = format!("{}/-/ready", self.replicas[i].url());
        let deadline = Instant::now() + READY_DEADLINE;
        loop {
            if let Ok(r) = self.http.get(&url).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready in {READY_DEADLINE:?}; log:\n{}",
                self.replicas[i].name,
                self.replicas[i].log()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Polls `/api/v2/status` (through the crate's client) until every replica sees `n` peers.
    pub async fn wait_peers(&self, n: usize) {
        let deadline = Instant::now() + READY_DEADLINE;
        for r in &self.replicas {
            let client = client(&r.url());
            loop {
                if client.status().await.is_ok_and(|s| s.peers >= n) {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{} did not see {n} peers; log:\n{}",
                    r.name,
                    r.log()
                );
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }

    pub fn stop(&mut self, i: usize) {
        self.replicas[i].stop();
    }

    /// Starts a stopped replica again on the same ports and storage (silences survive).
    pub async fn restart(&mut self, i: usize) {
        let peer = self.replicas[1 - i].cluster_port;
        let config = self.config.clone();
        self.replicas[i].spawn(peer, &config);
        self.wait_ready(i).await;
        self.wait_peers(2).await;
    }

    /// A `ClusterFetcher` over both replicas, as `poll::build` makes one.
    pub fn fetcher(&self, cluster: &str) -> ClusterFetcher {
        ClusterFetcher::new(
            cluster,
            self.replicas
                .iter()
                .map(|r| (r.name.clone(), client(&r.url())))
                .collect(),
        )
    }

    pub fn client(&self, i: usize) -> AlertmanagerClient {
        client(&self.replicas[i].url())
    }

    /// Posts to every running replica, as each Prometheus of an HA pair does.
    pub async fn post_alerts(&self, alerts: &[Value]) {
        for r in self.replicas.iter().filter(|r| r.is_running()) {
            for chunk in alerts.chunks(2000) {
                let resp = self
                    .http
                    .post(format!("{}/api/v2/alerts", r.url()))
                    .json(chunk)
                    .send()
                    .await
                    .unwrap();
                let status = resp.status();
                assert!(
                    status.is_success(),
                    "post alerts: {status}: {}",
                    resp.text().await.unwrap_or_default()
                );
            }
        }
    }

    pub async fn silence(&self, matchers: &[(&str, &str)], by: &str, comment: &str) -> String {
        let now = Utc::now();
        self.client(0)
            .post_silence(&PostableSilence {
                id: None,
                matchers: matchers
                    .iter()
                    .map(|(n, v)| Matcher {
                        name: n.to_string(),
                        value: v.to_string(),
                        is_regex: false,
                        is_equal: true,
                    })
                    .collect(),
                starts_at: now - chrono::Duration::seconds(5),
                ends_at: now + chrono::Duration::hours(1),
                created_by: by.into(),
                comment: comment.into(),
            })
            .await
            .unwrap()
    }
}

impl Drop for AmPair {
    fn drop(&mut self) {
        // One after the other: stopping both at once costs a gossip timeout (measured).
        for r in &mut self.replicas {
            r.stop();
        }
    }
}

/// A client for a real replica: a slow CI machine gets 30 s for one request.
pub fn client(url: &str) -> AlertmanagerClient {
    crate::kit::am_client(url, Duration::from_secs(30))
}

/// `n` alerts of a storm (50 alert names, one instance each, severities in turn), each as
/// every one of `replicas` (Prometheus replicas) posts it: firing since 30 minutes, for 2 hours.
pub fn storm(n: usize, replicas: &[&str]) -> Vec<Value> {
    let start = Utc::now() - chrono::Duration::minutes(30);
    let ends = Some(Utc::now() + chrono::Duration::hours(2));
    (0..n)
        .flat_map(|i| {
            let name = format!("Alert{}", i % 50);
            let instance = format!("host-{i}:9100");
            let sev = ["critical", "warning", "info"][i % 3];
            replicas
                .iter()
                .map(|replica| {
                    prom_alert(
                        &[
                            ("alertname", name.as_str()),
                            ("instance", instance.as_str()),
                            ("severity", sev),
                            ("service", "checkout"),
                            ("namespace", "prod"),
                        ],
                        replica,
                        start,
                        ends,
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// An alert as Prometheus replica `replica` posts it.
pub fn prom_alert(
    labels: &[(&str, &str)],
    replica: &str,
    starts: DateTime<Utc>,
    ends: Option<DateTime<Utc>>,
) -> Value {
    let mut l = serde_json::Map::new();
    for (k, v) in labels {
        l.insert(k.to_string(), json!(v));
    }
    l.insert("replica".into(), json!(replica));
    let mut a = json!({
        "labels": l,
        "annotations": {"summary": format!("{} is broken", labels[0].1), "runbook_url": "https://runbooks.example/x"},
        "startsAt": starts.to_rfc3339(),
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=up",
    });
    if let Some(e) = ends {
        a["endsAt"] = json!(e.to_rfc3339());
    }
    a
}
