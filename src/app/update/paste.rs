//! Pasted text: a bracketed paste, or what was typed while the cockpit was stopped. It goes into
//! the line or dialog field being typed and never confirms anything; with nothing being typed it
//! is dropped, because an action needs its own keypress — a shell line pasted or typed into the
//! wrong window must not ack, escalate or quit.

use crate::app::acts::Dialog;
use crate::app::line_edit::LineEdit;
use crate::app::msg::Effect;
use crate::app::state::State;

pub(super) fn on_paste(state: &mut State, text: &str) -> Vec<Effect> {
    if text.is_empty() {
        return Vec::new();
    }
    // One line holds it all: a newline inserted as a newline would read as Enter to a user.
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if let Some(input) = state.input.as_mut() {
        input.edit.insert_str(&clean);
        state.input_error = None;
    } else if let Some(field) = dialog_field(state) {
        field.insert_str(&clean);
    } else {
        state.status = Some(format!(
            "pasted text ignored ({} chars): an action needs its own keypress",
            text.chars().count()
        ));
    }
    Vec::new()
}

/// The open action dialog's text field: the ack comment, the escalation note, the silence's
/// focused field.
fn dialog_field(state: &mut State) -> Option<&mut LineEdit> {
    match state.acts.dialog.as_mut()? {
        Dialog::Ack(d) => Some(&mut d.comment),
        Dialog::Escalate(d) => Some(&mut d.note),
        Dialog::Silence(d) => Some(d.focused()),
        Dialog::Unack(_) => None,
    }
}
