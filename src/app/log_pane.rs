//! The logs pane's setup and view state: its named views, the compiled filter, the toggles,
//! the alert templates `l` fills and the trace link's pattern and URL.

use crate::domain::health::SourceId;
use crate::domain::log_filter::LogFilter;
use crate::domain::log_query::Escape;
use crate::domain::logs::LogLine;
use regex::Regex;
use std::collections::BTreeMap;
use std::time::Duration;

/// A named view of the logs pane: which sources, and their filters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogView {
    pub name: String,
    /// Log source names; empty for all.
    pub sources: Vec<String>,
    /// Applied while the view is chosen, beside the filter typed with `/`.
    pub filter: String,
    /// Filters of single sources (an alert's `alert_filter` for a command or a file).
    pub per_source: BTreeMap<String, LogFilter>,
}

impl LogView {
    pub fn all() -> Self {
        Self {
            name: "all".into(),
            ..Default::default()
        }
    }

    pub fn shows(&self, line: &LogLine) -> bool {
        (self.sources.is_empty() || self.sources.contains(&line.source))
            && self
                .per_source
                .get(&line.source)
                .is_none_or(|f| f.matches(&line.line))
    }
}

/// A log source's query for `l`, filled from the selected alert's labels.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertTemplate {
    pub source: SourceId,
    pub template: String,
    pub escape: Escape,
}

#[derive(Clone, Debug)]
pub struct LogPane {
    /// The compiled `log_filter` (typed with `/`; kept when the view changes).
    pub matcher: LogFilter,
    /// The current view's own filter, compiled.
    pub view_filter: LogFilter,
    /// `views[0]` is "all".
    pub views: Vec<LogView>,
    pub view: usize,
    pub wrap: bool,
    pub timestamps: bool,
    pub labels: bool,
    pub alert_lookback: Duration,
    pub templates: Vec<AlertTemplate>,
    pub trace_pattern: Option<Regex>,
    pub trace_url: Option<String>,
}

impl Default for LogPane {
    fn default() -> Self {
        Self {
            matcher: LogFilter::default(),
            view_filter: LogFilter::default(),
            views: vec![LogView::all()],
            view: 0,
            wrap: false,
            timestamps: true,
            labels: true,
            alert_lookback: Duration::from_secs(300),
            templates: Vec::new(),
            trace_pattern: None,
            trace_url: None,
        }
    }
}

impl LogPane {
    pub fn current_view(&self) -> &LogView {
        &self.views[self.view.min(self.views.len().saturating_sub(1))]
    }

    /// Shown in the pane: passes the view, its filter and the typed filter.
    pub fn shows(&self, line: &LogLine) -> bool {
        self.current_view().shows(line)
            && self.view_filter.matches(&line.line)
            && self.matcher.matches(&line.line)
    }
}
