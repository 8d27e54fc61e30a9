//! Messages into the reducer and the effects it asks the runtime to perform.

use crate::domain::health::SourceId;
pub use crate::domain::publish::{
    ClusterSnapshot, LogWindow, Payload, ReplicaStatus, SloSample, SloWindow, SourceUpdate,
};
use chrono::{DateTime, Utc};

use crate::domain::keymap::Key;

#[derive(Clone, Debug)]
pub enum Msg {
    /// The 1 Hz tick: clocks and ages move.
    Tick,
    Key(Key),
    Resize {
        width: u16,
        height: u16,
    },
    /// A poller published a snapshot.
    Source(SourceUpdate),
    /// The executor's news about an action (queued, retrying, done, failed).
    ActionResult(super::acts::ActionResult),
    /// A local runbook read for the in-cockpit view (over SSH).
    RunbookText {
        title: String,
        result: Result<String, String>,
    },
    /// Something the shell has to tell the user in the footer (an outbox or timeline file that
    /// cannot be written, a theme that cannot be loaded).
    Notice(String),
    /// The newest audit log lines, for `:audit`.
    AuditLines(Result<Vec<String>, String>),
    /// The system opener could not open `url` (`Effect::OpenUrl`): `why` is the phrase for
    /// the footer, e.g. "no browser opener (xdg-open: not found)".
    OpenFailed {
        url: String,
        why: String,
    },
    /// Text that arrived as a whole: a bracketed paste, or what was typed while the cockpit was
    /// stopped. It is only ever text, never keys: it cannot act.
    Pasted(String),
}

/// What `update` asks the runtime to do; performed outside the reducer.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Quit,
    /// Poll these sources now (all when empty).
    Refresh(Vec<SourceId>),
    /// Append an entry to the incident timeline (JSON lines in the state dir).
    Record(crate::domain::timeline::Entry),
    /// Export the timeline of the last 24 h as markdown and answer with `Msg::RunbookText`.
    LoadTimeline,
    /// Tell the on-call engineer about new page-worthy alerts (desktop, bell, OSC 9/777;
    /// `[notify]`). Unsanitised backend text: the performer sanitises for its channel.
    Notify {
        title: String,
        body: String,
    },
    /// Hand an action to the executor (outbox first, then sent, retried, audited).
    Act(Box<super::acts::ActionRequest>),
    /// Open a checked runbook URL with the system opener (an argument, never a shell); when it
    /// cannot, the answer is `Msg::OpenFailed`.
    OpenUrl(String),
    /// Read a checked local runbook file and answer with `Msg::RunbookText`.
    ReadRunbook(std::path::PathBuf),
    /// Copy text to the user's clipboard through the terminal (OSC 52).
    Copy(String),
    /// Read the audit log's newest lines and answer with `Msg::AuditLines`.
    LoadAudit,
    /// Restart these log sources on the alert's queries, from `since`, then tailing.
    OpenAlertLogs {
        queries: Vec<(SourceId, String)>,
        since: DateTime<Utc>,
    },
}
