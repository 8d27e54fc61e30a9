//! A `[[file]]` log source: follows the file, publishing new lines after each poll.

use super::stream::StreamPublisher;
use crate::domain::health::SourceError;
use crate::domain::journald::read_line;
use crate::domain::logs::{Labels, LogLine, SanitiseOptions};
use crate::sources::file::FileFollower;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct FileTail {
    pub path: PathBuf,
    pub every: Duration,
    pub sanitise: SanitiseOptions,
}

impl FileTail {
    pub async fn run(self, mut out: StreamPublisher) {
        let cap = self.sanitise.max_line_bytes.saturating_mul(2).max(64);
        let mut follower = FileFollower::new(&self.path, cap);
        let mut tick = tokio::time::interval(self.every.max(Duration::from_millis(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Publish on the first poll and after a failure even with no new line: health changes.
        let mut failing = true;
        loop {
            tick.tick().await;
            match follower.poll().await {
                Ok(lines) => {
                    for raw in &lines {
                        let read = read_line(&raw.bytes, raw.missing, self.sanitise);
                        out.push(LogLine {
                            timestamp: read.timestamp.unwrap_or_else(chrono::Utc::now),
                            source: out.name().to_string(),
                            level: read.level,
                            line: read.text.text,
                            styles: read.text.styles,
                            labels: if read.labels.is_empty() {
                                Labels::default()
                            } else {
                                Labels::new(read.labels)
                            },
                        });
                    }
                    if out.is_dirty() || failing {
                        out.publish();
                    } else {
                        out.check_idle();
                    }
                    failing = false;
                }
                Err(e) => {
                    if !failing || out.generation() == 0 {
                        out.fail(SourceError::Unreachable(format!(
                            "{}: {e}",
                            self.path.display()
                        )));
                    }
                    failing = true;
                }
            }
        }
    }
}
