//! Two real Alertmanager 0.25 replicas clustered on 127.0.0.1 (free ports, own temp dirs,
//! wrapped in `timeout`, stopped by PID on drop). Fails when the binary is missing.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = "/usr/bin/prometheus-alertmanager";

pub struct Replica {
    pub url: String,
    child: Child,
}

pub struct AmCluster {
    pub replicas: Vec<Replica>,
    _dir: tempfile::TempDir,
}

impl Drop for AmCluster {
    fn drop(&mut self) {
        // one after the other: stopping both at once makes each wait for the other
        for r in self.replicas.iter_mut().rev() {
            // SIGTERM to `timeout` is forwarded to Alertmanager
            let _ = Command::new("kill")
                .args(["-TERM", &r.child.id().to_string()])
                .status();
            let _ = r.child.wait();
        }
    }
}

#[path = "../common/ports.rs"]
mod ports;
use ports::free_port;

const CONFIG: &str = "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n";

impl AmCluster {
    pub fn start() -> AmCluster {
        assert!(
            Path::new(BIN).exists(),
            "{BIN} is missing: run .ci/install (Debian package prometheus-alertmanager)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("am.yml");
        std::fs::write(&config, CONFIG).expect("write config");
        let web = [free_port(false), free_port(false)];
        let cluster = [free_port(true), free_port(true)];
        let mut replicas = Vec::new();
        for i in 0..2 {
            let data = dir.path().join(format!("data{i}"));
            std::fs::create_dir_all(&data).expect("data dir");
            let child = Command::new("timeout")
                .arg("300")
                .arg(BIN)
                .arg(format!("--web.listen-address=127.0.0.1:{}", web[i]))
                .arg(format!("--storage.path={}", data.display()))
                .arg(format!("--cluster.listen-address=127.0.0.1:{}", cluster[i]))
                .arg(format!(
                    "--cluster.advertise-address=127.0.0.1:{}",
                    cluster[i]
                ))
                .arg(format!("--cluster.peer=127.0.0.1:{}", cluster[1 - i]))
                .arg(format!("--config.file={}", config.display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start alertmanager");
            replicas.push(Replica {
                url: format!("http://127.0.0.1:{}", web[i]),
                child,
            });
        }
        AmCluster {
            replicas,
            _dir: dir,
        }
    }

    /// Waits until both replicas are ready and see two peers.
    pub async fn ready(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        for r in &self.replicas {
            loop {
                assert!(
                    Instant::now() < deadline,
                    "alertmanager {} not ready",
                    r.url
                );
                let status = client
                    .get(format!("{}/api/v2/status", r.url))
                    .timeout(Duration::from_secs(2))
                    .send()
                    .await;
                if let Ok(resp) = status
                    && let Ok(v) = resp.json::<serde_json::Value>().await
                    && v["cluster"]["peers"]
                        .as_array()
                        .is_some_and(|p| p.len() == 2)
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    /// Posts alerts to every replica, as an HA Prometheus pair does.
    pub async fn post_alerts(&self, alerts: &serde_json::Value) {
        let client = reqwest::Client::new();
        for r in &self.replicas {
            let resp = client
                .post(format!("{}/api/v2/alerts", r.url))
                .json(alerts)
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .expect("post alerts");
            assert!(resp.status().is_success(), "{}", resp.status());
        }
    }
}
