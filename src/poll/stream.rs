//! Log sources that push rather than get polled (commands, files, the Loki WebSocket tail):
//! their task keeps the newest lines and publishes them as a `LogWindow`, like a fetcher would.

use super::poller::PollerHandle;
use crate::domain::health::{SourceError, SourceId};
use crate::domain::logs::{LogBuffer, LogLine};
use crate::domain::publish::{LogWindow, Payload, SourceUpdate};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How often a busy stream publishes: often enough to look live, rarely enough that a storm
/// does not copy its window thousands of times a second.
pub const PUBLISH_EVERY: Duration = Duration::from_millis(100);

/// The newest lines of one source, bounded like the pane's buffer, and where they go.
pub struct StreamPublisher {
    id: SourceId,
    tx: watch::Sender<Option<SourceUpdate>>,
    wake: Arc<Notify>,
    ring: LogBuffer,
    next_seq: u64,
    generation: u64,
    dirty: bool,
    /// Silence after which the stream reads as quiet; `None` never.
    idle: Option<Duration>,
    /// When the last line came (or the stream started), on both clocks: the monotonic one
    /// measures the silence, the wall one is shown.
    last_line: (tokio::time::Instant, DateTime<Utc>),
    quiet: bool,
}

impl StreamPublisher {
    pub fn new(
        id: SourceId,
        max_lines: usize,
        max_bytes: usize,
        wake: Arc<Notify>,
    ) -> (Self, watch::Receiver<Option<SourceUpdate>>) {
        let (tx, rx) = watch::channel(None);
        (
            Self {
                id,
                tx,
                wake,
                ring: LogBuffer::new(max_lines, max_bytes),
                next_seq: 0,
                generation: 0,
                dirty: false,
                idle: None,
                last_line: (tokio::time::Instant::now(), Utc::now()),
                quiet: false,
            },
            rx,
        )
    }

    pub fn name(&self) -> &str {
        &self.id.name
    }

    /// Reads as quiet after `idle` without a line.
    pub fn set_idle(&mut self, idle: Option<Duration>) {
        self.idle = idle;
    }

    pub fn push(&mut self, line: LogLine) {
        self.ring.push(line);
        self.next_seq += 1;
        self.dirty = true;
        self.last_line = (tokio::time::Instant::now(), Utc::now());
        self.quiet = false;
    }

    /// Publishes once when the stream has been silent past its idle window, so the pane says
    /// "no data for 5m" instead of a green mark over a stream that may have hung.
    pub fn check_idle(&mut self) {
        let Some(idle) = self.idle else { return };
        if !self.quiet && self.last_line.0.elapsed() >= idle {
            self.quiet = true;
            self.publish();
        }
    }

    /// Updates published so far.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The newest lines kept, with the sequence number of the first.
    pub fn window(&self) -> LogWindow {
        LogWindow {
            first_seq: self.next_seq - self.ring.len() as u64,
            lines: self.ring.iter().cloned().collect(),
            quiet_since: self.quiet.then_some(self.last_line.1),
            unreadable: None,
        }
    }

    /// Publishes the window (the source is healthy).
    pub fn publish(&mut self) {
        let window = Payload::Logs(Arc::new(self.window()));
        self.send(Ok(window));
        self.dirty = false;
    }

    /// Publishes an error: the pane keeps the lines it has and shows the source as down.
    pub fn fail(&mut self, error: SourceError) {
        self.send(Err(error));
    }

    fn send(&mut self, result: Result<Payload, SourceError>) {
        self.generation += 1;
        self.tx.send_replace(Some(SourceUpdate {
            source: self.id.clone(),
            generation: self.generation,
            fetched_at: Utc::now(),
            result,
            slow: None,
        }));
        self.wake.notify_one();
    }
}

/// Runs `body` as the source's task; the handle stops it when dropped.
pub fn spawn_stream<F, Fut>(
    publisher: StreamPublisher,
    rx: watch::Receiver<Option<SourceUpdate>>,
    body: F,
) -> PollerHandle
where
    F: FnOnce(StreamPublisher) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let id = publisher.id.clone();
    let task = tokio::spawn(body(publisher));
    PollerHandle::from_task(id, rx, task)
}
