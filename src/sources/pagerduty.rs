//! PagerDuty Events API v2 (`POST /v2/enqueue`): the trigger an escalation sends, and the
//! acknowledge that may follow an ack. The routing key is a `Secret`, never in errors or logs.

use super::webhook::{Delivery, JsonPoster};
use crate::config::secret::Secret;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use url::Url;

pub const DEFAULT_BASE: &str = "https://events.pagerduty.com";

/// One alert event, as the reference describes it.
#[derive(Clone, PartialEq)]
pub struct Event {
    pub routing_key: Secret,
    /// `trigger`, `acknowledge` or `resolve`.
    pub event_action: &'static str,
    pub dedup_key: String,
    pub payload: Option<Payload>,
    pub client_url: Option<String>,
    pub links: Vec<Link>,
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("routing_key", &self.routing_key)
            .field("event_action", &self.event_action)
            .field("dedup_key", &self.dedup_key)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Payload {
    pub summary: String,
    pub source: String,
    /// `critical`, `error`, `warning` or `info`.
    pub severity: String,
    pub timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub custom_details: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    pub href: String,
    pub text: String,
}

#[derive(Serialize)]
struct Wire<'a> {
    routing_key: &'a str,
    event_action: &'a str,
    dedup_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<&'a Payload>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_url: Option<&'a str>,
    #[serde(skip_serializing_if = "<[Link]>::is_empty")]
    links: &'a [Link],
}

impl Event {
    /// The request body. Contains the routing key: never log it.
    pub fn to_json(&self) -> String {
        let trigger = self.event_action == "trigger";
        let wire = Wire {
            routing_key: self.routing_key.expose(),
            event_action: self.event_action,
            dedup_key: &self.dedup_key,
            payload: self.payload.as_ref().filter(|_| trigger),
            client: trigger.then_some("onwatch"),
            client_url: self.client_url.as_deref().filter(|_| trigger),
            links: if trigger { &self.links } else { &[] },
        };
        serde_json::to_string(&wire).unwrap_or_default()
    }
}

/// Severity as PagerDuty names it, from the alert's `severity` label.
pub fn severity(label: Option<&str>) -> &'static str {
    match label.map(str::to_ascii_lowercase).as_deref() {
        Some("critical" | "page" | "emergency" | "p1") => "critical",
        Some("error" | "high") => "error",
        Some("warning" | "warn" | "ticket" | "medium" | "p2" | "p3") => "warning",
        Some("info" | "informational" | "low" | "none" | "p4" | "p5") => "info",
        _ => "error",
    }
}

/// Events API client; the base URL is configurable so tests use 127.0.0.1.
#[derive(Clone)]
pub struct PagerDutyClient {
    enqueue: Url,
    poster: JsonPoster,
}

/// The URL without its credentials (Debug output reaches logs and panics).
impl std::fmt::Debug for PagerDutyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PagerDutyClient")
            .field("enqueue", &super::http::display_url(&self.enqueue))
            .finish_non_exhaustive()
    }
}

impl PagerDutyClient {
    pub fn new(base: &str, poster: JsonPoster) -> Result<Self, String> {
        let mut url = Url::parse(base).map_err(|e| format!("PagerDuty URL: {e}"))?;
        crate::config::secret::remember_url(&url);
        if !matches!(url.scheme(), "http" | "https") {
            return Err("PagerDuty URL: only http and https".into());
        }
        url.path_segments_mut()
            .map_err(|_| "PagerDuty URL: cannot be a base".to_string())?
            .pop_if_empty()
            .extend(["v2", "enqueue"]);
        Ok(Self {
            enqueue: url,
            poster,
        })
    }

    pub async fn send(&self, event: &Event) -> Delivery {
        // An answer echoing the request has the key masked by the poster (the key was read
        // through `secret::read`, which remembers it).
        self.poster.post(&self.enqueue, event.to_json()).await
    }
}
