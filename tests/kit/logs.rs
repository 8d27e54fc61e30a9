//! Log windows: as the reducer receives them, and as a running tail publishes them.

use chrono::{DateTime, Utc};
use onwatch::app::msg::LogWindow;
use onwatch::app::{Msg, Payload, SourceUpdate};
use onwatch::domain::health::SourceId;
use onwatch::domain::logs::LogLine;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// A log source's window as the reducer receives it.
pub fn logs_msg(
    source: SourceId,
    generation: u64,
    fetched_at: DateTime<Utc>,
    first_seq: u64,
    lines: Vec<LogLine>,
) -> Msg {
    super::source_msg(
        source,
        generation,
        fetched_at,
        Ok(Payload::Logs(Arc::new(LogWindow {
            first_seq,
            lines,
            ..Default::default()
        }))),
    )
}

/// Waits, at most `deadline`, until a published window satisfies `done`.
pub async fn until(
    rx: &mut watch::Receiver<Option<SourceUpdate>>,
    deadline: Duration,
    done: impl Fn(&LogWindow) -> bool,
) -> LogWindow {
    let wait = async {
        loop {
            rx.changed().await.unwrap();
            let update = rx.borrow_and_update().clone().unwrap();
            if let Ok(Payload::Logs(w)) = update.result
                && done(&w)
            {
                return (*w).clone();
            }
        }
    };
    tokio::time::timeout(deadline, wait)
        .await
        .expect("the expected lines within the deadline")
}

/// The window's lines, text only.
pub fn texts(w: &LogWindow) -> Vec<&str> {
    w.lines.iter().map(|l| l.line.as_str()).collect()
}
