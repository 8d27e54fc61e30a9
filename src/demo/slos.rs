//! The three SLOs the simulator answers for, as config entries and as Sloth recording rules.

use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq)]
pub struct DemoSlo {
    /// `<sloth_service>-<sloth_slo>`, also the config name and `sloth_id`.
    pub name: &'static str,
    pub service: &'static str,
    pub slo: &'static str,
    /// Percent.
    pub objective: f64,
    pub description: &'static str,
}

impl DemoSlo {
    pub fn error_query(&self) -> String {
        format!(
            r#"sum(rate(http_requests_total{{service="{}",code=~"5.."}}[$window]))"#,
            self.service
        )
    }

    pub fn total_query(&self) -> String {
        format!(
            r#"sum(rate(http_requests_total{{service="{}"}}[$window]))"#,
            self.service
        )
    }

    /// The instant query a cockpit sends for one window.
    pub fn ratio_query(&self, window: &str) -> String {
        let total = self.total_query().replace("$window", window);
        format!(
            "(({}) or ({total}) * 0) / ({total})",
            self.error_query().replace("$window", window),
        )
    }
}

pub const SLOS: [DemoSlo; 3] = [
    DemoSlo {
        name: "checkout-availability",
        service: "checkout",
        slo: "availability",
        objective: 99.9,
        description: "Checkout answers without a 5xx (pages during the incident).",
    },
    DemoSlo {
        name: "payments-availability",
        service: "payments",
        slo: "availability",
        objective: 99.5,
        description: "Payments answers without a 5xx (a slow burn: ticket).",
    },
    DemoSlo {
        name: "search-availability",
        service: "search",
        slo: "availability",
        objective: 99.5,
        description: "Search answers without a 5xx (healthy).",
    },
];

/// Windows of Sloth's default 30-day alerting, plus the period.
pub const WINDOWS: [&str; 8] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"];

/// The Sloth rule groups for every demo SLO, shaped as `/api/v1/rules` reports them.
/// `firing` says, per SLO name and severity (page/ticket), whether the alert is firing now.
pub fn rule_groups(firing: &dyn Fn(&DemoSlo, &str) -> bool, eval_at: &str) -> Vec<Value> {
    let mut groups = Vec::new();
    for slo in &SLOS {
        let id = slo.name;
        let base = json!({
            "owner": "onwatch-demo",
            "sloth_id": id,
            "sloth_service": slo.service,
            "sloth_slo": slo.slo,
        });
        let with = |extra: Value| {
            let mut l = base.clone();
            if let (Some(l), Some(e)) = (l.as_object_mut(), extra.as_object()) {
                l.extend(e.clone());
            }
            l
        };
        let sel = format!(
            r#"{{sloth_id="{id}", sloth_service="{}", sloth_slo="{}"}}"#,
            slo.service, slo.slo
        );
        let recording = |name: &str, query: String, labels: Value| {
            json!({
                "name": name, "query": query, "labels": labels, "health": "ok",
                "evaluationTime": 0.0004, "lastEvaluation": eval_at, "type": "recording",
            })
        };
        let sli: Vec<Value> = WINDOWS
            .iter()
            .map(|w| {
                let query = if *w == "30d" {
                    format!(
                        "sum_over_time(slo:sli_error:ratio_rate5m{sel}[30d]) / ignoring (sloth_window) count_over_time(slo:sli_error:ratio_rate5m{sel}[30d])"
                    )
                } else {
                    slo.ratio_query(w)
                };
                recording(
                    &format!("slo:sli_error:ratio_rate{w}"),
                    query,
                    with(json!({"sloth_window": w})),
                )
            })
            .collect();
        let obj = slo.objective / 100.0;
        let meta = vec![
            recording(
                "slo:objective:ratio",
                format!("vector({obj})"),
                with(json!({})),
            ),
            recording(
                "slo:error_budget:ratio",
                format!("vector(1-{obj})"),
                with(json!({})),
            ),
            recording("slo:time_period:days", "vector(30)".into(), with(json!({}))),
            recording(
                "slo:current_burn_rate:ratio",
                format!(
                    "slo:sli_error:ratio_rate5m{sel} / on(sloth_id, sloth_slo, sloth_service) group_left slo:error_budget:ratio{sel}"
                ),
                with(json!({})),
            ),
            recording(
                "slo:period_burn_rate:ratio",
                format!(
                    "slo:sli_error:ratio_rate30d{sel} / on(sloth_id, sloth_slo, sloth_service) group_left slo:error_budget:ratio{sel}"
                ),
                with(json!({})),
            ),
            recording(
                "slo:period_error_budget_remaining:ratio",
                format!("1 - slo:period_burn_rate:ratio{sel}"),
                with(json!({})),
            ),
            recording(
                "sloth_slo_info",
                "vector(1)".into(),
                with(json!({
                    "sloth_mode": "cli-gen-prom",
                    "sloth_objective": format!("{}", slo.objective),
                    "sloth_spec": "prometheus/v1",
                    "sloth_version": "v0.16.0",
                })),
            ),
        ];
        let budget = 1.0 - obj;
        let pair = |short: &str, long: &str, factor: f64| {
            format!(
                "max(slo:sli_error:ratio_rate{short}{sel} > ({factor} * {budget})) without (sloth_window) and max(slo:sli_error:ratio_rate{long}{sel} > ({factor} * {budget})) without (sloth_window)"
            )
        };
        let alert_name = format!(
            "{}{}HighErrorRate",
            slo.service[..1].to_uppercase(),
            &slo.service[1..]
        );
        let alerting = |severity: &str, expr: String| {
            let on = firing(slo, severity);
            json!({
                "state": if on { "firing" } else { "inactive" },
                "name": alert_name,
                "query": expr,
                "duration": 0,
                "keepFiringFor": 0,
                "labels": {"severity": if severity == "page" { "critical" } else { "warning" }, "sloth_severity": severity},
                "annotations": {
                    "summary": format!("High error rate on '{}' requests responses", slo.service),
                    "title": format!("({severity}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} SLO error budget burn rate is too fast."),
                },
                "alerts": [],
                "health": "ok",
                "evaluationTime": 0.0008,
                "lastEvaluation": eval_at,
                "type": "alerting",
            })
        };
        let alerts = vec![
            alerting(
                "page",
                format!(
                    "({}) or ({})",
                    pair("5m", "1h", 14.4),
                    pair("30m", "6h", 6.0)
                ),
            ),
            alerting(
                "ticket",
                format!("({}) or ({})", pair("2h", "1d", 3.0), pair("6h", "3d", 1.0)),
            ),
        ];
        for (kind, rules) in [
            ("sli-recordings", sli),
            ("meta-recordings", meta),
            ("alerts", alerts),
        ] {
            groups.push(json!({
                "name": format!("sloth-slo-{kind}-{id}"),
                "file": "/etc/prometheus/rules/onwatch-demo-slos.yml",
                "rules": rules,
                "interval": 30,
                "limit": 0,
                "evaluationTime": 0.001,
                "lastEvaluation": eval_at,
            }));
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::slo::{SloMeasurement, SloStatus, default_rules, evaluate};

    #[test]
    fn groups_follow_sloth_names() {
        let groups = rule_groups(&|_, _| false, "2026-01-01T00:00:00Z");
        assert_eq!(groups.len(), 9);
        let names: Vec<&str> = groups.iter().filter_map(|g| g["name"].as_str()).collect();
        assert!(names.contains(&"sloth-slo-sli-recordings-checkout-availability"));
        let rules: Vec<&Value> = groups
            .iter()
            .flat_map(|g| g["rules"].as_array().unwrap())
            .collect();
        for w in WINDOWS {
            let name = format!("slo:sli_error:ratio_rate{w}");
            assert_eq!(
                rules.iter().filter(|r| r["name"] == name.as_str()).count(),
                3
            );
        }
        let info: Vec<&&Value> = rules
            .iter()
            .filter(|r| r["name"] == "sloth_slo_info")
            .collect();
        assert_eq!(info.len(), 3);
        assert_eq!(info[0]["labels"]["sloth_objective"], "99.9");
    }

    /// What the cockpit computes from these queries, with the project's own SLO rules.
    fn status_at(slo: &DemoSlo, traffic: &crate::demo::traffic::Traffic, s: f64) -> SloStatus {
        use crate::domain::duration::parse;
        let ratio = |w: &str| {
            let expr = crate::demo::promql::parse(&slo.ratio_query(w)).unwrap();
            crate::demo::promql::eval(&expr, traffic, s)
                .first()
                .map(|x| x.value)
        };
        let error_ratios = WINDOWS[..7]
            .iter()
            .map(|w| (parse(w).unwrap(), ratio(w)))
            .collect();
        let m = SloMeasurement {
            error_ratios,
            period_ratio: ratio("30d"),
        };
        evaluate(
            slo.objective / 100.0,
            parse("30d").unwrap(),
            &m,
            &default_rules(),
        )
        .status
    }

    #[test]
    fn the_cockpit_sees_page_ticket_and_ok() {
        let traffic = crate::demo::traffic::Traffic::new(42);
        let [checkout, payments, search] = &SLOS;
        // Calm before the incident, paging during it, and again on the next loop.
        assert_eq!(status_at(checkout, &traffic, 30.0), SloStatus::Ok);
        assert_eq!(status_at(checkout, &traffic, 330.0), SloStatus::Page);
        assert_eq!(status_at(checkout, &traffic, 930.0), SloStatus::Page);
        for s in [30.0, 330.0, 3000.0] {
            assert_eq!(
                status_at(payments, &traffic, s),
                SloStatus::Ticket,
                "at {s}"
            );
            assert_eq!(status_at(search, &traffic, s), SloStatus::Ok, "at {s}");
        }
    }

    #[test]
    fn ratio_query_substitutes_the_window() {
        let q = SLOS[0].ratio_query("5m");
        assert_eq!(
            q,
            r#"((sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m]))) or (sum(rate(http_requests_total{service="checkout"}[5m]))) * 0) / (sum(rate(http_requests_total{service="checkout"}[5m])))"#
        );
    }
}
