//! The Elasticsearch/OpenSearch fetcher against a local `_search` server that replays the
//! reference shapes (opensearch-search-api.md, opensearch-paginate.md, opensearch-sort.md):
//! `hits.total` as an object, `_shards`, `sort` arrays on each hit, `search_after` honoured.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
mod kit;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use onwatch::app::msg::{LogWindow, Payload};
use onwatch::config::HttpOptions;
use onwatch::domain::logs::{Level, SanitiseOptions};
use onwatch::poll::elasticsearch::{EsFetcher, EsFields};
use onwatch::sources::elasticsearch::EsClient;
use onwatch::sources::http::HttpClient;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Documents as (epoch ms, id, source); the server sorts and pages them like the real thing.
#[derive(Clone, Default)]
struct Index {
    docs: Arc<Mutex<Vec<(i64, String, Value)>>>,
    requests: Arc<Mutex<Vec<(String, Value)>>>,
    fail: Arc<Mutex<bool>>,
}

async fn search(
    State(ix): State<Index>,
    Path(index): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    ix.requests.lock().unwrap().push((index, body.clone()));
    if *ix.fail.lock().unwrap() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "error": {
                    "root_cause": [{"type": "query_shard_exception", "reason": "Failed to parse query [app:(]"}],
                    "type": "search_phase_execution_exception",
                    "reason": "all shards failed",
                },
                "status": 400
            })),
        )
            .into_response();
    }
    let asc = body["sort"][0]["@timestamp"]["order"] == "asc";
    let size = body["size"].as_u64().unwrap() as usize;
    let gte = body["query"]["bool"]["filter"][0]["range"]["@timestamp"]["gte"].as_i64();
    let after = body
        .get("search_after")
        .map(|a| (a[0].as_i64().unwrap(), a[1].as_str().unwrap().to_string()));
    let mut docs = ix.docs.lock().unwrap().clone();
    docs.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    if !asc {
        docs.reverse();
    }
    let hits: Vec<Value> = docs
        .into_iter()
        .filter(|d| gte.is_none_or(|g| d.0 >= g))
        .filter(|d| match &after {
            None => true,
            Some((t, id)) if asc => (d.0, &d.1) > (*t, id),
            Some((t, id)) => (d.0, &d.1) < (*t, id),
        })
        .take(size)
        .map(|(t, id, src)| {
            json!({"_index": "logs-2026.11.22", "_id": id, "_score": null, "_source": src, "sort": [t, id]})
        })
        .collect();
    Json(json!({
        "took": 3,
        "timed_out": false,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": hits.len(), "relation": "eq"}, "max_score": null, "hits": hits}
    }))
    .into_response()
}

async fn server() -> (String, Index) {
    let ix = Index::default();
    let app = axum::Router::new()
        .route("/{index}/_search", post(search))
        .with_state(ix.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), ix)
}

fn fetcher(url: &str, page: usize) -> EsFetcher {
    let http = HttpClient::new(&HttpOptions::default(), Duration::from_secs(5)).unwrap();
    EsFetcher::new(
        "gw",
        EsClient::new(url, "logs-*", http).unwrap(),
        EsFields {
            query: "service:gateway".into(),
            time: "@timestamp".into(),
            message: "message".into(),
            level: Some("log.level".into()),
            labels: vec!["host.name".into()],
            tiebreaker: "_id".into(),
        },
        Duration::from_secs(300),
        1000,
        SanitiseOptions::default(),
    )
    .with_page_size(page)
}

fn doc(ix: &Index, t: i64, id: &str, msg: &str) {
    ix.docs.lock().unwrap().push((
        t,
        id.to_string(),
        json!({"@timestamp": "2026-11-22T03:00:00Z", "message": msg, "log": {"level": "warn"}, "host.name": "h1"}),
    ));
}

async fn window(f: &mut EsFetcher) -> LogWindow {
    match tokio::time::timeout(Duration::from_secs(10), f.fetch())
        .await
        .unwrap()
    {
        Ok(Payload::Logs(w)) => (*w).clone(),
        other => panic!("expected logs, got {other:?}"),
    }
}

#[tokio::test]
async fn contract_opensearch_search_after_pages_across_equal_timestamps() {
    let (url, ix) = server().await;
    let now = chrono::Utc::now().timestamp_millis();
    doc(&ix, now - 5000, "a", "first");
    let mut f = fetcher(&url, 2);
    let w = window(&mut f).await;
    assert_eq!(kit::texts(&w), ["first"]);
    let l = &w.lines[0];
    assert_eq!(l.level, Level::Warn, "from log.level");
    assert_eq!(
        l.labels.as_slice(),
        [("host.name".to_string(), "h1".to_string())]
    );
    assert_eq!(
        l.timestamp.timestamp_millis(),
        now - 5000,
        "from the sort value"
    );
    // Five documents at one millisecond, more than a page: the tiebreaker orders them.
    for id in ["b1", "b2", "b3", "b4", "b5"] {
        doc(&ix, now - 1000, id, &format!("same ms {id}"));
    }
    let w = window(&mut f).await;
    assert_eq!(
        kit::texts(&w),
        [
            "first",
            "same ms b1",
            "same ms b2",
            "same ms b3",
            "same ms b4",
            "same ms b5"
        ]
    );
    // Nothing new: nothing added. Then one more at the same millisecond, after the others.
    let w = window(&mut f).await;
    assert_eq!(w.lines.len(), 6);
    doc(&ix, now - 1000, "b6", "same ms b6");
    let w = window(&mut f).await;
    assert_eq!(kit::texts(&w).last(), Some(&"same ms b6"));
    assert_eq!(w.lines.len(), 7);
    let reqs = ix.requests.lock().unwrap();
    assert_eq!(reqs[0].0, "logs-*");
    assert_eq!(
        reqs[0].1["sort"][0]["@timestamp"]["order"], "desc",
        "newest page first"
    );
    assert_eq!(reqs[1].1["search_after"], json!([now - 5000, "a"]));
    assert_eq!(reqs[2].1["search_after"], json!([now - 1000, "b2"]));
    assert_eq!(
        reqs[1].1["query"]["bool"]["must"][0]["query_string"]["query"],
        "service:gateway"
    );
}

#[tokio::test]
async fn contract_opensearch_empty_start_then_lines_and_errors_keep_the_cursor() {
    let (url, ix) = server().await;
    let mut f = fetcher(&url, 10);
    assert!(window(&mut f).await.lines.is_empty());
    let now = chrono::Utc::now().timestamp_millis();
    doc(&ix, now, "x", "\x1b[31mred\x1b[0m \x07bell");
    let w = window(&mut f).await;
    assert_eq!(kit::texts(&w), ["red ^Gbell"]);
    *ix.fail.lock().unwrap() = true;
    let err = f.fetch().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "HTTP 400: search_phase_execution_exception: all shards failed"
    );
    *ix.fail.lock().unwrap() = false;
    doc(&ix, now + 1, "y", "after the error");
    let w = window(&mut f).await;
    assert_eq!(kit::texts(&w), ["red ^Gbell", "after the error"]);
}

#[tokio::test]
async fn contract_opensearch_a_hit_that_cannot_be_read_costs_itself_not_the_page() {
    let now = chrono::Utc::now().timestamp_millis();
    let hit = |t: i64, id: &str, msg: &str| json!({"_id": id, "_source": {"message": msg}, "sort": [t, id]});
    let page = json!({"took": 1, "timed_out": false, "hits": {"hits": [
        hit(now - 1, "b", "kept newest"),
        "s3cret",
        {"_id": "x", "_source": {"message": "bad sort"}, "sort": "hunter2"},
        hit(now - 2, "a", "kept oldest"),
    ]}});
    let app = axum::Router::new().route(
        "/{index}/_search",
        post(move || {
            let page = page.clone();
            async move { Json(page) }
        }),
    );
    let url = kit::serve(app).await;
    let mut f = fetcher(&url, 10);
    let w = window(&mut f).await;
    assert_eq!(kit::texts(&w), ["kept oldest", "kept newest"]);
    let said = w.unreadable.unwrap_or_default();
    assert_eq!(said, "2 search hits unreadable: not an object");
    assert!(!said.contains("hunter2"), "{said}");
}

/// A wrong shape is an error, never an empty page: `"hits": []` (a list where the object
/// belongs) and `"hits": {"hits": {}}`.
#[tokio::test]
async fn contract_opensearch_misshapen_hits_are_an_error_not_an_empty_page() {
    for page in [
        json!({"took": 1, "timed_out": false, "hits": []}),
        json!({"took": 1, "timed_out": false, "hits": {"hits": {}}}),
    ] {
        let shown = page.to_string();
        let app = axum::Router::new().route(
            "/{index}/_search",
            post(move || {
                let page = page.clone();
                async move { Json(page) }
            }),
        );
        let url = kit::serve(app).await;
        let client = onwatch::sources::elasticsearch::EsClient::new(
            &url,
            "logs-*",
            onwatch::sources::http::HttpClient::new(
                &Default::default(),
                std::time::Duration::from_secs(5),
            )
            .unwrap(),
        )
        .unwrap();
        let err = client.search_lenient(&json!({})).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("expected an Elasticsearch search response"),
            "{shown}: {err}"
        );
    }
}
