//! The logs pane as the config sets it up: views, toggles, `l` templates, trace links.

use crate::app::state::{AlertTemplate, LogPane, LogView};
use crate::config::{Config, SourceRef};
use crate::domain::log_query::Escape;

pub fn log_pane(config: &Config) -> LogPane {
    let logs = &config.logs;
    let mut views = vec![LogView::all()];
    views.extend(config.log_view.iter().map(|v| LogView {
        name: v.name.clone(),
        sources: v.sources.clone(),
        filter: v.filter.clone(),
        per_source: Default::default(),
    }));
    // Each log source's `l` template, escaped the way its query language needs.
    let templates = config
        .sources()
        .filter_map(|s| {
            let (template, escape) = match s {
                SourceRef::Loki(l) => (&l.alert_query, Escape::LogQl),
                SourceRef::Elasticsearch(e) => (&e.alert_query, Escape::QueryString),
                SourceRef::Command(c) => (&c.alert_filter, Escape::Filter),
                SourceRef::File(f) => (&f.alert_filter, Escape::Filter),
                SourceRef::Prometheus(_) | SourceRef::Alertmanager(_) => return None,
            };
            Some(AlertTemplate {
                source: s.id(),
                template: template.clone()?,
                escape,
            })
        })
        .collect();
    LogPane {
        views,
        wrap: logs.wrap,
        timestamps: logs.timestamps,
        labels: logs.labels,
        alert_lookback: logs.alert_lookback,
        templates,
        // Validated at load; a pattern that does not compile only turns trace links off.
        trace_pattern: regex::Regex::new(&logs.trace_id_pattern).ok(),
        trace_url: logs.trace_url.clone(),
        ..Default::default()
    }
}
