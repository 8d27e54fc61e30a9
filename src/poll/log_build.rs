//! Starts the log sources that stream rather than get polled: `[[command]]`, `[[file]]`, and
//! `[[loki]]` with `mode = "tail"`.

use super::command::CommandTail;
use super::file::FileTail;
use super::logs::LOKI_MAX_LIMIT;
use super::loki_tail::LokiTail;
use super::poller::PollerHandle;
use super::stream::{StreamPublisher, spawn_stream};
use crate::config::{Config, LokiMode};
use crate::domain::health::{SourceId, SourceKind};
use crate::sources::loki_tail::TailConnector;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// True for a `[[loki]]` source read through the live tail.
pub fn is_tailed(config: &Config, id: &SourceId) -> bool {
    id.kind == SourceKind::Loki
        && config
            .loki
            .iter()
            .any(|l| l.name == id.name && l.mode == LokiMode::Tail)
}

/// The first reconnect of a Loki tail after a failure; doubles from there.
const TAIL_BACKOFF_START: Duration = Duration::from_secs(1);

/// The longest wait between a Loki tail's reconnects: a minute, never longer than the refresh,
/// so a tail comes back as soon after its backend does as a polled source would.
fn tail_backoff_max(config: &Config) -> Duration {
    Duration::from_secs(60)
        .min(config.general.refresh)
        .max(TAIL_BACKOFF_START)
}

/// One streaming task per command and file source and per tailed Loki (inside a tokio runtime).
pub fn spawn_log_streams(config: &Config, wake: Arc<Notify>) -> Result<Vec<PollerHandle>, String> {
    let logs = &config.logs;
    let publisher = |kind, name: &str| {
        StreamPublisher::new(
            SourceId::new(kind, name),
            logs.max_lines,
            logs.max_bytes,
            wake.clone(),
        )
    };
    let mut handles = Vec::new();
    for c in &config.command {
        let (mut p, rx) = publisher(SourceKind::Command, &c.name);
        p.set_idle(c.idle_window());
        let tail = CommandTail::new(c.argv.clone(), logs.sanitise());
        handles.push(spawn_stream(p, rx, |p| tail.run(p)));
    }
    for f in &config.file {
        let (mut p, rx) = publisher(SourceKind::File, &f.name);
        p.set_idle(f.idle_window());
        let tail = FileTail {
            path: f.path.clone(),
            every: f.poll,
            sanitise: logs.sanitise(),
        };
        handles.push(spawn_stream(p, rx, |p| tail.run(p)));
    }
    for l in config.loki.iter().filter(|l| l.mode == LokiMode::Tail) {
        let id = SourceId::new(SourceKind::Loki, &l.name);
        let connector = tail_connector(l, config).map_err(|e| format!("{id}: {e}"))?;
        let (p, rx) = publisher(SourceKind::Loki, &l.name);
        let tail = LokiTail {
            connector,
            query: l.query.clone(),
            lookback: logs.lookback,
            limit: u32::try_from(logs.max_lines.min(LOKI_MAX_LIMIT)).unwrap_or(100),
            sanitise: logs.sanitise(),
            backoff_start: TAIL_BACKOFF_START,
            backoff_max: tail_backoff_max(config),
        };
        handles.push(spawn_stream(p, rx, |p| tail.run(p)));
    }
    Ok(handles)
}

/// Restarts these log sources on new queries (the selected alert's), reading from `since`
/// and then tailing. Sources that cannot be rebuilt are skipped (they keep running).
pub fn retarget(
    config: &Config,
    wake: Arc<Notify>,
    queries: &[(SourceId, String)],
    since: chrono::DateTime<chrono::Utc>,
) -> Vec<PollerHandle> {
    let logs = &config.logs;
    let lookback = (chrono::Utc::now() - since)
        .to_std()
        .unwrap_or(logs.lookback)
        .max(Duration::from_secs(1));
    let mut handles = Vec::new();
    for (id, query) in queries {
        match id.kind {
            SourceKind::Loki => {
                let Some(l) = config.loki.iter().find(|l| l.name == id.name) else {
                    continue;
                };
                if l.mode == LokiMode::Tail {
                    let Ok(connector) = tail_connector(l, config) else {
                        continue;
                    };
                    let (p, rx) = StreamPublisher::new(
                        id.clone(),
                        logs.max_lines,
                        logs.max_bytes,
                        wake.clone(),
                    );
                    let tail = LokiTail {
                        connector,
                        query: query.clone(),
                        lookback,
                        limit: u32::try_from(logs.max_lines.min(LOKI_MAX_LIMIT)).unwrap_or(100),
                        sanitise: logs.sanitise(),
                        backoff_start: TAIL_BACKOFF_START,
                        backoff_max: tail_backoff_max(config),
                    };
                    handles.push(spawn_stream(p, rx, |p| tail.run(p)));
                    continue;
                }
                let mut l = l.clone();
                l.query = query.clone();
                let mut c = config.clone();
                c.logs.lookback = lookback;
                if let Some(h) =
                    super::build::spawn_planned(&c, super::build::plan_loki(&c, &l), wake.clone())
                {
                    handles.push(h);
                }
            }
            SourceKind::Elasticsearch => {
                let Some(e) = config.elasticsearch.iter().find(|e| e.name == id.name) else {
                    continue;
                };
                let mut e = e.clone();
                e.query = query.clone();
                let mut c = config.clone();
                c.logs.lookback = lookback;
                if let Some(h) = super::build::spawn_planned(
                    &c,
                    super::build::plan_elasticsearch(&c, &e),
                    wake.clone(),
                ) {
                    handles.push(h);
                }
            }
            _ => {}
        }
    }
    handles
}

/// The source's tail: its timeout (which bounds the handshake) defaulting to `[general]
/// timeout` as a polled source's does, its idle window, and `[general] max_response` as the
/// largest message it reads.
fn tail_connector(
    l: &crate::config::LokiSource,
    config: &Config,
) -> Result<TailConnector, crate::sources::http::BuildError> {
    let mut http = l.http();
    http.timeout = http.timeout.or(Some(config.general.timeout));
    let connector =
        TailConnector::new(&l.url, &http)?.with_max_message(config.general.max_response);
    Ok(match l.idle {
        Some(idle) => connector.with_idle(idle),
        None => connector,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loki_tail_reconnects_no_slower_than_the_refresh() {
        let max = |refresh: &str| {
            let text = format!("[general]\nrefresh = \"{refresh}\"\n");
            tail_backoff_max(&crate::config::parse(&text, std::path::Path::new("t.toml")).unwrap())
        };
        assert_eq!(max("1s"), Duration::from_secs(1));
        assert_eq!(max("15s"), Duration::from_secs(15));
        assert_eq!(max("5m"), Duration::from_secs(60), "a minute at most");
    }
}
