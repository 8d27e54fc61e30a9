//! Elasticsearch / OpenSearch `_search`: hits sorted on the time field and a tiebreaker, paged
//! with `search_after` (references: opensearch-search-api.md, opensearch-paginate.md).

use super::http::{BuildError, HttpClient, endpoint, parse_base, short_text};
use crate::domain::health::{SourceError, Unreadable, item_reason};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

#[derive(Clone)]
pub struct EsClient {
    base: Url,
    index: String,
    http: HttpClient,
}

/// The URL without its credentials (Debug output reaches logs and panics).
impl std::fmt::Debug for EsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EsClient")
            .field("base", &super::http::display_url(&self.base))
            .finish_non_exhaustive()
    }
}

/// One hit: its sort values (the `search_after` cursor) and its document.
#[derive(Clone, Debug, PartialEq)]
pub struct EsHit {
    pub sort: Vec<Value>,
    pub source: Value,
}

#[derive(Deserialize)]
struct Response {
    /// An object, `{"hits": [...]}`: read as a map, since serde would take a list for a struct
    /// and a wrong shape would pass as an empty page.
    hits: serde_json::Map<String, Value>,
    #[serde(default)]
    timed_out: bool,
}

#[derive(Deserialize)]
struct WireHit {
    #[serde(default)]
    sort: Vec<Value>,
    #[serde(default, rename = "_source")]
    source: Value,
}

/// The request body: newest first (`asc == false`) or oldest first after `after`.
pub fn search_body(
    query: &str,
    time_field: &str,
    tiebreaker: &str,
    since_ms: Option<i64>,
    after: Option<&[Value]>,
    asc: bool,
    size: usize,
) -> Value {
    let order = if asc { "asc" } else { "desc" };
    let mut filter = Vec::new();
    if let Some(ms) = since_ms {
        filter.push(json!({"range": {time_field: {"gte": ms, "format": "epoch_millis"}}}));
    }
    let mut body = json!({
        "size": size,
        "query": {"bool": {
            "filter": filter,
            "must": [{"query_string": {"query": query}}],
        }},
        "sort": [
            {time_field: {"order": order}},
            {tiebreaker: {"order": order}},
        ],
        "track_total_hits": false,
    });
    if let Some(a) = after {
        body["search_after"] = Value::Array(a.to_vec());
    }
    body
}

impl EsClient {
    pub fn new(base_url: &str, index: &str, http: HttpClient) -> Result<Self, BuildError> {
        Ok(Self {
            base: parse_base(base_url)?,
            index: index.to_string(),
            http,
        })
    }

    pub async fn search(&self, body: &Value) -> Result<Vec<EsHit>, SourceError> {
        self.search_lenient(body).await.map(|(hits, _)| hits)
    }

    /// `search`, with the count of hits that could not be read (left out).
    pub async fn search_lenient(
        &self,
        body: &Value,
    ) -> Result<(Vec<EsHit>, Unreadable), SourceError> {
        let url = endpoint(&self.base, &[&self.index, "_search"]);
        let resp = self.http.send(self.http.post(url).json(body)).await?;
        if !resp.is_success() {
            // {"error": {"type": "...", "reason": "..."}, "status": 400}
            let parsed: Option<Value> = serde_json::from_slice(&resp.body).ok();
            if let Some(err) = parsed.as_ref().and_then(|v| v.get("error")) {
                let kind = err.get("type").and_then(Value::as_str).unwrap_or("error");
                let reason = err.get("reason").and_then(Value::as_str).unwrap_or("");
                return Err(SourceError::Http {
                    status: resp.status,
                    message: short_text(format!("{kind}: {reason}").as_bytes()),
                });
            }
            return Err(resp.http_error());
        }
        let r: Response = resp.json("an Elasticsearch search response")?;
        if r.timed_out {
            return Err(SourceError::BadResponse(
                "the search timed out (partial results)".into(),
            ));
        }
        // Each hit read on its own: one that cannot be read costs itself, not the page.
        let raw_hits = match r.hits.into_iter().find(|(k, _)| k == "hits") {
            None => Vec::new(),
            Some((_, Value::Array(list))) => list,
            Some(_) => {
                return Err(SourceError::BadResponse(
                    "expected an Elasticsearch search response: hits.hits is not a list".into(),
                ));
            }
        };
        let mut unreadable = Unreadable::none("search hit");
        let mut hits = Vec::with_capacity(raw_hits.len());
        for raw in raw_hits {
            match WireHit::deserialize(raw) {
                Ok(h) => hits.push(EsHit {
                    sort: h.sort,
                    source: h.source,
                }),
                Err(e) => unreadable.add(item_reason(&e.to_string())),
            }
        }
        Ok((hits, unreadable))
    }
}

/// A field of a document: `a.b.c` as nested objects, or as one flat key (both occur).
pub fn field<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = doc.get(path) {
        return Some(v);
    }
    let mut cur = doc;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

/// A field's value as text (strings as they are, other values as JSON).
pub fn field_text(doc: &Value, path: &str) -> Option<String> {
    field(doc, path).map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_sorts_on_time_and_tiebreaker_and_pages_after() {
        let b = search_body(
            "app:x",
            "@timestamp",
            "_id",
            Some(5),
            Some(&[json!(7), json!("b")]),
            true,
            50,
        );
        assert_eq!(
            b["sort"],
            json!([{"@timestamp": {"order": "asc"}}, {"_id": {"order": "asc"}}])
        );
        assert_eq!(b["search_after"], json!([7, "b"]));
        assert_eq!(b["size"], 50);
        assert_eq!(
            b["query"]["bool"]["filter"][0]["range"]["@timestamp"]["gte"],
            5
        );
        let newest = search_body("*", "ts", "id", None, None, false, 10);
        assert_eq!(newest["sort"][0]["ts"]["order"], "desc");
        assert!(newest.get("search_after").is_none());
    }

    #[test]
    fn fields_nested_or_flat() {
        let doc = json!({"log": {"level": "warn"}, "host.name": "h1", "n": 3});
        assert_eq!(field_text(&doc, "log.level").as_deref(), Some("warn"));
        assert_eq!(field_text(&doc, "host.name").as_deref(), Some("h1"));
        assert_eq!(field_text(&doc, "n").as_deref(), Some("3"));
        assert_eq!(field_text(&doc, "missing"), None);
    }
}
