//! `:silences`: one row per silence of every cluster, active, then pending, then (on `x`) the
//! ones expired in the last day. Only the rows that fit are laid out.

use super::text::{safe, truncate};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::app::acts::silence_dialog::{SilenceDialog, WARN_ABOVE, preview};
use crate::app::acts::silences::{SilencesView, rows};
use crate::domain::alerts::SilenceState;
use crate::domain::silence_list::{SilenceKind, SilenceRow, matchers_text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &SilencesView, theme: &Theme) {
    let listed = rows(state, view);
    let count = |s: SilenceState| listed.iter().filter(|r| r.silence.state == s).count();
    let title = format!(
        " Silences: {} active, {} pending{} ",
        count(SilenceState::Active),
        count(SilenceState::Pending),
        if view.expired {
            format!(", {} expired in 24 h", count(SilenceState::Expired))
        } else {
            String::new()
        }
    );
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_style(theme.style(Role::BorderFocus))
        .title(Span::styled(title, theme.style(Role::Title)))
        .style(theme.style(Role::Fg).patch(theme.style(Role::Bg)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let height = inner.height as usize;
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    let body = height.saturating_sub(2);
    lines.push(Line::from(Span::styled(
        truncate(
            &format!(
                "  {:<7} {:<3} {:>11} {:>4} {:<10} {:<8} matchers, comment",
                "state", "", "when", "hits", "by", "cluster"
            ),
            w,
        ),
        theme.style(Role::Muted),
    )));
    if listed.is_empty() {
        lines.push(Line::from(Span::styled(
            "no silences",
            theme.style(Role::Muted),
        )));
    }
    // The cursor's row stays in sight: the window starts where it has to.
    let shown = body.saturating_sub(1);
    let start = view.cursor.saturating_sub(shown.saturating_sub(1));
    for (i, row) in listed.iter().enumerate().skip(start).take(shown) {
        let marked = view
            .marked
            .contains(&(row.cluster.to_string(), row.silence.id.clone()));
        let text = truncate(&row_text(row, marked, state), w);
        let role = if i == view.cursor {
            Role::Selection
        } else if row.silence.state == SilenceState::Expired {
            Role::Muted
        } else {
            Role::Fg
        };
        lines.push(Line::from(Span::styled(text, theme.style(role))));
    }
    while lines.len() < height.saturating_sub(1) {
        lines.push(Line::from(""));
    }
    let keys = match &view.confirm {
        Some(t) => format!("expire {} silence(s)? y: yes, any other key: no", t.len()),
        None => "j/k move · c new · + 1h longer · space mark · e expire · x expired · esc close"
            .to_string(),
    };
    lines.push(Line::from(Span::styled(
        truncate(&keys, w),
        theme.style(Role::FooterKey),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `* active  ack  1h20m left  3 alerts  bob  prod  {alertname="Disk"} comment`.
fn row_text(row: &SilenceRow, marked: bool, state: &State) -> String {
    let s = row.silence;
    let when = row.when(state.now);
    let state_word = row.state_word();
    let kind = match row.kind {
        SilenceKind::Ack => "ack",
        SilenceKind::Silence => "",
    };
    format!(
        "{} {state_word:<7} {kind:<3} {when:>11} {:>4} {:<10} {:<8} {} {}",
        if marked { '*' } else { ' ' },
        row.matching,
        truncate(&safe(&s.created_by), 10),
        truncate(&safe(row.cluster), 8),
        safe(&matchers_text(&s.matchers)),
        safe(&s.comment),
    )
}

/// The new-silence dialog over the view: three fields, the live preview, the keys.
pub fn dialog(frame: &mut Frame, area: Rect, state: &State, d: &SilenceDialog, theme: &Theme) {
    use super::dialog::{boxed, frame_block, keys_line, split, textarea};
    let rect = boxed(area, 90, 19);
    let inner = frame_block(frame, rect, "New silence, every cluster", theme);
    let w = inner.width as usize;
    let p = preview(state, d);
    let label = |i: usize, text: &str| {
        let role = if d.field == i {
            Role::Selection
        } else {
            Role::Muted
        };
        Paragraph::new(Line::from(Span::styled(
            text.to_string(),
            theme.style(role),
        )))
    };
    let parts = split(inner, &[1, 3, 1, 3, 1, 3, 2]);
    frame.render_widget(
        label(
            0,
            "matchers (alertname=Disk, instance=~\"db-.*\", env!=staging):",
        ),
        parts[0],
    );
    textarea(frame, parts[1], &d.matchers, theme);
    frame.render_widget(
        label(1, "for (2h) or until (14:00, 2026-12-04 02:00):"),
        parts[2],
    );
    textarea(frame, parts[3], &d.length, theme);
    frame.render_widget(label(2, "comment (required):"), parts[4]);
    textarea(frame, parts[5], &d.comment, theme);
    let takes = match &p.matchers {
        Err(e) => Line::from(Span::styled(
            truncate(&safe(e), w),
            theme.style(Role::Error),
        )),
        Ok(_) => {
            let role = if p.matching == 0 || p.matching > WARN_ABOVE {
                Role::Degraded
            } else {
                Role::Fg
            };
            let text = match p.matching {
                0 => "matches no alert now".to_string(),
                n => format!(
                    "matches {n} alert{} now{}: {}",
                    if n == 1 { "" } else { "s" },
                    if n > WARN_ABOVE {
                        " (more than 20: check the matchers)"
                    } else {
                        ""
                    },
                    safe(&p.names.join(", "))
                ),
            };
            Line::from(Span::styled(truncate(&text, w), theme.style(role)))
        }
    };
    let ends = match &p.ends_at {
        Ok(end) => Line::from(truncate(
            &format!(
                "from now until {}",
                end.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M %Z")
            ),
            w,
        )),
        Err(e) => Line::from(Span::styled(
            truncate(&safe(e), w),
            theme.style(Role::Error),
        )),
    };
    frame.render_widget(Paragraph::new(vec![takes, ends]), parts[6]);
    frame.render_widget(
        Paragraph::new(keys_line(
            "Enter create · Tab next field · Esc cancel",
            theme,
        )),
        parts[7],
    );
}
