//! The PromQL of a configured SLI: the ratio form as written, the latency form generated from
//! a classic histogram, and the grouping that turns one definition into one row per label set.

use std::collections::BTreeMap;

/// The error and total queries of a latency SLI, `$window` in each: a request is good when it
/// falls in the `le="<threshold>"` bucket, so errors are the total minus that bucket.
/// `histogram` is the metric's base name with an optional selector:
/// `http_request_duration_seconds{service="checkout"}`.
pub fn latency_queries(
    histogram: &str,
    threshold: &str,
    group_by: &[String],
) -> Result<(String, String), String> {
    let (metric, selector) = split_histogram(histogram)?;
    check_threshold(threshold)?;
    let sum = aggregation(group_by);
    let le = format!("le=\"{threshold}\"");
    let total = format!(
        "{sum} (rate({}[$window]))",
        series(metric, "_count", &[selector])
    );
    let good = format!(
        "{sum} (rate({}[$window]))",
        series(metric, "_bucket", &[selector, &le])
    );
    Ok((format!("{total} - {good}"), total))
}

/// `metric_suffix{m1,m2}`, braces left out when there is no matcher.
fn series(metric: &str, suffix: &str, matchers: &[&str]) -> String {
    let m: Vec<&str> = matchers.iter().copied().filter(|m| !m.is_empty()).collect();
    if m.is_empty() {
        format!("{metric}{suffix}")
    } else {
        format!("{metric}{suffix}{{{}}}", m.join(","))
    }
}

/// `sum` or `sum by (a, b)`.
fn aggregation(group_by: &[String]) -> String {
    if group_by.is_empty() {
        "sum".into()
    } else {
        format!("sum by ({})", group_by.join(", "))
    }
}

/// The label a grouped query marks each series with: which of the two queries it comes from.
pub const SIDE_LABEL: &str = "onwatch_sli";

/// The one query a window costs. Without `group_by`, the error ratio, with the total times 0
/// standing in for an error query that returns nothing (a service that has never failed has
/// no error series: 0 errors, not "no data"; no traffic still divides into nothing). With it, both vectors
/// in one answer, each series marked with `SIDE_LABEL`, so that `joined_ratio` can join
/// them by group here: a group without error series then counts 0 errors (PromQL's `/` would
/// drop it), and a query not aggregated by the labels is an error, never a silent 0.
pub fn ratio_query(error: &str, total: &str, group_by: &[String]) -> String {
    if group_by.is_empty() {
        format!("(({error}) or ({total}) * 0) / ({total})")
    } else {
        format!(
            r#"label_replace({error}, "{SIDE_LABEL}", "error", "", "") or label_replace({total}, "{SIDE_LABEL}", "total", "", "")"#
        )
    }
}

/// Which of a grouped query's two vectors a series belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Error = 0,
    Total = 1,
}

/// The side and group (`group_key`) of a series in a grouped query's result.
pub fn side_and_group(
    labels: &BTreeMap<String, String>,
    group_by: &[String],
) -> Result<(Side, String), String> {
    let (side, query) = match labels.get(SIDE_LABEL).map(String::as_str) {
        Some("error") => (Side::Error, "error_query"),
        Some("total") => (Side::Total, "total_query"),
        _ => return Err(format!("a series without the {SIDE_LABEL} label came back")),
    };
    let group = group_key(labels, group_by).map_err(|missing| {
        format!(
            "{query}'s result has no {missing} label: aggregate it by ({})",
            group_by.join(", ")
        )
    })?;
    Ok((side, group))
}

/// One group's error ratio from its summed error and total rates: no error series is 0
/// errors; no traffic (total absent, 0 or not a number) is no data, never 0%.
pub fn joined_ratio(errors: Option<f64>, total: Option<f64>) -> Option<f64> {
    let t = total.filter(|t| t.is_finite() && *t > 0.0)?;
    let e = errors.unwrap_or(0.0);
    e.is_finite().then(|| e.max(0.0) / t)
}

/// `metric{selector}` as (metric, what is inside the braces).
fn split_histogram(s: &str) -> Result<(&str, &str), String> {
    let s = s.trim();
    let (metric, rest) = s.split_at(s.find('{').unwrap_or(s.len()));
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    if metric.is_empty()
        || !metric.chars().all(ident)
        || metric.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!(
            "histogram `{s}` must start with a metric name, e.g. http_request_duration_seconds{{service=\"checkout\"}}"
        ));
    }
    for suffix in ["_bucket", "_count", "_sum"] {
        if metric.ends_with(suffix) {
            return Err(format!(
                "histogram `{s}` names the histogram without its {suffix} suffix (the queries add _bucket and _count)"
            ));
        }
    }
    let selector = match rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(inner) => inner,
        None if rest.is_empty() => "",
        None => {
            return Err(format!(
                "histogram `{s}`: after the metric name only a {{label selector}} may follow"
            ));
        }
    };
    Ok((metric, selector.trim().trim_end_matches(',')))
}

fn check_threshold(t: &str) -> Result<(), String> {
    if t == "+Inf" || t.parse::<f64>().is_ok_and(|v| v.is_finite() && v >= 0.0) {
        Ok(())
    } else {
        Err(format!(
            "threshold `{t}` must be a bucket bound as the histogram's le label writes it, e.g. \"0.3\""
        ))
    }
}

/// Label names as PromQL allows them after `by`.
pub fn check_group_by(labels: &[String]) -> Result<(), String> {
    for l in labels {
        let ok = l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(format!("group_by label `{l}` is not a label name"));
        }
    }
    Ok(())
}

/// The row suffix of one group, `{service="cart"}`, from a result series' labels; `Err` names
/// the labels the series lacks (queries not aggregated by them).
pub fn group_key(labels: &BTreeMap<String, String>, group_by: &[String]) -> Result<String, String> {
    let missing: Vec<&str> = group_by
        .iter()
        .filter(|l| !labels.contains_key(*l))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(missing.join(", "));
    }
    let parts: Vec<String> = group_by
        .iter()
        .map(|l| format!("{l}={:?}", labels.get(l).map_or("", String::as_str)))
        .collect();
    Ok(format!("{{{}}}", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(labels: &[&str]) -> Vec<String> {
        labels.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn latency_queries_count_requests_outside_the_bucket() {
        let (error, total) = latency_queries(
            r#"http_request_duration_seconds{service="checkout"}"#,
            "0.3",
            &[],
        )
        .unwrap();
        assert_eq!(
            total,
            r#"sum (rate(http_request_duration_seconds_count{service="checkout"}[$window]))"#
        );
        assert_eq!(
            error,
            r#"sum (rate(http_request_duration_seconds_count{service="checkout"}[$window])) - sum (rate(http_request_duration_seconds_bucket{service="checkout",le="0.3"}[$window]))"#
        );
    }

    #[test]
    fn latency_queries_group_and_take_a_bare_metric() {
        let (error, total) =
            latency_queries("rpc_seconds", "1.0", &by(&["service", "code"])).unwrap();
        assert_eq!(
            total,
            "sum by (service, code) (rate(rpc_seconds_count[$window]))"
        );
        assert_eq!(
            error,
            r#"sum by (service, code) (rate(rpc_seconds_count[$window])) - sum by (service, code) (rate(rpc_seconds_bucket{le="1.0"}[$window]))"#
        );
    }

    #[test]
    fn bad_histograms_and_thresholds_are_refused() {
        for h in [
            "",
            "{job=\"x\"}",
            "9lives",
            "m_bucket{a=\"b\"}",
            "m_count",
            "m[5m]",
            "m{a=\"b\"} x",
        ] {
            assert!(latency_queries(h, "0.3", &[]).is_err(), "{h}");
        }
        for t in ["", "0,3", "fast", "-1", "NaN", "inf"] {
            assert!(latency_queries("m", t, &[]).is_err(), "{t}");
        }
        assert!(latency_queries("m", "+Inf", &[]).is_ok());
    }

    #[test]
    fn grouped_queries_send_both_vectors_marked() {
        assert_eq!(ratio_query("e", "t", &[]), "((e) or (t) * 0) / (t)");
        assert_eq!(
            ratio_query("sum by (s) (e)", "t", &by(&["s"])),
            r#"label_replace(sum by (s) (e), "onwatch_sli", "error", "", "") or label_replace(t, "onwatch_sli", "total", "", "")"#
        );
    }

    #[test]
    fn a_group_without_errors_is_zero_and_without_traffic_no_data() {
        assert_eq!(joined_ratio(Some(2.0), Some(8.0)), Some(0.25));
        assert_eq!(joined_ratio(None, Some(8.0)), Some(0.0));
        assert_eq!(joined_ratio(Some(2.0), None), None);
        assert_eq!(joined_ratio(Some(0.0), Some(0.0)), None);
        assert_eq!(joined_ratio(None, Some(f64::NAN)), None);
        assert_eq!(joined_ratio(Some(f64::NAN), Some(1.0)), None);
    }

    #[test]
    fn series_are_told_apart_by_side_and_group() {
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let s = by(&["service"]);
        assert_eq!(
            side_and_group(
                &labels(&[("onwatch_sli", "error"), ("service", "cart")]),
                &s
            ),
            Ok((Side::Error, r#"{service="cart"}"#.to_string()))
        );
        assert_eq!(
            side_and_group(&labels(&[("onwatch_sli", "total"), ("service", "")]), &s),
            Ok((Side::Total, r#"{service=""}"#.to_string()))
        );
        assert_eq!(
            side_and_group(&labels(&[("onwatch_sli", "error")]), &s).unwrap_err(),
            "error_query's result has no service label: aggregate it by (service)"
        );
        assert!(side_and_group(&labels(&[("service", "cart")]), &s).is_err());
    }

    #[test]
    fn group_keys_name_the_labels_or_the_missing_ones() {
        let labels: BTreeMap<String, String> = [("service", "cart"), ("code", "5\"x")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            group_key(&labels, &by(&["service"])).unwrap(),
            r#"{service="cart"}"#
        );
        assert_eq!(
            group_key(&labels, &by(&["service", "code"])).unwrap(),
            r#"{service="cart", code="5\"x"}"#
        );
        assert_eq!(
            group_key(&labels, &by(&["handler", "service", "pod"])).unwrap_err(),
            "handler, pod"
        );
        assert!(check_group_by(&by(&["service", "_x1"])).is_ok());
        assert!(check_group_by(&by(&["1x"])).is_err());
        assert!(check_group_by(&by(&["a-b"])).is_err());
    }
}
