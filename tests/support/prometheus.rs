//! A real Prometheus on loopback: optional backfilled history (promtool), optional rule files.

use super::daemon::{Daemon, free_port, require};
use super::history::History;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

pub struct Prometheus {
    pub daemon: Daemon,
    /// Kept for the daemon's lifetime; removed on drop (after the daemon, by field order).
    _dir: tempfile::TempDir,
    /// How long the backfill took (reported by the benchmark).
    pub backfill: std::time::Duration,
}

impl Prometheus {
    /// Backfills `history` (if any) into a fresh TSDB, then starts Prometheus on it, loading
    /// `rule_files`, and waits until `/-/ready`.
    pub fn start(history: Option<&History>, rule_files: &[PathBuf]) -> Self {
        let prometheus = require("prometheus");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let started = Instant::now();
        if let Some(h) = history {
            let promtool = require("promtool");
            let om = dir.path().join("history.om");
            std::fs::write(&om, h.openmetrics()).unwrap();
            // One block for the whole history: 2-hour blocks take minutes (measured).
            let out = Command::new("timeout")
                .arg("300")
                .arg(promtool)
                .args(["tsdb", "create-blocks-from", "openmetrics"])
                .arg("--max-block-duration=1000h")
                .arg(&om)
                .arg(&data)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "promtool backfill failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::remove_file(&om).unwrap();
        }
        let backfill = started.elapsed();
        let mut config = String::from("global:\n  evaluation_interval: 1s\n");
        if !rule_files.is_empty() {
            config.push_str("rule_files:\n");
            for f in rule_files {
                config.push_str(&format!("  - {:?}\n", f.display().to_string()));
            }
        }
        let config_file = dir.path().join("prometheus.yml");
        std::fs::write(&config_file, config).unwrap();
        let port = free_port();
        let args = vec![
            format!("--web.listen-address=127.0.0.1:{port}"),
            format!("--storage.tsdb.path={}", data.display()),
            // Above the history: the default 15 days would drop the 30-day window's start.
            "--storage.tsdb.retention.time=400d".into(),
            format!("--config.file={}", config_file.display()),
        ];
        let mut daemon = Daemon::start(
            "prometheus",
            &prometheus,
            &args,
            port,
            dir.path().join("prometheus.log"),
        );
        daemon.wait_ready("/-/ready");
        Prometheus {
            daemon,
            _dir: dir,
            backfill,
        }
    }

    pub fn url(&self) -> String {
        self.daemon.url()
    }
}
