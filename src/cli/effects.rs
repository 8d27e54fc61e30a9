//! The effect runner: performs what `app::update` asks for (send an action, open a runbook,
//! write the timeline, notify, poll now…) and answers only with `Msg`s for the reducer. It
//! never touches the state; the cockpit loop feeds its answers back through `update`.

use crate::actions;
use crate::app::{Effect, Msg};
use crate::config::Config;
use crate::domain::act::{ActionResult, Outcome};
use crate::poll::{self, PollerHandle};
use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// What performs effects outside the screen: the executor and the channel its results come
/// back on, the timeline file, the notifier.
pub struct Runner {
    /// The incident timeline file (`Effect::Record`, `:timeline`) and when it rotates.
    pub timeline: PathBuf,
    pub timeline_rotation: actions::timeline::Rotation,
    /// Desktop, bell and OSC notifications (`Effect::Notify`).
    pub notifier: super::notify::Notifier,
    pub executor: actions::Executor,
    pub results: UnboundedReceiver<ActionResult>,
    /// Where local runbooks may be read from (`Effect::ReadRunbook` is checked against it).
    pub runbook_dir: Option<PathBuf>,
    /// Opens runbook and trace URLs (`Effect::OpenUrl`).
    pub opener: actions::opener::Opener,
    /// What an effect has to say after it was performed (an opener that exited non-zero):
    /// sent on `later_tx`, read by the cockpit loop from `later`.
    pub later_tx: UnboundedSender<Msg>,
    pub later: UnboundedReceiver<Msg>,
}

/// What an effect may reach besides the runner: the terminal (OSC 52, OSC notifications) and
/// the pollers (refresh now, retarget a log source).
pub struct Reach<'a, W: Write> {
    pub terminal: &'a mut W,
    pub pollers: &'a mut [PollerHandle],
    pub wake: &'a Arc<Notify>,
    pub config: &'a Config,
    /// A read-only cockpit (the wall) sends nothing, whatever asks.
    pub read_only: bool,
    pub now: DateTime<Utc>,
}

impl Runner {
    /// Performs one effect; what it has to tell the reducer comes back as messages.
    /// `Effect::Quit` is the loop's to act on and is ignored here.
    pub fn perform<W: Write>(&mut self, effect: Effect, reach: &mut Reach<'_, W>) -> Vec<Msg> {
        match effect {
            Effect::Quit => Vec::new(),
            Effect::Act(req) => {
                if reach.read_only {
                    return Vec::new();
                }
                match self.executor.submit((*req).clone()) {
                    Ok(()) => Vec::new(),
                    Err(e) => vec![Msg::ActionResult(ActionResult {
                        request: *req,
                        outcome: Outcome::Failed(format!("not queued: {e}")),
                    })],
                }
            }
            Effect::OpenUrl(url) => self.open_url(url),
            Effect::ReadRunbook(path) => {
                let title = path.display().to_string();
                let result = actions::runbook::read(&path, self.runbook_dir.as_deref());
                vec![Msg::RunbookText { title, result }]
            }
            Effect::Copy(text) => {
                let _ = actions::osc::write_osc52(reach.terminal, &text);
                Vec::new()
            }
            Effect::LoadAudit => {
                let lines = actions::audit::AuditLog::tail(self.executor.audit_path(), 2000);
                vec![Msg::AuditLines(lines)]
            }
            Effect::Refresh(ids) => {
                for p in reach
                    .pollers
                    .iter()
                    .filter(|p| ids.is_empty() || ids.contains(&p.id))
                {
                    p.refresh_now();
                }
                Vec::new()
            }
            Effect::Record(entry) => {
                // Losing a timeline line must not stop the cockpit; the footer says so.
                match actions::timeline::append(&self.timeline, &[entry], self.timeline_rotation) {
                    Ok(()) => Vec::new(),
                    Err(e) => vec![Msg::Notice(format!(
                        "timeline: cannot write {}: {e}",
                        self.timeline.display()
                    ))],
                }
            }
            Effect::LoadTimeline => {
                let since = reach.now - chrono::Duration::hours(24);
                let result = actions::timeline::read(&self.timeline)
                    .map(|(entries, _)| {
                        crate::domain::timeline::export_markdown(&entries, since, reach.now)
                    })
                    .map_err(|e| format!("cannot read {}: {e}", self.timeline.display()));
                let title = "incident timeline, last 24 h".to_string();
                vec![Msg::RunbookText { title, result }]
            }
            Effect::Notify { title, body } => {
                self.notifier.notify(&title, &body, reach.terminal);
                Vec::new()
            }
            Effect::OpenAlertLogs { queries, since } => {
                let fresh =
                    poll::log_build::retarget(reach.config, reach.wake.clone(), &queries, since);
                for h in fresh {
                    if let Some(slot) = reach.pollers.iter_mut().find(|p| p.id == h.id) {
                        *slot = h;
                    }
                }
                Vec::new()
            }
        }
    }

    /// Starts the opener on `url`; a failure to start is answered now, a non-zero exit later
    /// (on `later`), both as `Msg::OpenFailed`.
    fn open_url(&self, url: String) -> Vec<Msg> {
        let child = match self.opener.spawn(&url) {
            Ok(child) => child,
            Err(why) => {
                tracing::warn!("{why}");
                return vec![Msg::OpenFailed { url, why }];
            }
        };
        let (opener, tx) = (self.opener.clone(), self.later_tx.clone());
        tokio::spawn(async move {
            if let Err(why) = opener.wait(child).await {
                tracing::warn!("{why}");
                // The cockpit may have quit meanwhile: nobody left to tell.
                let _ = tx.send(Msg::OpenFailed { url, why });
            }
        });
        Vec::new()
    }
}
