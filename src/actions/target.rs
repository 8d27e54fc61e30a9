//! Where an action goes: the configured escalation targets, and how often a failed delivery is
//! tried again.

use crate::config::secret::Secret;
use crate::domain::alerts::Labels;
use crate::sources::pagerduty::PagerDutyClient;
use crate::sources::webhook::JsonPoster;
use std::time::Duration;
use url::Url;

/// One configured escalation target, ready to send.
#[derive(Clone)]
pub enum Target {
    PagerDuty {
        client: PagerDutyClient,
        routing_key: Secret,
    },
    Webhook {
        url: Url,
        poster: JsonPoster,
        body: Option<String>,
    },
    Alertmanager {
        cluster: Option<String>,
        labels: Labels,
    },
    Command {
        argv: Vec<String>,
        timeout: Duration,
    },
    /// Could not be set up (a secret missing): escalating to it fails with this reason.
    Unavailable(String),
}

/// A webhook's URL is shown without its credentials, query and fragment (they may hold a token).
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::PagerDuty { client, .. } => f
                .debug_struct("PagerDuty")
                .field("client", client)
                .finish_non_exhaustive(),
            Target::Webhook { url, .. } => f
                .debug_struct("Webhook")
                .field("url", &crate::sources::http::display_url(url))
                .finish_non_exhaustive(),
            Target::Alertmanager { cluster, labels } => f
                .debug_struct("Alertmanager")
                .field("cluster", cluster)
                .field("labels", labels)
                .finish(),
            Target::Command { argv, timeout } => f
                .debug_struct("Command")
                .field("argv", argv)
                .field("timeout", timeout)
                .finish(),
            Target::Unavailable(why) => f.debug_tuple("Unavailable").field(why).finish(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    pub initial: Duration,
    pub max: Duration,
    /// Give up this long after the action was requested.
    pub retry_for: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
            retry_for: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    pub fn backoff(&self, failures: u32) -> Duration {
        let exp = self
            .initial
            .saturating_mul(1 << failures.saturating_sub(1).min(16));
        exp.min(self.max)
    }
}
