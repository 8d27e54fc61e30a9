//! Overlays drawn over the panes: help (from the live keymap), quit confirmation, alert detail.

use super::alerts_pane::{reading_label, severity_role};
use super::text::{age_since, pad, safe, truncate};
use super::theme::{Role, Theme};
use crate::app::line_edit::INPUT_KEYS;
use crate::app::state::Overlay;
use crate::app::{Action, State};
use crate::domain::alerts::{DedupedAlert, Silence};
use crate::domain::flap::SAMPLES;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    match &state.overlay {
        None => {}
        Some(Overlay::Help) => help(frame, area, state, theme),
        Some(Overlay::ConfirmQuit) => confirm_quit(frame, area, theme),
        Some(Overlay::AlertDetail(a)) => detail(frame, area, state, a, theme),
        Some(Overlay::SloDetail(source, name)) => {
            super::slo_detail::draw(frame, area, state, source, name, theme)
        }
    }
    super::dialog::draw(frame, area, state, theme);
}

/// A rectangle of at most `w` x `h`, centred in `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn popup(title: Line<'static>, theme: &Theme) -> Block<'static> {
    Block::bordered()
        .border_style(theme.style(Role::BorderFocus))
        .title(title)
        .style(theme.style(Role::Fg).patch(theme.style(Role::Bg)))
}

/// Where the overlay's view of `total` lines, `height` at a time, starts: the state's scroll,
/// no further than leaves the last line at the bottom.
pub fn scroll_of(state: &State, total: usize, height: u16) -> usize {
    state
        .overlay_scroll
        .min(total.saturating_sub(height as usize))
}

/// `lines 5–24 of 40 · j/k PgDn PgUp` when the lines do not all fit, for the block's bottom.
pub fn position(state: &State, total: usize, height: u16, theme: &Theme) -> Option<Line<'static>> {
    let h = height as usize;
    if total <= h {
        return None;
    }
    let from = scroll_of(state, total, height);
    let keys = |a: Action| state.keymap.keys_label(a);
    Some(Line::from(Span::styled(
        format!(
            " lines {}–{} of {total} · {}/{} {} {} ",
            from + 1,
            (from + h).min(total),
            keys(Action::MoveDown),
            keys(Action::MoveUp),
            keys(Action::PageDown),
            keys(Action::PageUp),
        ),
        theme.style(Role::Muted),
    )))
}

/// One entry of the help: the action's live keys and its description.
pub fn help_entries(state: &State) -> Vec<(String, Action, String)> {
    Action::ALL
        .iter()
        .map(|a| {
            let mut keys = state.keymap.keys_label(*a);
            if keys.is_empty() {
                keys = "(none)".into();
            }
            let mut desc = a.description().to_string();
            if state.read_only && a.is_mutating() {
                desc.push_str(" Off in read-only mode.");
            }
            (keys, *a, desc)
        })
        .collect()
}

/// The title of the help's second part: the keys every input line and dialog field answers,
/// after the one key that works everywhere and is no action (so it has no row of its own).
const INPUT_TITLE: &str = "ctrl-z suspends (fg resumes) · in an input line or a dialog's text:";

fn help(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let entries = help_entries(state);
    // One line per action, the input keys' title, one line per input key; each part has its
    // own key column, so the long input keys do not cut the actions' descriptions.
    let n = (entries.len() + 1 + INPUT_KEYS.len()) as u16;
    let act_w = entries
        .iter()
        .map(|(k, _, _)| super::text::width(k))
        .max()
        .unwrap_or(4)
        .max(4);
    let input_w = INPUT_KEYS
        .iter()
        .map(|(k, _)| super::text::width(k))
        .max()
        .unwrap_or(4);
    let key_style = theme.style(Role::FooterKey);
    let muted = theme.style(Role::Muted);
    let fg = theme.style(Role::Fg);
    let title = || Line::from(Span::styled(format!(" {INPUT_TITLE}"), muted));
    // One column (keys, config name, description) when it fits; else two columns of keys and
    // descriptions, cut to the width.
    let one_col_h = n + 3;
    if area.height < one_col_h && area.height >= n && area.width >= 60 {
        // Exactly tall enough for one line per key: no border, nothing cut.
        frame.render_widget(Clear, area);
        let row = |keys: &str, key_w: usize, desc: &str| {
            let desc_w = (area.width as usize).saturating_sub(key_w + 2);
            Line::from(vec![
                Span::styled(format!(" {}", pad(keys, key_w)), key_style),
                Span::styled(format!(" {}", truncate(desc, desc_w)), fg),
            ])
        };
        let mut lines: Vec<Line> = entries.iter().map(|(k, _, d)| row(k, act_w, d)).collect();
        lines.push(title());
        lines.extend(INPUT_KEYS.iter().map(|(k, d)| row(k, input_w, d)));
        frame.render_widget(
            Paragraph::new(lines).style(theme.style(Role::Fg).patch(theme.style(Role::Bg))),
            area,
        );
        return;
    }
    let rect = if area.height >= one_col_h && area.width >= 60 {
        centered(area, 110, one_col_h)
    } else {
        centered(area, area.width, area.height)
    };
    let block = popup(
        Line::from(Span::styled(" Keys ", theme.style(Role::Title))),
        theme,
    )
    .title_bottom(Line::from(Span::styled(
        format!(" {} close ", state.keymap.keys_label(Action::Back)),
        theme.style(Role::Muted),
    )));
    // Two columns that fit the screen but not inside a border (80x24) go without one.
    let two_col_h = (entries.len().div_ceil(2) + 1 + INPUT_KEYS.len().div_ceil(2)) as u16;
    let inner = if rect.height < one_col_h && two_col_h + 2 > rect.height {
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Block::new().style(theme.style(Role::Fg).patch(theme.style(Role::Bg))),
            rect,
        );
        rect
    } else {
        let inner = block.inner(rect);
        frame.render_widget(Clear, rect);
        frame.render_widget(block, rect);
        inner
    };
    if inner.is_empty() {
        return;
    }
    let mut lines = Vec::new();
    if rect.height >= one_col_h && inner.width >= 58 {
        // The config name helps remapping in [keys]; shown when there is room for it.
        let name_w = if inner.width >= 100 { 16 } else { 0 };
        let name = |s: &str| {
            if name_w == 0 {
                String::new()
            } else {
                format!(" {}", pad(s, name_w))
            }
        };
        // The input keys have no config name: their descriptions follow the keys.
        let row = |keys: &str, key_w: usize, config: Option<&str>, desc: &str| {
            let name_w = if config.is_some() { name_w } else { 0 };
            let desc_w = (inner.width as usize).saturating_sub(key_w + name_w + 3);
            Line::from(vec![
                Span::styled(format!(" {}", pad(keys, key_w)), key_style),
                Span::styled(config.map(name).unwrap_or_default(), muted),
                Span::styled(format!(" {}", truncate(desc, desc_w)), fg),
            ])
        };
        lines.push(Line::from(Span::styled(
            format!(
                " {}{} {}",
                pad("keys", act_w),
                name("[keys] name"),
                "what it does"
            ),
            muted,
        )));
        for (keys, action, desc) in &entries {
            lines.push(row(keys, act_w, Some(action.name()), desc));
        }
        lines.push(title());
        lines.extend(INPUT_KEYS.iter().map(|(k, d)| row(k, input_w, None, d)));
    } else {
        let col_w = (inner.width as usize).saturating_sub(1) / 2;
        // Each part in two columns, down the first then the second.
        let mut columns = |items: Vec<(&str, &str)>, kw: usize| {
            let rows = items.len().div_ceil(2);
            let desc_w = col_w.saturating_sub(kw + 2);
            for r in 0..rows {
                let mut spans = Vec::new();
                for c in 0..2 {
                    if let Some((keys, desc)) = items.get(c * rows + r) {
                        spans.push(Span::styled(format!(" {}", pad(keys, kw)), key_style));
                        spans.push(Span::styled(format!(" {}", pad(desc, desc_w)), fg));
                    }
                }
                lines.push(Line::from(spans));
            }
        };
        let actions = entries.iter().map(|(k, _, d)| (k.as_str(), d.as_str()));
        columns(actions.collect(), act_w.min(col_w / 3));
        columns(INPUT_KEYS.to_vec(), input_w.min(col_w / 2));
        lines.insert(entries.len().div_ceil(2), title());
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn confirm_quit(frame: &mut Frame, area: Rect, theme: &Theme) {
    let rect = centered(area, 44, 5);
    frame.render_widget(Clear, rect);
    let block = popup(
        Line::from(Span::styled(" Quit? ", theme.style(Role::Error))),
        theme,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(
                "A page is active.",
                theme.style(Role::StatusPage),
            ))
            .centered(),
            Line::from(Span::styled("Quit anyway? y/N", theme.style(Role::Title))).centered(),
        ])
        .wrap(Wrap { trim: true }),
        inner,
    );
}

fn time(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    format!(
        "{} ({} ago)",
        t.format("%Y-%m-%d %H:%M:%S UTC"),
        age_since(now, t)
    )
}

fn detail(frame: &mut Frame, area: Rect, state: &State, a: &DedupedAlert, theme: &Theme) {
    // The whole body (panes peeking out at the sides only distract), header and footer kept.
    let rect = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(2),
        ..area
    };
    let name = a
        .alert
        .labels
        .get("alertname")
        .map(|s| safe(s).into_owned())
        .unwrap_or_else(|| "alert".into());
    let block = popup(
        Line::from(vec![
            Span::raw(" "),
            Span::styled(a.severity.label(), theme.style(severity_role(a.severity))),
            Span::styled(format!(" {name} "), theme.style(Role::Title)),
        ]),
        theme,
    );
    let muted = theme.style(Role::Muted);
    let fg = theme.style(Role::Fg);
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<10} "), muted),
            Span::styled(v, fg),
        ])
    };
    let state_text = reading_label(&a.reading, state.now);
    let mut lines = vec![field("state", state_text)];
    if a.flapping {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<10} ", ""), muted),
            Span::styled(super::alerts_pane::FLAPPING, theme.style(Role::Degraded)),
            Span::styled(" no notification while it flaps", muted),
        ]));
    }
    lines.push(field("flaps", flap_strip(state, a)));
    lines.push(field("cluster", safe(a.cluster()).into_owned()));
    lines.push(field(
        "reported",
        format!(
            "by {} source{}: {}",
            a.sources.len(),
            if a.sources.len() == 1 { "" } else { "s" },
            a.sources
                .iter()
                .map(|s| safe(s).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ));
    lines.push(field("started", time(state.now, a.alert.starts_at)));
    lines.push(field("updated", time(state.now, a.alert.updated_at)));
    if let Some(end) = a.alert.ends_at {
        lines.push(field("ends", time_either(state.now, end)));
    }
    if !a.alert.receivers.is_empty() {
        lines.push(field(
            "receivers",
            a.alert
                .receivers
                .iter()
                .map(|r| safe(r).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let Some(url) = &a.alert.generator_url {
        lines.push(field("generator", safe(url).into_owned()));
    }
    // The three annotations the on-call engineer reads first, then the rest with the labels.
    let summary = state.alert_policy.summary_with_key(&a.alert.annotations);
    if let Some((_, v)) = summary {
        lines.push(field("summary", safe(v).into_owned()));
    }
    if let Some(v) = a.alert.annotations.get("description") {
        lines.push(field("descr.", safe(v).into_owned()));
    }
    let runbook_keys = &state.acts.setup.runbook_annotations;
    let runbook = crate::domain::links::runbook_annotation_in(&a.alert.annotations, runbook_keys);
    if let Some((_, url)) = runbook {
        lines.push(field("runbook", safe(url).into_owned()));
    }
    let silences = silences_of(state, a);
    if !silences.is_empty() {
        lines.push(Line::from(Span::styled(
            "silences",
            theme.style(Role::Title),
        )));
        for s in silences {
            let kind = if state.alert_policy.is_ack(s) {
                "ack"
            } else {
                "silence"
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {kind} {} ", safe(&s.id)), muted),
                Span::styled(
                    format!(
                        "by {}, until {}: {}",
                        safe(&s.created_by),
                        s.ends_at.format("%Y-%m-%d %H:%M UTC"),
                        safe(&s.comment)
                    ),
                    fg,
                ),
            ]));
        }
    }
    lines.push(Line::from(Span::styled("labels", theme.style(Role::Title))));
    for (k, v) in a.alert.labels.iter() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}", safe(k)), muted),
            Span::styled(format!(" = {}", safe(v)), fg),
        ]));
    }
    let other: Vec<_> = a
        .alert
        .annotations
        .iter()
        .filter(|(k, _)| {
            *k != "description"
                && summary.is_none_or(|(shown, _)| shown != *k)
                && runbook.is_none_or(|(shown, _)| shown != *k)
        })
        .collect();
    if !other.is_empty() {
        lines.push(Line::from(Span::styled(
            "annotations",
            theme.style(Role::Title),
        )));
        for (k, v) in other {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}", safe(k)), muted),
                Span::styled(format!(": {}", safe(v)), fg),
            ]));
        }
    }
    draw_scrolled(frame, rect, block, lines, state, theme);
}

/// A detail view: `lines` in `block` over `rect`, scrolled to the overlay's position, which
/// the block's bottom says when they do not all fit.
pub fn draw_scrolled(
    frame: &mut Frame,
    rect: Rect,
    block: Block<'static>,
    lines: Vec<Line<'static>>,
    state: &State,
    theme: &Theme,
) {
    let inner = block.inner(rect);
    let block = match position(state, lines.len(), inner.height, theme) {
        Some(p) => block.title_bottom(p),
        None => block,
    };
    let from = scroll_of(state, lines.len(), inner.height);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((from.min(u16::MAX as usize) as u16, 0)),
        inner,
    );
}

/// `in 5 min` or `3 min ago`, with the absolute time.
fn time_either(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let rel = if t >= now {
        format!("in {}", crate::domain::alerts::span(t - now))
    } else {
        format!("{} ago", crate::domain::alerts::span(now - t))
    };
    format!("{} ({rel})", t.format("%Y-%m-%d %H:%M:%S UTC"))
}

/// The silences (acks included) that mute this alert, as its cluster reports them.
fn silences_of<'a>(state: &'a State, a: &DedupedAlert) -> Vec<&'a Silence> {
    let Some(snap) = state.clusters.get(a.cluster()) else {
        return Vec::new();
    };
    a.alert
        .silenced_by
        .iter()
        .filter_map(|id| snap.silences.iter().find(|s| &s.id == id))
        .collect()
}

/// The last 21 flap samples, oldest left: `█` firing, `▁` not, `·` not sampled yet; then the
/// percent state change against the thresholds.
pub fn flap_strip(state: &State, a: &DedupedAlert) -> String {
    let history = state.flaps.history(&a.id);
    let samples = history.map(|h| h.samples()).unwrap_or(&[]);
    let mut strip: String =
        std::iter::repeat_n('·', SAMPLES.saturating_sub(samples.len())).collect();
    strip.extend(samples.iter().map(|f| if *f { '█' } else { '▁' }));
    let pct = history.map_or(0.0, |h| h.percent);
    let cfg = &state.flap_config;
    if cfg.enabled {
        format!(
            "{strip} {pct:.1}% (flapping from {:.0}%, until {:.0}%)",
            cfg.high, cfg.low
        )
    } else {
        format!("{strip} {pct:.1}% (detection off)")
    }
}
