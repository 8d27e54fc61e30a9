//! Starts the log sources that stream rather than get polled: `[[command]]`, `[[file]]`, and
//! `[[loki]]` with `mode = "tail"`.

use super::command::CommandTail;
use super::file::FileTail;
use super::poller::PollerHandle;
use super::stream::{StreamPublisher, spawn_stream};
use crate::config::Config;
use crate::domain::health::{SourceId, SourceKind};
use std::sync::Arc;
use tokio::sync::Notify;

/// One streaming task per command and file source (inside a tokio runtime).
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
        let (p, rx) = publisher(SourceKind::Command, &c.name);
        let tail = CommandTail::new(c.argv.clone(), logs.sanitise());
        handles.push(spawn_stream(p, rx, |p| tail.run(p)));
    }
    for f in &config.file {
        let (p, rx) = publisher(SourceKind::File, &f.name);
        let tail = FileTail {
            path: f.path.clone(),
            every: f.poll,
            sanitise: logs.sanitise(),
        };
        handles.push(spawn_stream(p, rx, |p| tail.run(p)));
    }
    Ok(handles)
}
