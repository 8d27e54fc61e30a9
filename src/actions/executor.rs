//! The executor: takes `ActionRequest`s from the cockpit, stores each in the outbox, sends it
//! on its own task with a timeout, retries with backoff (honouring `Retry-After`), never
//! creating a second silence or PagerDuty alert on a retry, audits every step, and reports
//! back on a channel the cockpit selects on.

use super::audit::AuditLog;
use super::escalate::Esc;
use super::outbox::Outbox;
pub use super::target::{RetryPolicy, Target};
use crate::domain::act::{ActKind, ActionRequest, ActionResult, Outcome};
use crate::domain::alerts::{Labels, Silence, SilenceState};
use crate::domain::health::SourceError;
use crate::sources::alertmanager::{AlertmanagerClient, PostableSilence};
use crate::sources::pagerduty::Event;
use crate::sources::webhook::Delivery;
use chrono::Utc;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How long a delivered ack or un-ack waits for the other replicas to show it.
const GOSSIP_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct ExecutorConfig {
    pub state_dir: PathBuf,
    /// Each cluster's replicas, in the config's order.
    pub clusters: BTreeMap<String, Vec<AlertmanagerClient>>,
    /// (chain, target name) -> target.
    pub targets: BTreeMap<(String, String), Target>,
    /// Where `[actions.pagerduty_ack]` sends its `acknowledge` (a PagerDuty or Unavailable target).
    pub pagerduty_ack: Option<Target>,
    pub retry: RetryPolicy,
    pub host: String,
    pub ssh_client: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("{0}")]
    Outbox(#[from] super::outbox::OutboxError),
}

struct Inner {
    outbox: Outbox,
    audit: AuditLog,
    clusters: BTreeMap<String, Vec<AlertmanagerClient>>,
    targets: BTreeMap<(String, String), Target>,
    pagerduty_ack: Option<Target>,
    retry: RetryPolicy,
    tx: UnboundedSender<ActionResult>,
}

/// Dropping the executor stops its tasks; what they had not delivered stays in the outbox.
pub struct Executor {
    inner: Arc<Inner>,
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
}

impl Drop for Executor {
    fn drop(&mut self) {
        if let Ok(tasks) = self.tasks.lock() {
            for t in tasks.iter() {
                t.abort();
            }
        }
    }
}

enum Fail {
    Retry(String, Option<Duration>),
    Fatal(String),
}

fn classify(e: &SourceError) -> Fail {
    match e {
        SourceError::Http { status, .. }
            if (400..500).contains(status) && *status != 408 && *status != 429 =>
        {
            Fail::Fatal(e.to_string())
        }
        _ => Fail::Retry(e.to_string(), None),
    }
}

fn same_silence(
    s: &Silence,
    matchers: &[crate::domain::alerts::Matcher],
    created_by: &str,
    comment: &str,
) -> bool {
    s.state != SilenceState::Expired
        && s.created_by == created_by
        && s.comment == comment
        && s.matchers.len() == matchers.len()
        && s.matchers.iter().all(|m| matchers.contains(m))
}

impl Executor {
    /// Opens the outbox and the audit log in `state_dir` (created if missing), first taking
    /// group and other access away from what is already there.
    pub fn new(cfg: ExecutorConfig, tx: UnboundedSender<ActionResult>) -> Result<Self, ExecError> {
        let tightened = super::private_fs::tighten(&cfg.state_dir);
        if !tightened.is_empty() {
            tracing::warn!(
                dir = %cfg.state_dir.display(),
                count = tightened.len(),
                "state files were readable by others: now 0600 (directories 0700)"
            );
        }
        let outbox = Outbox::open(&cfg.state_dir)?;
        let audit = AuditLog::new(&cfg.state_dir, cfg.host, cfg.ssh_client);
        Ok(Self {
            inner: Arc::new(Inner {
                outbox,
                audit,
                clusters: cfg.clusters,
                targets: cfg.targets,
                pagerduty_ack: cfg.pagerduty_ack,
                retry: cfg.retry,
                tx,
            }),
            tasks: Mutex::new(Vec::new()),
        })
    }

    pub fn audit_path(&self) -> &Path {
        self.inner.audit.path()
    }

    /// Stores the request in the outbox, then sends it on its own task. Errors only when the
    /// outbox cannot be written (then nothing was sent either).
    pub fn submit(&self, req: ActionRequest) -> Result<(), ExecError> {
        self.inner.outbox.put(&req)?;
        let _ = self.inner.audit.record(&req, "queued", "");
        self.spawn(req);
        Ok(())
    }

    /// Sends everything a previous run left in the outbox; returns how many.
    pub fn resume(&self) -> Result<usize, ExecError> {
        let (pending, bad) = self.inner.outbox.load()?;
        for b in bad {
            tracing::warn!("outbox entry not readable, kept as .bad: {b}");
        }
        let n = pending.len();
        for req in pending {
            let _ = self.inner.tx.send(ActionResult {
                request: req.clone(),
                outcome: Outcome::Queued,
            });
            let _ = self.inner.audit.record(&req, "resumed", "");
            self.spawn(req);
        }
        Ok(n)
    }

    fn spawn(&self, req: ActionRequest) {
        let inner = self.inner.clone();
        let handle = tokio::spawn(async move { inner.run(req).await });
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.retain(|t| !t.is_finished());
            tasks.push(handle.abort_handle());
        }
    }
}

impl Inner {
    async fn run(&self, req: ActionRequest) {
        let mut deadline = req.created_at
            + chrono::Duration::from_std(self.retry.retry_for)
                .unwrap_or(chrono::Duration::hours(1));
        if let ActKind::Ack { ends_at, .. }
        | ActKind::Extend { ends_at, .. }
        | ActKind::Silence { ends_at, .. } = &req.kind
        {
            deadline = deadline.min(*ends_at);
        }
        let mut failures = 0u32;
        loop {
            let outcome = if Utc::now() > deadline
                && failures == 0
                && matches!(req.kind, ActKind::Ack { .. } | ActKind::Silence { .. })
            {
                Err(Fail::Fatal("the silence would already have ended".into()))
            } else {
                self.attempt(&req).await
            };
            match outcome {
                Ok(detail) => return self.finish(req, Outcome::Done(detail)),
                Err(Fail::Fatal(reason)) => return self.finish(req, Outcome::Failed(reason)),
                Err(Fail::Retry(reason, after)) => {
                    failures += 1;
                    if Utc::now() > deadline {
                        let why = format!("gave up after {failures} attempts: {reason}");
                        return self.finish(req, Outcome::Failed(why));
                    }
                    if failures == 1 {
                        let _ = self.audit.record(&req, "retrying", &reason);
                    }
                    let _ = self.tx.send(ActionResult {
                        request: req.clone(),
                        outcome: Outcome::Retrying(reason),
                    });
                    let wait = after.unwrap_or_else(|| self.retry.backoff(failures));
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    fn finish(&self, req: ActionRequest, outcome: Outcome) {
        let (word, detail) = match &outcome {
            Outcome::Done(d) => ("done", d.as_str()),
            Outcome::Failed(d) => ("failed", d.as_str()),
            Outcome::Queued | Outcome::Retrying(_) => ("retrying", ""),
        };
        // audit first: once the outbox entry is gone the audit line is the only record
        if let Err(e) = self.audit.record(&req, word, detail) {
            tracing::warn!("{e}");
        }
        if let Err(e) = self.outbox.remove(&req.id) {
            tracing::warn!("{e}");
        }
        let _ = self.tx.send(ActionResult {
            request: req,
            outcome,
        });
    }

    fn replicas(&self, cluster: &str) -> Result<&[AlertmanagerClient], Fail> {
        self.clusters
            .get(cluster)
            .map(Vec::as_slice)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| Fail::Fatal(format!("no [[alertmanager]] named {cluster}")))
    }

    async fn attempt(&self, req: &ActionRequest) -> Result<String, Fail> {
        match &req.kind {
            ActKind::Ack {
                cluster,
                matchers,
                exclude,
                comment,
                starts_at,
                ends_at,
                ..
            } => {
                let silence = PostableSilence {
                    id: None,
                    matchers: to_matchers(matchers, exclude),
                    starts_at: *starts_at,
                    ends_at: *ends_at,
                    created_by: req.user.clone(),
                    comment: comment.clone(),
                };
                let id = self.silence_once(cluster, &silence).await?;
                self.await_gossip(cluster, &id, false).await;
                Ok(id)
            }
            ActKind::Extend {
                cluster,
                silence_id,
                matchers,
                exclude,
                comment,
                created_by,
                starts_at,
                ends_at,
            } => {
                let silence = PostableSilence {
                    id: Some(silence_id.clone()),
                    matchers: to_matchers(matchers, exclude),
                    starts_at: *starts_at,
                    ends_at: *ends_at,
                    created_by: created_by.clone(),
                    comment: comment.clone(),
                };
                self.update_silence(cluster, &silence).await
            }
            ActKind::Silence {
                cluster,
                replaces,
                matchers,
                starts_at,
                ends_at,
                comment,
            } => {
                let silence = PostableSilence {
                    id: replaces.clone(),
                    matchers: matchers.clone(),
                    starts_at: *starts_at,
                    ends_at: *ends_at,
                    created_by: req.user.clone(),
                    comment: comment.clone(),
                };
                let id = match replaces {
                    // Posting a change again is harmless: it changes nothing more.
                    Some(_) => self.update_silence(cluster, &silence).await?,
                    None => self.silence_once(cluster, &silence).await?,
                };
                self.await_gossip(cluster, &id, false).await;
                Ok(id)
            }
            ActKind::Unack {
                cluster,
                silence_id,
                ..
            }
            | ActKind::Expire {
                cluster,
                silence_id,
            } => self.expire(cluster, silence_id).await,
            ActKind::Escalate { chain, target, .. } => {
                let Some(esc) = Esc::from(req) else {
                    return Err(Fail::Fatal("not an escalation".into()));
                };
                let Some(t) = self.targets.get(&(chain.clone(), target.clone())) else {
                    return Err(Fail::Fatal(format!(
                        "no target {target} in escalation chain {chain}"
                    )));
                };
                self.escalate(&esc, t).await
            }
            ActKind::PagerdutyAck { dedup_key, .. } => match &self.pagerduty_ack {
                Some(Target::PagerDuty {
                    client,
                    routing_key,
                }) => {
                    // acknowledging twice is harmless: a retry cannot do more than the first
                    let event = Event {
                        routing_key: routing_key.clone(),
                        event_action: "acknowledge",
                        dedup_key: dedup_key.clone(),
                        payload: None,
                        client_url: None,
                        links: Vec::new(),
                    };
                    delivered(client.send(&event).await, "PagerDuty acknowledge")
                }
                Some(Target::Unavailable(reason)) => Err(Fail::Fatal(reason.clone())),
                _ => Err(Fail::Fatal("no [actions.pagerduty_ack] configured".into())),
            },
        }
    }

    /// Waits (at most 2 s) until every replica that answers shows the silence created, or
    /// expired: replicas learn it by gossip, and the poll that follows should find the whole
    /// cluster agreeing rather than a row that flips back for one poll.
    async fn await_gossip(&self, cluster: &str, id: &str, expired: bool) {
        let Ok(replicas) = self.replicas(cluster) else {
            return;
        };
        let deadline = tokio::time::Instant::now() + GOSSIP_WAIT;
        loop {
            let mut agreed = true;
            for r in replicas {
                // a replica that does not answer cannot be waited for
                if let Ok(list) = r.silences().await {
                    let state = list.iter().find(|s| s.id == id).map(|s| s.state);
                    agreed &= if expired {
                        state.is_none_or(|s| s == SilenceState::Expired)
                    } else {
                        state.is_some_and(|s| s != SilenceState::Expired)
                    };
                }
            }
            if agreed || tokio::time::Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// A silence posted with its id: Alertmanager changes it in place or replaces it (the id
    /// answered is the one to follow). The first replica that answers takes it.
    async fn update_silence(
        &self,
        cluster: &str,
        silence: &PostableSilence,
    ) -> Result<String, Fail> {
        let mut last = Fail::Retry("no replica tried".into(), None);
        for r in self.replicas(cluster)? {
            match r.post_silence(silence).await {
                Ok(id) => return Ok(id),
                Err(e) => last = classify(&e),
            }
        }
        Err(last)
    }

    /// Expires a silence; one already expired (by an earlier try, or by someone else) is done.
    async fn expire(&self, cluster: &str, silence_id: &str) -> Result<String, Fail> {
        let mut last = Fail::Retry("no replica tried".into(), None);
        for r in self.replicas(cluster)? {
            match r.silences().await {
                Ok(list) => {
                    let live = list
                        .iter()
                        .any(|s| s.id == silence_id && s.state != SilenceState::Expired);
                    if !live {
                        return Ok(silence_id.to_string());
                    }
                }
                Err(e) => {
                    last = classify(&e);
                    continue;
                }
            }
            match r.expire_silence(silence_id).await {
                Ok(()) => {
                    self.await_gossip(cluster, silence_id, true).await;
                    return Ok(silence_id.to_string());
                }
                Err(e) => last = classify(&e),
            }
        }
        Err(last)
    }

    /// Posts the silence to the first replica that answers, unless one like it (same matchers,
    /// author and comment) already exists: a retry after a lost answer creates nothing new.
    async fn silence_once(&self, cluster: &str, s: &PostableSilence) -> Result<String, Fail> {
        let mut last = Fail::Retry("no replica tried".into(), None);
        for r in self.replicas(cluster)? {
            match r.silences().await {
                Ok(list) => {
                    if let Some(existing) = list
                        .iter()
                        .find(|x| same_silence(x, &s.matchers, &s.created_by, &s.comment))
                    {
                        return Ok(existing.id.clone());
                    }
                }
                Err(e) => {
                    // never post where we could not look first
                    last = classify(&e);
                    continue;
                }
            }
            match r.post_silence(s).await {
                Ok(id) => return Ok(id),
                Err(e) => last = classify(&e),
            }
        }
        Err(last)
    }

    async fn escalate(&self, esc: &Esc<'_>, target: &Target) -> Result<String, Fail> {
        match target {
            Target::PagerDuty {
                client,
                routing_key,
            } => {
                let event = esc.pagerduty(routing_key.clone());
                delivered(client.send(&event).await, "PagerDuty")
                    .map(|m| format!("{m}, dedup_key {}", event.dedup_key))
            }
            Target::Webhook { url, poster, body } => delivered(
                poster.post(url, esc.webhook_body(body.as_deref())).await,
                "webhook",
            ),
            Target::Alertmanager { cluster, labels } => {
                let cluster = cluster.as_deref().unwrap_or(esc.cluster);
                let alert = esc.repost(labels);
                let mut last = Fail::Retry("no replica tried".into(), None);
                // every replica: Alertmanager does not gossip alerts, only silences
                let mut ok = 0;
                for r in self.replicas(cluster)? {
                    match r.post_alerts(std::slice::from_ref(&alert)).await {
                        Ok(()) => ok += 1,
                        Err(e) => last = classify(&e),
                    }
                }
                if ok > 0 {
                    Ok(format!("re-posted to {ok} replica(s) of {cluster}"))
                } else {
                    Err(last)
                }
            }
            Target::Command { argv, timeout } => run_command(&esc.argv(argv), *timeout).await,
            Target::Unavailable(reason) => Err(Fail::Fatal(reason.clone())),
        }
    }
}

/// An HTTP delivery as the retry loop sees it: 2xx done, 429 and 5xx retried (429 after the
/// server's `Retry-After`), other refusals final.
fn delivered(d: Delivery, what: &str) -> Result<String, Fail> {
    match d {
        Delivery::Accepted { status, .. } => Ok(format!("{what} accepted (HTTP {status})")),
        Delivery::Refused { status, body } => Err(Fail::Fatal(format!(
            "{what} refused: HTTP {status}: {body}"
        ))),
        Delivery::RateLimited { retry_after } => Err(Fail::Retry(
            format!("{what} rate limited (HTTP 429)"),
            retry_after,
        )),
        Delivery::Failed(m) => Err(Fail::Retry(format!("{what}: {m}"), None)),
    }
}

/// Runs a program with an argument vector (no shell). A command is not retried: running it
/// twice could page twice.
async fn run_command(argv: &[String], timeout: Duration) -> Result<String, Fail> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Fail::Fatal("empty argv".into()));
    };
    let child = tokio::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .status();
    match tokio::time::timeout(timeout, child).await {
        Err(_) => Err(Fail::Fatal(format!(
            "{program} timed out after {timeout:?}"
        ))),
        Ok(Err(e)) => Err(Fail::Fatal(format!("cannot run {program}: {e}"))),
        Ok(Ok(s)) if s.success() => Ok(format!("{program} exited 0")),
        Ok(Ok(s)) => Err(Fail::Fatal(format!("{program} failed: {s}"))),
    }
}

/// A silence's matchers: `name="value"` for each of `equal`, `name!="value"` for `not_equal`.
fn to_matchers(equal: &Labels, not_equal: &Labels) -> Vec<crate::domain::alerts::Matcher> {
    let one = |(k, v): (&String, &String), is_equal| crate::domain::alerts::Matcher {
        name: k.clone(),
        value: v.clone(),
        is_regex: false,
        is_equal,
    };
    let eq = equal.iter().map(|m| one(m, true));
    eq.chain(not_equal.iter().map(|m| one(m, false))).collect()
}
