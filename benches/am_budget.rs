//! Budget for issue 4: 10,000 alerts from a real Alertmanager (Debian 0.25), fetched, parsed,
//! de-duplicated and grouped end to end, against a plain `curl` of `/api/v2/alerts` (the
//! server's floor) and `amtool alert query -o json`, in the same run on the same server.
//!
//! Run: `cargo bench --bench am_budget` (needs `.ci/install`). Prints a table of medians of 7.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measurement harness: failures are fatal

#[path = "../tests/am_support/mod.rs"]
mod am_support;
#[path = "../tests/kit/mod.rs"]
mod kit;

use onwatch::domain::alerts;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const N: usize = 10_000;
const RUNS: usize = 7;
const QUERY: &str = "api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_command(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let status = cmd.stdout(Stdio::null()).status().expect("run");
    assert!(status.success(), "{cmd:?} failed");
    t.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that is not ours means another bench was asked.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"am_budget".contains(&a))
    {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let pair = am_support::AmPair::start().await;
    let posted = am_support::storm(N, &["prom-a"]);
    pair.post_alerts(&posted).await;
    let url = pair.replicas[0].url();
    let client = pair.client(0);
    let dedup_labels = vec!["replica".to_string(), "prometheus_replica".to_string()];
    let by = vec!["alertname".to_string()];

    // Warm up every path once (connection setup, the server's first serialisation).
    let got = client.alerts().await.unwrap();
    assert_eq!(got.len(), N);
    let bytes = reqwest::get(format!("{url}/{QUERY}"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();

    let (mut curl, mut amtool, mut ours, mut cluster) = (vec![], vec![], vec![], vec![]);
    let mut fetcher = pair.fetcher("prod");
    for _ in 0..RUNS {
        curl.push(time_command(Command::new("curl").args([
            "-sf",
            "-o",
            "/dev/null",
            &format!("{url}/{QUERY}"),
        ])));
        amtool.push(time_command(Command::new("amtool").args([
            &format!("--alertmanager.url={url}"),
            "alert",
            "query",
            "-o",
            "json",
        ])));

        let t = Instant::now();
        let observations: Vec<_> = client
            .alerts()
            .await
            .unwrap()
            .into_iter()
            .map(|alert| alerts::Observation {
                cluster: "prod".into(),
                replica: "am-0".into(),
                alert: alert.into(),
            })
            .collect();
        let groups = alerts::group(
            alerts::dedup_refs(&observations, &dedup_labels, |_| &[], &Default::default()),
            &by,
        );
        ours.push(t.elapsed());
        assert_eq!(groups.iter().map(|g| g.alerts.len()).sum::<usize>(), N);

        // Both replicas concurrently, silences too, as the cockpit polls a cluster.
        let t = Instant::now();
        let payload = fetcher.fetch().await.unwrap();
        let onwatch::app::Payload::Alerts(snap) = payload else {
            panic!("not alerts")
        };
        let groups = alerts::group(
            alerts::dedup_refs(
                &snap.observations,
                &dedup_labels,
                |_| &snap.silences,
                &Default::default(),
            ),
            &by,
        );
        cluster.push(t.elapsed());
        assert_eq!(groups.iter().map(|g| g.alerts.len()).sum::<usize>(), N);
        assert!(
            groups
                .iter()
                .flat_map(|g| &g.alerts)
                .all(|a| a.sources.len() == 2)
        );
    }
    let (curl, amtool, ours, cluster) =
        (median(curl), median(amtool), median(ours), median(cluster));
    let pct = |d: Duration| 100.0 * d.as_secs_f64() / curl.as_secs_f64();
    println!("am_budget: {N} alerts, {bytes} bytes per fetch, median of {RUNS}");
    println!("  curl /api/v2/alerts                      {curl:>10.3?}  100%");
    println!(
        "  amtool alert query -o json               {amtool:>10.3?}  {:.0}%",
        pct(amtool)
    );
    println!(
        "  onwatch fetch+parse+dedup+group (1 AM)   {ours:>10.3?}  {:.0}%",
        pct(ours)
    );
    println!(
        "  onwatch ClusterFetcher, 2 replicas + ... {cluster:>10.3?}  {:.0}%",
        pct(cluster)
    );
    println!(
        "  goal: within 115% of curl ({}), under half of amtool ({})",
        if pct(ours) <= 115.0 { "met" } else { "NOT met" },
        if ours * 2 < amtool { "met" } else { "NOT met" }
    );
}
