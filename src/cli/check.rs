//! `onwatch check`: the config is valid (it loaded) and every backend answers with the API we
//! expect. Prints a table; secrets are never printed (every detail is masked).

use super::{EXIT_FAILURE, EXIT_OK};
use crate::config::{Config, HttpOptions, SourceRef, secret};
use crate::domain::health::SourceError;
use crate::sources::alertmanager::AlertmanagerClient;
use crate::sources::http::HttpClient;
use crate::sources::loki::LokiClient;
use crate::sources::prometheus::{PrometheusClient, no_rules_hint};
use futures::future::join_all;
use std::path::Path;
use std::time::Duration;

pub(super) struct Probe {
    pub kind: &'static str,
    pub name: String,
    /// Where it was probed: a URL (without credentials), a program or a path.
    pub url: String,
    pub result: Result<String, String>,
}

pub async fn run(config: &Config, path: &Path) -> i32 {
    if config.sources().next().is_none() {
        // A cockpit with nothing to watch is a broken config, not a passing one.
        println!("config {}: no sources configured", path.display());
        println!(
            "add an [[alertmanager]], a [[prometheus]] or a log source ([[loki]], [[command]], …)"
        );
        return EXIT_FAILURE;
    }
    println!("config {}: ok", path.display());
    let limits = (config.general.timeout, config.general.max_response);
    let mut probes: Vec<futures::future::BoxFuture<'_, Probe>> = Vec::new();
    for s in config.sources() {
        match s {
            SourceRef::Prometheus(p) => {
                probes.push(Box::pin(probe(
                    "prometheus",
                    &p.name,
                    &p.url,
                    p.http(),
                    limits,
                    Extra::Discover(p.discover),
                )));
            }
            SourceRef::Alertmanager(am) => {
                for url in &am.urls {
                    probes.push(Box::pin(probe(
                        "alertmanager",
                        &am.name,
                        url,
                        am.http(),
                        limits,
                        Extra::None,
                    )));
                }
            }
            SourceRef::Loki(l) => {
                let query = Extra::LokiQuery(l.query.clone());
                probes.push(Box::pin(probe(
                    "loki",
                    &l.name,
                    &l.url,
                    l.http(),
                    limits,
                    query,
                )));
            }
            SourceRef::Elasticsearch(es) => {
                probes.push(Box::pin(super::check_local::search(es, limits)))
            }
            SourceRef::Command(c) => probes.push(Box::pin(super::check_local::command(c))),
            SourceRef::File(f) => probes.push(Box::pin(super::check_local::file(f))),
        }
    }
    let results = join_all(probes).await;
    let width =
        |f: fn(&Probe) -> usize, min: usize| results.iter().map(f).max().unwrap_or(0).max(min);
    let (wk, wn, wu) = (
        width(|p| p.kind.len(), 4),
        width(|p| p.name.len(), 4),
        width(|p| p.url.len(), 3),
    );
    println!(
        "{:wk$}  {:wn$}  {:wu$}  {:6}  DETAIL",
        "KIND", "NAME", "URL", "STATUS"
    );
    let mut failed = 0;
    for p in &results {
        let (status, detail) = match &p.result {
            Ok(d) => ("ok", d.as_str()),
            Err(e) => {
                tracing::warn!(kind = p.kind, name = %p.name, error = %e, "check: probe failed");
                failed += 1;
                ("FAILED", e.as_str())
            }
        };
        // Errors are masked where they are made; this is the last look before the terminal.
        let detail = secret::mask(detail);
        println!(
            "{:wk$}  {:wn$}  {:wu$}  {status:6}  {detail}",
            p.kind, p.name, p.url
        );
    }
    if failed > 0 {
        println!("{failed} of {} probes failed", results.len());
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// What a probe needs beyond the source's URL and auth.
enum Extra {
    None,
    /// A Prometheus source: whether it discovers SLOs (then rules matter).
    Discover(bool),
    /// A Loki source: its query, run once.
    LokiQuery(String),
}

async fn probe(
    kind: &'static str,
    name: &str,
    url: &str,
    http: HttpOptions,
    (timeout, max_response): (Duration, u64),
    extra: Extra,
) -> Probe {
    let result = async {
        // A client that cannot be built (missing secret, bad CA file) is a failed probe too.
        let client = HttpClient::new(&http, timeout)
            .map_err(|e| e.to_string())?
            .with_max_body(max_response);
        let built = |e: crate::sources::http::BuildError| e.to_string();
        let detail = match kind {
            "prometheus" => {
                let prom = PrometheusClient::new(url, client).map_err(built)?;
                let (info, rules, backend) =
                    tokio::join!(prom.buildinfo(), prom.rules_lenient(), prom.identify());
                let info = info.map_err(fail)?;
                let mut detail = match &backend {
                    // The backend's own build series beats buildinfo, which VictoriaMetrics
                    // leaves empty or fills with a Prometheus version it is compatible with.
                    Some(b) => match &b.version {
                        Some(v) => format!("{} {v}", b.kind),
                        None => format!("{}, version not reported", b.kind),
                    },
                    None if info.version.is_empty() => "version not reported".to_string(),
                    None => format!("version {}", info.version),
                };
                // Rules matter only to discovery, and some backends serve none: a failed
                // rules call is not a failed probe, rules left out are said.
                if let Ok((groups, unreadable)) = &rules {
                    if let Some(note) = unreadable.describe() {
                        detail.push_str("; ");
                        detail.push_str(&note);
                    }
                    // With discovery on, no rules means no SLOs: say why that may be.
                    if groups.is_empty() && matches!(extra, Extra::Discover(true)) {
                        detail.push_str("; warning: ");
                        detail.push_str(&no_rules_hint(backend.as_ref().map(|b| b.kind)));
                    }
                }
                detail
            }
            "alertmanager" => {
                let am = AlertmanagerClient::new(url, client).map_err(built)?;
                let (status, alerts, silences) =
                    tokio::join!(am.status(), am.alerts_lenient(), am.silences_lenient());
                let status = status.map_err(fail)?;
                let mut detail = format!(
                    "version {}, cluster {} with {} peers",
                    status.version, status.cluster_status, status.peers
                );
                // What the cockpit would leave out of this replica's answers, said here too.
                let (_, bad_alerts) = alerts.map_err(fail)?;
                let (_, bad_silences) = silences.map_err(fail)?;
                for note in [bad_alerts.describe(), bad_silences.describe()]
                    .into_iter()
                    .flatten()
                {
                    detail.push_str("; ");
                    detail.push_str(&note);
                }
                detail
            }
            _ => {
                let now = i128::from(chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0));
                let query = match extra {
                    Extra::LokiQuery(q) => q,
                    _ => String::new(),
                };
                let (_, unreadable) = LokiClient::new(url, client)
                    .map_err(built)?
                    .query_range_lenient(&query, now - 60_000_000_000, now, 1, false)
                    .await
                    .map_err(fail)?;
                match unreadable.describe() {
                    Some(note) => format!("query_range answers; {note}"),
                    None => "query_range answers".to_string(),
                }
            }
        };
        Ok::<String, String>(detail)
    }
    .await;
    // Skipping certificate checks is allowed, but never silently.
    let result = match result {
        Ok(detail) if http.tls.insecure_skip_verify => {
            Ok(format!("{detail}; WARNING: TLS verification is off"))
        }
        other => other,
    };
    Probe {
        kind,
        name: name.to_string(),
        url: redact_userinfo(url),
        result,
    }
}

/// URLs may carry `user:password@`; the table shows them without it.
pub(super) fn redact_userinfo(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_string(),
    }
}

fn fail(e: SourceError) -> String {
    e.to_string()
}
