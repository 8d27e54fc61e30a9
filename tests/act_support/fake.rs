//! Small in-test HTTP servers on 127.0.0.1: an Alertmanager that keeps silences, and a
//! recorder that answers a scripted list of statuses.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

#[derive(Default)]
pub struct AmState {
    pub silences: Vec<Value>,
    pub alerts: Vec<Value>,
    /// Store the next posted silence, then answer 500 (a lost answer).
    pub lose_next_post: bool,
    pub posts: usize,
}

pub type Am = Arc<Mutex<AmState>>;

/// Serves a fake Alertmanager on `listener`; returns its state and the server task.
pub fn serve_am(listener: TcpListener) -> (Am, tokio::task::JoinHandle<()>) {
    let state: Am = Arc::default();
    let app = axum::Router::new()
        .route("/api/v2/silences", get(list).post(create))
        .route("/api/v2/silence/{id}", delete(expire))
        .route("/api/v2/alerts", post(alerts))
        .with_state(state.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (state, task)
}

async fn list(State(s): State<Am>) -> Json<Value> {
    Json(Value::Array(s.lock().unwrap().silences.clone()))
}

async fn create(State(s): State<Am>, Json(body): Json<Value>) -> Response {
    let mut s = s.lock().unwrap();
    s.posts += 1;
    let id = match body.get("id").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => format!("sil-{}", s.silences.len() + 1),
    };
    let mut stored = body.clone();
    stored["id"] = json!(id);
    stored["status"] = json!({"state": "active"});
    stored["updatedAt"] = json!(chrono::Utc::now());
    s.silences.retain(|x| x["id"] != json!(id));
    s.silences.push(stored);
    if std::mem::take(&mut s.lose_next_post) {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Json(json!({ "silenceID": id })).into_response()
}

async fn expire(State(s): State<Am>, Path(id): Path<String>) -> StatusCode {
    let mut s = s.lock().unwrap();
    match s.silences.iter_mut().find(|x| x["id"] == json!(id)) {
        Some(x) => {
            x["status"] = json!({"state": "expired"});
            StatusCode::OK
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn alerts(State(s): State<Am>, Json(body): Json<Value>) -> StatusCode {
    let mut s = s.lock().unwrap();
    if let Value::Array(a) = body {
        s.alerts.extend(a);
    }
    StatusCode::OK
}

/// A request the recorder saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub content_type: Option<String>,
    pub body: Value,
    pub at: std::time::Instant,
}

#[derive(Default)]
pub struct RecorderState {
    /// (status, Retry-After, body) answered in order; the last one repeats.
    pub script: VecDeque<(u16, Option<String>, Value)>,
    pub seen: Vec<Seen>,
}

pub type Recorder = Arc<Mutex<RecorderState>>;

/// Records every POST and answers from the script.
pub async fn serve_recorder(script: Vec<(u16, Option<&str>, Value)>) -> (Recorder, SocketAddr) {
    let state: Recorder = Arc::new(Mutex::new(RecorderState {
        script: script
            .into_iter()
            .map(|(s, r, b)| (s, r.map(str::to_string), b))
            .collect(),
        seen: Vec::new(),
    }));
    let app = axum::Router::new()
        .fallback(record)
        .with_state(state.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (state, addr)
}

async fn record(
    State(s): State<Recorder>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut s = s.lock().unwrap();
    s.seen.push(Seen {
        path: uri.path().to_string(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        at: std::time::Instant::now(),
    });
    let (status, retry_after, reply) = if s.script.len() > 1 {
        s.script.pop_front().unwrap()
    } else {
        s.script.front().cloned().unwrap()
    };
    let mut resp = (StatusCode::from_u16(status).unwrap(), Json(reply)).into_response();
    if let Some(r) = retry_after {
        resp.headers_mut().insert("retry-after", r.parse().unwrap());
    }
    resp
}
