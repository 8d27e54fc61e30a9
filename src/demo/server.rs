//! Starts the five listeners (Prometheus, two Alertmanager replicas, Loki, the escalation
//! webhook) on 127.0.0.1.

use super::DemoOptions;
use super::alert_script::{MAINTENANCE_ALERT, MAINTENANCE_INSTANCE};
use super::clock::ScenarioClock;
use super::scenario::Scenario;
use super::silences::{PostableSilence, Store, WireMatcher};
use super::sim::Sim;
use super::{am_routes, config_text, escalations, loki_routes, prom_routes};
use anyhow::Context;
use chrono::{Duration as ChronoDuration, Utc};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Speeds outside this range would make log timestamps collide or the story stand still.
const SPEED_RANGE: std::ops::RangeInclusive<f64> = 0.001..=100_000.0;

/// The running simulator. Dropping it stops the listeners too; `shutdown` also waits for them.
pub struct DemoServer {
    pub prometheus_url: String,
    /// One URL per Alertmanager replica (two).
    pub alertmanager_urls: Vec<String>,
    pub loki_url: String,
    /// Where the demo's escalation chain posts its "incident channel" webhook.
    pub webhook_url: String,
    sim: Arc<Sim>,
    stops: Vec<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoServer")
            .field("prometheus_url", &self.prometheus_url)
            .field("alertmanager_urls", &self.alertmanager_urls)
            .field("loki_url", &self.loki_url)
            .field("webhook_url", &self.webhook_url)
            .finish_non_exhaustive()
    }
}

async fn bind() -> anyhow::Result<(TcpListener, String)> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("binding a demo listener on 127.0.0.1")?;
    let addr = listener
        .local_addr()
        .context("reading the demo listener's address")?;
    Ok((listener, addr.to_string()))
}

impl DemoServer {
    /// Binds every listener before returning, so the URLs answer as soon as this resolves.
    pub async fn start(opts: DemoOptions) -> anyhow::Result<DemoServer> {
        if !opts.speed.is_finite() || !SPEED_RANGE.contains(&opts.speed) {
            anyhow::bail!(
                "demo speed must be between {} and {} scenario seconds per second, got {}",
                SPEED_RANGE.start(),
                SPEED_RANGE.end(),
                opts.speed
            );
        }
        let (prom, prom_addr) = bind().await?;
        let (am0, am0_addr) = bind().await?;
        let (am1, am1_addr) = bind().await?;
        let (loki, loki_addr) = bind().await?;
        let (hooks, hooks_addr) = bind().await?;
        let prometheus_url = format!("http://{prom_addr}");
        let alertmanager_urls = vec![format!("http://{am0_addr}"), format!("http://{am1_addr}")];
        let loki_url = format!("http://{loki_addr}");
        let webhook_url = format!("http://{hooks_addr}{}", escalations::HOOK_PATH);

        let started = Utc::now();
        let clock = ScenarioClock::new(started, opts.start_offset.as_secs_f64(), opts.speed);
        let mut store = Store::new(opts.seed);
        store
            .preload(maintenance_silence(started), started)
            .map_err(|e| anyhow::anyhow!("preloading the maintenance silence: {e:?}"))?;
        let sim = Arc::new(Sim::new(
            Scenario::new(opts.seed),
            clock,
            started,
            store,
            prometheus_url.clone(),
            vec![am0_addr, am1_addr],
        ));

        let mut server = DemoServer {
            prometheus_url,
            alertmanager_urls,
            loki_url,
            webhook_url,
            sim: sim.clone(),
            stops: Vec::new(),
            tasks: Vec::new(),
        };
        server.serve(prom, prom_routes::router(sim.clone()));
        server.serve(am0, am_routes::router(sim.clone(), 0));
        server.serve(am1, am_routes::router(sim.clone(), 1));
        server.serve(loki, loki_routes::router(sim.clone()));
        server.serve(hooks, escalations::hooks_router(sim));
        Ok(server)
    }

    fn serve(&mut self, listener: TcpListener, router: axum::Router) {
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let result = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "demo listener stopped");
            }
        });
        self.stops.push(tx);
        self.tasks.push(task);
    }

    /// A complete onwatch config pointing at this simulator.
    pub fn config_toml(&self) -> String {
        config_text::render(self)
    }

    /// The JSON bodies the escalation webhook received, oldest first.
    pub fn webhook_received(&self) -> Vec<serde_json::Value> {
        self.sim.escalations().hooks().to_vec()
    }

    /// The mapping between real and scenario time (for tests and the `--serve` banner).
    pub fn clock(&self) -> ScenarioClock {
        self.sim.clock
    }

    /// Stops every listener and waits for them to finish.
    pub async fn shutdown(mut self) {
        for tx in self.stops.drain(..) {
            let _ = tx.send(());
        }
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        for tx in self.stops.drain(..) {
            let _ = tx.send(());
        }
    }
}

/// A maintenance window someone set up before the shift started.
fn maintenance_silence(now: chrono::DateTime<Utc>) -> PostableSilence {
    PostableSilence {
        id: None,
        matchers: vec![
            WireMatcher {
                name: "alertname".into(),
                value: MAINTENANCE_ALERT.into(),
                is_regex: false,
                is_equal: true,
            },
            WireMatcher {
                name: "instance".into(),
                value: MAINTENANCE_INSTANCE.into(),
                is_regex: false,
                is_equal: true,
            },
        ],
        starts_at: now - ChronoDuration::minutes(30),
        ends_at: now + ChronoDuration::hours(6),
        created_by: "ops-bot".into(),
        comment: "Planned maintenance: db-2 disk replacement (CHG-1042)".into(),
    }
}
