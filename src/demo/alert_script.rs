//! Which alerts fire when. Each alert is reported by both Prometheus servers of an HA pair
//! (`prometheus_replica` prom-a / prom-b), so a cockpit sees four copies across two Alertmanagers.

use super::rng;
use super::scenario::Scenario;
use super::script::{self, CRITICAL_FIRES, CRITICAL_RESOLVES, FLAP_PERIOD, PAYMENTS_BURN_SINCE};
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq)]
pub struct ScriptedAlert {
    pub labels: Labels,
    pub annotations: Labels,
    /// Scenario seconds at which this firing began.
    pub starts_at: f64,
    pub receiver: &'static str,
    /// The PromQL expression shown in `generatorURL`.
    pub expr: &'static str,
}

pub const REPLICAS: [&str; 2] = ["prom-a", "prom-b"];
/// The second replica evaluates a few seconds after the first.
const REPLICA_LAG: f64 = 7.0;

/// The host in runbook links; `.example` never resolves, so nothing leaves the machine by accident.
pub const RUNBOOKS: &str = "https://runbooks.example/onwatch-demo";

/// Alert labels of the maintenance-silenced alert; the default silence matches them.
pub const MAINTENANCE_ALERT: &str = "NodeDiskPressure";
pub const MAINTENANCE_INSTANCE: &str = "db-2";

struct Firing {
    alertname: &'static str,
    severity: &'static str,
    service: &'static str,
    namespace: &'static str,
    extra: Vec<(&'static str, String)>,
    summary: String,
    description: String,
    runbook: &'static str,
    starts_at: f64,
    receiver: &'static str,
    expr: &'static str,
}

pub fn alerts_at(sc: &Scenario, s: f64) -> Vec<ScriptedAlert> {
    let mut firing = Vec::new();
    let cycle = script::cycle_start(s);

    if let Some(p) = script::phase(s)
        && (CRITICAL_FIRES..CRITICAL_RESOLVES).contains(&p)
    {
        let start = cycle + CRITICAL_FIRES;
        let ratio = sc
            .traffic
            .service("checkout")
            .map_or(0.0, |t| t.error_ratio(start, 60.0));
        firing.push(Firing {
            alertname: "CheckoutHighErrorRate",
            severity: "critical",
            service: "checkout",
            namespace: "shop",
            extra: vec![("team", "shop".into())],
            summary: "Checkout is failing requests".into(),
            description: format!(
                "{:.1}% of checkout requests answered 5xx over the last minute (threshold 5%).",
                ratio * 100.0
            ),
            runbook: "checkout-high-error-rate",
            starts_at: start,
            receiver: "shop-pager",
            expr: r#"sum(rate(http_requests_total{service="checkout",code=~"5.."}[1m])) / sum(rate(http_requests_total{service="checkout"}[1m])) > 0.05"#,
        });
    }

    firing.push(Firing {
        alertname: "PaymentsErrorBudgetBurn",
        severity: "warning",
        service: "payments",
        namespace: "shop",
        extra: vec![
            ("team", "shop".into()),
            ("slo", "payments-availability".into()),
        ],
        summary: "Payments is slowly burning its error budget".into(),
        description: "payments-availability burns at about 2x over 3d and 6h: a ticket, not a page."
            .into(),
        runbook: "payments-error-budget-burn",
        starts_at: PAYMENTS_BURN_SINCE + 6.0 * 3600.0,
        receiver: "shop-tickets",
        expr: r#"slo:sli_error:ratio_rate6h{sloth_id="payments-availability"} > (1 * 0.005) and slo:sli_error:ratio_rate3d{sloth_id="payments-availability"} > (1 * 0.005)"#,
    });

    // Fires for half of every period: the flapping alert.
    let flap_shift = rng::between(sc.seed, &[300], 0.0, FLAP_PERIOD);
    let in_period = (s - flap_shift).rem_euclid(FLAP_PERIOD);
    if in_period < FLAP_PERIOD / 2.0 {
        let period = ((s - flap_shift) / FLAP_PERIOD).floor() as i64 as u64;
        let lag = 40 + (rng::hash(sc.seed, &[301, period]) % 200);
        firing.push(Firing {
            alertname: "QueueLagHigh",
            severity: "warning",
            service: "inventory-sync",
            namespace: "shop",
            extra: vec![
                ("team", "shop".into()),
                ("queue", "inventory-updates".into()),
            ],
            summary: "inventory-updates consumer lag is high".into(),
            description: format!("Consumer lag is {lag}s (threshold 30s)."),
            runbook: "queue-lag-high",
            starts_at: s - in_period,
            receiver: "shop-slack",
            expr: r#"max(kafka_consumergroup_lag_seconds{topic="inventory-updates"}) > 30"#,
        });
    }

    for (host, days) in [("shop.example", 9), ("api.shop.example", 13)] {
        firing.push(Firing {
            alertname: "CertificateExpiringSoon",
            severity: "info",
            service: "gateway",
            namespace: "edge",
            extra: vec![("team", "platform".into()), ("host", host.into())],
            summary: format!("TLS certificate for {host} expires soon"),
            description: format!("The certificate served for {host} expires in {days} days."),
            runbook: "certificate-expiring-soon",
            starts_at: -2.0 * 86_400.0,
            receiver: "platform-slack",
            expr: r#"probe_ssl_earliest_cert_expiry - time() < 14 * 86400"#,
        });
    }

    firing.push(Firing {
        alertname: MAINTENANCE_ALERT,
        severity: "warning",
        service: "postgres",
        namespace: "data",
        extra: vec![
            ("team", "platform".into()),
            ("instance", MAINTENANCE_INSTANCE.into()),
        ],
        summary: "db-2 data volume is 91% full".into(),
        description: "Disk usage on db-2 /var/lib/postgresql is 91% (threshold 90%).".into(),
        runbook: "node-disk-pressure",
        starts_at: -40.0 * 60.0,
        receiver: "platform-slack",
        expr: r#"node_filesystem_avail_bytes{mountpoint="/var/lib/postgresql"} / node_filesystem_size_bytes < 0.1"#,
    });

    let mut out = Vec::new();
    for f in firing {
        for (i, replica) in REPLICAS.iter().enumerate() {
            let mut labels: Labels = [
                ("alertname", f.alertname.to_string()),
                ("severity", f.severity.to_string()),
                ("service", f.service.to_string()),
                ("namespace", f.namespace.to_string()),
                ("prometheus_replica", replica.to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            for (k, v) in &f.extra {
                labels.insert(k.to_string(), v.clone());
            }
            let annotations: Labels = [
                ("summary", f.summary.clone()),
                ("description", f.description.clone()),
                ("runbook_url", format!("{RUNBOOKS}/{}", f.runbook)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            out.push(ScriptedAlert {
                labels,
                annotations,
                starts_at: f.starts_at + REPLICA_LAG * i as f64,
                receiver: f.receiver,
                expr: f.expr,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sc: &Scenario, s: f64) -> Vec<String> {
        let mut n: Vec<String> = sc
            .alerts_at(s)
            .iter()
            .map(|a| a.labels["alertname"].clone())
            .collect();
        n.dedup();
        n
    }

    #[test]
    fn critical_fires_only_during_the_incident() {
        let sc = Scenario::new(42);
        assert!(!names(&sc, 30.0).contains(&"CheckoutHighErrorRate".to_string()));
        assert!(names(&sc, 200.0).contains(&"CheckoutHighErrorRate".to_string()));
        assert!(names(&sc, 800.0).contains(&"CheckoutHighErrorRate".to_string()));
        assert!(!names(&sc, 500.0).contains(&"CheckoutHighErrorRate".to_string()));
    }

    #[test]
    fn every_alert_comes_from_both_replicas_with_the_required_labels() {
        let sc = Scenario::new(42);
        let alerts = sc.alerts_at(200.0);
        assert!(alerts.len() >= 10);
        for a in &alerts {
            for k in ["alertname", "severity", "service", "namespace"] {
                assert!(a.labels.contains_key(k), "{k} missing on {:?}", a.labels);
            }
            for k in ["summary", "description", "runbook_url"] {
                assert!(a.annotations.contains_key(k));
            }
            let mut twin = a.labels.clone();
            let other = if a.labels["prometheus_replica"] == "prom-a" {
                "prom-b"
            } else {
                "prom-a"
            };
            twin.insert("prometheus_replica".into(), other.into());
            assert!(alerts.iter().any(|b| b.labels == twin));
        }
        let severities: std::collections::BTreeSet<_> = alerts
            .iter()
            .map(|a| a.labels["severity"].clone())
            .collect();
        assert!(severities.len() >= 3);
    }

    #[test]
    fn the_flapping_alert_changes_state_every_minute_or_two() {
        let sc = Scenario::new(42);
        let firing: Vec<bool> = (0..60)
            .map(|i| names(&sc, f64::from(i) * 10.0).contains(&"QueueLagHigh".to_string()))
            .collect();
        let changes = firing.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(
            (8..=14).contains(&changes),
            "{changes} changes in 10 minutes"
        );
    }

    #[test]
    fn the_critical_alert_tells_the_truth_about_its_threshold() {
        let sc = Scenario::new(42);
        let a = sc
            .alerts_at(200.0)
            .into_iter()
            .find(|a| a.labels["alertname"] == "CheckoutHighErrorRate")
            .unwrap();
        let pct: f64 = a.annotations["description"]
            .split('%')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pct > 5.0, "{pct}");
    }

    #[test]
    fn alerts_are_a_function_of_seed_and_time() {
        let a = Scenario::new(5).alerts_at(222.0);
        assert_eq!(a, Scenario::new(5).alerts_at(222.0));
    }
}
