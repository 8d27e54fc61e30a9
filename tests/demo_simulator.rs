//! The embedded simulator, started in-process and spoken to over HTTP as the cockpit would.

// Helpers outside `#[test]` functions are test code too; clippy.toml's test allowance misses them.
#![allow(clippy::unwrap_used)]

mod kit;
use onwatch::demo::{DemoOptions, DemoServer, INCIDENT_PAGING_AT, SLOS};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

async fn bounded<F: Future<Output = ()>>(f: F) {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("test took longer than its time limit");
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap()
}

async fn start_at(seed: u64, offset: Duration) -> DemoServer {
    DemoServer::start(DemoOptions {
        seed,
        start_offset: offset,
        ..DemoOptions::default()
    })
    .await
    .unwrap()
}

/// A nearly frozen scenario, for tests that compare answers given at slightly different instants
/// (the flapping alert must not change state between two requests).
async fn frozen_at(seed: u64, offset: Duration) -> DemoServer {
    DemoServer::start(DemoOptions {
        seed,
        speed: 0.001,
        start_offset: offset,
    })
    .await
    .unwrap()
}

async fn get_json(url: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let resp = client().get(url).query(query).send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// One instant query; the single sample's value, None for an empty vector.
async fn instant(server: &DemoServer, query: &str, time: f64) -> Option<f64> {
    let t = time.to_string();
    let (status, body) = get_json(
        &format!("{}/api/v1/query", server.prometheus_url),
        &[("query", query), ("time", &t)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    assert_eq!(body["data"]["resultType"], "vector");
    let result = body["data"]["result"].as_array().unwrap();
    assert!(result.len() <= 1, "{body}");
    result.first().map(|s| {
        // Prometheus keeps evaluation times in milliseconds.
        assert!((s["value"][0].as_f64().unwrap() - time).abs() < 1e-3);
        s["value"][1].as_str().unwrap().parse::<f64>().unwrap()
    })
}

fn slo(name: &str) -> &'static onwatch::demo::DemoSlo {
    SLOS.iter().find(|s| s.name == name).unwrap()
}

async fn burn(server: &DemoServer, name: &str, window: &str, time: f64) -> f64 {
    let s = slo(name);
    let ratio = instant(server, &s.ratio_query(window), time)
        .await
        .unwrap_or_else(|| panic!("no data for {name} over {window}"));
    ratio / (1.0 - s.objective / 100.0)
}

#[tokio::test]
async fn config_toml_is_a_valid_onwatch_config_for_this_simulator() {
    bounded(async {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        let cfg: onwatch::config::Config = toml::from_str(&server.config_toml()).unwrap();
        assert_eq!(cfg.general.refresh, Duration::from_secs(5));
        assert_eq!(cfg.prometheus.len(), 1);
        assert_eq!(cfg.prometheus[0].url, server.prometheus_url);
        assert_eq!(cfg.alertmanager.len(), 1);
        assert_eq!(cfg.alertmanager[0].urls, server.alertmanager_urls);
        assert_eq!(server.alertmanager_urls.len(), 2);
        assert_eq!(cfg.loki.len(), 1);
        assert_eq!(cfg.loki[0].url, server.loki_url);
        assert!(!cfg.loki[0].query.is_empty());
        assert_eq!(cfg.slo.len(), 3);
        for s in &cfg.slo {
            assert_eq!(s.source, cfg.prometheus[0].name, "{}", s.name);
            assert_eq!(s.period, Duration::from_secs(30 * 86_400));
            assert!(s.error_query.contains("$window") && s.total_query.contains("$window"));
        }
        for url in std::iter::once(&server.prometheus_url)
            .chain(&server.alertmanager_urls)
            .chain(std::iter::once(&server.loki_url))
        {
            assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        }
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn every_slo_query_of_the_config_is_answered_for_every_window() {
    bounded(async {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        let cfg: onwatch::config::Config = toml::from_str(&server.config_toml()).unwrap();
        let now = server.clock().unix_secs_at(10.0);
        for s in &cfg.slo {
            for w in ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"] {
                let window = onwatch::domain::duration::parse(w).unwrap();
                let q = onwatch::poll::slo::ratio_query(s, window);
                let v = instant(&server, &q, now).await.unwrap();
                assert!((0.0..1.0).contains(&v), "{} {w}: {v}", s.name);
                let total = instant(&server, &s.total_query.replace("$window", w), now)
                    .await
                    .unwrap();
                assert!(total > 1.0);
            }
        }
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_paging_slo_burns_past_14_4_on_5m_and_1h_during_the_incident() {
    bounded(async {
        let server = start_at(42, INCIDENT_PAGING_AT).await;
        let at = server
            .clock()
            .unix_secs_at(INCIDENT_PAGING_AT.as_secs_f64());
        let b5 = burn(&server, "checkout-availability", "5m", at).await;
        let b1h = burn(&server, "checkout-availability", "1h", at).await;
        assert!(b5 > 14.4 && b1h > 14.4, "5m {b5}, 1h {b1h}");

        // The ticket SLO: a ticket rule holds, no page rule does.
        let p = |w: &'static str| burn(&server, "payments-availability", w, at);
        let (b3d, b6h, b1h, b5m, b30m) = (
            p("3d").await,
            p("6h").await,
            p("1h").await,
            p("5m").await,
            p("30m").await,
        );
        assert!(b3d > 1.0 && b6h > 1.0, "3d {b3d} 6h {b6h}");
        let pages = (b1h > 14.4 && b5m > 14.4) || (b6h > 6.0 && b30m > 6.0);
        assert!(!pages, "1h {b1h} 5m {b5m} 6h {b6h} 30m {b30m}");

        // The healthy one.
        for w in ["5m", "1h", "6h", "1d", "3d"] {
            assert!(burn(&server, "search-availability", w, at).await < 1.0);
        }

        // Before the incident, checkout is calm.
        let calm = server.clock().unix_secs_at(30.0);
        assert!(burn(&server, "checkout-availability", "5m", calm).await < 1.0);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn prometheus_endpoints_answer_with_the_reference_envelopes() {
    bounded(async {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        let base = &server.prometheus_url;
        let q = r#"sum(rate(http_requests_total{service="checkout"}[5m]))"#;

        // GET without `time` uses now.
        let (status, body) = get_json(&format!("{base}/api/v1/query"), &[("query", q)]).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["result"][0]["metric"], json!({}));
        assert!(body["data"]["result"][0]["value"][0].is_f64());

        // POST form, RFC3339 time.
        let resp = client()
            .post(format!("{base}/api/v1/query"))
            .form(&[
                ("query", q),
                ("time", "2026-01-01T00:00:00Z"),
                ("timeout", "5s"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body["data"]["result"][0]["value"][0].as_f64(),
            Some(1_767_225_600.0)
        );

        // Bare rate: one series per code, without __name__.
        let (_, body) = get_json(
            &format!("{base}/api/v1/query"),
            &[(
                "query",
                r#"rate(http_requests_total{service="payments"}[1h])"#,
            )],
        )
        .await;
        let series = body["data"]["result"].as_array().unwrap();
        assert_eq!(series.len(), 4);
        assert!(
            series
                .iter()
                .all(|s| s["metric"]["service"] == "payments"
                    && s["metric"].get("__name__").is_none())
        );

        // No data is an empty vector, not zero.
        let (_, body) = get_json(
            &format!("{base}/api/v1/query"),
            &[(
                "query",
                r#"sum(rate(http_requests_total{service="nope"}[5m]))"#,
            )],
        )
        .await;
        assert_eq!(body["data"]["result"], json!([]));

        // Range query: a matrix with one point per step, inclusive of both ends.
        let start = server.clock().unix_secs_at(0.0);
        let (s, e) = (start.to_string(), (start + 600.0).to_string());
        let (status, body) = get_json(
            &format!("{base}/api/v1/query_range"),
            &[("query", q), ("start", &s), ("end", &e), ("step", "1m")],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["resultType"], "matrix");
        let values = body["data"]["result"][0]["values"].as_array().unwrap();
        assert_eq!(values.len(), 11);
        assert!(
            values
                .iter()
                .all(|v| v[1].as_str().unwrap().parse::<f64>().unwrap() > 0.0)
        );

        // Sloth-style rules.
        let (status, body) = get_json(&format!("{base}/api/v1/rules"), &[]).await;
        assert_eq!(status, 200);
        let groups = body["data"]["groups"].as_array().unwrap();
        for s in &SLOS {
            for kind in ["sli-recordings", "meta-recordings", "alerts"] {
                let name = format!("sloth-slo-{kind}-{}", s.name);
                assert!(groups.iter().any(|g| g["name"] == name.as_str()), "{name}");
            }
        }
        let (_, body) = get_json(&format!("{base}/api/v1/rules"), &[("type", "record")]).await;
        let all_recording = body["data"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["rules"].as_array().unwrap())
            .all(|r| r["type"] == "recording");
        assert!(all_recording);

        let (status, body) = get_json(&format!("{base}/api/v1/status/buildinfo"), &[]).await;
        assert_eq!(status, 200);
        assert!(body["data"]["version"].is_string());
        let ready = client()
            .get(format!("{base}/-/ready"))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status().as_u16(), 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn bad_promql_is_refused_with_bad_data() {
    bounded(async {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        let base = &server.prometheus_url;
        let x = "sum(rate(x[5m]))";
        for (path, params) in [
            (
                "query",
                vec![("query", "sum(rate(http_requests_total[5m])")],
            ),
            ("query", vec![("query", "avg(up)")]),
            ("query", vec![("query", "")]),
            ("query", vec![("query", x), ("time", "yesterday")]),
            (
                "query_range",
                vec![("query", x), ("start", "10"), ("end", "5"), ("step", "1")],
            ),
            (
                "query_range",
                vec![
                    ("query", x),
                    ("start", "0"),
                    ("end", "100000"),
                    ("step", "1"),
                ],
            ),
        ] {
            let (status, body) = get_json(&format!("{base}/api/v1/{path}"), &params).await;
            assert_eq!(status, 400, "{params:?}: {body}");
            assert_eq!(body["status"], "error");
            assert_eq!(body["errorType"], "bad_data");
            assert!(!body["error"].as_str().unwrap().is_empty());
        }
        let (_, body) = get_json(&format!("{base}/api/v1/query"), &[("query", "avg(up)")]).await;
        assert!(
            body["error"].as_str().unwrap().contains("parse error"),
            "{body}"
        );
        server.shutdown().await;
    })
    .await;
}

type Labels = BTreeMap<String, String>;

fn labels_of(alert: &Value) -> Labels {
    serde_json::from_value(alert["labels"].clone()).unwrap()
}

async fn alerts(url: &str, query: &[(&str, &str)]) -> Vec<Value> {
    let (status, body) = get_json(&format!("{url}/api/v2/alerts"), query).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn alertmanager_replicas_serve_ha_duplicates_with_the_reference_shape() {
    bounded(async {
        let server = frozen_at(42, INCIDENT_PAGING_AT).await;
        let mut per_replica = Vec::new();
        for url in &server.alertmanager_urls {
            let params = [
                ("active", "true"),
                ("silenced", "true"),
                ("inhibited", "true"),
                ("unknown", "x"),
            ];
            let list = alerts(url, &params).await;
            assert!(!list.is_empty());
            for a in &list {
                for key in [
                    "startsAt",
                    "updatedAt",
                    "endsAt",
                    "generatorURL",
                    "fingerprint",
                ] {
                    assert!(a[key].is_string(), "{key} in {a}");
                }
                assert!(a["receivers"][0]["name"].is_string());
                for key in ["summary", "description", "runbook_url"] {
                    assert!(a["annotations"][key].is_string());
                }
                for key in ["severity", "service", "namespace", "prometheus_replica"] {
                    assert!(a["labels"][key].is_string());
                }
                let st = &a["status"];
                assert!(st["state"] == "active" || st["state"] == "suppressed");
                for key in ["silencedBy", "inhibitedBy", "mutedBy"] {
                    assert!(st[key].is_array());
                }
            }
            per_replica.push(list);
        }
        // Both replicas report the same alerts; each comes from prom-a and prom-b.
        let ids = |list: &Vec<Value>| {
            let mut v: Vec<Labels> = list.iter().map(labels_of).collect();
            v.sort();
            v
        };
        assert_eq!(ids(&per_replica[0]), ids(&per_replica[1]));
        let mut identities: BTreeMap<Labels, usize> = BTreeMap::new();
        for a in per_replica.iter().flatten() {
            let mut l = labels_of(a);
            l.remove("prometheus_replica");
            *identities.entry(l).or_default() += 1;
        }
        assert!(identities.values().all(|n| *n == 4), "{identities:?}");
        let names: std::collections::BTreeSet<String> =
            identities.keys().map(|l| l["alertname"].clone()).collect();
        assert!((3..=6).contains(&names.len()), "{names:?}");
        assert!(names.contains("CheckoutHighErrorRate"));
        assert!(identities.keys().any(|l| l["severity"] == "critical"));

        // The maintenance silence exists and suppresses its alert on both replicas.
        let url0 = &server.alertmanager_urls[0];
        let (_, silences) = get_json(&format!("{url0}/api/v2/silences"), &[]).await;
        let maint = silences
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["status"]["state"] == "active"
                    && !s["comment"].as_str().unwrap().starts_with("ACK")
            })
            .expect("a maintenance silence")
            .clone();
        for list in &per_replica {
            let silenced: Vec<&Value> = list
                .iter()
                .filter(|a| a["status"]["state"] == "suppressed")
                .collect();
            assert_eq!(silenced.len(), 2);
            assert!(
                silenced
                    .iter()
                    .all(|a| a["status"]["silencedBy"] == json!([maint["id"].clone()]))
            );
        }

        // Filters and flags.
        let crit = alerts(url0, &[("filter", r#"severity="critical""#)]).await;
        assert_eq!(crit.len(), 2);
        let unsilenced = alerts(url0, &[("silenced", "false")]).await;
        assert_eq!(unsilenced.len(), per_replica[0].len() - 2);
        let (status, _) =
            get_json(&format!("{url0}/api/v2/alerts"), &[("filter", "nonsense")]).await;
        assert_eq!(status, 400);

        // Groups by alertname.
        let (status, groups) = get_json(&format!("{url0}/api/v2/alerts/groups"), &[]).await;
        assert_eq!(status, 200);
        let groups = groups.as_array().unwrap();
        assert_eq!(groups.len(), names.len());
        for g in groups {
            assert!(g["labels"]["alertname"].is_string() && g["receiver"]["name"].is_string());
            assert!(
                g["alerts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|a| a["labels"]["alertname"] == g["labels"]["alertname"])
            );
        }

        // Status of a two-peer cluster.
        for url in &server.alertmanager_urls {
            let (status, st) = get_json(&format!("{url}/api/v2/status"), &[]).await;
            assert_eq!(status, 200);
            assert_eq!(st["cluster"]["status"], "ready");
            assert_eq!(st["cluster"]["peers"].as_array().unwrap().len(), 2);
            assert!(st["versionInfo"]["version"].is_string());
            assert!(st["config"]["original"].is_string());
            assert!(st["uptime"].is_string());
            let ready = client().get(format!("{url}/-/ready")).send().await.unwrap();
            assert_eq!(ready.status().as_u16(), 200);
        }
        server.shutdown().await;
    })
    .await;
}

fn cert_alerts<'a>(list: &'a [Value], host: &str) -> Vec<&'a Value> {
    list.iter()
        .filter(|a| {
            a["labels"]["alertname"] == "CertificateExpiringSoon" && a["labels"]["host"] == host
        })
        .collect()
}

#[tokio::test]
async fn a_silence_posted_to_one_replica_silences_on_both_until_deleted() {
    bounded(async {
        let server = DemoServer::start(DemoOptions::default()).await.unwrap();
        let (am0, am1) = (&server.alertmanager_urls[0], &server.alertmanager_urls[1]);
        let now = chrono::Utc::now();
        let silence = json!({
            "matchers": [
                {"name": "alertname", "value": "CertificateExpiringSoon", "isRegex": false, "isEqual": true},
                {"name": "host", "value": "shop\\.example", "isRegex": true},
            ],
            "startsAt": now.to_rfc3339(),
            "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
            "createdBy": "alice",
            "comment": "ACK: renewing",
        });
        let resp = client()
            .post(format!("{am0}/api/v2/silences"))
            .json(&silence)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let id = resp.json::<Value>().await.unwrap()["silenceID"]
            .as_str()
            .unwrap()
            .to_string();

        // Gossiped to the other replica.
        let (status, got) = get_json(&format!("{am1}/api/v2/silence/{id}"), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(got["status"]["state"], "active");
        assert_eq!(got["createdBy"], "alice");
        let (_, listed) = get_json(&format!("{am1}/api/v2/silences"), &[]).await;
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == id.as_str())
        );

        for url in [am0, am1] {
            let list = alerts(url, &[]).await;
            let hit = cert_alerts(&list, "shop.example");
            assert_eq!(hit.len(), 2);
            for a in hit {
                assert_eq!(a["status"]["state"], "suppressed");
                assert_eq!(a["status"]["silencedBy"], json!([id]));
            }
            // The anchored regex does not reach the other host.
            let other = cert_alerts(&list, "api.shop.example");
            assert_eq!(other.len(), 2);
            for a in other {
                assert_eq!(a["status"]["state"], "active");
            }
        }

        // Expire it through the other replica.
        let resp = client()
            .delete(format!("{am1}/api/v2/silence/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let (_, got) = get_json(&format!("{am0}/api/v2/silence/{id}"), &[]).await;
        assert_eq!(got["status"]["state"], "expired");
        for url in [am0, am1] {
            let list = alerts(url, &[]).await;
            let hit = cert_alerts(&list, "shop.example");
            assert_eq!(hit.len(), 2);
            for a in hit {
                assert_eq!(a["status"]["state"], "active");
                assert_eq!(a["status"]["silencedBy"], json!([]));
            }
        }
        let again = client()
            .delete(format!("{am0}/api/v2/silence/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 500);
        let missing = client()
            .get(format!(
                "{am0}/api/v2/silence/00000000-0000-4000-8000-000000000000"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status().as_u16(), 404);

        // Invalid silences are refused with Alertmanager's messages.
        let mut no_matchers = silence.clone();
        no_matchers["matchers"] = json!([]);
        let mut backwards = silence.clone();
        backwards["endsAt"] = json!((now - chrono::Duration::hours(1)).to_rfc3339());
        for bad in [no_matchers, backwards] {
            let resp = client()
                .post(format!("{am0}/api/v2/silences"))
                .json(&bad)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 400);
            let msg: String = resp.json().await.unwrap();
            assert!(!msg.is_empty());
        }
        server.shutdown().await;
    })
    .await;
}

type Streams = BTreeMap<Labels, Vec<(i128, String)>>;

/// One Loki range query; streams in answer order (a stream may not repeat).
async fn loki(
    server: &DemoServer,
    start: i128,
    end: i128,
    direction: &str,
    limit: usize,
) -> Vec<(Labels, Vec<(i128, String)>)> {
    let (s, e, l) = (start.to_string(), end.to_string(), limit.to_string());
    let (status, body) = get_json(
        &format!("{}/loki/api/v1/query_range", server.loki_url),
        &[
            ("query", onwatch::demo::LOKI_QUERY),
            ("start", &s),
            ("end", &e),
            ("direction", direction),
            ("limit", &l),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    assert_eq!(body["data"]["resultType"], "streams");
    assert!(body["data"]["stats"].is_object());
    body["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| {
            let labels: Labels = serde_json::from_value(st["stream"].clone()).unwrap();
            let values = st["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v[0].as_str().unwrap().parse::<i128>().unwrap(),
                        v[1].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (labels, values)
        })
        .collect()
}

fn by_stream(result: Vec<(Labels, Vec<(i128, String)>)>) -> Streams {
    let mut out = Streams::new();
    for (l, v) in result {
        out.entry(l).or_default().extend(v);
    }
    out
}

#[tokio::test]
async fn loki_polling_from_the_last_timestamp_neither_loses_nor_repeats() {
    bounded(async {
        // Start in the storm; the minute before the start is already in the past.
        let server = start_at(42, Duration::from_secs(200)).await;
        let c = server.clock();
        let (a, m, b) = (
            c.unix_ns_at(140.0),
            c.unix_ns_at(170.0),
            c.unix_ns_at(200.0),
        );

        let whole = by_stream(loki(&server, a, b, "forward", 5000).await);
        assert!(whole.values().map(Vec::len).sum::<usize>() > 100);
        for values in whole.values() {
            assert!(
                values.windows(2).all(|w| w[0].0 < w[1].0),
                "timestamps strictly increase"
            );
        }
        // Stable: the same range gives the same entries.
        assert_eq!(whole, by_stream(loki(&server, a, b, "forward", 5000).await));

        // Poll, then poll again from one nanosecond after the last timestamp seen.
        let first = by_stream(loki(&server, a, m, "forward", 5000).await);
        let last_seen = first.values().flatten().map(|(t, _)| *t).max().unwrap();
        let second = by_stream(loki(&server, last_seen + 1, b, "forward", 5000).await);
        let mut joined = first.clone();
        for (l, v) in second {
            joined.entry(l).or_default().extend(v);
        }
        assert_eq!(joined, whole);

        // The storm: errors and raw escape sequences, a NUL and tabs, delivered as they are.
        let lines: Vec<&String> = whole.values().flatten().map(|(_, l)| l).collect();
        assert!(lines.iter().any(|l| l.contains("\x1b[31m")));
        assert!(lines.iter().any(|l| l.contains("\x1b]0;")));
        assert!(lines.iter().any(|l| l.contains('\0') && l.contains('\t')));
        assert!(
            lines
                .iter()
                .any(|l| l.contains("\"level\":\"error\"") || l.contains("level=error"))
        );

        // Backward (the default) gives the newest first, limited.
        let newest = loki(&server, a, b, "backward", 10).await;
        let mut got: Vec<i128> = newest
            .iter()
            .flat_map(|(_, v)| v.iter().map(|(t, _)| *t))
            .collect();
        assert_eq!(got.len(), 10);
        let mut all: Vec<i128> = whole.values().flatten().map(|(t, _)| *t).collect();
        all.sort_unstable();
        let mut top: Vec<i128> = all.iter().rev().take(10).copied().collect();
        top.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, top);
        for (_, v) in &newest {
            assert!(v.windows(2).all(|w| w[0].0 > w[1].0));
        }

        // Seconds are accepted too; a query that is not a selector is refused.
        let url = format!("{}/loki/api/v1/query_range", server.loki_url);
        let secs = (a / 1_000_000_000).to_string();
        let (status, _) = get_json(
            &url,
            &[("query", onwatch::demo::LOKI_QUERY), ("start", &secs)],
        )
        .await;
        assert_eq!(status, 200);
        let (status, _) = get_json(&url, &[("query", "nonsense")]).await;
        assert_eq!(status, 400);
        let ready = client()
            .get(format!("{}/ready", server.loki_url))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status().as_u16(), 200);
        server.shutdown().await;
    })
    .await;
}

type Fingerprint = (Vec<Option<f64>>, Vec<Vec<(i128, String)>>);

/// What a server shows at scenario time `at`, log timestamps made relative to its start.
async fn fingerprint_of(server: &DemoServer, at: f64) -> Fingerprint {
    let c = server.clock();
    let mut ratios = Vec::new();
    for s in &SLOS {
        for w in ["5m", "1h", "3d"] {
            ratios.push(instant(server, &s.ratio_query(w), c.unix_secs_at(at)).await);
        }
    }
    let logs = by_stream(
        loki(
            server,
            c.unix_ns_at(at - 20.0),
            c.unix_ns_at(at),
            "forward",
            5000,
        )
        .await,
    )
    .into_values()
    .map(|v| {
        v.into_iter()
            .map(|(t, l)| (t - c.start_unix_ns, l))
            .collect()
    })
    .collect();
    (ratios, logs)
}

async fn alert_labels(server: &DemoServer) -> Vec<Labels> {
    let mut v: Vec<Labels> = alerts(&server.alertmanager_urls[0], &[])
        .await
        .iter()
        .map(labels_of)
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn the_same_seed_plays_the_same_data() {
    bounded(async {
        let offset = Duration::from_secs(250);
        let a = frozen_at(7, offset).await;
        let b = frozen_at(7, offset).await;
        let other = frozen_at(8, offset).await;
        let (ratios_a, logs_a) = fingerprint_of(&a, 240.0).await;
        let (ratios_b, logs_b) = fingerprint_of(&b, 240.0).await;
        let (ratios_o, logs_o) = fingerprint_of(&other, 240.0).await;
        assert!(!logs_a.is_empty());
        assert_eq!(logs_a, logs_b);
        assert_ne!(logs_a, logs_o);
        // Query times are whole milliseconds, so two servers started a fraction of a millisecond
        // apart evaluate a hair apart in scenario time: equal to well within a part in a thousand.
        let close = |x: &[Option<f64>], y: &[Option<f64>], tol: f64| {
            x.iter()
                .zip(y)
                .all(|(p, q)| (p.unwrap() - q.unwrap()).abs() <= tol * p.unwrap().abs())
        };
        assert!(ratios_a.iter().all(Option::is_some));
        assert!(
            close(&ratios_a, &ratios_b, 1e-3),
            "{ratios_a:?} {ratios_b:?}"
        );
        assert!(
            !close(&ratios_a, &ratios_o, 1e-2),
            "{ratios_a:?} {ratios_o:?}"
        );
        assert_eq!(alert_labels(&a).await, alert_labels(&b).await);
        for s in [a, b, other] {
            s.shutdown().await;
        }
    })
    .await;
}

/// `e` in `onwatch demo`, through the keys, the executor and the simulator: the first step
/// re-posts the alert with `escalated="true"` (routed to the tier-2 pager), the second posts to
/// the simulator's incident-channel webhook; the row says who escalated to what.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escalation_in_the_demo_lands_in_the_simulator_and_on_the_row() {
    use onwatch::app::{Effect, Msg, State, SystemClock, update};
    use onwatch::domain::health::{SourceId, SourceKind};
    use onwatch::domain::keymap::{Key, KeyCode};
    bounded(async {
        let server = frozen_at(42, Duration::ZERO).await;
        let mut cfg: onwatch::config::Config = toml::from_str(&server.config_toml()).unwrap();
        assert!(
            cfg.actions
                .state_dir
                .as_ref()
                .is_some_and(|d| d.ends_with("demo")),
            "the demo keeps its outbox and audit log apart"
        );
        let dir = tempfile::tempdir().unwrap();
        cfg.actions.state_dir = Some(dir.path().to_path_buf());
        let exec_cfg = onwatch::actions::build(&cfg, None).unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let exec = onwatch::actions::Executor::new(exec_cfg, tx).unwrap();
        let mut setup =
            onwatch::cli::setup::build_setup(&cfg, &onwatch::cli::setup::CliOverrides::default())
                .unwrap();
        assert_eq!(setup.acts.chains.len(), 1);
        setup.user = "alice".into();
        let mut s = State::new(setup, chrono::Utc::now());
        let http = onwatch::sources::http::HttpClient::new(
            &onwatch::config::HttpOptions::default(),
            Duration::from_secs(5),
        )
        .unwrap();
        let mut fetcher = onwatch::poll::cluster::ClusterFetcher::new(
            "demo",
            server
                .alertmanager_urls
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let c =
                        onwatch::sources::alertmanager::AlertmanagerClient::new(u, http.clone());
                    (format!("am-{i}"), c.unwrap())
                })
                .collect(),
        );
        let mut generation = 0;
        let mut poll = async |s: &mut State| {
            generation += 1;
            let payload = fetcher.fetch().await.unwrap();
            update(
                s,
                kit::source_msg(
                    SourceId::new(SourceKind::Alertmanager, "demo"),
                    generation,
                    chrono::Utc::now(),
                    Ok(payload),
                ),
                &SystemClock,
            );
        };
        poll(&mut s).await;
        s.focus = onwatch::app::state::Pane::Alerts;
        let g = s
            .groups
            .iter()
            .position(|g| {
                g.labels.get("alertname").map(String::as_str) == Some("PaymentsErrorBudgetBurn")
            })
            .expect("the payments burn alert fires from the start");
        s.alert_cursor = s
            .alert_rows()
            .iter()
            .position(|r| *r == onwatch::app::state::AlertRow::Group(g))
            .unwrap();
        let mut escalate = async |s: &mut State, want: &str| {
            update(s, Msg::Key(Key::char('e')), &SystemClock);
            let Some(onwatch::app::acts::Dialog::Escalate(d)) = &s.acts.dialog else {
                panic!("no escalation dialog: {:?}", s.status)
            };
            assert_eq!(d.chain.targets[d.target], want);
            for c in "need help".chars() {
                update(s, Msg::Key(Key::char(c)), &SystemClock);
            }
            for e in update(s, Msg::Key(Key::plain(KeyCode::Enter)), &SystemClock) {
                if let Effect::Act(req) = e {
                    exec.submit(*req).unwrap();
                }
            }
            let r = loop {
                let r = rx.recv().await.unwrap();
                if !matches!(r.outcome, onwatch::app::acts::Outcome::Queued) {
                    break r;
                }
            };
            assert!(
                matches!(r.outcome, onwatch::app::acts::Outcome::Done(_)),
                "{r:?}"
            );
            update(s, Msg::ActionResult(r), &SystemClock);
        };
        escalate(&mut s, "tier-2 pager").await;
        let first = s.groups[g].alerts[0].clone();
        assert_eq!(
            onwatch::app::acts::row_note(&s, &first).as_deref(),
            Some("esc alice→tier-2 pager")
        );
        // the re-posted alert fires on both replicas, routed to the tier-2 pager
        for url in &server.alertmanager_urls {
            let list = alerts(url, &[("filter", "escalated=\"true\"")]).await;
            assert_eq!(list.len(), 1, "{list:?}");
            assert_eq!(list[0]["labels"]["alertname"], "PaymentsErrorBudgetBurn");
            assert_eq!(list[0]["receivers"][0]["name"], "tier2-pager");
            assert_eq!(list[0]["annotations"]["escalated_by"], "alice");
        }
        // and in the cockpit, after the next poll
        poll(&mut s).await;
        assert!(
            s.groups
                .iter()
                .flat_map(|g| &g.alerts)
                .any(|a| a.identity().get("escalated") == Some("true"))
        );
        // the next `e` on the same alert (the group now holds the escalated one too) offers
        // the incident channel
        let g = s
            .groups
            .iter()
            .position(|g| {
                g.labels.get("alertname").map(String::as_str) == Some("PaymentsErrorBudgetBurn")
            })
            .unwrap();
        let a = s.groups[g]
            .alerts
            .iter()
            .position(|a| a.identity() == first.identity())
            .unwrap();
        s.alert_cursor = s
            .alert_rows()
            .iter()
            .position(|r| *r == onwatch::app::state::AlertRow::Group(g))
            .unwrap();
        update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &SystemClock); // expand
        s.alert_cursor = s
            .alert_rows()
            .iter()
            .position(|r| *r == onwatch::app::state::AlertRow::Alert(g, a))
            .unwrap();
        escalate(&mut s, "incident channel").await;
        let hooks = server.webhook_received();
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        assert_eq!(
            hooks[0]["text"],
            "alice escalated PaymentsErrorBudgetBurn (demo): need help"
        );
        server.shutdown().await;
    })
    .await;
}
