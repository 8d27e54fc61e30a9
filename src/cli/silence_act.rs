//! `onwatch silence add|extend|expire`: the cockpit's way of acting, headless. Each request is
//! written to the outbox, sent by the executor (retried, audited, never twice), and waited for;
//! one not delivered in time stays in the outbox for the next cockpit started here.

use super::{Cli, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, ListFormat, SilenceActArgs, SilenceCommand};
use crate::actions;
use crate::app::{self, Msg, State, SystemClock};
use crate::config::Config;
use crate::domain::act::{ActKind, ActionRequest, Outcome};
use crate::domain::alerts::Silence;
use crate::domain::silence_spec::{parse_matchers, parse_when};
use crate::poll;
use crate::ui::text::safe;
use chrono::{Duration, Local, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// A silence lasts this long when neither --duration nor --end is given (as amtool's).
const DEFAULT_DURATION: Duration = Duration::hours(1);

pub async fn run(cli: &Cli, config: &Config, command: SilenceCommand) -> i32 {
    match command {
        SilenceCommand::List {
            format,
            expired,
            cluster,
        } => super::silence::list(cli, config, format, expired, cluster.as_deref()).await,
        SilenceCommand::Add {
            matchers,
            comment,
            start,
            duration,
            end,
            act,
        } => {
            let made = (|| {
                let matchers = parse_matchers(&matchers)?;
                let now = Utc::now();
                let starts_at = parse_when(&start, now, &Local)?;
                let ends_at = match (&end, duration) {
                    (Some(end), _) => parse_when(end, now, &Local)?,
                    (None, Some(d)) => {
                        starts_at + Duration::from_std(d).map_err(|e| e.to_string())?
                    }
                    (None, None) => starts_at + DEFAULT_DURATION,
                };
                if ends_at <= starts_at.max(now) {
                    return Err(
                        "the silence would end before it starts (or already ended)".to_string()
                    );
                }
                if comment.trim().is_empty() {
                    return Err("--comment is required: say why, for whoever reads it later".into());
                }
                Ok((matchers, starts_at, ends_at))
            })();
            let (matchers, starts_at, ends_at) = match made {
                Ok(m) => m,
                Err(e) => return refuse(&e),
            };
            let Some(clusters) = clusters(config, act.cluster.as_deref()) else {
                return EXIT_CONFIG;
            };
            let kinds = clusters
                .into_iter()
                .map(|cluster| ActKind::Silence {
                    cluster,
                    replaces: None,
                    matchers: matchers.clone(),
                    starts_at,
                    ends_at,
                    comment: comment.trim().to_string(),
                })
                .collect();
            send(cli, config, kinds, &act).await
        }
        SilenceCommand::Extend {
            id,
            for_,
            until,
            comment,
            act,
        } => {
            let found = match find(
                cli,
                config,
                std::slice::from_ref(&id),
                act.cluster.as_deref(),
            )
            .await
            {
                Ok(f) => f,
                Err(code) => return code,
            };
            let Some((cluster, s)) = found.into_iter().next() else {
                return EXIT_FAILURE;
            };
            let now = Utc::now();
            let ends_at = match (until, for_) {
                (Some(t), _) => match parse_when(&t, now, &Local) {
                    Ok(t) => t,
                    Err(e) => return refuse(&e),
                },
                (None, Some(d)) => now + Duration::from_std(d).unwrap_or(DEFAULT_DURATION),
                (None, None) => return refuse("give --for 2h or --until TIME"),
            };
            if ends_at <= now {
                return refuse("the new end is already past");
            }
            let kind = ActKind::Silence {
                cluster,
                replaces: Some(s.id.clone()),
                matchers: s.matchers.clone(),
                starts_at: s.starts_at,
                ends_at,
                comment: comment.unwrap_or_else(|| s.comment.clone()),
            };
            send(cli, config, vec![kind], &act).await
        }
        SilenceCommand::Expire { ids, act } => {
            let found = match find(cli, config, &ids, act.cluster.as_deref()).await {
                Ok(f) => f,
                Err(code) => return code,
            };
            let kinds = found
                .into_iter()
                .map(|(cluster, s)| ActKind::Expire {
                    cluster,
                    silence_id: s.id,
                })
                .collect();
            send(cli, config, kinds, &act).await
        }
    }
}

fn refuse(why: &str) -> i32 {
    eprintln!("onwatch silence: {why}");
    EXIT_CONFIG
}

/// The clusters a new silence goes to: `only`, or every configured one.
fn clusters(config: &Config, only: Option<&str>) -> Option<Vec<String>> {
    let all: Vec<String> = config.alertmanager.iter().map(|a| a.name.clone()).collect();
    match only {
        None if all.is_empty() => {
            eprintln!("onwatch silence: the config has no [[alertmanager]]");
            None
        }
        None => Some(all),
        Some(name) if all.iter().any(|a| a == name) => Some(vec![name.to_string()]),
        Some(name) => {
            eprintln!(
                "onwatch silence: no [[alertmanager]] named {name:?} (configured: {})",
                all.join(", ")
            );
            None
        }
    }
}

/// Each of `ids` with the cluster that holds it, read from one poll of the clusters; an id
/// found nowhere is said and fails the command before anything is sent.
async fn find(
    cli: &Cli,
    config: &Config,
    ids: &[String],
    only: Option<&str>,
) -> Result<Vec<(String, Silence)>, i32> {
    let polled = super::silence::alertmanagers_only(config, only).ok_or(EXIT_CONFIG)?;
    let names: Vec<&str> = polled
        .alertmanager
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    let mut state = super::headless_state(cli, config)?;
    for update in poll::poll_once_all(&polled).await {
        if let Err(e) = &update.result {
            eprintln!("onwatch silence: {}: {e}", update.source);
        }
        app::update(&mut state, Msg::Source(update), &SystemClock);
    }
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        let hit = state.clusters.iter().find_map(|(cluster, snap)| {
            snap.silences
                .iter()
                .find(|s| &s.id == id)
                .map(|s| (cluster.clone(), s.clone()))
        });
        match hit {
            Some(h) => found.push(h),
            None => missing.push(id.as_str()),
        }
    }
    if !missing.is_empty() {
        eprintln!(
            "onwatch silence: no silence {} on {}",
            missing.join(", "),
            names.join(", ")
        );
        return Err(EXIT_FAILURE);
    }
    Ok(found)
}

/// What became of one request.
#[derive(Serialize)]
struct Sent {
    cluster: String,
    action: &'static str,
    /// `done`, `failed`, or `queued` (not delivered within --wait; kept in the outbox).
    outcome: &'static str,
    /// The silence id (done), else the reason.
    detail: String,
}

/// Submits every request, then waits for each to be done or failed, up to `act.wait`.
async fn send(cli: &Cli, config: &Config, kinds: Vec<ActKind>, act: &SilenceActArgs) -> i32 {
    let state: State = match super::headless_state(cli, config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if state.read_only {
        return refuse("read-only (--read-only or --wall): nothing is sent");
    }
    let ssh = std::env::var("SSH_CONNECTION")
        .ok()
        .filter(|v| !v.is_empty());
    let exec_config = match actions::build(config, ssh.as_deref()) {
        Ok(b) => b,
        Err(e) => return refuse(&e),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let executor = match actions::Executor::new(exec_config, tx) {
        Ok(x) => x,
        Err(e) => return refuse(&e.to_string()),
    };
    let mut waiting: BTreeMap<String, Sent> = BTreeMap::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        let req = ActionRequest {
            id: format!(
                "{}-cli{}-{i}",
                Utc::now().timestamp_millis(),
                std::process::id()
            ),
            created_at: Utc::now(),
            user: state.user.clone(),
            kind,
        };
        let sent = Sent {
            cluster: req.kind.cluster().to_string(),
            action: req.kind.name(),
            outcome: "queued",
            detail: "not delivered yet".into(),
        };
        if let Err(e) = executor.submit(req.clone()) {
            return refuse(&format!("outbox: {e}"));
        }
        waiting.insert(req.id, sent);
    }
    let deadline = tokio::time::Instant::now() + act.wait;
    while waiting.values().any(|s| s.outcome == "queued") {
        let Ok(Some(result)) = tokio::time::timeout_at(deadline, rx.recv()).await else {
            break;
        };
        let Some(sent) = waiting.get_mut(&result.request.id) else {
            continue;
        };
        match result.outcome {
            Outcome::Done(id) => (sent.outcome, sent.detail) = ("done", id),
            Outcome::Failed(why) => (sent.outcome, sent.detail) = ("failed", why),
            Outcome::Retrying(why) => sent.detail = format!("retrying: {why}"),
            Outcome::Queued => {}
        }
    }
    drop(executor); // what was not delivered stays in the outbox
    let all_done = waiting.values().all(|s| s.outcome == "done");
    let sent: Vec<&Sent> = waiting.values().collect();
    match act.format {
        ListFormat::Json => match serde_json::to_string_pretty(&sent) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("onwatch silence: {e}"),
        },
        ListFormat::Text => {
            for s in &sent {
                let line = match s.outcome {
                    "done" => format!("{}: {} done: {}", s.cluster, s.action, s.detail),
                    "failed" => format!("{}: {} failed: {}", s.cluster, s.action, s.detail),
                    _ => format!(
                        "{}: {} not delivered within {} ({}); kept in the outbox, the next cockpit started here sends it",
                        s.cluster,
                        s.action,
                        crate::domain::duration::label(act.wait),
                        s.detail
                    ),
                };
                println!("{}", safe(&line));
            }
        }
    }
    if all_done { EXIT_OK } else { EXIT_FAILURE }
}
