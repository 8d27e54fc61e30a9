//! Overlays drawn over the panes: help (from the live keymap), quit confirmation, alert detail.

use super::alerts_pane::{reading_label, severity_role};
use super::text::{age_since, pad, safe, truncate};
use super::theme::{Role, Theme};
use crate::app::state::Overlay;
use crate::app::{Action, State};
use crate::domain::alerts::{AlertReading, DedupedAlert};
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

fn help(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let entries = help_entries(state);
    let n = entries.len() as u16;
    let key_w = entries
        .iter()
        .map(|(k, _, _)| super::text::width(k))
        .max()
        .unwrap_or(4)
        .max(4);
    // One column (keys, config name, description) when it fits; else two columns of keys and
    // descriptions, cut to the width.
    let one_col_h = n + 3;
    if area.height < one_col_h && area.height >= n && area.width >= 60 {
        // Exactly tall enough for one line per action (80x24): no border, nothing cut.
        frame.render_widget(Clear, area);
        let lines: Vec<Line> = entries
            .iter()
            .map(|(keys, _, desc)| {
                Line::from(vec![
                    Span::styled(
                        format!(" {}", pad(keys, key_w)),
                        theme.style(Role::FooterKey),
                    ),
                    Span::styled(
                        format!(
                            " {}",
                            truncate(desc, (area.width as usize).saturating_sub(key_w + 2))
                        ),
                        theme.style(Role::Fg),
                    ),
                ])
            })
            .collect();
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
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    if inner.is_empty() {
        return;
    }
    let key_style = theme.style(Role::FooterKey);
    let muted = theme.style(Role::Muted);
    let fg = theme.style(Role::Fg);
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
        lines.push(Line::from(Span::styled(
            format!(
                " {}{} {}",
                pad("keys", key_w),
                name("[keys] name"),
                "what it does"
            ),
            muted,
        )));
        for (keys, action, desc) in &entries {
            let desc_w = (inner.width as usize).saturating_sub(key_w + name_w + 3);
            lines.push(Line::from(vec![
                Span::styled(format!(" {}", pad(keys, key_w)), key_style),
                Span::styled(name(action.name()), muted),
                Span::styled(format!(" {}", truncate(desc, desc_w)), fg),
            ]));
        }
    } else {
        let col_w = (inner.width as usize).saturating_sub(1) / 2;
        let rows = entries.len().div_ceil(2);
        let kw = key_w.min(col_w / 3);
        let desc_w = col_w.saturating_sub(kw + 2);
        for r in 0..rows {
            let mut spans = Vec::new();
            for c in 0..2 {
                if let Some((keys, _, desc)) = entries.get(c * rows + r) {
                    spans.push(Span::styled(format!(" {}", pad(keys, kw)), key_style));
                    spans.push(Span::styled(format!(" {}", pad(desc, desc_w)), fg));
                }
            }
            lines.push(Line::from(spans));
        }
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
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let muted = theme.style(Role::Muted);
    let fg = theme.style(Role::Fg);
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<10} "), muted),
            Span::styled(v, fg),
        ])
    };
    let mut state_text = reading_label(&a.reading);
    match &a.reading {
        AlertReading::Acked {
            comment,
            since,
            until,
            ..
        } => state_text.push_str(&format!(
            " {} ago, until {}: {}",
            age_since(state.now, *since).trim(),
            until.format("%H:%M UTC"),
            safe(comment)
        )),
        AlertReading::Silenced { comment, until, .. } => state_text.push_str(&format!(
            " until {}: {}",
            until.format("%H:%M UTC"),
            safe(comment)
        )),
        _ => {}
    }
    let mut lines = vec![
        field("state", state_text),
        field("cluster", safe(&a.cluster).into_owned()),
        field(
            "sources",
            format!(
                "{} (×{})",
                a.sources
                    .iter()
                    .map(|s| safe(s).into_owned())
                    .collect::<Vec<_>>()
                    .join(", "),
                a.sources.len()
            ),
        ),
        field("started", time(state.now, a.alert.starts_at)),
        field("updated", time(state.now, a.alert.updated_at)),
    ];
    if let Some(url) = &a.alert.generator_url {
        lines.push(field("generator", safe(url).into_owned()));
    }
    lines.push(Line::from(Span::styled("labels", theme.style(Role::Title))));
    for (k, v) in &a.alert.labels {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}", safe(k)), muted),
            Span::styled(format!(" = {}", safe(v)), fg),
        ]));
    }
    if !a.alert.annotations.is_empty() {
        lines.push(Line::from(Span::styled(
            "annotations",
            theme.style(Role::Title),
        )));
        for (k, v) in &a.alert.annotations {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}", safe(k)), muted),
                Span::styled(format!(": {}", safe(v)), fg),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
