//! Against two real clustered Alertmanager 0.25 replicas: a group ack through the keys makes
//! one silence, visible on both replicas, with the right matchers, author and comment, that
//! silences exactly the group; un-ack expires it. Measures Enter -> confirmed by the next poll.
//! With `[actions.pagerduty_ack]`, one ack is one silence and one PagerDuty acknowledge.

#![allow(clippy::unwrap_used)]
mod act_support;
mod am_support;

mod kit;
use act_support::fake::serve_recorder;
use act_support::{executor, executor_with_pagerduty_ack, wait_for};
use am_support::{AmPair, client as am_client};
use onwatch::app::acts::Outcome;
use onwatch::app::state::AlertRow;
use onwatch::app::{Effect, Msg, State, SystemClock, update};
use onwatch::domain::alerts::{Silence, SilenceState};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::keymap::{Key, KeyCode};
use onwatch::poll::cluster::ClusterFetcher;
use onwatch::sources::alertmanager::AlertmanagerClient;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn state() -> State {
    let setup = onwatch::app::state::Setup {
        sources: vec![SourceId::new(SourceKind::Alertmanager, "prod")],
        burn_rules: onwatch::domain::slo::default_rules(),
        dedup_labels: vec!["replica".into()],
        log_max_lines: 10,
        log_max_bytes: 1 << 20,
        ..kit::setup()
    };
    State::new(setup, chrono::Utc::now())
}

struct Poll {
    fetcher: ClusterFetcher,
    generation: u64,
}

impl Poll {
    async fn apply_to(&mut self, s: &mut State) -> Vec<Effect> {
        let payload = self.fetcher.fetch().await.unwrap();
        self.generation += 1;
        update(
            s,
            kit::source_msg(
                SourceId::new(SourceKind::Alertmanager, "prod"),
                self.generation,
                chrono::Utc::now(),
                Ok(payload),
            ),
            &SystemClock,
        )
    }
}

fn alert(name: &str, instance: &str) -> serde_json::Value {
    serde_json::json!({
        "labels": {"alertname": name, "instance": instance, "severity": "critical"},
        "annotations": {"summary": format!("{name} on {instance}")},
        "startsAt": chrono::Utc::now() - chrono::Duration::minutes(5),
        "endsAt": chrono::Utc::now() + chrono::Duration::minutes(30),
    })
}

fn select_group(s: &mut State, name: &str) {
    let g = s
        .groups
        .iter()
        .position(|g| g.labels["alertname"] == name)
        .unwrap();
    let row = s
        .alert_rows()
        .iter()
        .position(|r| *r == AlertRow::Group(g))
        .unwrap();
    s.select_row(row);
}

/// Hands `Act` effects to the executor, waits for the outcome, feeds it back and polls at
/// once as the cockpit does, until nothing is pending. Returns how long that took.
async fn carry_out(
    s: &mut State,
    effects: Vec<Effect>,
    exec: &onwatch::actions::Executor,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<onwatch::app::acts::ActionResult>,
    poll: &mut Poll,
    entered: Instant,
) -> Duration {
    let mut n = 0;
    for e in effects {
        if let Effect::Act(req) = e {
            exec.submit(*req).unwrap();
            n += 1;
        }
    }
    assert_eq!(n, 1, "one silence per cluster");
    let r = wait_for(rx, |o| matches!(o, Outcome::Done(_) | Outcome::Failed(_))).await;
    assert!(matches!(r.outcome, Outcome::Done(_)), "{r:?}");
    let follow = update(s, Msg::ActionResult(r), &SystemClock);
    assert!(
        follow
            .iter()
            .any(|e| matches!(e, Effect::Refresh(ids) if ids.iter().any(|i| i.name == "prod")))
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        poll.apply_to(s).await;
        if s.acts.pending.is_empty() {
            return entered.elapsed();
        }
        assert!(Instant::now() < deadline, "never confirmed by a poll");
    }
}

/// Polls `check` until it gives a value, for at most 10 s.
async fn eventually<T, F, Fut>(check: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "condition not reached in 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The replica's active silences, once it has any (the other replica learns a silence by
/// gossip, well under a second).
async fn active_silences(c: &AlertmanagerClient) -> Vec<Silence> {
    eventually(|| async {
        let live: Vec<_> = c
            .silences()
            .await
            .unwrap()
            .into_iter()
            .filter(|x| x.state == SilenceState::Active)
            .collect();
        (!live.is_empty()).then_some(live)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_cluster_group_ack_makes_one_silence_on_both_replicas_and_unack_expires_it() {
    let cluster = AmPair::start().await;
    cluster
        .post_alerts(&[
            alert("ActDisk", "db-1"),
            alert("ActDisk", "db-2"),
            alert("ActOther", "db-1"),
        ])
        .await;
    let urls: Vec<String> = cluster.replicas.iter().map(|r| r.url()).collect();
    let clients: Vec<_> = urls.iter().map(|u| am_client(u)).collect();
    let mut poll = Poll {
        fetcher: ClusterFetcher::new(
            "prod",
            urls.iter()
                .enumerate()
                .map(|(i, u)| (format!("am-{i}"), am_client(u)))
                .collect(),
        ),
        generation: 0,
    };
    let dir = tempfile::tempdir().unwrap();
    let mut clusters = BTreeMap::new();
    clusters.insert("prod".to_string(), clients.clone());
    let (exec, mut rx) = executor(dir.path(), clusters, BTreeMap::new());

    let mut s = state();
    poll.apply_to(&mut s).await;
    assert_eq!(s.groups.len(), 2, "{:?}", s.groups);

    // ack the ActDisk group: a, a comment, Enter
    select_group(&mut s, "ActDisk");
    update(&mut s, Msg::Key(Key::char('a')), &SystemClock);
    for c in "real cluster".chars() {
        update(&mut s, Msg::Key(Key::char(c)), &SystemClock);
    }
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &SystemClock);
    let entered = Instant::now();
    let took = carry_out(&mut s, effects, &exec, &mut rx, &mut poll, entered).await;
    println!("ENTER_TO_CONFIRMED_ACK_MS={}", took.as_millis());

    // one silence, on both replicas, with the group's matchers, the author and the comment
    let mut ids = Vec::new();
    for c in &clients {
        let live = active_silences(c).await;
        assert_eq!(live.len(), 1, "{live:?}");
        let sil = &live[0];
        assert_eq!(sil.created_by, "alice");
        assert_eq!(sil.comment, "ACK: real cluster");
        assert_eq!(sil.matchers.len(), 1);
        assert_eq!(
            (
                sil.matchers[0].name.as_str(),
                sil.matchers[0].value.as_str(),
                sil.matchers[0].is_equal,
                sil.matchers[0].is_regex
            ),
            ("alertname", "ActDisk", true, false)
        );
        ids.push(sil.id.clone());
    }
    assert_eq!(ids[0], ids[1]);
    // exactly the group is acked (each replica's alert status follows once gossip arrives)
    s.show_silenced = true;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        poll.apply_to(&mut s).await;
        let disk_acked = s
            .groups
            .iter()
            .filter(|g| g.labels["alertname"] == "ActDisk")
            .flat_map(|g| &g.alerts)
            .all(|a| a.reading.name() == "acked");
        if disk_acked {
            break;
        }
        assert!(Instant::now() < deadline, "{:?}", s.groups);
    }
    for g in &s.groups {
        for a in &g.alerts {
            let expect = if g.labels["alertname"] == "ActDisk" {
                "acked"
            } else {
                "firing"
            };
            assert_eq!(a.reading.name(), expect, "{:?}", a.identity());
        }
    }
    assert_eq!(s.groups.iter().flat_map(|g| &g.alerts).count(), 3);

    // "until resolved" extension: the same silence (same id) ends later, on both replicas
    let live = clients[0].silences().await.unwrap();
    let sil = live.iter().find(|x| x.id == ids[0]).unwrap().clone();
    let new_end = sil.ends_at + chrono::Duration::hours(2);
    exec.submit(onwatch::app::acts::ActionRequest {
        id: "1-0-ext".into(),
        created_at: chrono::Utc::now(),
        user: "alice".into(),
        kind: onwatch::app::acts::ActKind::Extend {
            cluster: "prod".into(),
            silence_id: sil.id.clone(),
            matchers: sil
                .matchers
                .iter()
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect(),
            exclude: Default::default(),
            comment: sil.comment.clone(),
            created_by: sil.created_by.clone(),
            starts_at: sil.starts_at,
            ends_at: new_end,
        },
    })
    .unwrap();
    let r = wait_for(&mut rx, |o| {
        matches!(o, Outcome::Done(_) | Outcome::Failed(_))
    })
    .await;
    assert_eq!(r.outcome, Outcome::Done(sil.id.clone()), "updated in place");
    for c in &clients {
        let id = &ids[0];
        eventually(|| async {
            let all = c.silences().await.unwrap();
            let live: Vec<_> = all
                .iter()
                .filter(|x| x.state == SilenceState::Active)
                .collect();
            (live.len() == 1 && &live[0].id == id && live[0].ends_at == new_end).then_some(())
        })
        .await;
    }

    // un-ack: u, Enter
    select_group(&mut s, "ActDisk");
    update(&mut s, Msg::Key(Key::char('u')), &SystemClock);
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &SystemClock);
    let entered = Instant::now();
    let took = carry_out(&mut s, effects, &exec, &mut rx, &mut poll, entered).await;
    println!("ENTER_TO_CONFIRMED_UNACK_MS={}", took.as_millis());
    for c in &clients {
        let id = &ids[0];
        eventually(|| async {
            let all = c.silences().await.unwrap();
            let sil = all.iter().find(|x| &x.id == id).unwrap();
            (sil.state == SilenceState::Expired).then_some(())
        })
        .await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        poll.apply_to(&mut s).await;
        if s.groups
            .iter()
            .flat_map(|g| &g.alerts)
            .all(|a| a.reading.name() == "firing")
        {
            break;
        }
        assert!(Instant::now() < deadline, "{:?}", s.groups);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_cluster_group_ack_leaves_the_escalated_copy_firing() {
    let cluster = AmPair::start().await;
    let mut copy = alert("ActCopy", "db-1");
    copy["labels"]["escalated"] = "true".into();
    cluster.post_alerts(&[alert("ActCopy", "db-1"), copy]).await;
    let urls: Vec<String> = cluster.replicas.iter().map(|r| r.url()).collect();
    let clients: Vec<_> = urls.iter().map(|u| am_client(u)).collect();
    let mut poll = Poll {
        fetcher: ClusterFetcher::new(
            "prod",
            urls.iter()
                .enumerate()
                .map(|(i, u)| (format!("am-{i}"), am_client(u)))
                .collect(),
        ),
        generation: 0,
    };
    let dir = tempfile::tempdir().unwrap();
    let clusters = BTreeMap::from([("prod".to_string(), clients.clone())]);
    let (exec, mut rx) = executor(dir.path(), clusters, BTreeMap::new());
    let mut s = state();
    s.acts.setup.reposts = vec![kit::labels(&[("escalated", "true")])];
    s.show_silenced = true;
    poll.apply_to(&mut s).await;

    select_group(&mut s, "ActCopy");
    update(&mut s, Msg::Key(Key::char('a')), &SystemClock);
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &SystemClock);
    carry_out(&mut s, effects, &exec, &mut rx, &mut poll, Instant::now()).await;

    for c in &clients {
        let live = active_silences(c).await;
        assert_eq!(live.len(), 1, "{live:?}");
        let mut m: Vec<_> = live[0]
            .matchers
            .iter()
            .map(|m| (m.name.as_str(), m.value.as_str(), m.is_equal))
            .collect();
        m.sort();
        assert_eq!(
            m,
            [("alertname", "ActCopy", true), ("escalated", "true", false)]
        );
    }
    // Alertmanager itself keeps the copy firing: the next tier is still paged.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        poll.apply_to(&mut s).await;
        let readings: Vec<(bool, &str)> = s
            .groups
            .iter()
            .flat_map(|g| &g.alerts)
            .map(|a| (a.alert.labels.contains_key("escalated"), a.reading.name()))
            .collect();
        if readings.contains(&(false, "acked")) {
            assert!(readings.contains(&(true, "firing")), "{readings:?}");
            break;
        }
        assert!(Instant::now() < deadline, "{readings:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_cluster_ack_with_pagerduty_is_one_silence_and_one_acknowledge() {
    let cluster = AmPair::start().await;
    cluster.post_alerts(&[alert("ActPd", "web-1")]).await;
    let urls: Vec<String> = cluster.replicas.iter().map(|r| r.url()).collect();
    let clients: Vec<_> = urls.iter().map(|u| am_client(u)).collect();
    let mut poll = Poll {
        fetcher: ClusterFetcher::new(
            "prod",
            urls.iter()
                .enumerate()
                .map(|(i, u)| (format!("am-{i}"), am_client(u)))
                .collect(),
        ),
        generation: 0,
    };
    let (rec, addr) = serve_recorder(vec![(
        202,
        None,
        serde_json::json!({"status": "success", "message": "Event processed"}),
    )])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let key = act_support::secret_file(dir.path(), "pd-key", "R-real-cluster-key");
    let poster =
        onwatch::sources::webhook::JsonPoster::new(Duration::from_secs(3), 64 << 20).unwrap();
    let pd = act_support::pagerduty(addr, poster, key);
    let mut clusters = BTreeMap::new();
    clusters.insert("prod".to_string(), clients.clone());
    let (exec, mut rx) =
        executor_with_pagerduty_ack(dir.path(), clusters, BTreeMap::new(), Some(pd));

    let mut s = state();
    s.acts.setup.pagerduty_ack = Some("{{alertname}}/{{labels.instance}}".into());
    poll.apply_to(&mut s).await;
    select_group(&mut s, "ActPd");
    update(&mut s, Msg::Key(Key::char('a')), &SystemClock);
    let effects = update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &SystemClock);
    let mut n = 0;
    for e in effects {
        if let Effect::Act(req) = e {
            exec.submit(*req).unwrap();
            n += 1;
        }
    }
    assert_eq!(n, 2, "the silence and the acknowledge");
    for _ in 0..2 {
        let r = wait_for(&mut rx, |o| {
            matches!(o, Outcome::Done(_) | Outcome::Failed(_))
        })
        .await;
        assert!(matches!(r.outcome, Outcome::Done(_)), "{r:?}");
        update(&mut s, Msg::ActionResult(r), &SystemClock);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !s.acts.pending.is_empty() {
        assert!(Instant::now() < deadline, "never confirmed by a poll");
        poll.apply_to(&mut s).await;
    }
    let status = s.status.clone().unwrap_or_default();
    assert!(status.ends_with("PagerDuty acknowledged"), "{status}");
    for c in &clients {
        let live = active_silences(c).await;
        assert_eq!(live.len(), 1, "{live:?}");
    }
    let seen = rec.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].body,
        serde_json::json!({
            "routing_key": "R-real-cluster-key",
            "event_action": "acknowledge",
            "dedup_key": "ActPd/web-1",
        })
    );
}
