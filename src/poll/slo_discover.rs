//! SLOs found in the recording rules Sloth and Pyrra generate (`/api/v1/rules`), so a team that
//! already has them sees its SLOs without writing them again (reference:
//! `slo-recording-rules.md`). Each is measured through its own recording rules.

use crate::domain::duration;
use crate::domain::slo::{BurnRule, Urgency};
use crate::domain::slo::{SloDef, SloOrigin};
use crate::sources::prometheus::{Rule, RuleGroup, RuleKind};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// A discovered SLO and how to measure it.
#[derive(Clone, Debug, PartialEq)]
pub struct Discovered {
    pub def: SloDef,
    pub origin: SloOrigin,
    pub service: Option<String>,
    /// A query with `$window` where the window goes, e.g.
    /// `max(slo:sli_error:ratio_rate$window{sloth_id="x"})`.
    pub template: String,
    /// The windows the rules record; other windows have no data (and cost no query).
    pub windows: BTreeSet<Duration>,
    /// The burn-rate rules its own alerts use (Pyrra's scale with its window); empty: the
    /// cockpit's rules.
    pub rules: Vec<BurnRule>,
    /// The labels its rules keep (a Pyrra SLO with `grouping`): one row per group, as a
    /// configured SLO with `group_by` has.
    pub group_by: Vec<String>,
}

const SLOTH_SLI: &str = "slo:sli_error:ratio_rate";

/// Every Sloth and Pyrra SLO in these rule groups, Sloth first, each once.
pub fn discover(groups: &[RuleGroup]) -> Vec<Discovered> {
    let rules: Vec<&Rule> = groups
        .iter()
        .flat_map(|g| &g.rules)
        .filter(|r| r.kind == RuleKind::Recording || r.kind == RuleKind::Alerting)
        .collect();
    let mut out = sloth(&rules);
    out.extend(pyrra(&rules));
    out
}

/// The number in `vector(N)` (how Sloth and Pyrra record constants).
fn vector_constant(expr: &str) -> Option<f64> {
    let inner = expr.trim().strip_prefix("vector(")?.strip_suffix(')')?;
    inner.trim().parse().ok()
}

/// The `$window` form of a recording-rule selector on `labels`, worst series first.
fn template(metric: &str, label: &str, value: &str, group_by: &[String]) -> String {
    let value = value.replace('\\', "\\\\").replace('"', "\\\"");
    let by = if group_by.is_empty() {
        String::new()
    } else {
        format!(" by ({}) ", group_by.join(", "))
    };
    format!("max{by}({metric}$window{{{label}=\"{value}\"}})")
}

/// The labels a recording rule's expression aggregates by: `sum by (handler, code) (...)`
/// gives `handler, code` (the labels each recorded series keeps); none without a `by`.
fn grouping(expr: &str) -> Vec<String> {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b':';
    let mut from = 0;
    while let Some(p) = expr[from..].find("by") {
        let at = from + p;
        from = at + 2;
        if at > 0 && ident(expr.as_bytes()[at - 1]) {
            continue;
        }
        let rest = expr[at + 2..].trim_start();
        let (Some(inner), Some(close)) = (rest.strip_prefix('('), rest.find(')')) else {
            continue;
        };
        return inner[..close - 1]
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
    }
    Vec::new()
}

fn sloth(rules: &[&Rule]) -> Vec<Discovered> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for info in rules.iter().filter(|r| r.name == "sloth_slo_info") {
        let Some(id) = info.labels.get("sloth_id") else {
            continue;
        };
        if !seen.insert(id.clone()) {
            continue;
        }
        let of_slo = |name: &str| {
            rules
                .iter()
                .find(|r| r.name == name && r.labels.get("sloth_id") == Some(id))
        };
        let objective = info
            .labels
            .get("sloth_objective")
            .and_then(|o| o.parse::<f64>().ok())
            .map(|pct| pct / 100.0)
            .or_else(|| of_slo("slo:objective:ratio").and_then(|r| vector_constant(&r.query)));
        let Some(objective) = objective.filter(|o| *o > 0.0 && *o < 1.0) else {
            continue;
        };
        let days = of_slo("slo:time_period:days")
            .and_then(|r| vector_constant(&r.query))
            .filter(|d| *d > 0.0 && *d < 3660.0)
            .unwrap_or(30.0);
        let windows: BTreeSet<Duration> = rules
            .iter()
            .filter(|r| r.labels.get("sloth_id") == Some(id))
            .filter_map(|r| r.name.strip_prefix(SLOTH_SLI))
            .filter_map(|w| duration::parse(w).ok())
            .collect();
        let service = info.labels.get("sloth_service").cloned();
        let slo = info.labels.get("sloth_slo").cloned().unwrap_or(id.clone());
        let name = match &service {
            Some(s) => format!("{s}/{slo}"),
            None => slo,
        };
        out.push(Discovered {
            def: SloDef {
                name,
                source: String::new(),
                objective,
                period: Duration::from_secs_f64(days * 86_400.0),
            },
            origin: SloOrigin::Sloth,
            service,
            template: template(SLOTH_SLI, "sloth_id", id, &[]),
            group_by: Vec::new(),
            windows,
            // Sloth's windows and factors are the workbook's: the cockpit's rules apply.
            rules: Vec::new(),
        });
    }
    out
}

/// Pyrra: `<metric>:burnrate<W>` rules (error ratios) labelled `slo`; the period from the
/// `<metric>:increase<period>` rule; the target from the `ErrorBudgetBurn` alert's
/// `(1-<target>)` (Pyrra records no objective without `--generic-rules`, which give
/// `pyrra_objective`).
fn pyrra(rules: &[&Rule]) -> Vec<Discovered> {
    // slo name -> (metric base, windows, the labels its burn rates keep)
    let mut found: BTreeMap<String, (String, BTreeSet<Duration>, Vec<String>)> = BTreeMap::new();
    for r in rules.iter().filter(|r| r.kind == RuleKind::Recording) {
        let (Some(slo), Some((metric, w))) = (r.labels.get("slo"), r.name.split_once(":burnrate"))
        else {
            continue;
        };
        let Ok(w) = duration::parse(w) else { continue };
        let entry = found
            .entry(slo.clone())
            .or_insert_with(|| (metric.to_string(), BTreeSet::new(), grouping(&r.query)));
        entry.1.insert(w);
    }
    let mut out = Vec::new();
    for (slo, (metric, windows, group_by)) in found {
        let of_slo = |r: &&&Rule| r.labels.get("slo") == Some(&slo);
        let objective = rules
            .iter()
            .filter(of_slo)
            .find(|r| r.name == "pyrra_objective")
            .and_then(|r| vector_constant(&r.query))
            .or_else(|| {
                rules
                    .iter()
                    .filter(of_slo)
                    .filter(|r| r.kind == RuleKind::Alerting)
                    .find_map(|r| target_in_alert(&r.query))
            });
        let Some(objective) = objective.filter(|o| *o > 0.0 && *o < 1.0) else {
            continue;
        };
        let period = rules
            .iter()
            .filter(of_slo)
            .find_map(|r| {
                r.name
                    .strip_prefix(&format!("{metric}:increase"))
                    .and_then(|w| duration::parse(w).ok())
            })
            .unwrap_or(Duration::from_secs(28 * 86_400));
        out.push(Discovered {
            def: SloDef {
                name: slo.clone(),
                source: String::new(),
                objective,
                period,
            },
            origin: SloOrigin::Pyrra,
            service: None,
            template: template(&format!("{metric}:burnrate"), "slo", &slo, &group_by),
            rules: pyrra_rules(rules.iter().filter(of_slo).copied(), &windows),
            windows,
            group_by,
        });
    }
    out
}

/// The multi-window rules of Pyrra's `ErrorBudgetBurn` alerts: windows from their `long` and
/// `short` labels, the factor from `(14 * (1 - 0.99))`, `critical` pages and anything else
/// files a ticket. Rules whose windows are not recorded, or that cannot be read, are left out.
fn pyrra_rules<'a>(
    rules: impl Iterator<Item = &'a Rule>,
    recorded: &BTreeSet<Duration>,
) -> Vec<BurnRule> {
    let mut out: Vec<BurnRule> = rules
        .filter(|r| r.kind == RuleKind::Alerting)
        .filter_map(|r| {
            let window = |k: &str| duration::parse(r.labels.get(k)?).ok();
            let (long, short) = (window("long")?, window("short")?);
            let factor = factor_in_alert(&r.query)?;
            let urgency = match r.labels.get("severity").map(String::as_str) {
                Some("critical") => Urgency::Page,
                _ => Urgency::Ticket,
            };
            (short < long && recorded.contains(&long) && recorded.contains(&short)).then_some(
                BurnRule {
                    urgency,
                    long,
                    short,
                    factor,
                },
            )
        })
        .collect();
    out.sort_by(|a, b| b.urgency.cmp(&a.urgency).then(a.long.cmp(&b.long)));
    out.dedup();
    out
}

/// `… > (14 * (1 - 0.99)) …` -> 14.
fn factor_in_alert(expr: &str) -> Option<f64> {
    expr.match_indices('(').find_map(|(i, _)| {
        let (factor, rest) = expr[i + 1..].split_once('*')?;
        rest.trim_start().starts_with("(1").then_some(())?;
        factor
            .trim()
            .parse()
            .ok()
            .filter(|f: &f64| f.is_finite() && *f > 0.0)
    })
}

/// `… > (14 * (1-0.99)) and …` -> 0.99. Prometheus reports a loaded rule's expression
/// reformatted (`(1 - 0.99)`), so spaces around the `-` are allowed.
fn target_in_alert(expr: &str) -> Option<f64> {
    expr.match_indices("(1").find_map(|(i, _)| {
        let rest = expr[i + 2..].trim_start().strip_prefix('-')?;
        let end = rest.find(')')?;
        rest[..end].trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: RuleKind, name: &str, query: &str, labels: &[(&str, &str)]) -> Rule {
        Rule {
            kind,
            name: name.into(),
            query: query.into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            health: None,
        }
    }

    #[test]
    fn pyrra_slo_from_burnrate_rules_and_alert_target() {
        let l = [("slo", "prometheus-api-query")];
        let group = RuleGroup {
            name: "prometheus-api-query".into(),
            file: String::new(),
            interval: None,
            rules: vec![
                rule(
                    RuleKind::Recording,
                    "prometheus_http_requests:burnrate5m",
                    "x",
                    &l,
                ),
                rule(
                    RuleKind::Recording,
                    "prometheus_http_requests:burnrate1h",
                    "x",
                    &l,
                ),
                rule(
                    RuleKind::Recording,
                    "prometheus_http_requests:increase1w",
                    "x",
                    &l,
                ),
                rule(
                    RuleKind::Alerting,
                    "ErrorBudgetBurn",
                    "prometheus_http_requests:burnrate5m{slo=\"prometheus-api-query\"} > (14 * (1-0.99)) and x",
                    &l,
                ),
            ],
        };
        let d = discover(&[group]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].origin, SloOrigin::Pyrra);
        assert!((d[0].def.objective - 0.99).abs() < 1e-12);
        assert_eq!(d[0].def.period, Duration::from_secs(7 * 86_400));
        assert_eq!(
            d[0].template,
            "max(prometheus_http_requests:burnrate$window{slo=\"prometheus-api-query\"})"
        );
        assert_eq!(d[0].windows.len(), 2);
    }

    #[test]
    fn the_labels_a_rule_keeps_are_read_from_its_by_clause() {
        assert_eq!(
            grouping("sum by (handler, code) (rate(x[5m])) / sum by (handler, code) (rate(y[5m]))"),
            ["handler", "code"]
        );
        assert_eq!(grouping("sum by(handler)(rate(x[5m]))"), ["handler"]);
        assert!(grouping("sum(rate(x[5m])) / sum(rate(y[5m]))").is_empty());
        assert!(
            grouping("sum(rate(nearby_total[5m]))").is_empty(),
            "by inside a name"
        );
    }

    #[test]
    fn a_grouped_pyrra_slo_is_measured_per_group() {
        let l = [("slo", "api-errors")];
        let expr = "sum by (handler) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (handler) (rate(http_requests_total[5m]))";
        let group = RuleGroup {
            name: "api-errors".into(),
            file: String::new(),
            interval: None,
            rules: vec![
                rule(RuleKind::Recording, "http_requests:burnrate5m", expr, &l),
                rule(
                    RuleKind::Alerting,
                    "ErrorBudgetBurn",
                    "http_requests:burnrate5m{slo=\"api-errors\"} > (14 * (1-0.99))",
                    &l,
                ),
            ],
        };
        let d = discover(&[group]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].group_by, ["handler"]);
        assert_eq!(
            d[0].template,
            "max by (handler) (http_requests:burnrate$window{slo=\"api-errors\"})"
        );
    }

    #[test]
    fn the_target_is_read_from_an_alert_as_written_or_as_prometheus_reformats_it() {
        for expr in [
            "a{slo=\"x\"} > (14 * (1-0.99)) and b > (14 * (1-0.99))",
            "a{slo=\"x\"} > (14 * (1 - 0.99)) and b > (14 * (1 - 0.99))",
            "a > (10 * (1 -0.995))",
        ] {
            let got = target_in_alert(expr).unwrap_or_else(|| panic!("{expr}"));
            assert!(
                (got - 0.99).abs() < 1e-12 || (got - 0.995).abs() < 1e-12,
                "{expr}"
            );
        }
        assert_eq!(target_in_alert("a > (10 * (12 - 3))"), None);
        assert_eq!(target_in_alert("a > 0.5"), None);
    }

    #[test]
    fn pyrra_rules_come_from_its_alerts_when_their_windows_are_recorded() {
        let alert = |short: &str, long: &str, severity: &str, factor: &str| {
            rule(
                RuleKind::Alerting,
                "ErrorBudgetBurn",
                &format!(
                    "a{short} > ({factor} * (1 - 0.99)) and a{long} > ({factor} * (1 - 0.99))"
                ),
                &[
                    ("short", short),
                    ("long", long),
                    ("severity", severity),
                    ("slo", "s"),
                ],
            )
        };
        let rules = [
            alert("30m", "6h", "warning", "2"),
            alert("5m", "1h", "critical", "14"),
            alert("5m", "1h", "critical", "14"), // one rule, however often it appears
            alert("2h", "4d", "warning", "1"),   // 4d is not recorded: left out
            alert("1h", "5m", "critical", "3"),  // short longer than long: left out
            alert("5m", "1h", "critical", "x"),  // no factor: left out
        ];
        let recorded: BTreeSet<Duration> = ["5m", "30m", "1h", "2h", "6h"]
            .iter()
            .map(|w| duration::parse(w).unwrap())
            .collect();
        let got = pyrra_rules(rules.iter(), &recorded);
        let m = |t: u64| Duration::from_secs(60 * t);
        assert_eq!(
            got,
            [
                BurnRule {
                    urgency: Urgency::Page,
                    long: m(60),
                    short: m(5),
                    factor: 14.0
                },
                BurnRule {
                    urgency: Urgency::Ticket,
                    long: m(360),
                    short: m(30),
                    factor: 2.0
                },
            ]
        );
        assert_eq!(factor_in_alert("x > (14.4*(1-0.999))"), Some(14.4));
        assert_eq!(factor_in_alert("x > (0 * (1 - 0.99))"), None);
    }

    #[test]
    fn sloth_without_objective_is_skipped_not_guessed() {
        let r = rule(
            RuleKind::Recording,
            "sloth_slo_info",
            "vector(1)",
            &[("sloth_id", "a-b")],
        );
        let g = RuleGroup {
            name: "g".into(),
            file: String::new(),
            interval: None,
            rules: vec![r],
        };
        assert!(discover(&[g]).is_empty());
    }
}
