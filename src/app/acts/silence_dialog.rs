//! `c` in `:silences`: a new silence on every cluster. Matchers as the filter writes them
//! (prefilled from the alert filter), a duration or an end, a required comment; a live preview
//! of the alerts it would silence now, with a warning above `WARN_ABOVE` and when it takes none.

use super::{ActKind, Dialog, request};
use crate::app::line_edit::LineEdit;
use crate::app::msg::Effect;
use crate::app::state::State;
use crate::domain::alerts::Matcher;
use crate::domain::keymap::{Key, KeyCode};
use crate::domain::silence_list::{compile, matches_all};
use crate::domain::silence_spec::{parse_matchers, parse_when};
use chrono::{DateTime, Duration, Local, Utc};

/// More alerts than this under a new silence is worth a second look before Enter.
pub const WARN_ABOVE: usize = 20;

#[derive(Debug)]
pub struct SilenceDialog {
    pub matchers: LineEdit,
    /// `2h`, or an end: `14:00`, `2026-12-04 02:00`.
    pub length: LineEdit,
    pub comment: LineEdit,
    /// 0 matchers, 1 length, 2 comment.
    pub field: usize,
}

impl SilenceDialog {
    /// The field being typed in.
    pub fn focused(&mut self) -> &mut LineEdit {
        match self.field {
            0 => &mut self.matchers,
            1 => &mut self.length,
            _ => &mut self.comment,
        }
    }
}

/// What the dialog would do now: the matchers read, the end, the alerts taken (their names,
/// the first few), or why it cannot.
#[derive(Debug, PartialEq)]
pub struct Preview {
    pub matchers: Result<Vec<Matcher>, String>,
    pub ends_at: Result<DateTime<Utc>, String>,
    pub matching: usize,
    pub names: Vec<String>,
}

/// From `:silences`: the matchers are the alert filter's, when it is only label matchers
/// (where the engineer already is).
pub fn open(state: &mut State) {
    let filter = state.alert_filter.trim();
    let prefill = if !filter.is_empty() && parse_matchers(&[filter.to_string()]).is_ok() {
        filter.to_string()
    } else {
        String::new()
    };
    open_with(state, &prefill);
}

/// The dialog with `prefill` as its matchers (the comment is next when there are some).
pub fn open_with(state: &mut State, prefill: &str) {
    state.acts.dialog = Some(Dialog::Silence(SilenceDialog {
        matchers: LineEdit::with_text(prefill),
        length: LineEdit::with_text("2h"),
        comment: LineEdit::new(),
        field: if prefill.is_empty() { 0 } else { 2 },
    }));
}

pub fn preview(state: &State, d: &SilenceDialog) -> Preview {
    let matchers = parse_matchers(&[d.matchers.text().to_string()]);
    let length = d.length.text().trim();
    let ends_at = match crate::domain::duration::parse(length) {
        Ok(span) => Duration::from_std(span)
            .map(|s| state.now + s)
            .map_err(|e| e.to_string()),
        Err(_) => parse_when(length, state.now, &Local),
    }
    .and_then(|end| {
        if end > state.now {
            Ok(end)
        } else {
            Err("the end is already past".to_string())
        }
    });
    let mut names = Vec::new();
    let mut matching = 0;
    if let Some(compiled) = matchers.as_ref().ok().and_then(|m| compile(m)) {
        for a in state.deduped.values().flatten() {
            if matches_all(&compiled, &a.alert.labels) {
                matching += 1;
                if names.len() < 5 {
                    names.push(crate::domain::timeline::alert_name(a.identity()));
                }
            }
        }
    }
    Preview {
        matchers,
        ends_at,
        matching,
        names,
    }
}

/// Keys while the dialog is open (Esc was handled by the caller).
pub fn key(state: &mut State, mut d: SilenceDialog, key: Key) -> Vec<Effect> {
    match key.code {
        KeyCode::Tab => d.field = (d.field + 1) % 3,
        KeyCode::BackTab => d.field = (d.field + 2) % 3,
        KeyCode::Enter => return confirm(state, d),
        _ => {
            d.focused().key(key);
        }
    }
    state.acts.dialog = Some(Dialog::Silence(d));
    Vec::new()
}

fn confirm(state: &mut State, d: SilenceDialog) -> Vec<Effect> {
    let p = preview(state, &d);
    let problem = match (&p.matchers, &p.ends_at) {
        (Err(e), _) | (_, Err(e)) => Some(e.clone()),
        _ if d.comment.text().trim().is_empty() => {
            Some("a comment is required: say why, for whoever reads it later".into())
        }
        _ if state.read_only => Some("read-only: no silence is made here".into()),
        _ => None,
    };
    if let Some(why) = problem {
        state.status = Some(format!("silence: {why}"));
        state.acts.dialog = Some(Dialog::Silence(d));
        return Vec::new();
    }
    let (Ok(matchers), Ok(ends_at)) = (p.matchers, p.ends_at) else {
        return Vec::new();
    };
    // Every configured cluster, answering or not: one that is down gets it when it is back.
    let clusters: Vec<String> = state
        .sources
        .iter()
        .filter(|h| h.id.kind == crate::domain::health::SourceKind::Alertmanager)
        .map(|h| h.id.name.clone())
        .collect();
    let mut effects = Vec::new();
    for cluster in clusters {
        effects.push(request(
            state,
            ActKind::Silence {
                cluster,
                replaces: None,
                matchers: matchers.clone(),
                starts_at: state.now,
                ends_at,
                comment: d.comment.text().trim().to_string(),
            },
        ));
    }
    state.status = Some(format!(
        "silence sent to {} cluster(s), {} alert(s) matched now",
        effects.len(),
        p.matching
    ));
    effects
}
