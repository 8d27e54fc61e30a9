//! `:silences`: one row per silence of every cluster, active, then pending, then (on `x`) the
//! ones expired in the last day. Only the rows that fit are laid out.

use super::text::{safe, truncate};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::app::acts::silences::{SilencesView, rows};
use crate::domain::alerts::SilenceState;
use crate::domain::duration;
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
        None => "j/k move · space mark · e expire · x expired · esc close".to_string(),
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
    let span = duration::label(row.time_left(state.now).to_std().unwrap_or_default());
    let when = match s.state {
        SilenceState::Active => format!("{span} left"),
        SilenceState::Pending => format!("in {span}"),
        SilenceState::Expired => format!("{span} ago"),
    };
    let state_word = match s.state {
        SilenceState::Active => "active",
        SilenceState::Pending => "pending",
        SilenceState::Expired => "expired",
    };
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
