//! Tails an `[[elasticsearch]]` source: the first poll reads the newest page (newest first,
//! reversed), later polls page forward with `search_after` from the last hit's sort values, so
//! hits at equal timestamps are neither lost nor repeated (the tiebreaker orders them).

use super::poller::Fetcher;
use crate::domain::health::{SourceError, Unreadable};
use crate::domain::logs::{Labels, Level, LogLine, SanitiseOptions, detect_level, sanitise_styled};
use crate::domain::publish::{LogWindow, Payload};
use crate::sources::elasticsearch::{EsClient, EsHit, field, field_text, search_body};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// Pages read in one poll when a burst fills them.
const MAX_PAGES: usize = 4;
/// `from + size` and page sizes are capped at 10,000 by default (index.max_result_window).
const MAX_PAGE: usize = 10_000;

#[derive(Clone, Debug)]
pub struct EsFields {
    pub query: String,
    pub time: String,
    pub message: String,
    pub level: Option<String>,
    pub labels: Vec<String>,
    pub tiebreaker: String,
}

pub struct EsFetcher {
    name: String,
    client: EsClient,
    fields: EsFields,
    lookback: Duration,
    page: usize,
    max_lines: usize,
    sanitise: SanitiseOptions,
    /// Sort values of the newest hit taken; `None` until one was.
    after: Option<Vec<Value>>,
    /// Where the range starts while nothing was seen yet (epoch ms).
    since_ms: Option<i64>,
    lines: VecDeque<LogLine>,
    next_seq: u64,
}

impl EsFetcher {
    pub fn new(
        name: &str,
        client: EsClient,
        fields: EsFields,
        lookback: Duration,
        max_lines: usize,
        sanitise: SanitiseOptions,
    ) -> Self {
        Self {
            name: name.to_string(),
            client,
            fields,
            lookback,
            page: max_lines.clamp(1, MAX_PAGE),
            max_lines: max_lines.max(1),
            sanitise,
            after: None,
            since_ms: None,
            lines: VecDeque::new(),
            next_seq: 0,
        }
    }

    /// Smaller pages (tests use it to exercise paging).
    pub fn with_page_size(mut self, n: usize) -> Self {
        self.page = n.clamp(1, MAX_PAGE);
        self
    }

    pub async fn fetch(&mut self) -> Result<Payload, SourceError> {
        let f = &self.fields;
        let mut fresh: Vec<EsHit> = Vec::new();
        let mut unreadable = Unreadable::none("search hit");
        if self.after.is_none() && self.since_ms.is_none() {
            // First poll: the newest page of the lookback.
            let since = Utc::now().timestamp_millis()
                - i64::try_from(self.lookback.as_millis()).unwrap_or(0);
            let body = search_body(
                &f.query,
                &f.time,
                &f.tiebreaker,
                Some(since),
                None,
                false,
                self.page,
            );
            let (mut hits, bad) = self.client.search_lenient(&body).await?;
            unreadable.merge(bad);
            hits.reverse();
            if hits.is_empty() {
                self.since_ms = Some(since);
            }
            fresh = hits;
        } else {
            let mut after = self.after.clone();
            for _ in 0..MAX_PAGES {
                let since = if after.is_none() { self.since_ms } else { None };
                let body = search_body(
                    &f.query,
                    &f.time,
                    &f.tiebreaker,
                    since,
                    after.as_deref(),
                    true,
                    self.page,
                );
                let (hits, bad) = self.client.search_lenient(&body).await?;
                // A hit left out still filled the page.
                let full = hits.len() + bad.count >= self.page;
                unreadable.merge(bad);
                if let Some(last) = hits.last() {
                    if last.sort.is_empty() {
                        return Err(SourceError::BadResponse("hits without sort values".into()));
                    }
                    after = Some(last.sort.clone());
                }
                fresh.extend(hits);
                if !full {
                    break;
                }
            }
            // Taken only once the whole poll succeeded.
            self.after = after.clone();
            if after.is_some() {
                self.since_ms = None;
            }
        }
        if let Some(last) = fresh.last()
            && !last.sort.is_empty()
        {
            self.after = Some(last.sort.clone());
        }
        for h in &fresh {
            let line = self.to_line(h);
            self.lines.push_back(line);
            self.next_seq += 1;
        }
        while self.lines.len() > self.max_lines {
            self.lines.pop_front();
        }
        Ok(Payload::Logs(Arc::new(LogWindow {
            first_seq: self.next_seq - self.lines.len() as u64,
            lines: self.lines.iter().cloned().collect(),
            unreadable: unreadable.describe(),
            ..Default::default()
        })))
    }

    fn to_line(&self, h: &EsHit) -> LogLine {
        let f = &self.fields;
        let message = field_text(&h.source, &f.message).unwrap_or_default();
        let clean = sanitise_styled(message.as_bytes(), self.sanitise);
        let level = f
            .level
            .as_ref()
            .and_then(|l| field_text(&h.source, l))
            .map(|l| detect_level(&format!("level={l}")))
            .filter(|l| *l != Level::Unknown)
            .unwrap_or_else(|| detect_level(&clean.text));
        // The sort value of a date field is epoch milliseconds; else read the document's field.
        let timestamp = h
            .sort
            .first()
            .and_then(Value::as_i64)
            .and_then(DateTime::<Utc>::from_timestamp_millis)
            .or_else(|| {
                field(&h.source, &f.time)
                    .and_then(Value::as_str)
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc))
            })
            .unwrap_or_default();
        let labels: Vec<(String, String)> = f
            .labels
            .iter()
            .filter_map(|k| field_text(&h.source, k).map(|v| (k.clone(), v)))
            .collect();
        LogLine {
            timestamp,
            source: self.name.clone(),
            level,
            line: clean.text,
            styles: clean.styles,
            labels: if labels.is_empty() {
                Labels::default()
            } else {
                Arc::new(labels)
            },
        }
    }
}

impl Fetcher for EsFetcher {
    fn fetch(&mut self) -> impl Future<Output = Result<Payload, SourceError>> + Send {
        EsFetcher::fetch(self)
    }
}
