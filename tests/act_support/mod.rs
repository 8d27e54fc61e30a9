//! Shared helpers for the action tests.
#![allow(dead_code)]

pub mod fake;

use onwatch::actions::{Executor, ExecutorConfig, RetryPolicy, Target};
use onwatch::app::acts::{ActionResult, Outcome};
use onwatch::sources::alertmanager::AlertmanagerClient;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(100),
        retry_for: Duration::from_secs(3600),
    }
}

pub fn executor(
    state_dir: &Path,
    clusters: BTreeMap<String, Vec<AlertmanagerClient>>,
    targets: BTreeMap<(String, String), Target>,
) -> (Executor, UnboundedReceiver<ActionResult>) {
    executor_with_pagerduty_ack(state_dir, clusters, targets, None)
}

/// `executor` with `[actions.pagerduty_ack]` sending to `pagerduty_ack`.
pub fn executor_with_pagerduty_ack(
    state_dir: &Path,
    clusters: BTreeMap<String, Vec<AlertmanagerClient>>,
    targets: BTreeMap<(String, String), Target>,
    pagerduty_ack: Option<Target>,
) -> (Executor, UnboundedReceiver<ActionResult>) {
    let (tx, rx) = unbounded_channel();
    let cfg = ExecutorConfig {
        state_dir: state_dir.to_path_buf(),
        clusters,
        targets,
        pagerduty_ack,
        retry: fast_retry(),
        host: "testhost".into(),
        ssh_client: Some("10.9.8.7 5555".into()),
    };
    (Executor::new(cfg, tx).unwrap(), rx)
}

/// The next result that satisfies `pred`, within 20 s.
pub async fn wait_for(
    rx: &mut UnboundedReceiver<ActionResult>,
    pred: impl Fn(&Outcome) -> bool,
) -> ActionResult {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let r = rx.recv().await.expect("executor channel closed");
            if pred(&r.outcome) {
                return r;
            }
        }
    })
    .await
    .expect("no such result within 20 s")
}

pub fn audit_lines(state_dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(state_dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

pub fn outbox_len(state_dir: &Path) -> usize {
    std::fs::read_dir(state_dir.join("outbox"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

/// A routing key as the config reads it: from the file `name` in `dir`, holding `text`.
pub fn secret_file(dir: &Path, name: &str, text: &str) -> onwatch::config::secret::Secret {
    let key_file = dir.join(name);
    std::fs::write(&key_file, text).unwrap();
    onwatch::config::secret::read(&onwatch::config::SecretRef {
        file: Some(key_file),
        env: None,
    })
    .unwrap()
}

/// PagerDuty Events v2 at the local server `addr`, sending with `routing_key`.
pub fn pagerduty(
    addr: std::net::SocketAddr,
    poster: onwatch::sources::webhook::JsonPoster,
    routing_key: onwatch::config::secret::Secret,
) -> Target {
    let client =
        onwatch::sources::pagerduty::PagerDutyClient::new(&format!("http://{addr}"), poster)
            .unwrap();
    Target::PagerDuty {
        client,
        routing_key,
    }
}

/// Escalation targets keyed as the executor looks them up: chain crit's target `name`.
pub fn crit_target(name: &str, target: Target) -> ((String, String), Target) {
    (("crit".to_string(), name.to_string()), target)
}
