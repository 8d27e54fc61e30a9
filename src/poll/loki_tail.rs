//! A `[[loki]]` with `mode = "tail"`: the WebSocket tail, resumed from the last nanosecond seen
//! whenever it ends, without losing or repeating a line.
//!
//! Loki's `start` is inclusive: a new connection replays the entries at the resume nanosecond.
//! Those already taken there are skipped (counted, so two identical lines stay two), and entries
//! older than it are the previous connection's. Within one connection every entry is taken:
//! streams may arrive slightly out of order.

use super::command::note;
use super::logs::to_line_with;
use super::stream::{PUBLISH_EVERY, StreamPublisher};
use crate::domain::logs::{LabelCache, SanitiseOptions};
use crate::sources::loki::LokiEntry;
use crate::sources::loki_tail::{TailConnector, TailEnd, TailEvent, TailFrame};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

type Seen = (BTreeMap<String, String>, String);

/// The newest nanosecond taken and what was taken there.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resume {
    pub at: i128,
    pub seen: Vec<Seen>,
}

impl Resume {
    fn note(&mut self, e: &LokiEntry) {
        if e.ts_ns > self.at {
            self.at = e.ts_ns;
            self.seen.clear();
        }
        if e.ts_ns == self.at {
            self.seen.push((e.labels.clone(), e.line.clone()));
        }
    }
}

/// Filters one connection's entries against where it resumed.
#[derive(Debug)]
pub struct Connection {
    from: i128,
    replayed: Vec<Seen>,
}

impl Connection {
    pub fn new(resume: &Resume) -> Self {
        Self {
            from: resume.at,
            replayed: resume.seen.clone(),
        }
    }

    /// The entries of `frame` not taken before; `resume` follows what is taken.
    pub fn take(&mut self, frame: Vec<LokiEntry>, resume: &mut Resume) -> Vec<LokiEntry> {
        let mut fresh = Vec::with_capacity(frame.len());
        for e in frame {
            if e.ts_ns < self.from {
                continue;
            }
            if e.ts_ns == self.from
                && let Some(i) = self
                    .replayed
                    .iter()
                    .position(|(l, t)| *l == e.labels && *t == e.line)
            {
                self.replayed.swap_remove(i);
                continue;
            }
            resume.note(&e);
            fresh.push(e);
        }
        fresh
    }
}

pub struct LokiTail {
    pub connector: TailConnector,
    pub query: String,
    pub lookback: Duration,
    pub limit: u32,
    pub sanitise: SanitiseOptions,
    pub backoff_start: Duration,
    pub backoff_max: Duration,
}

fn now_ns() -> i128 {
    let now = chrono::Utc::now();
    i128::from(now.timestamp()) * 1_000_000_000 + i128::from(now.timestamp_subsec_nanos())
}

impl LokiTail {
    /// Pushes the new entries of one frame, and a note when Loki dropped some.
    fn take(
        &self,
        frame: TailFrame,
        conn: &mut Connection,
        resume: &mut Resume,
        out: &mut StreamPublisher,
        labels: &mut LabelCache,
        dropped_total: &mut usize,
    ) {
        for e in conn.take(frame.entries, resume) {
            out.push(to_line_with(out.name(), &e, self.sanitise, labels));
        }
        if let Some(left_out) = frame.unreadable.describe() {
            out.push(note(out.name(), &format!("onwatch: {left_out}")));
        }
        if frame.dropped > 0 {
            *dropped_total += frame.dropped;
            out.push(note(
                out.name(),
                &format!(
                    "onwatch: Loki dropped {} entries from the live tail ({} in all)",
                    frame.dropped, dropped_total
                ),
            ));
        }
    }

    pub async fn run(self, mut out: StreamPublisher) {
        let mut resume = Resume {
            at: now_ns() - i128::try_from(self.lookback.as_nanos()).unwrap_or(0),
            seen: Vec::new(),
        };
        let mut labels = LabelCache::default();
        let mut dropped_total = 0usize;
        let mut backoff = self.backoff_start;
        loop {
            let mut conn = Connection::new(&resume);
            let (tx, mut rx) = mpsc::unbounded_channel::<TailEvent>();
            let tail = self
                .connector
                .run_events(&self.query, resume.at, self.limit, move |e| {
                    let _ = tx.send(e);
                });
            tokio::pin!(tail);
            let mut tick = tokio::time::interval(PUBLISH_EVERY);
            let mut got_any = false;
            let end = loop {
                tokio::select! {
                    end = &mut tail => break end,
                    Some(event) = rx.recv() => match event {
                        TailEvent::Frame(frame) => {
                            got_any = true;
                            self.take(frame, &mut conn, &mut resume, &mut out, &mut labels, &mut dropped_total);
                        }
                        // Green only once the server has proved alive; an answered ping
                        // keeps a quiet stream's health fresh.
                        TailEvent::Open | TailEvent::Alive => out.publish(),
                    },
                    _ = tick.tick() => if out.is_dirty() { out.publish() },
                }
            };
            // Frames that arrived with the close.
            while let Ok(event) = rx.try_recv() {
                if let TailEvent::Frame(frame) = event {
                    got_any = true;
                    self.take(
                        frame,
                        &mut conn,
                        &mut resume,
                        &mut out,
                        &mut labels,
                        &mut dropped_total,
                    );
                }
            }
            match end {
                TailEnd::Closed(code) => {
                    if out.is_dirty() {
                        out.publish();
                    }
                    tracing::debug!(source = out.name(), ?code, "Loki closed the tail; resuming");
                    if got_any {
                        backoff = self.backoff_start;
                        continue; // resume at once
                    }
                }
                TailEnd::Error(e) => {
                    if out.is_dirty() {
                        out.publish();
                    }
                    out.fail(e);
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(self.backoff_max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(ts: i128, line: &str) -> LokiEntry {
        LokiEntry {
            ts_ns: ts,
            labels: BTreeMap::new(),
            line: line.into(),
        }
    }

    #[test]
    fn a_new_connection_skips_what_was_taken_at_the_resume_point_once() {
        let mut resume = Resume::default();
        let mut c = Connection::new(&resume);
        let got = c.take(vec![e(1, "a"), e(2, "x"), e(2, "x")], &mut resume);
        assert_eq!(got.len(), 3);
        assert_eq!((resume.at, resume.seen.len()), (2, 2));
        // Out of order within one connection: still taken.
        assert_eq!(c.take(vec![e(1, "late")], &mut resume).len(), 1);
        let mut c = Connection::new(&resume);
        let got = c.take(
            vec![e(1, "a"), e(2, "x"), e(2, "x"), e(2, "x"), e(3, "y")],
            &mut resume,
        );
        let lines: Vec<_> = got.iter().map(|e| (e.ts_ns, e.line.as_str())).collect();
        assert_eq!(
            lines,
            [(2, "x"), (3, "y")],
            "the third identical line is new"
        );
    }
}
