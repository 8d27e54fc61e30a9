//! The action dialogs (ack, un-ack, escalate) and views (runbook, runbook link, audit).

use super::text::{safe, truncate, wrap};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::app::acts::{AckDialog, Dialog, EscalateDialog, UnackDialog, View, matchers_text};
use crate::app::line_edit::LineEdit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    match &state.acts.dialog {
        Some(Dialog::Ack(d)) => ack(frame, area, state, d, theme),
        Some(Dialog::Unack(d)) => unack(frame, area, d, theme),
        Some(Dialog::Escalate(d)) => escalate(frame, area, d, theme),
        Some(Dialog::Silence(d)) => super::silences_view::dialog(frame, area, state, d, theme),
        None => {}
    }
    if state.acts.dialog.is_none() {
        match &state.acts.view {
            Some(View::Runbook {
                title,
                text,
                scroll,
            }) => runbook(frame, area, title, text.as_ref(), *scroll, theme),
            Some(View::Link { url }) => link(frame, area, url, theme),
            Some(View::Audit { lines, scroll }) => {
                audit(frame, area, lines.as_ref(), *scroll, theme)
            }
            Some(View::Silences(v)) => super::silences_view::draw(frame, area, state, v, theme),
            None => {}
        }
    }
}

pub(super) fn boxed(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(area.width.min(20));
    let h = h.min(area.height.saturating_sub(2)).max(area.height.min(6));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub(super) fn frame_block(frame: &mut Frame, rect: Rect, title: &str, theme: &Theme) -> Rect {
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_style(theme.style(Role::BorderFocus))
        .title(Span::styled(format!(" {title} "), theme.style(Role::Title)))
        .style(theme.style(Role::Fg).patch(theme.style(Role::Bg)));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

pub(super) fn keys_line(text: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), theme.style(Role::FooterKey)))
}

pub(super) fn textarea(frame: &mut Frame, rect: Rect, edit: &LineEdit, theme: &Theme) {
    let mut ta = super::input::text_area(edit, theme);
    ta.set_block(Block::bordered().border_style(theme.style(Role::Border)));
    frame.render_widget(&ta, rect);
}

fn ack(frame: &mut Frame, area: Rect, state: &State, d: &AckDialog, theme: &Theme) {
    let rect = boxed(area, 84, 22);
    let inner = frame_block(frame, rect, "Acknowledge", theme);
    let w = inner.width as usize;
    let mut top: Vec<Line> = Vec::new();
    for (c, m) in &d.targets {
        let mut text = format!("silence on {}: {}", safe(c), safe(&matchers_text(m)));
        if let Some(e) = d.exclude.get(c) {
            let not: Vec<String> = e.iter().map(|(k, v)| format!("{k}!={v:?}")).collect();
            text.push_str(&format!(
                ", not escalated copies ({})",
                safe(&not.join(", "))
            ));
        }
        top.extend(wrap(&text, w).into_iter().map(Line::from));
    }
    let mut spans = vec![Span::raw("duration: ")];
    for (i, c) in d.choices.iter().enumerate() {
        let label = format!(" {} ", c.label());
        if i == d.choice {
            spans.push(Span::styled(
                format!("[{}]", label.trim()),
                theme.style(Role::Selection),
            ));
        } else {
            spans.push(Span::styled(label, theme.style(Role::Muted)));
        }
    }
    top.push(Line::from(spans));
    if matches!(
        d.choices.get(d.choice),
        Some(crate::app::acts::AckChoice::UntilResolved)
    ) {
        top.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "until resolved: a {} silence, extended only while some onwatch cockpit runs",
                    crate::domain::duration::label(state.acts.setup.until_resolved_step)
                ),
                w,
            ),
            theme.style(Role::Degraded),
        )));
    }
    if let Some((_, first)) = d.pagerduty.first() {
        let more = match d.pagerduty.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        top.push(Line::from(truncate(
            &format!(
                "PagerDuty: also acknowledged (dedup_key {}{more})",
                safe(first)
            ),
            w,
        )));
    }
    if d.pagerduty_unkeyed > 0 {
        top.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "PagerDuty: {} alert(s) left out: the dedup_key template is empty for them",
                    d.pagerduty_unkeyed
                ),
                w,
            ),
            theme.style(Role::Degraded),
        )));
    }
    top.push(Line::from(format!(
        "comment ({}: …):",
        safe(&state.alert_policy.ack_prefix)
    )));
    let top_h = top.len() as u16;
    let parts = split(inner, &[top_h, 3]);
    frame.render_widget(Paragraph::new(top), parts[0]);
    textarea(frame, parts[1], &d.comment, theme);
    let mut rest: Vec<Line> = Vec::new();
    let head = format!("matches {} alert(s)", d.preview.len());
    if d.wider_than_selection() {
        rest.push(Line::from(Span::styled(
            format!("{head} — WARNING: more than the {} selected", d.selected),
            theme.style(Role::Error),
        )));
    } else {
        rest.push(Line::from(head));
    }
    let room = parts[2].height.saturating_sub(2) as usize;
    for (id, reading) in d.preview.iter().take(room) {
        rest.push(Line::from(Span::styled(
            truncate(
                &format!(
                    "  {} {} {}",
                    safe(id.cluster()),
                    safe(&matchers_text(id.labels())),
                    reading
                ),
                w,
            ),
            theme.style(Role::Muted),
        )));
    }
    if d.preview.len() > room {
        rest.push(Line::from(format!("  … {} more", d.preview.len() - room)));
    }
    let bottom = split(parts[2], &[parts[2].height.saturating_sub(1)]);
    frame.render_widget(Paragraph::new(rest), bottom[0]);
    frame.render_widget(
        Paragraph::new(keys_line("Enter ack · Tab duration · Esc cancel", theme)),
        bottom[1],
    );
}

/// Splits `area` top-down into the given heights and the rest.
pub(super) fn split(area: Rect, heights: &[u16]) -> Vec<Rect> {
    let mut out = Vec::new();
    let mut y = area.y;
    let end = area.y + area.height;
    for h in heights {
        let h = (*h).min(end - y);
        out.push(Rect {
            y,
            height: h,
            ..area
        });
        y += h;
    }
    out.push(Rect {
        y,
        height: end - y,
        ..area
    });
    out
}

fn unack(frame: &mut Frame, area: Rect, d: &UnackDialog, theme: &Theme) {
    let rect = boxed(area, 84, d.silences.len() as u16 * 2 + 5);
    let inner = frame_block(frame, rect, "Un-acknowledge", theme);
    let w = inner.width as usize;
    let mut lines = vec![Line::from("expire these ack silences?")];
    for s in &d.silences {
        lines.push(Line::from(truncate(
            &format!(
                "  {} {} by {}",
                safe(&s.cluster),
                safe(&matchers_text(&s.matchers)),
                safe(&s.by)
            ),
            w,
        )));
        lines.push(Line::from(Span::styled(
            truncate(&format!("    {}", safe(&s.comment)), w),
            theme.style(Role::Muted),
        )));
    }
    lines.push(keys_line("Enter/y expire · Esc/n keep", theme));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn escalate(frame: &mut Frame, area: Rect, d: &EscalateDialog, theme: &Theme) {
    let rect = boxed(area, 84, d.chain.targets.len() as u16 + 10);
    let inner = frame_block(frame, rect, "Escalate", theme);
    let w = inner.width as usize;
    let mut top = vec![
        Line::from(truncate(
            &format!(
                "{} {}",
                safe(d.alert.cluster()),
                safe(&matchers_text(d.alert.identity()))
            ),
            w,
        )),
        Line::from(format!("chain {}:", safe(&d.chain.name))),
    ];
    for (i, t) in d.chain.targets.iter().enumerate() {
        if i == d.target {
            top.push(Line::from(Span::styled(
                format!("  ▶ {}", safe(t)),
                theme.style(Role::Selection),
            )));
        } else {
            top.push(Line::from(Span::styled(
                format!("    {}", safe(t)),
                theme.style(Role::Muted),
            )));
        }
    }
    top.push(Line::from("note:"));
    let parts = split(inner, &[top.len() as u16, 3]);
    frame.render_widget(Paragraph::new(top), parts[0]);
    textarea(frame, parts[1], &d.note, theme);
    frame.render_widget(
        Paragraph::new(keys_line("Enter escalate · Tab target · Esc cancel", theme)),
        parts[2],
    );
}

/// Markdown as lines: headings, list items, code blocks; everything else as text.
pub fn markdown(text: &str, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut code = false;
    for raw in text.lines() {
        let line = safe(raw).into_owned();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            code = !code;
            continue;
        }
        if code {
            out.push(Line::from(Span::styled(
                format!("  {line}"),
                theme.style(Role::Match),
            )));
        } else if let Some(h) = trimmed.strip_prefix('#') {
            out.push(Line::from(Span::styled(
                h.trim_start_matches('#').trim().to_string(),
                theme.style(Role::Title).add_modifier(Modifier::BOLD),
            )));
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            let indent = line.len() - trimmed.len();
            out.push(Line::from(format!("{}• {item}", " ".repeat(indent))));
        } else {
            out.push(Line::from(line));
        }
    }
    out
}

fn runbook(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    text: Option<&Result<String, String>>,
    scroll: usize,
    theme: &Theme,
) {
    let rect = boxed(area, 100, area.height);
    let inner = frame_block(frame, rect, &truncate(&safe(title), 60), theme);
    let parts = split(inner, &[inner.height.saturating_sub(1)]);
    let lines = match text {
        None => vec![Line::from("reading…")],
        Some(Err(e)) => vec![Line::from(Span::styled(
            safe(e).into_owned(),
            theme.style(Role::Error),
        ))],
        Some(Ok(t)) => markdown(t, theme),
    };
    let total = lines.len();
    let shown: Vec<Line> = lines.into_iter().skip(scroll).collect();
    // Wrapped, not cut: a table wider than the screen (the timeline's) is still all there.
    frame.render_widget(
        Paragraph::new(shown).wrap(ratatui::widgets::Wrap { trim: false }),
        parts[0],
    );
    let at = format!(
        "line {} of {total} · j/k PgDn PgUp g G scroll · Esc close",
        (scroll + 1).min(total)
    );
    frame.render_widget(Paragraph::new(keys_line(&at, theme)), parts[1]);
}

fn link_rect(area: Rect) -> Rect {
    boxed(area, 90, 6)
}

/// Where the link text is drawn, so the cockpit can write the OSC 8 sequence over it:
/// (x, y, visible text).
pub fn link_anchor(area: Rect, state: &State) -> Option<(u16, u16, String)> {
    let Some(View::Link { url }) = &state.acts.view else {
        return None;
    };
    if state.acts.dialog.is_some() {
        return None;
    }
    let inner = Block::bordered().inner(link_rect(area));
    let text = truncate(&safe(url), inner.width as usize);
    // ratatui drew exactly this text there; only write the link when nothing was cut
    (text == *url).then_some((inner.x, inner.y + 1, text))
}

fn link(frame: &mut Frame, area: Rect, url: &str, theme: &Theme) {
    let inner = frame_block(frame, link_rect(area), "Runbook", theme);
    let w = inner.width as usize;
    frame.render_widget(
        Paragraph::new(vec![
            Line::from("remote runbook (over SSH, open it on your machine):"),
            Line::from(Span::styled(
                truncate(&safe(url), w),
                theme.style(Role::Match).add_modifier(Modifier::UNDERLINED),
            )),
            keys_line("c copy the URL (OSC 52) · Esc close", theme),
        ]),
        inner,
    );
}

/// One audit JSON line as `time user action cluster target outcome detail`.
pub fn audit_line(raw: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) else {
        return safe(raw).into_owned();
    };
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let what = if s("target").is_empty() {
        v.get("matchers").map(|m| m.to_string()).unwrap_or_default()
    } else {
        s("target")
    };
    let time = s("time")
        .chars()
        .take(19)
        .collect::<String>()
        .replace('T', " ");
    safe(&format!(
        "{time} {} {} {} {what} {} {}",
        s("user"),
        s("action"),
        s("cluster"),
        s("outcome"),
        s("detail")
    ))
    .trim_end()
    .to_string()
}

fn audit(
    frame: &mut Frame,
    area: Rect,
    lines: Option<&Result<Vec<String>, String>>,
    scroll: usize,
    theme: &Theme,
) {
    let rect = boxed(area, area.width, area.height);
    let inner = frame_block(frame, rect, "Audit log", theme);
    let parts = split(inner, &[inner.height.saturating_sub(1)]);
    let h = parts[0].height as usize;
    let body: Vec<Line> = match lines {
        None => vec![Line::from("reading…")],
        Some(Err(e)) => vec![Line::from(Span::styled(
            safe(e).into_owned(),
            theme.style(Role::Error),
        ))],
        Some(Ok(l)) if l.is_empty() => vec![Line::from("no actions yet")],
        Some(Ok(l)) => {
            // `scroll` is the last record shown; the newest is at the bottom. Each record is
            // wrapped, not cut, and the view ends with the last one.
            let end = (scroll + 1).min(l.len());
            let start = end.saturating_sub(h);
            let wrapped: Vec<String> = l[start..end]
                .iter()
                .flat_map(|r| wrap(&audit_line(r), parts[0].width as usize))
                .collect();
            let skip = wrapped.len().saturating_sub(h);
            wrapped.into_iter().skip(skip).map(Line::from).collect()
        }
    };
    let total = lines.and_then(|l| l.as_ref().ok()).map_or(0, Vec::len);
    frame.render_widget(Paragraph::new(body), parts[0]);
    let at = format!(
        "record {} of {total} · j/k PgDn PgUp g G scroll · Esc close",
        (scroll + 1).min(total)
    );
    frame.render_widget(Paragraph::new(keys_line(&at, theme)), parts[1]);
}
