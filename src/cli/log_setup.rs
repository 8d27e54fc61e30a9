//! The logs pane as the config sets it up: views, toggles, `l` templates, trace links.

use crate::app::state::{AlertTemplate, LogPane, LogView};
use crate::config::Config;
use crate::domain::health::{SourceId, SourceKind};
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
    let mut templates = Vec::new();
    let mut add = |kind, name: &str, t: &Option<String>, escape| {
        if let Some(t) = t {
            templates.push(AlertTemplate {
                source: SourceId::new(kind, name),
                template: t.clone(),
                escape,
            });
        }
    };
    for l in &config.loki {
        add(SourceKind::Loki, &l.name, &l.alert_query, Escape::LogQl);
    }
    for e in &config.elasticsearch {
        add(
            SourceKind::Elasticsearch,
            &e.name,
            &e.alert_query,
            Escape::QueryString,
        );
    }
    for c in &config.command {
        add(
            SourceKind::Command,
            &c.name,
            &c.alert_filter,
            Escape::Filter,
        );
    }
    for f in &config.file {
        add(SourceKind::File, &f.name, &f.alert_filter, Escape::Filter);
    }
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
