//! From a whole config to its pollers: one per `[[prometheus]]` (its SLOs), one per
//! `[[alertmanager]]` cluster, one per `[[loki]]`.

use super::cluster::ClusterFetcher;
use super::logs::LokiFetcher;
use super::poller::{Fetcher, PollerHandle, fetch_once, spawn_fetcher};
use super::slo::{MAX_IN_FLIGHT, SLOW_EVERY, SloFetcher};
use crate::config::{
    AlertmanagerSource, Config, HttpOptions, LokiSource, PrometheusSource, SourceRef,
};
use crate::domain::health::{SourceError, SourceId, SourceKind};
use crate::domain::publish::{Payload, SourceUpdate};
use crate::domain::slo::{default_rules, windows_for};
use crate::sources::alertmanager::AlertmanagerClient;
use crate::sources::http::{HttpClient, host_port, parse_base};
use crate::sources::loki::LokiClient;
use crate::sources::prometheus::PrometheusClient;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Any of our fetchers, so one loop and one list serve them all.
pub enum AnyFetcher {
    Slo(SloFetcher),
    Cluster(ClusterFetcher),
    Logs(LokiFetcher),
    Elasticsearch(super::elasticsearch::EsFetcher),
}

impl AnyFetcher {
    pub async fn fetch(&mut self) -> Result<Payload, SourceError> {
        match self {
            AnyFetcher::Slo(f) => f.fetch().await,
            AnyFetcher::Cluster(f) => f.fetch().await,
            AnyFetcher::Logs(f) => f.fetch().await,
            AnyFetcher::Elasticsearch(f) => f.fetch().await,
        }
    }
}

impl Fetcher for AnyFetcher {
    fn fetch(&mut self) -> impl Future<Output = Result<Payload, SourceError>> + Send {
        AnyFetcher::fetch(self)
    }
}

/// A source ready to poll: its fetcher and how long one whole fetch may take.
pub struct Planned {
    pub id: SourceId,
    pub timeout: Duration,
    pub fetcher: AnyFetcher,
}

fn http(opts: &HttpOptions, config: &Config, id: &SourceId) -> Result<HttpClient, String> {
    HttpClient::new(opts, config.general.timeout)
        .map(|c| c.with_max_body(config.general.max_response))
        .map_err(|e| format!("{id}: {e}"))
}

/// SLOs naming a source that is not a `[[prometheus]]` name (config validation should have
/// caught them; here they would silently never be measured).
pub fn orphan_slos(config: &Config) -> Result<(), String> {
    match config
        .slo
        .iter()
        .find(|slo| !config.prometheus.iter().any(|p| p.name == slo.source))
    {
        Some(slo) => Err(format!(
            "slo {}: source {} is not a [[prometheus]] name",
            slo.name, slo.source
        )),
        None => Ok(()),
    }
}

fn plan_prometheus(config: &Config, p: &PrometheusSource) -> Result<Planned, String> {
    let id = SourceId::new(SourceKind::Prometheus, &p.name);
    let client = http(&p.http(), config, &id)?;
    let per_request = client.timeout();
    let client = PrometheusClient::new(&p.url, client).map_err(|e| format!("{id}: {e}"))?;
    let slos: Vec<_> = config
        .slo
        .iter()
        .filter(|s| s.source == p.name)
        .cloned()
        .collect();
    let rules = config.burn_rules().unwrap_or_else(|_| default_rules());
    let fetcher = SloFetcher::new(client, slos, windows_for(&rules))
        .max_in_flight(p.max_in_flight.unwrap_or(MAX_IN_FLIGHT))
        .slow_every(p.slow_every.unwrap_or(SLOW_EVERY))
        .discover(p.discover);
    // Queries run max_in_flight at a time, each bounded by the per-request timeout; discovery
    // is one more request, and discovered SLOs are not counted yet: allow two rounds on top.
    let rounds = fetcher
        .query_count()
        .div_ceil(fetcher.max_in_flight_value())
        .max(1)
        + 2;
    Ok(Planned {
        id,
        timeout: per_request.saturating_mul(u32::try_from(rounds).unwrap_or(u32::MAX)),
        fetcher: AnyFetcher::Slo(fetcher),
    })
}

fn plan_alertmanager(config: &Config, am: &AlertmanagerSource) -> Result<Planned, String> {
    let id = SourceId::new(SourceKind::Alertmanager, &am.name);
    if am.urls.is_empty() {
        return Err(format!("{id}: no urls"));
    }
    let client = http(&am.http(), config, &id)?;
    let per_request = client.timeout();
    let mut replicas = Vec::new();
    for url in &am.urls {
        let name = host_port(&parse_base(url).map_err(|e| format!("{id}: {e}"))?);
        let c = AlertmanagerClient::new(url, client.clone()).map_err(|e| format!("{id}: {e}"))?;
        replicas.push((name, c));
    }
    Ok(Planned {
        id,
        // Replicas and their requests run concurrently; allow one slow round on top.
        timeout: per_request.saturating_mul(2),
        fetcher: AnyFetcher::Cluster(ClusterFetcher::new(am.name.as_str(), replicas)),
    })
}

pub(crate) fn plan_loki(config: &Config, l: &LokiSource) -> Result<Planned, String> {
    let id = SourceId::new(SourceKind::Loki, &l.name);
    let client = http(&l.http(), config, &id)?;
    let per_request = client.timeout();
    let client = LokiClient::new(&l.url, client).map_err(|e| format!("{id}: {e}"))?;
    Ok(Planned {
        id,
        // A burst may take a few pages.
        timeout: per_request.saturating_mul(2),
        fetcher: AnyFetcher::Logs(
            LokiFetcher::new(
                &l.name,
                client,
                &l.query,
                config.logs.lookback,
                config.logs.max_lines,
            )
            .with_sanitise(config.logs.sanitise()),
        ),
    })
}

pub(crate) fn plan_elasticsearch(
    config: &Config,
    e: &crate::config::ElasticsearchSource,
) -> Result<Planned, String> {
    use super::elasticsearch::{EsFetcher, EsFields};
    let id = SourceId::new(SourceKind::Elasticsearch, &e.name);
    let client = http(&e.http(), config, &id)?;
    let per_request = client.timeout();
    let client = crate::sources::elasticsearch::EsClient::new(&e.url, &e.index, client)
        .map_err(|err| format!("{id}: {err}"))?;
    let fields = EsFields {
        query: e.query.clone(),
        time: e.time_field.clone(),
        message: e.message_field.clone(),
        level: e.level_field.clone(),
        labels: e.label_fields.clone(),
        tiebreaker: e.tiebreaker.clone(),
    };
    Ok(Planned {
        id,
        timeout: per_request.saturating_mul(2),
        fetcher: AnyFetcher::Elasticsearch(EsFetcher::new(
            &e.name,
            client,
            fields,
            config.logs.lookback,
            config.logs.max_lines,
            config.logs.sanitise(),
        )),
    })
}

/// One planned poller per polled source, in config order (Prometheus, Alertmanager, Loki,
/// Elasticsearch), each built independently: a source with a missing secret does not stop the
/// others. Command and file sources stream instead (`log_build`).
pub fn plan(config: &Config) -> Vec<(SourceId, Result<Planned, String>)> {
    config
        .sources()
        .filter_map(|s| {
            let planned = match s {
                SourceRef::Prometheus(p) => plan_prometheus(config, p),
                SourceRef::Alertmanager(a) => plan_alertmanager(config, a),
                SourceRef::Loki(l) => plan_loki(config, l),
                SourceRef::Elasticsearch(e) => plan_elasticsearch(config, e),
                SourceRef::Command(_) | SourceRef::File(_) => return None,
            };
            Some((s.id(), planned))
        })
        .collect()
}

/// Starts every source's poller (inside a tokio runtime). `wake` is notified after each publish.
/// Fails, starting nothing, when any source cannot be built.
pub fn spawn_all(config: &Config, wake: Arc<Notify>) -> Result<Vec<PollerHandle>, String> {
    orphan_slos(config)?;
    let planned = plan(config)
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Result<Vec<_>, String>>()?;
    let streams = super::log_build::spawn_log_streams(config, wake.clone())?;
    Ok(planned
        .into_iter()
        // A tailed Loki streams instead (its planned fetcher serves `onwatch snapshot`).
        .filter(|p| !super::log_build::is_tailed(config, &p.id))
        .map(|p| {
            spawn_fetcher(
                p.id,
                config.general.refresh,
                p.timeout,
                wake.clone(),
                p.fetcher,
            )
        })
        .chain(streams)
        .collect())
}

/// Starts one planned poller (used when `l` restarts a log source on an alert's query).
pub(crate) fn spawn_planned(
    config: &Config,
    planned: Result<Planned, String>,
    wake: Arc<Notify>,
) -> Option<PollerHandle> {
    let p = planned.ok()?;
    Some(spawn_fetcher(
        p.id,
        config.general.refresh,
        p.timeout,
        wake,
        p.fetcher,
    ))
}

/// Polls every source once, concurrently, each within its timeout (for `onwatch snapshot`).
/// A source that cannot be built (e.g. a missing secret) reports why as its error.
pub async fn poll_once_all(config: &Config) -> Vec<SourceUpdate> {
    let polls = plan(config).into_iter().map(|(id, planned)| async move {
        let result = match planned {
            Ok(mut p) => fetch_once(&mut p.fetcher, p.timeout).await,
            Err(e) => Err(SourceError::Unreachable(format!("not started: {e}"))),
        };
        SourceUpdate {
            source: id,
            generation: 1,
            fetched_at: chrono::Utc::now(),
            result,
            slow: None,
        }
    });
    futures::future::join_all(polls).await
}
