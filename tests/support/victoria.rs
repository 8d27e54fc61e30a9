//! A real VictoriaMetrics on loopback, filled through its import API.

use super::daemon::{Daemon, free_port, require};
use super::history::History;
use super::http;

pub struct Victoria {
    pub daemon: Daemon,
    _dir: tempfile::TempDir,
}

impl Victoria {
    pub fn start() -> Self {
        Self::start_on(free_port(), &[])
    }

    /// On `port`, with more flags (`-vmalert.proxyURL=…`).
    pub fn start_on(port: u16, extra: &[String]) -> Self {
        let binary = require("victoria-metrics");
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            format!("-httpListenAddr=127.0.0.1:{port}"),
            format!("-storageDataPath={}", dir.path().join("data").display()),
            "-retentionPeriod=100y".into(),
        ];
        args.extend_from_slice(extra);
        let mut daemon = Daemon::start(
            "victoria-metrics",
            &binary,
            &args,
            port,
            dir.path().join("victoria.log"),
        );
        daemon.wait_ready("/health");
        Victoria { daemon, _dir: dir }
    }

    /// Imports the history (JSON lines, ms timestamps) and flushes so queries see it at once.
    pub fn import(&self, history: &History) {
        let (status, body) = http::post(
            self.daemon.port,
            "/api/v1/import",
            history.vm_import().as_bytes(),
        )
        .unwrap();
        assert!(status == 204 || status == 200, "import: {status} {body}");
        let (status, body) = http::get(self.daemon.port, "/internal/force_flush").unwrap();
        assert_eq!(status, 200, "force_flush: {body}");
    }

    pub fn url(&self) -> String {
        self.daemon.url()
    }
}

/// A real vmalert (it ships with VictoriaMetrics) evaluating `rules` against `datasource` and
/// writing what it records back there; its notifications go to a port where nothing listens.
pub struct VmAlert {
    pub daemon: Daemon,
    _dir: tempfile::TempDir,
}

impl VmAlert {
    pub fn start_on(port: u16, datasource: &str, rules: &std::path::Path) -> Self {
        let binary = require("vmalert");
        let dir = tempfile::tempdir().unwrap();
        let args = vec![
            format!("-httpListenAddr=127.0.0.1:{port}"),
            format!("-datasource.url={datasource}"),
            // Recorded series go back to the datasource, as a real setup writes them.
            format!("-remoteWrite.url={datasource}"),
            format!("-rule={}", rules.display()),
            format!("-notifier.url=http://127.0.0.1:{}", free_port()),
            "-evaluationInterval=5s".into(),
        ];
        let mut daemon = Daemon::start(
            "vmalert",
            &binary,
            &args,
            port,
            dir.path().join("vmalert.log"),
        );
        daemon.wait_ready("/health");
        VmAlert { daemon, _dir: dir }
    }
}
