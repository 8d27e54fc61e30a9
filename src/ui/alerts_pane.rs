//! The alerts pane: one row per group, the alerts of expanded groups below it.

use super::layout::scroll_offset;
use super::pane::{self, is_stale, sources_of};
use super::text::{self, age_since, pad, rpad, safe, truncate};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::app::state::{AlertRow, Pane};
use crate::domain::alerts::{AlertGroup, AlertReading, DedupedAlert, Severity};
use crate::domain::health::SourceKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn severity_role(s: Severity) -> Role {
    match s {
        Severity::Critical => Role::SeverityCritical,
        Severity::Warning => Role::SeverityWarning,
        Severity::Info => Role::SeverityInfo,
        Severity::None => Role::SeverityNone,
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let rows = state.alert_rows();
    let mut extra = Vec::new();
    if !rows.is_empty() {
        let at = state.alert_cursor.min(rows.len() - 1) + 1;
        extra.push(Span::styled(
            format!("{at}/{} ", rows.len()),
            theme.style(Role::Muted),
        ));
    }
    if state.alert_sort != crate::domain::alerts::AlertSort::default() {
        extra.push(Span::styled(
            format!("sort: {} ", state.alert_sort.name()),
            theme.style(Role::Muted),
        ));
    }
    if !state.alert_filter.is_empty() {
        extra.push(Span::styled(
            format!("filter: {} ", safe(&state.alert_filter)),
            theme.style(Role::Paused),
        ));
    }
    if state.show_silenced {
        extra.push(Span::styled(
            "+silenced ".to_string(),
            theme.style(Role::Muted),
        ));
    }
    let block = pane::block(state, Pane::Alerts, extra, area.width, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    if rows.is_empty() {
        frame.render_widget(Paragraph::new(empty_message(state, theme)), inner);
        return;
    }
    let height = inner.height as usize;
    let width = inner.width as usize;
    let cursor = state.alert_cursor.min(rows.len() - 1);
    let offset = scroll_offset(cursor, height);
    // Per group on screen, the labels all its alerts share: computed once a frame, not per row.
    let mut shared: std::collections::HashMap<usize, std::collections::BTreeSet<&str>> =
        Default::default();
    for row in rows.iter().skip(offset).take(height) {
        if let AlertRow::Alert(g, _) = *row {
            shared
                .entry(g)
                .or_insert_with(|| shared_labels(&state.groups[g]));
        }
    }
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, row)| {
            let selected = pos == cursor && state.focus == Pane::Alerts;
            let mut line = match *row {
                AlertRow::Group(g) => group_line(state, &state.groups[g], width, theme),
                AlertRow::Alert(g, a) => {
                    let group = &state.groups[g];
                    let labels = compact_labels(group, &group.alerts[a], &shared[&g]);
                    alert_line(state, labels, &group.alerts[a], width, theme)
                }
            };
            let cluster = match *row {
                AlertRow::Group(g) | AlertRow::Alert(g, _) => state.groups[g]
                    .alerts
                    .first()
                    .map(|a| a.cluster())
                    .unwrap_or(""),
            };
            let mut overlay = Style::new();
            if is_stale(state, SourceKind::Alertmanager, cluster) {
                overlay = overlay.patch(theme.style(Role::Stale));
            }
            if selected {
                overlay = overlay.patch(theme.style(Role::Selection));
            }
            if overlay != Style::new() {
                for s in &mut line.spans {
                    s.style = s.style.patch(overlay);
                }
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn empty_message(state: &State, theme: &Theme) -> Line<'static> {
    let sources: Vec<_> = sources_of(state, SourceKind::Alertmanager).collect();
    let answered = sources.iter().any(|h| h.last_ok.is_some());
    let failed = pane::failures(&sources);
    if !answered && !failed.is_empty() {
        Line::from(Span::styled(
            format!(" no answer yet: {}", failed.join("; ")),
            theme.style(Role::Error),
        ))
    } else if !answered && !sources.is_empty() {
        Line::from(Span::styled(
            " waiting for first poll",
            theme.style(Role::Muted),
        ))
    } else if !state.alert_filter.is_empty() {
        Line::from(Span::styled(
            format!(" no alert matches '{}'", safe(&state.alert_filter)),
            theme.style(Role::Muted),
        ))
    } else if sources.is_empty() {
        Line::from(Span::styled(
            " no Alertmanager: add an [[alertmanager]] to the config",
            theme.style(Role::Muted),
        ))
    } else {
        Line::from(Span::styled(" no alerts firing", theme.style(Role::Ok)))
    }
}

fn group_title(group: &AlertGroup) -> String {
    let mut parts = Vec::new();
    for (i, (k, v)) in group.labels.iter().enumerate() {
        let v = if v.is_empty() { "(none)" } else { v.as_str() };
        // The first group-by label (alertname by default) reads best as a bare value.
        if i == 0 {
            parts.push(safe(v).into_owned());
        } else {
            parts.push(format!("{}={}", safe(k), safe(v)));
        }
    }
    parts.join(" ")
}

fn counts(group: &AlertGroup) -> String {
    let mut s = format!("{} firing", group.firing);
    if group.acked > 0 {
        s.push_str(&format!(", {} acked", group.acked));
    }
    if group.silenced > 0 {
        s.push_str(&format!(", {} silenced", group.silenced));
    }
    if group.inhibited > 0 {
        s.push_str(&format!(", {} inhibited", group.inhibited));
    }
    if group.flapping > 0 {
        s.push_str(&format!(", {} flapping", group.flapping));
    }
    s
}

/// Shown on flapping rows and groups: the marker, not a colour alone.
pub const FLAPPING: &str = "FLAPPING";

fn group_line(state: &State, group: &AlertGroup, width: usize, theme: &Theme) -> Line<'static> {
    let expanded = state.expanded.contains(&group.key());
    let arrow = if expanded { "▾" } else { "▸" };
    let age = group
        .oldest_start()
        .map(|t| age_since(state.now, t))
        .unwrap_or_default();
    let mut counts = counts(group);
    let badge = if group.flapping > 0 {
        format!("{FLAPPING} ")
    } else {
        String::new()
    };
    let badge_w = badge.len();
    if let Some(note) = group
        .alerts
        .iter()
        .find_map(|a| crate::app::acts::row_note(state, a))
    {
        counts.push_str(&format!(", {}", safe(&note)));
    }
    let right_w = text::width(&counts) + 2 + 4;
    let title_w = width
        .saturating_sub(2 + 4 + 1 + 1 + badge_w + right_w)
        .max(4);
    let title = truncate(&group_title(group), title_w);
    let gap = width.saturating_sub(2 + 4 + 1 + badge_w + text::width(&title) + right_w);
    Line::from(vec![
        Span::styled(format!("{arrow} "), theme.style(Role::Muted)),
        Span::styled(
            group.worst.label().to_string(),
            theme.style(severity_role(group.worst)),
        ),
        Span::raw(" "),
        Span::styled(badge, theme.style(Role::Degraded)),
        Span::styled(title, theme.style(Role::Title)),
        Span::raw(" ".repeat(gap.max(1))),
        Span::styled(counts, theme.style(Role::Fg)),
        Span::styled(format!("  {}", rpad(&age, 4)), theme.style(Role::Muted)),
    ])
}

/// `acked by bob, 3 min ago, expires in 57 min`, `silenced: db maintenance`, `firing`.
pub fn reading_label(r: &AlertReading, now: chrono::DateTime<chrono::Utc>) -> String {
    safe(&r.describe(now)).into_owned()
}

/// Identity labels minus what the row already says (group labels, severity), `k=v` joined.
/// The identity labels every alert of the group has with the same value.
fn shared_labels(group: &AlertGroup) -> std::collections::BTreeSet<&str> {
    let Some((first, rest)) = group.alerts.split_first() else {
        return Default::default();
    };
    first
        .identity()
        .iter()
        .filter(|(k, v)| rest.iter().all(|a| a.identity().get(k) == Some(*v)))
        .map(|(k, _)| k)
        .collect()
}

/// An alert's row labels, those that tell it from the rest of its group first (a narrow pane
/// cuts the shared tail, not what differs); the group's own labels and severity left out.
fn compact_labels(
    group: &AlertGroup,
    alert: &DedupedAlert,
    shared: &std::collections::BTreeSet<&str>,
) -> String {
    let shown = alert
        .identity()
        .iter()
        .filter(|(k, _)| !group.labels.contains_key(*k) && *k != "severity");
    let (same, differ): (Vec<_>, Vec<_>) = shown.partition(|(k, _)| shared.contains(k));
    differ
        .into_iter()
        .chain(same)
        .map(|(k, v)| format!("{}={}", safe(k), safe(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn alert_line(
    state: &State,
    labels: String,
    alert: &DedupedAlert,
    width: usize,
    theme: &Theme,
) -> Line<'static> {
    let mut reading = crate::app::acts::row_note(state, alert)
        .map(|n| safe(&n).into_owned())
        .unwrap_or_else(|| reading_label(&alert.reading, state.now));
    let mut reading_role = match alert.reading {
        AlertReading::Firing => severity_role(alert.severity),
        _ => Role::Muted,
    };
    if alert.flapping {
        reading = format!("{FLAPPING} {reading}");
        reading_role = Role::Degraded;
    }
    let age = age_since(state.now, alert.alert.starts_at);
    let sources = format!("×{}", alert.sources.len());
    // The ack text (who, since, until) matters more than the tail of the labels on wide panes.
    let reading_w = text::width(&reading).min((width / 2).clamp(24, 48));
    // indent, severity, gaps, reading, age, sources
    let fixed = 4 + 4 + 1 + 2 + reading_w + 2 + 4 + 1 + 3;
    let labels_w = width.saturating_sub(fixed).max(1);
    Line::from(vec![
        Span::raw("    "),
        Span::styled(
            alert.severity.label().to_string(),
            theme.style(severity_role(alert.severity)),
        ),
        Span::raw(" "),
        Span::styled(pad(&labels, labels_w), theme.style(Role::Fg)),
        Span::raw("  "),
        Span::styled(pad(&reading, reading_w), theme.style(reading_role)),
        Span::styled(format!("  {}", rpad(&age, 4)), theme.style(Role::Muted)),
        Span::styled(format!(" {}", rpad(&sources, 3)), theme.style(Role::Muted)),
    ])
}
