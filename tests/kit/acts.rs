//! Requests as the cockpit makes them when a key acts.

use onwatch::app::acts::{ActKind, ActionRequest};
use onwatch::domain::alerts::Alert;

/// alice escalates `alert` of cluster prod along chain crit to `target`, with `note`.
pub fn escalation(id: &str, target: &str, alert: &Alert, note: &str) -> ActionRequest {
    ActionRequest {
        id: id.into(),
        created_at: chrono::Utc::now(),
        user: "alice".into(),
        kind: ActKind::Escalate {
            cluster: "prod".into(),
            chain: "crit".into(),
            target: target.into(),
            labels: alert.labels.to_map(),
            annotations: alert.annotations.to_map(),
            starts_at: alert.starts_at,
            generator_url: alert.generator_url.as_deref().map(str::to_string),
            fingerprint: alert.fingerprint.clone(),
            note: note.into(),
        },
    }
}
