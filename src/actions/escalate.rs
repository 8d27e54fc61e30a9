//! What an escalation sends to each kind of target, built from the request alone (so a
//! request resumed from the outbox sends exactly what the first attempt sent).

use crate::config::secret::Secret;
use crate::domain::act::{ActKind, ActionRequest};
use crate::domain::alerts::Labels;
use crate::domain::template::render;
use crate::sources::alertmanager::PostableAlert;
use crate::sources::pagerduty::{self, Event, Link, Payload};

/// The fields of an escalation request.
pub struct Esc<'a> {
    pub user: &'a str,
    pub cluster: &'a str,
    pub chain: &'a str,
    pub target: &'a str,
    pub labels: &'a Labels,
    pub annotations: &'a Labels,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub generator_url: Option<&'a str>,
    pub fingerprint: &'a str,
    pub note: &'a str,
}

impl<'a> Esc<'a> {
    pub fn from(req: &'a ActionRequest) -> Option<Self> {
        match &req.kind {
            ActKind::Escalate {
                cluster,
                chain,
                target,
                labels,
                annotations,
                starts_at,
                generator_url,
                fingerprint,
                note,
            } => Some(Self {
                user: &req.user,
                cluster,
                chain,
                target,
                labels,
                annotations,
                starts_at: *starts_at,
                generator_url: generator_url.as_deref(),
                fingerprint,
                note,
            }),
            _ => None,
        }
    }

    fn alertname(&self) -> &str {
        self.labels
            .get("alertname")
            .map(String::as_str)
            .unwrap_or("alert")
    }

    /// `annotations.summary`, else the alert name and its labels.
    pub fn summary(&self) -> String {
        let s = match self.annotations.get("summary").filter(|s| !s.is_empty()) {
            Some(s) => format!("[{}] {s}", self.alertname()),
            None => format!(
                "{} {}",
                self.alertname(),
                crate::domain::act::matchers_text(self.labels)
            ),
        };
        s.chars().take(1024).collect()
    }

    /// The same alert always gets the same key, so a retry attaches to the alert PagerDuty
    /// already opened instead of opening a second one.
    pub fn dedup_key(&self) -> String {
        let id = crate::domain::act::pagerduty_alert_id(self.fingerprint, self.labels);
        let key = format!("onwatch/{}/{id}", self.cluster);
        key.chars().take(255).collect()
    }

    /// Placeholder values for webhook bodies and command arguments.
    pub fn lookup(&self, name: &str) -> Option<String> {
        if let Some(l) = name.strip_prefix("labels.") {
            return self.labels.get(l).cloned();
        }
        if let Some(a) = name.strip_prefix("annotations.") {
            return self.annotations.get(a).cloned();
        }
        Some(match name {
            "alertname" => self.alertname().to_string(),
            "cluster" => self.cluster.to_string(),
            "note" => self.note.to_string(),
            "user" => self.user.to_string(),
            "summary" => self.summary(),
            "severity" => self.labels.get("severity").cloned().unwrap_or_default(),
            "target" => self.target.to_string(),
            "chain" => self.chain.to_string(),
            "dedup_key" => self.dedup_key(),
            "generator_url" => self.generator_url.unwrap_or("").to_string(),
            "starts_at" => self.starts_at.to_rfc3339(),
            _ => return None,
        })
    }

    fn runbook(&self) -> Option<String> {
        crate::domain::links::runbook_annotation(self.annotations)
            .and_then(|u| crate::domain::links::check(u, None).ok())
            .map(|t| t.url())
    }

    pub fn pagerduty(&self, routing_key: Secret) -> Event {
        let mut details: std::collections::BTreeMap<String, String> = self.labels.clone();
        for (k, v) in [
            ("onwatch_note", self.note),
            ("onwatch_escalated_by", self.user),
        ] {
            if !v.is_empty() && !details.contains_key(k) {
                details.insert(k.to_string(), v.to_string());
            }
        }
        let source = ["instance", "host", "job", "service"]
            .iter()
            .find_map(|k| self.labels.get(*k).filter(|v| !v.is_empty()))
            .cloned()
            .unwrap_or_else(|| self.cluster.to_string());
        let mut links = Vec::new();
        if let Some(rb) = self.runbook() {
            links.push(Link {
                href: rb,
                text: "Runbook".into(),
            });
        }
        if let Some(g) = self.generator_url.filter(|g| g.starts_with("http")) {
            links.push(Link {
                href: g.to_string(),
                text: "Generator".into(),
            });
        }
        Event {
            routing_key,
            event_action: "trigger",
            dedup_key: self.dedup_key(),
            payload: Some(Payload {
                summary: self.summary(),
                source,
                severity: pagerduty::severity(self.labels.get("severity").map(String::as_str))
                    .to_string(),
                timestamp: self
                    .starts_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                component: self
                    .labels
                    .get("service")
                    .or(self.labels.get("job"))
                    .cloned(),
                group: Some(self.cluster.to_string()),
                class: Some(self.alertname().to_string()),
                custom_details: details,
            }),
            client_url: self
                .generator_url
                .filter(|g| g.starts_with("http"))
                .map(str::to_string),
            links,
        }
    }

    /// The webhook body: the template rendered (values JSON-escaped), or a fixed shape.
    pub fn webhook_body(&self, template: Option<&str>) -> String {
        match template {
            Some(t) => render(t, &|k| self.lookup(k), true),
            None => serde_json::json!({
                "event": "escalate",
                "alertname": self.alertname(),
                "cluster": self.cluster,
                "chain": self.chain,
                "target": self.target,
                "summary": self.summary(),
                "labels": self.labels,
                "annotations": self.annotations,
                "note": self.note,
                "user": self.user,
                "starts_at": self.starts_at,
                "generator_url": self.generator_url,
                "dedup_key": self.dedup_key(),
            })
            .to_string(),
        }
    }

    /// The alert again, with the extra labels (a different label set: a new alert that
    /// Alertmanager routes on its own).
    pub fn repost(&self, extra: &Labels) -> PostableAlert {
        let mut labels = self.labels.clone();
        labels.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut annotations = self.annotations.clone();
        annotations.insert("escalated_by".into(), self.user.to_string());
        if !self.note.is_empty() {
            annotations.insert("escalation_note".into(), self.note.to_string());
        }
        PostableAlert {
            labels,
            annotations,
            starts_at: self.starts_at,
            generator_url: self.generator_url.map(str::to_string),
        }
    }

    /// The command's argument vector with placeholders filled (each stays one argument).
    pub fn argv(&self, template: &[String]) -> Vec<String> {
        template
            .iter()
            .map(|a| render(a, &|k| self.lookup(k), false))
            .collect()
    }
}
