//! The audit log: one JSON line per action event (queued, retrying, done, failed) in
//! `<state_dir>/audit.jsonl`, with every known secret (`secret::known()`: tokens, passwords,
//! routing keys, URL credentials, in every form they travel in) replaced by `***`.

use crate::config::secret;
use crate::domain::act::{ActKind, ActionRequest};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    host: String,
    ssh_client: Option<String>,
    // one writer at a time so lines never interleave
    lock: Mutex<()>,
}

#[derive(Serialize)]
struct Record<'a> {
    time: DateTime<Utc>,
    user: &'a str,
    host: &'a str,
    ssh_client: Option<&'a str>,
    id: &'a str,
    action: &'a str,
    cluster: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    matchers: Option<&'a crate::domain::alerts::Labels>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    silence_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    /// A silence on any matchers, as amtool writes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    silence_matchers: Option<String>,
    outcome: &'a str,
    detail: &'a str,
}

impl AuditLog {
    pub fn new(state_dir: &Path, host: String, ssh_client: Option<String>) -> Self {
        Self {
            path: state_dir.join("audit.jsonl"),
            host,
            ssh_client,
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line; `outcome` is `queued`, `retrying`, `done` or `failed`.
    pub fn record(&self, req: &ActionRequest, outcome: &str, detail: &str) -> Result<(), String> {
        let (matchers, target, silence_id, text) = match &req.kind {
            ActKind::Ack {
                matchers, comment, ..
            } => (Some(matchers), None, None, Some(comment.as_str())),
            ActKind::Unack {
                matchers,
                silence_id,
                ..
            } => (Some(matchers), None, Some(silence_id.as_str()), None),
            ActKind::Extend {
                matchers,
                silence_id,
                ..
            } => (Some(matchers), None, Some(silence_id.as_str()), None),
            ActKind::Escalate {
                labels,
                chain,
                target,
                note,
                ..
            } => (
                Some(labels),
                Some(format!("{chain}/{target}")),
                None,
                Some(note.as_str()),
            ),
            ActKind::PagerdutyAck {
                labels, dedup_key, ..
            } => (
                Some(labels),
                Some(format!("pagerduty acknowledge {dedup_key}")),
                None,
                None,
            ),
            ActKind::Silence {
                replaces, comment, ..
            } => (None, None, replaces.as_deref(), Some(comment.as_str())),
            ActKind::Expire { silence_id, .. } => (None, None, Some(silence_id.as_str()), None),
        };
        let silence_matchers = match &req.kind {
            ActKind::Silence { matchers, .. } => {
                Some(crate::domain::silence_list::matchers_text(matchers))
            }
            _ => None,
        };
        let record = Record {
            time: Utc::now(),
            user: &req.user,
            host: &self.host,
            ssh_client: self.ssh_client.as_deref(),
            id: &req.id,
            action: req.kind.name(),
            cluster: req.kind.cluster(),
            matchers,
            target,
            silence_id,
            text,
            silence_matchers,
            outcome,
            detail,
        };
        // Masked string by string, so the line stays JSON whatever a secret looks like.
        let mut value = serde_json::to_value(&record).map_err(|e| e.to_string())?;
        secret::known().mask_json(&mut value);
        let line = value.to_string();
        let _guard = self
            .lock
            .lock()
            .map_err(|_| "audit lock poisoned".to_string())?;
        let mut f = super::private_fs::open_append(&self.path)
            .map_err(|e| format!("audit log {}: {e}", self.path.display()))?;
        f.write_all(format!("{line}\n").as_bytes())
            .and_then(|_| f.sync_data())
            .map_err(|e| format!("audit log {}: {e}", self.path.display()))
    }

    /// The newest `n` lines.
    pub fn tail(path: &Path, n: usize) -> Result<Vec<String>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let lines: Vec<String> = text.lines().map(str::to_string).collect();
                Ok(lines[lines.len().saturating_sub(n)..].to_vec())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(format!("audit log {}: {e}", path.display())),
        }
    }
}
