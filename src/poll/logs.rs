//! Tails a Loki query by polling `query_range` forward from the last timestamp seen.
//!
//! Loki's `start` is inclusive, so each poll starts at the last nanosecond seen and skips
//! exactly the entries already taken at that nanosecond: nothing lost, nothing repeated.

use super::poller::Fetcher;
use crate::domain::health::{SourceError, Unreadable};
use crate::domain::logs::{
    LabelCache, Level, LogLine, SanitiseOptions, detect_level, sanitise_styled,
};
use crate::domain::publish::{LogWindow, Payload};
use crate::sources::loki::{LokiClient, LokiEntry};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// Loki refuses larger limits by default (`max_entries_limit_per_query`).
pub const LOKI_MAX_LIMIT: usize = 5000;
/// Pages read in one poll when a burst fills them; the rest waits for the next poll.
const MAX_PAGES: usize = 4;

type Seen = (BTreeMap<String, String>, String);

pub struct LokiFetcher {
    name: String,
    client: LokiClient,
    query: String,
    lookback: Duration,
    max_lines: usize,
    limit: usize,
    /// The last nanosecond seen, and what was seen there.
    cursor: Option<(i128, Vec<Seen>)>,
    lines: VecDeque<LogLine>,
    next_seq: u64,
    sanitise: SanitiseOptions,
    label_cache: LabelCache,
    /// What the last poll's answers left out, said in the pane title.
    unreadable: Option<String>,
}

/// What a page changes, applied only once the whole poll succeeded (a poll cut short by its
/// timeout leaves the cursor where it was, so the next one reads the same entries again).
struct Cursor {
    at: i128,
    seen: Vec<Seen>,
}

impl Cursor {
    /// Removes from `page` the entries seen before at the cursor's nanosecond, then moves the
    /// cursor to the page's last nanosecond.
    fn advance(&mut self, page: Vec<LokiEntry>) -> Vec<LokiEntry> {
        // A multiset: two identical lines at one nanosecond are two lines.
        let mut unmatched = self.seen.clone();
        let mut fresh = Vec::with_capacity(page.len());
        for e in page {
            if e.ts_ns < self.at {
                continue; // before our start: a server that ignored it
            }
            if e.ts_ns == self.at
                && let Some(pos) = unmatched
                    .iter()
                    .position(|(labels, line)| *labels == e.labels && *line == e.line)
            {
                unmatched.swap_remove(pos);
                continue;
            }
            fresh.push(e);
        }
        if let Some(last) = fresh.iter().map(|e| e.ts_ns).max() {
            if last > self.at {
                self.at = last;
                self.seen.clear();
            }
            let at = self.at;
            self.seen.extend(
                fresh
                    .iter()
                    .filter(|e| e.ts_ns == at)
                    .map(|e| (e.labels.clone(), e.line.clone())),
            );
        }
        fresh
    }
}

#[cfg(test)]
fn to_line(source: &str, e: &LokiEntry) -> LogLine {
    to_line_with(
        source,
        e,
        SanitiseOptions::default(),
        &mut LabelCache::default(),
    )
}

pub fn to_line_with(
    source: &str,
    e: &LokiEntry,
    opts: SanitiseOptions,
    labels: &mut LabelCache,
) -> LogLine {
    let clean = sanitise_styled(e.line.as_bytes(), opts);
    let mut level = detect_level(&clean.text);
    if level == Level::Unknown
        && let Some(l) = e.labels.get("level").or(e.labels.get("detected_level"))
    {
        level = detect_level(&format!("level={l}"));
    }
    let ns = i64::try_from(e.ts_ns).unwrap_or(if e.ts_ns < 0 { i64::MIN } else { i64::MAX });
    LogLine {
        timestamp: DateTime::from_timestamp_nanos(ns),
        source: source.to_string(),
        level,
        line: clean.text,
        styles: clean.styles,
        labels: labels.get(&e.labels),
    }
}

fn now_ns() -> i128 {
    let now = Utc::now();
    i128::from(now.timestamp()) * 1_000_000_000 + i128::from(now.timestamp_subsec_nanos())
}

impl LokiFetcher {
    pub fn new(
        name: impl Into<String>,
        client: LokiClient,
        query: impl Into<String>,
        lookback: Duration,
        max_lines: usize,
    ) -> Self {
        let max_lines = max_lines.max(1);
        Self {
            name: name.into(),
            client,
            query: query.into(),
            lookback,
            max_lines,
            limit: max_lines.min(LOKI_MAX_LIMIT),
            cursor: None,
            lines: VecDeque::new(),
            next_seq: 0,
            sanitise: SanitiseOptions::default(),
            label_cache: LabelCache::default(),
            unreadable: None,
        }
    }

    /// How lines are sanitised (colours kept or stripped, tab width, longest line).
    pub fn with_sanitise(mut self, opts: SanitiseOptions) -> Self {
        self.sanitise = opts;
        self
    }

    /// Lowers the page size (tests use it to exercise paging).
    pub fn with_page_size(mut self, limit: usize) -> Self {
        self.limit = limit.clamp(1, LOKI_MAX_LIMIT);
        self
    }

    pub async fn fetch(&mut self) -> Result<Payload, SourceError> {
        let end = now_ns();
        let Some((at, seen)) = &self.cursor else {
            return self.first_fetch(end).await;
        };
        let mut cursor = Cursor {
            at: *at,
            seen: seen.clone(),
        };
        let mut fresh = Vec::new();
        let mut unreadable = Unreadable::none("log entry");
        let mut limit = self.limit;
        for _ in 0..MAX_PAGES {
            if cursor.at >= end {
                break;
            }
            let (page, bad) = self
                .client
                .query_range_lenient(&self.query, cursor.at, end, limit as u32, true)
                .await?;
            unreadable.merge(bad);
            let full = page.len() >= limit;
            let before = cursor.at;
            let got = cursor.advance(page);
            let stuck = got.is_empty() && full && cursor.at == before;
            fresh.extend(got);
            if stuck {
                // A full page, all at one nanosecond, all seen: more lines share it than a
                // page holds. Ask for bigger pages; at Loki's maximum, step over it rather
                // than read the same page forever.
                if limit < LOKI_MAX_LIMIT {
                    limit = (limit * 2).min(LOKI_MAX_LIMIT);
                    continue;
                }
                cursor.at += 1;
                cursor.seen.clear();
            }
            if !full {
                break;
            }
        }
        self.cursor = Some((cursor.at, cursor.seen));
        Ok(self.take(&fresh, &unreadable))
    }

    /// The first poll reads the newest page of the lookback backwards, so the pane opens on the
    /// latest lines rather than on the oldest of a busy lookback; later polls go forward.
    async fn first_fetch(&mut self, end: i128) -> Result<Payload, SourceError> {
        let start = end - i128::try_from(self.lookback.as_nanos()).unwrap_or(0);
        let (mut page, unreadable) = self
            .client
            .query_range_lenient(&self.query, start, end, self.limit as u32, false)
            .await?;
        // Oldest first; entries at one nanosecond keep the server's order.
        page.reverse();
        page.sort_by_key(|e| e.ts_ns);
        let mut cursor = Cursor {
            at: page.first().map_or(start, |e| e.ts_ns),
            seen: Vec::new(),
        };
        let fresh = cursor.advance(page);
        // With nothing seen yet, the next poll starts where the lookback ended.
        let at = if fresh.is_empty() { end } else { cursor.at };
        self.cursor = Some((at, cursor.seen));
        Ok(self.take(&fresh, &unreadable))
    }

    fn take(&mut self, fresh: &[LokiEntry], unreadable: &Unreadable) -> Payload {
        self.unreadable = unreadable.describe();
        for e in fresh {
            let line = to_line_with(&self.name, e, self.sanitise, &mut self.label_cache);
            self.lines.push_back(line);
            self.next_seq += 1;
        }
        while self.lines.len() > self.max_lines {
            self.lines.pop_front();
        }
        Payload::Logs(Arc::new(self.window()))
    }

    /// The newest lines kept, with the sequence number of the first.
    pub fn window(&self) -> LogWindow {
        LogWindow {
            first_seq: self.next_seq - self.lines.len() as u64,
            lines: self.lines.iter().cloned().collect(),
            quiet_since: None,
            unreadable: self.unreadable.clone(),
        }
    }
}

impl Fetcher for LokiFetcher {
    fn fetch(&mut self) -> impl Future<Output = Result<Payload, SourceError>> + Send {
        LokiFetcher::fetch(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(ts: i128, line: &str) -> LokiEntry {
        LokiEntry {
            ts_ns: ts,
            labels: BTreeMap::from([("app".to_string(), "x".to_string())]),
            line: line.into(),
        }
    }

    fn lines(v: &[LokiEntry]) -> Vec<&str> {
        v.iter().map(|e| e.line.as_str()).collect()
    }

    #[test]
    fn boundary_entries_are_skipped_once_and_new_ones_at_the_same_ns_kept() {
        let mut c = Cursor {
            at: 0,
            seen: vec![],
        };
        assert_eq!(
            lines(&c.advance(vec![e(5, "a"), e(10, "b"), e(10, "c")])),
            ["a", "b", "c"]
        );
        assert_eq!(c.at, 10);
        // The next poll starts at 10: b and c come again, d is new at the same ns.
        assert_eq!(
            lines(&c.advance(vec![e(10, "b"), e(10, "c"), e(10, "d"), e(11, "e")])),
            ["d", "e"]
        );
        assert_eq!(c.at, 11);
        // Nothing new: the cursor and what it saw stay.
        assert!(c.advance(vec![e(11, "e")]).is_empty());
        assert_eq!((c.at, c.seen.len()), (11, 1));
    }

    #[test]
    fn identical_lines_at_one_ns_are_counted_not_collapsed() {
        let mut c = Cursor {
            at: 0,
            seen: vec![],
        };
        assert_eq!(c.advance(vec![e(3, "x"), e(3, "x")]).len(), 2);
        assert_eq!(
            c.advance(vec![e(3, "x"), e(3, "x"), e(3, "x")]).len(),
            1,
            "a third identical line arrived"
        );
    }

    #[test]
    fn lines_are_sanitised_and_levelled_at_ingest() {
        let l = to_line(
            "prod",
            &e(1_700_000_000_000_000_001, "\x1b[31mERROR\x1b[0m boom\x07"),
        );
        assert_eq!(l.line, "ERROR boom^G");
        assert_eq!(l.level, Level::Error);
        assert_eq!(l.timestamp.timestamp_subsec_nanos(), 1);
        let mut quiet = e(1, "plain text");
        quiet.labels.insert("level".into(), "warn".into());
        assert_eq!(to_line("prod", &quiet).level, Level::Warn);
    }
}
