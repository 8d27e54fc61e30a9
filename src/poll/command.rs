//! A `[[command]]` log source: runs the command, publishes its lines, restarts it with backoff
//! when it exits. The command dies with the task (the handle aborts it on quit).

use super::stream::{PUBLISH_EVERY, StreamPublisher};
use crate::domain::health::SourceError;
use crate::domain::journald::read_line;
use crate::domain::logs::{Labels, Level, LogLine, SanitiseOptions};
use crate::sources::command::{self, Stream};
use crate::sources::lines::RawLine;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A run this long resets the backoff: the command worked for a while, then stopped.
const HEALTHY_RUN: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct CommandTail {
    pub argv: Vec<String>,
    pub sanitise: SanitiseOptions,
    pub backoff_start: Duration,
    pub backoff_max: Duration,
}

impl CommandTail {
    pub fn new(argv: Vec<String>, sanitise: SanitiseOptions) -> Self {
        Self {
            argv,
            sanitise,
            backoff_start: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
        }
    }

    pub async fn run(self, mut out: StreamPublisher) {
        let program = self.argv.first().cloned().unwrap_or_default();
        let stderr: Labels = Arc::new(vec![("stream".into(), "stderr".into())]);
        let mut backoff = self.backoff_start;
        // Read ahead of the sanitiser: enough for its cut marker to count right.
        let cap = self.sanitise.max_line_bytes.saturating_mul(2).max(64);
        loop {
            let started = Instant::now();
            let (tx, mut rx) = mpsc::channel::<(Stream, RawLine)>(1024);
            let ended = match command::start(&self.argv, cap, tx) {
                Err(e) => Err(SourceError::Unreachable(format!(
                    "cannot run {program}: {e}"
                ))),
                Ok(mut running) => {
                    out.publish();
                    let mut tick = tokio::time::interval(PUBLISH_EVERY);
                    loop {
                        tokio::select! {
                            got = rx.recv() => match got {
                                Some((stream, raw)) => out.push(to_line(out.name(), stream, &raw, self.sanitise, &stderr)),
                                None => break, // both pipes closed
                            },
                            _ = tick.tick() => if out.is_dirty() { out.publish() } else { out.check_idle() },
                        }
                    }
                    match running.wait().await {
                        Ok(status) if status.success() => Ok(format!("{program} exited")),
                        Ok(status) => Err(SourceError::Unreachable(format!("{program} {status}"))),
                        Err(e) => Err(SourceError::Unreachable(format!("{program}: {e}"))),
                    }
                }
            };
            if started.elapsed() >= HEALTHY_RUN {
                backoff = self.backoff_start;
            }
            let why = match &ended {
                Ok(m) => m.clone(),
                Err(e) => e.to_string(),
            };
            out.push(note(
                out.name(),
                &format!(
                    "onwatch: {why}; restarting in {}",
                    crate::domain::duration::label(backoff)
                ),
            ));
            out.publish();
            if let Err(e) = ended {
                out.fail(e);
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(self.backoff_max);
        }
    }
}

/// A line the cockpit itself adds to a source's tail.
pub fn note(source: &str, text: &str) -> LogLine {
    LogLine {
        timestamp: chrono::Utc::now(),
        source: source.to_string(),
        level: Level::Warn,
        line: crate::domain::logs::sanitise(text.as_bytes(), SanitiseOptions::default()),
        ..Default::default()
    }
}

pub fn to_line(
    source: &str,
    stream: Stream,
    raw: &RawLine,
    opts: SanitiseOptions,
    stderr: &Labels,
) -> LogLine {
    let read = read_line(&raw.bytes, raw.missing, opts);
    LogLine {
        timestamp: read.timestamp.unwrap_or_else(chrono::Utc::now),
        source: source.to_string(),
        level: read.level,
        line: read.text.text,
        styles: read.text.styles,
        labels: if stream == Stream::Stderr {
            stderr.clone()
        } else if read.labels.is_empty() {
            Labels::default()
        } else {
            Labels::new(read.labels)
        },
    }
}
