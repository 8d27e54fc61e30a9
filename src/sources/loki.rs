//! Loki HTTP API client: `query_range` over log streams, timestamps in nanoseconds.

use super::http::{BuildError, HttpClient, endpoint, parse_base, short_text};
use crate::domain::health::{SourceError, Unreadable, item_reason};
use serde::Deserialize;
use std::collections::BTreeMap;
use url::Url;

/// One log entry as Loki returns it (raw text: sanitise before showing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LokiEntry {
    pub ts_ns: i128,
    pub labels: BTreeMap<String, String>,
    pub line: String,
}

#[derive(Clone)]
pub struct LokiClient {
    base: Url,
    http: HttpClient,
}

/// The URL without its credentials (Debug output reaches logs and panics).
impl std::fmt::Debug for LokiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LokiClient")
            .field("base", &super::http::display_url(&self.base))
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(default)]
    status: String,
    data: Option<Data>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    result_type: String,
    #[serde(default)]
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct WireStream {
    #[serde(default)]
    stream: BTreeMap<String, String>,
    /// `[ts, line]`, or `[ts, line, {structured metadata}]` in Loki 3: read positionally.
    #[serde(default)]
    values: Vec<Vec<serde_json::Value>>,
}

fn entry(labels: &BTreeMap<String, String>, value: &[serde_json::Value]) -> Option<LokiEntry> {
    let ts_ns = match value.first()? {
        serde_json::Value::String(s) => s.parse::<i128>().ok()?,
        serde_json::Value::Number(n) => n.as_i64()?.into(),
        _ => return None,
    };
    let line = value.get(1)?.as_str()?.to_string();
    Some(LokiEntry {
        ts_ns,
        labels: labels.clone(),
        line,
    })
}

/// Streams flattened and ordered by time (oldest first when `forward`), stream order kept
/// within one nanosecond.
/// The entries of a `streams` result (a query's or a tail message's). A stream whose labels
/// cannot be read costs its own entries, an entry that is not `[time, line]` itself: counted,
/// never the whole answer.
pub fn read_streams(
    result: serde_json::Value,
    forward: bool,
) -> Result<(Vec<LokiEntry>, Unreadable), SourceError> {
    let streams: Vec<serde_json::Value> = serde_json::from_value(result).map_err(|e| {
        SourceError::BadResponse(format!(
            "expected log streams: {}",
            super::http::data_error(&e.to_string())
        ))
    })?;
    let mut out = Vec::new();
    let mut unreadable = Unreadable::none("log entry");
    for raw in streams {
        let values = raw
            .get("values")
            .and_then(serde_json::Value::as_array)
            .map_or(1, Vec::len);
        let s = match WireStream::deserialize(raw) {
            Ok(s) => s,
            Err(e) => {
                for _ in 0..values.max(1) {
                    unreadable.add(format!("stream {}", item_reason(&e.to_string())));
                }
                continue;
            }
        };
        for v in &s.values {
            match entry(&s.stream, v) {
                Some(e) => out.push(e),
                None => unreadable.add("not [time, line]".into()),
            }
        }
    }
    if forward {
        out.sort_by_key(|e| e.ts_ns);
    } else {
        out.sort_by_key(|e| std::cmp::Reverse(e.ts_ns));
    }
    Ok((out, unreadable))
}

/// A query's entries: as `read_streams`, but an answer with nothing readable in it fails.
fn entries(
    result: serde_json::Value,
    forward: bool,
) -> Result<(Vec<LokiEntry>, Unreadable), SourceError> {
    let (out, unreadable) = read_streams(result, forward)?;
    if out.is_empty() && unreadable.count > 0 {
        return Err(SourceError::BadResponse(format!(
            "expected log entries [\"<ns>\", \"<line>\"]: {}",
            unreadable.describe().unwrap_or_default()
        )));
    }
    Ok((out, unreadable))
}

impl LokiClient {
    pub fn new(base_url: &str, http: HttpClient) -> Result<Self, BuildError> {
        Ok(Self {
            base: parse_base(base_url)?,
            http,
        })
    }

    /// Log entries with `start_ns <= ts < end_ns`, at most `limit`, oldest first when `forward`.
    pub async fn query_range(
        &self,
        query: &str,
        start_ns: i128,
        end_ns: i128,
        limit: u32,
        forward: bool,
    ) -> Result<Vec<LokiEntry>, SourceError> {
        self.query_range_lenient(query, start_ns, end_ns, limit, forward)
            .await
            .map(|(entries, _)| entries)
    }

    /// `query_range`, with the count of entries that could not be read.
    pub async fn query_range_lenient(
        &self,
        query: &str,
        start_ns: i128,
        end_ns: i128,
        limit: u32,
        forward: bool,
    ) -> Result<(Vec<LokiEntry>, Unreadable), SourceError> {
        let url = endpoint(&self.base, &["loki", "api", "v1", "query_range"]);
        let request = self.http.get(url).query(&[
            ("query", query.to_string()),
            ("start", start_ns.to_string()),
            ("end", end_ns.to_string()),
            ("limit", limit.to_string()),
            (
                "direction",
                if forward { "forward" } else { "backward" }.to_string(),
            ),
        ]);
        let resp = self.http.send(request).await?;
        if !resp.is_success() {
            // Loki answers errors in plain text ("parse error ..."), sometimes as JSON.
            if let Ok(Envelope {
                error: Some(message),
                ..
            }) = serde_json::from_slice::<Envelope>(&resp.body)
            {
                return Err(SourceError::Http {
                    status: resp.status,
                    message: short_text(message.as_bytes()),
                });
            }
            return Err(resp.http_error());
        }
        let env: Envelope = resp.json("a Loki query response")?;
        if env.status != "success" {
            return Err(SourceError::Api {
                error_type: short_text(env.status.as_bytes()),
                message: short_text(env.error.unwrap_or_default().as_bytes()),
            });
        }
        let data = env.data.ok_or_else(|| {
            SourceError::BadResponse("expected a Loki query response: no data".into())
        })?;
        if data.result_type != "streams" {
            return Err(SourceError::BadResponse(format!(
                "expected streams, got {}",
                short_text(data.result_type.as_bytes())
            )));
        }
        entries(data.result, forward)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_streams_in_time_order_and_reads_metadata_entries() {
        let result = json!([
            {"stream": {"app": "a"}, "values": [["30", "a3"], ["10", "a1"]]},
            {"stream": {"app": "b"}, "values": [["20", "b2", {"trace_id": "x"}], ["10", "b1"]]}
        ]);
        let got: Vec<(i128, String)> = entries(result.clone(), true)
            .unwrap()
            .0
            .into_iter()
            .map(|e| (e.ts_ns, e.line))
            .collect();
        assert_eq!(
            got,
            [
                (10, "a1".into()),
                (10, "b1".into()),
                (20, "b2".into()),
                (30, "a3".into())
            ]
        );
        let (back, _) = entries(result, false).unwrap();
        assert_eq!(back[0].ts_ns, 30);
    }

    #[test]
    fn a_bad_stream_or_entry_costs_itself_and_is_counted() {
        let result = json!([
            {"stream": {"app": "good"}, "values": [["10", "kept"], ["x", "bad ts"], ["20"]]},
            {"stream": {"app": 5, "token": "hunter2"}, "values": [["30", "a"], ["31", "b"]]},
            {"stream": {"app": "good"}, "values": [["40", "also kept"]]}
        ]);
        let (got, unreadable) = entries(result, true).unwrap();
        let lines: Vec<&str> = got.iter().map(|e| e.line.as_str()).collect();
        assert_eq!(lines, ["kept", "also kept"]);
        assert_eq!(
            unreadable.count, 4,
            "two bad entries and a bad stream's two"
        );
        let said = unreadable.describe().unwrap();
        assert_eq!(said, "4 log entries unreadable: not [time, line]");
        assert!(!said.contains("hunter2"));
    }

    #[test]
    fn unreadable_entries_only_is_a_bad_response() {
        let result = json!([{"stream": {}, "values": [["not-a-number", "x"]]}]);
        assert!(matches!(
            entries(result, true),
            Err(SourceError::BadResponse(_))
        ));
    }
}
