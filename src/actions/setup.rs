//! The executor's config and the reducer's `ActsSetup`, from the config file.

use super::executor::{ExecutorConfig, RetryPolicy, Target};
use crate::config::{Config, EscalationTarget, secret};
use crate::domain::act::{ActsSetup, Chain};
use crate::sources::alertmanager::AlertmanagerClient;
use crate::sources::http::HttpClient;
use crate::sources::pagerduty::{self, PagerDutyClient};
use crate::sources::webhook::JsonPoster;
use std::collections::BTreeMap;
use std::time::Duration;

/// The executor's config: every cluster's replicas and every chain's targets, checked.
/// `ssh_connection` is `$SSH_CONNECTION`.
pub fn build(config: &Config, ssh_connection: Option<&str>) -> Result<ExecutorConfig, String> {
    let state_dir = config
        .actions
        .state_dir
        .clone()
        .unwrap_or_else(crate::config::state_dir);
    let mut clusters = BTreeMap::new();
    for am in &config.alertmanager {
        let client = HttpClient::new(&am.http(), config.general.timeout)
            .map_err(|e| format!("alertmanager/{}: {e}", am.name))?
            .with_max_body(config.general.max_response);
        let replicas = am
            .urls
            .iter()
            .map(|u| AlertmanagerClient::new(u, client.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("alertmanager/{}: {e}", am.name))?;
        clusters.insert(am.name.clone(), replicas);
    }
    let poster = JsonPoster::new(config.general.timeout, config.general.max_response)?;
    let mut targets = BTreeMap::new();
    for (i, chain) in config.escalation.iter().enumerate() {
        if config.escalation[..i].iter().any(|c| c.name == chain.name) {
            return Err(format!(
                "escalation {}: two chains have this name",
                chain.name
            ));
        }
        if chain.targets.is_empty() {
            return Err(format!("escalation {}: no targets", chain.name));
        }
        let mut names: Vec<String> = Vec::new();
        for t in &chain.targets {
            let place = format!("escalation {} target {}", chain.name, t.name());
            if names.iter().any(|n| n == t.name()) {
                return Err(format!("{place}: two targets of the chain have this name"));
            }
            let built = match t {
                EscalationTarget::Pagerduty {
                    routing_key, url, ..
                } => pagerduty_target(&place, routing_key, url, &poster)?,
                EscalationTarget::Webhook { url, body, .. } => {
                    let url = url::Url::parse(url).map_err(|e| format!("{place}: url: {e}"))?;
                    // its credentials are masked in whatever the hook answers
                    secret::remember_url(&url);
                    if !matches!(url.scheme(), "http" | "https") {
                        return Err(format!("{place}: url: only http and https"));
                    }
                    Target::Webhook {
                        url,
                        poster: poster.clone(),
                        body: body.clone(),
                    }
                }
                EscalationTarget::Alertmanager {
                    cluster, labels, ..
                } => {
                    if let Some(c) = cluster.as_ref().filter(|c| !clusters.contains_key(*c)) {
                        return Err(format!("{place}: no [[alertmanager]] named {c}"));
                    }
                    Target::Alertmanager {
                        cluster: cluster.clone(),
                        labels: labels.clone(),
                    }
                }
                EscalationTarget::Command { argv, .. } => {
                    if argv.is_empty() {
                        return Err(format!("{place}: argv is empty"));
                    }
                    Target::Command {
                        argv: argv.clone(),
                        timeout: Duration::from_secs(30),
                    }
                }
            };
            targets.insert((chain.name.clone(), t.name().to_string()), built);
            names.push(t.name().to_string());
        }
    }
    let pagerduty_ack = match &config.actions.pagerduty_ack {
        Some(pd) => Some(pagerduty_target(
            "[actions.pagerduty_ack]",
            &pd.routing_key,
            &pd.url,
            &poster,
        )?),
        None => None,
    };
    let exec = ExecutorConfig {
        state_dir,
        clusters,
        targets,
        pagerduty_ack,
        retry: RetryPolicy {
            retry_for: config.actions.retry_for,
            ..RetryPolicy::default()
        },
        host: super::who::host(),
        ssh_client: super::who::ssh_client(ssh_connection),
    };
    Ok(exec)
}

/// The reducer's view of the actions: ack durations, chains by name and their targets' names,
/// the runbook dir, whether runbooks open over SSH. Pure; `build` checks what it names.
pub fn acts_setup(config: &Config, ssh_connection: Option<&str>) -> ActsSetup {
    ActsSetup {
        ack_duration: config.actions.ack_duration,
        until_resolved_step: config.actions.until_resolved_step,
        chains: config
            .escalation
            .iter()
            .map(|chain| Chain {
                name: chain.name.clone(),
                matchers: chain.matchers.clone(),
                targets: chain.targets.iter().map(|t| t.name().to_string()).collect(),
            })
            .collect(),
        runbook_dir: config.runbooks.dir.clone(),
        runbook_annotations: config.runbooks.annotations.clone(),
        over_ssh: ssh_connection.is_some_and(|s| !s.is_empty()),
        nonce: std::process::id(),
        pagerduty_ack: config
            .actions
            .pagerduty_ack
            .as_ref()
            .map(|pd| pd.dedup_key.clone()),
        reposts: config
            .escalation
            .iter()
            .flat_map(|chain| &chain.targets)
            .filter_map(|t| match t {
                EscalationTarget::Alertmanager { labels, .. } => Some(labels.clone()),
                _ => None,
            })
            .collect(),
    }
}

/// A PagerDuty target; reading its routing key makes it one of the secrets masked everywhere.
fn pagerduty_target(
    place: &str,
    routing_key: &crate::config::SecretRef,
    url: &Option<String>,
    poster: &JsonPoster,
) -> Result<Target, String> {
    let base = url.as_deref().unwrap_or(pagerduty::DEFAULT_BASE);
    let client = PagerDutyClient::new(base, poster.clone()).map_err(|e| format!("{place}: {e}"))?;
    // a missing key must not keep the cockpit from starting mid-incident
    Ok(match secret::read(routing_key) {
        Ok(key) => Target::PagerDuty {
            client,
            routing_key: key,
        },
        Err(e) => Target::Unavailable(format!("{place}: routing_key: {e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the cockpit builds from one config: the executor's half and the reducer's.
    fn both(c: &Config, ssh: Option<&str>) -> (ExecutorConfig, ActsSetup) {
        (build(c, ssh).unwrap(), acts_setup(c, ssh))
    }

    fn config(text: &str) -> Config {
        crate::config::parse(text, std::path::Path::new("t.toml")).unwrap()
    }

    #[test]
    fn chains_and_targets_from_the_config() {
        let c = config(
            r#"
[[alertmanager]]
name = "prod"
urls = ["http://127.0.0.1:9093"]

[actions]
ack_duration = "4h"

[[escalation]]
name = "crit"
matchers = { severity = "critical" }
[[escalation.targets]]
type = "pagerduty"
name = "pd"
routing_key = { env = "ONWATCH_TEST_SURELY_UNSET_KEY" }
[[escalation.targets]]
type = "alertmanager"
name = "tier2"
labels = { escalated = "true" }
"#,
        );
        let (exec, acts) = both(&c, Some("10.0.0.1 4000 10.0.0.2 22"));
        assert_eq!(acts.ack_duration, Duration::from_secs(4 * 3600));
        assert!(acts.over_ssh);
        assert_eq!(acts.chains[0].targets, vec!["pd", "tier2"]);
        assert_eq!(exec.ssh_client.as_deref(), Some("10.0.0.1 4000"));
        // a missing routing key does not stop the cockpit: that target fails when used
        match &exec.targets[&("crit".to_string(), "pd".to_string())] {
            Target::Unavailable(why) => {
                assert!(why.contains("ONWATCH_TEST_SURELY_UNSET_KEY"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        let dup = config(
            r#"
[[escalation]]
name = "crit"
[[escalation.targets]]
type = "command"
name = "x"
argv = ["true"]
[[escalation.targets]]
type = "command"
name = "x"
argv = ["true"]
"#,
        );
        assert!(build(&dup, None).unwrap_err().contains("two targets"));
    }

    #[test]
    fn pagerduty_ack_gives_the_reducer_its_template_and_the_executor_its_target() {
        let (exec, acts) = both(&config(""), None);
        assert!(exec.pagerduty_ack.is_none() && acts.pagerduty_ack.is_none());
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        std::fs::write(&key, "R0123\n").unwrap();
        let c = config(&format!(
            "[actions.pagerduty_ack]\nrouting_key = {{ file = {:?} }}\nurl = \"http://127.0.0.1:9\"\n",
            key.display().to_string()
        ));
        let (exec, acts) = both(&c, None);
        assert_eq!(
            acts.pagerduty_ack.as_deref(),
            Some(crate::config::DEFAULT_PAGERDUTY_DEDUP_KEY)
        );
        assert!(matches!(exec.pagerduty_ack, Some(Target::PagerDuty { .. })));
        // the key is masked in the audit log and everywhere else, like an escalation's
        assert_eq!(crate::config::secret::mask("key R0123"), "key ***");
        let missing = config(
            "[actions.pagerduty_ack]\nrouting_key = { env = \"ONWATCH_TEST_SURELY_UNSET_KEY\" }\ndedup_key = \"{{alertname}}\"\n",
        );
        let (exec, acts) = both(&missing, None);
        assert_eq!(acts.pagerduty_ack.as_deref(), Some("{{alertname}}"));
        match exec.pagerduty_ack {
            Some(Target::Unavailable(why)) => {
                assert!(
                    why.starts_with("[actions.pagerduty_ack]: routing_key"),
                    "{why}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}

#[cfg(test)]
mod validation {
    #[test]
    fn zero_ack_duration_is_refused_with_file_line_and_key() {
        let e = crate::config::parse(
            "[actions]\nack_duration = \"0s\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("c.toml:2"), "{e}");
        assert!(e.contains("ack_duration must be greater than 0"), "{e}");
    }

    #[test]
    fn empty_pagerduty_dedup_key_is_refused_with_file_line_and_key() {
        let e = crate::config::parse(
            "[actions.pagerduty_ack]\nrouting_key = { env = \"K\" }\ndedup_key = \" \"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("c.toml:3"), "{e}");
        assert!(
            e.contains("[actions.pagerduty_ack]: dedup_key must not be empty"),
            "{e}"
        );
    }
}
