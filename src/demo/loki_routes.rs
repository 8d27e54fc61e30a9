//! Loki HTTP API: `/loki/api/v1/query_range` (log queries) and `/ready`.

use super::log_script;
use super::matchers::{self, LabelMatcher};
use super::params::{self, Params};
use super::sim::Sim;
use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::Arc;

const MAX_LIMIT: usize = 5000;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/loki/api/v1/query_range", get(query_range))
        .route("/ready", get(|| async { "ready\n" }))
        .with_state(sim)
}

/// Loki answers errors as plain text.
fn bad(msg: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, msg.into()).into_response()
}

/// A stream selector and its line filters (`|=`, `!=`, `|~`, `!~`); other stages are ignored.
#[derive(Debug)]
pub struct LogQuery {
    pub selector: Vec<LabelMatcher>,
    pub filters: Vec<(String, String)>,
}

pub fn parse_logql(q: &str) -> Result<LogQuery, String> {
    let q = q.trim();
    let body = q.strip_prefix('{').ok_or_else(|| {
        format!("parse error at line 1, col 1: syntax error: unexpected {q:?}, expecting {{")
    })?;
    // Find the closing brace outside quotes.
    let mut in_quote = false;
    let mut escaped = false;
    let mut close = None;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            '}' if !in_quote => {
                close = Some(i);
                break;
            }
            _ => {}
        }
    }
    let close = close.ok_or("parse error : syntax error: unexpected $end, expecting } or ,")?;
    let mut selector = Vec::new();
    let mut part = String::new();
    in_quote = false;
    escaped = false;
    for c in body[..close].chars().chain(std::iter::once(',')) {
        match c {
            _ if escaped => {
                escaped = false;
                part.push(c);
            }
            '\\' if in_quote => {
                escaped = true;
                part.push(c);
            }
            '"' => {
                in_quote = !in_quote;
                part.push(c);
            }
            ',' if !in_quote => {
                if !part.trim().is_empty() {
                    selector.push(
                        matchers::parse_one(&part).map_err(|e| format!("parse error : {e}"))?,
                    );
                }
                part.clear();
            }
            _ => part.push(c),
        }
    }
    if selector.iter().all(|m| m.matches_value("")) {
        return Err("parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will".into());
    }
    let mut filters = Vec::new();
    let mut rest = body[close + 1..].trim();
    while !rest.is_empty() {
        let op = ["|=", "!=", "|~", "!~"]
            .into_iter()
            .find(|op| rest.starts_with(op));
        let Some(op) = op else { break };
        let after = rest[2..].trim_start();
        let Some(inner) = after.strip_prefix('"') else {
            break;
        };
        let Some(end) = inner.find('"') else {
            return Err("parse error : unterminated string in line filter".into());
        };
        filters.push((op.to_string(), inner[..end].to_string()));
        rest = inner[end + 1..].trim_start();
    }
    Ok(LogQuery { selector, filters })
}

fn line_passes(filters: &[(String, String)], line: &str) -> bool {
    filters.iter().all(|(op, v)| match op.as_str() {
        "|=" => line.contains(v.as_str()),
        "!=" => !line.contains(v.as_str()),
        "|~" => regex::Regex::new(v).is_ok_and(|re| re.is_match(line)),
        "!~" => regex::Regex::new(v).is_ok_and(|re| !re.is_match(line)),
        _ => true,
    })
}

async fn query_range(State(sim): State<Arc<Sim>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), b"");
    let query = match parse_logql(p.get("query").unwrap_or("")) {
        Ok(q) => q,
        Err(e) => return bad(e),
    };
    let now_ns = super::clock::now_unix_ns();
    let time = |key: &str, default: i128| -> Result<i128, String> {
        p.get(key)
            .filter(|v| !v.is_empty())
            .map_or(Ok(default), params::loki_time)
    };
    let end = match time("end", now_ns) {
        Ok(v) => v,
        Err(e) => return bad(format!("invalid end: {e}")),
    };
    let since = match p.get("since").map(params::prom_duration).transpose() {
        Ok(s) => s.unwrap_or(3600.0),
        Err(e) => return bad(format!("invalid since: {e}")),
    };
    let start = match time("start", end - (since * 1e9) as i128) {
        Ok(v) => v,
        Err(e) => return bad(format!("invalid start: {e}")),
    };
    if end < start {
        return bad("the end of the query time range must be after its start");
    }
    let limit = match p.get("limit").map(str::parse::<usize>).transpose() {
        Ok(l) => l.unwrap_or(100),
        Err(_) => return bad("invalid limit: must be a non-negative integer"),
    };
    if limit > MAX_LIMIT {
        return bad(format!(
            "max entries limit per query exceeded, limit > max_entries_limit_per_query ({limit} > {MAX_LIMIT})"
        ));
    }
    let forward = match p.get("direction").unwrap_or("backward") {
        "backward" | "BACKWARD" | "" => false,
        "forward" | "FORWARD" => true,
        other => {
            return bad(format!(
                "invalid direction {other:?}: must be forward or backward"
            ));
        }
    };
    // Nothing from the future: entries appear once their time has come.
    let end = end.min(now_ns + 1);
    let sc = &sim.scenario;
    let streams: Vec<usize> = (0..sc.streams.len())
        .filter(|i| matchers::matches_all(&query.selector, &sc.streams[*i].labels))
        .collect();
    let clock = sim.clock;
    let keep = |e: &log_script::LogEntry| {
        let ns = clock.unix_ns_at(e.at);
        ns >= start && ns < end && line_passes(&query.filters, &e.line)
    };
    let found = log_script::collect(
        sc,
        &streams,
        clock.scenario_at_ns(start),
        clock.scenario_at_ns(end),
        limit,
        forward,
        &keep,
    );
    let mut bytes = 0usize;
    let lines = found.len();
    let result: Vec<Value> = streams
        .iter()
        .filter_map(|i| {
            let values: Vec<Value> = found
                .iter()
                .filter(|(s, _)| s == i)
                .map(|(_, e)| {
                    bytes += e.line.len();
                    json!([clock.unix_ns_at(e.at).to_string(), e.line])
                })
                .collect();
            (!values.is_empty()).then(|| json!({"stream": sc.streams[*i].labels, "values": values}))
        })
        .collect();
    Json(json!({
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": result,
            "stats": {"summary": {"totalLinesProcessed": lines, "totalBytesProcessed": bytes, "execTime": 0.0}},
        },
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selectors_and_line_filters() {
        let q = parse_logql(r#"{cluster="demo", app=~"check.*"} |= "error" != "debug""#).unwrap();
        assert_eq!(q.selector.len(), 2);
        assert_eq!(
            q.filters,
            [
                ("|=".to_string(), "error".to_string()),
                ("!=".into(), "debug".into())
            ]
        );
        assert!(line_passes(&q.filters, "an error here"));
        assert!(!line_passes(&q.filters, "error debug"));
        let q = parse_logql(r#"{msg="a,b}"}"#).unwrap();
        assert_eq!(q.selector[0].value, "a,b}");
    }

    #[test]
    fn refuses_bad_selectors() {
        assert!(parse_logql("").is_err());
        assert!(parse_logql("up").is_err());
        assert!(parse_logql(r#"{app=~".*"}"#).is_err());
        assert!(parse_logql(r#"{app="x""#).is_err());
    }
}
