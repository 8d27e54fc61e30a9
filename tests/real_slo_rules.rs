//! `onwatch slo rules` against the real tools: `promtool check rules` accepts the output, a
//! real Prometheus loads it, and discovery reads back the SLOs that were configured (name,
//! objective, period, every window the burn-rate rules read).

#![allow(clippy::unwrap_used)]

mod kit;
mod support;

use kit::binary::{onwatch, run};
use onwatch::domain::slo::SloOrigin;
use onwatch::poll::slo_discover::discover;
use std::time::Duration;
use support::prometheus::Prometheus;

const CONFIG: &str = r#"[[prometheus]]
name = "prod"
url = "http://127.0.0.1:9"

[[slo]]
name = "shop/checkout"
source = "prod"
objective = 99.9
error_query = 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[$window]))'
total_query = 'sum(rate(http_requests_total{job="checkout"}[$window]))'

[[slo]]
name = "search"
source = "prod"
objective = 99.0
period = "28d"
histogram = 'http_request_duration_seconds{job="search"}'
threshold = "0.3"

[[slo]]
name = "per-tenant"
source = "prod"
objective = 99.5
group_by = ["tenant"]
error_query = 'sum by (tenant) (rate(errors_total[$window]))'
total_query = 'sum by (tenant) (rate(requests_total[$window]))'
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_rules_pass_promtool_load_in_prometheus_and_are_discovered_as_configured() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let (code, rules, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .args(["slo", "rules"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("per-tenant: left out, it has group_by"),
        "the SLO it cannot write is named: {err}"
    );
    let file = home.path().join("onwatch-slos.rules.yml");
    std::fs::write(&file, &rules).unwrap();
    let check = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .expect("promtool is installed with the prometheus package");
    assert!(
        check.status.success(),
        "promtool refused the rules: {}{}\n{rules}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    let p = Prometheus::start(None, std::slice::from_ref(&file));
    let c = kit::prom_client(&p.url(), Duration::from_secs(10));
    let mut found = discover(&c.rules().await.unwrap());
    found.sort_by(|a, b| a.def.name.cmp(&b.def.name));
    let names: Vec<&str> = found.iter().map(|d| d.def.name.as_str()).collect();
    assert_eq!(names, ["search", "shop/checkout"]);
    let day = 86_400;
    for (d, objective, period) in [(&found[0], 0.99, 28 * day), (&found[1], 0.999, 30 * day)] {
        assert_eq!(d.origin, SloOrigin::Sloth);
        assert!((d.def.objective - objective).abs() < 1e-9, "{d:?}");
        assert_eq!(d.def.period, Duration::from_secs(period), "{d:?}");
        let windows: Vec<String> = d
            .windows
            .iter()
            .map(|w| onwatch::domain::duration::label(*w))
            .collect();
        for w in ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] {
            assert!(
                windows.contains(&w.to_string()),
                "{w} not recorded: {windows:?}"
            );
        }
        assert!(windows.contains(&onwatch::domain::duration::label(d.def.period)));
    }
    assert_eq!(found[1].service.as_deref(), Some("shop"));

    let (code, spec, _) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .args(["slo", "rules", "--format", "sloth"]));
    assert_eq!(code, 0);
    assert!(
        spec.contains("version: \"prometheus/v1\"") && spec.contains("service: \"shop\""),
        "{spec}"
    );
    assert!(spec.contains("[{{.window}}]"), "{spec}");
}
