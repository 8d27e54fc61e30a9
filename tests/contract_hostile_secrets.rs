//! A hostile local server whose 401, 403 and 500 pages and wrong-typed 2xx answers echo every
//! request header (raw and URL-encoded), the query and the body: no configured secret, in any
//! form it travels in, reaches the screen, `snapshot`, `check`, the log file or the audit log.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod act_support;
mod kit;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::{Path as UrlPath, Request};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use onwatch::app::acts::Outcome;
use onwatch::config::{BasicAuth, HttpOptions, SecretRef};
use onwatch::domain::health::SourceError;
use onwatch::sources::alertmanager::AlertmanagerClient;
use onwatch::sources::http::HttpClient;
use onwatch::sources::loki::LokiClient;
use onwatch::sources::loki_tail::{TailConnector, TailEnd};
use onwatch::sources::pagerduty::{Event, PagerDutyClient};
use onwatch::sources::prometheus::PrometheusClient;
use onwatch::sources::webhook::JsonPoster;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const TOKEN: &str = "tok/Hostile+9f8e=7d6c";
const USER: &str = "ops";
const PASSWORD: &str = "pa55:w0rd/Hostile";
const TENANT: &str = "tenant-Hostile-4242";
const ROUTING_KEY: &str = "R0utingKeyHostile42";
const HOOK_PASSWORD: &str = "h00kPassHostile";
const HOOK_QUERY: &str = "QueryTokenHostile77";
const TOKEN_ENV: &str = "ONWATCH_HOSTILE_TOKEN";
const TIMEOUT: Duration = Duration::from_secs(5);
const STATUSES: [u16; 4] = [401, 403, 500, 200];

/// Every form a secret could be read back in (`kit::hostile::forms`), `user:password` as basic
/// auth sends it among them.
fn forbidden() -> Vec<String> {
    let plain = [
        TOKEN.to_string(),
        PASSWORD.to_string(),
        TENANT.to_string(),
        ROUTING_KEY.to_string(),
        HOOK_PASSWORD.to_string(),
        HOOK_QUERY.to_string(),
        format!("{USER}:{PASSWORD}"),
        format!("hook:{HOOK_PASSWORD}"),
    ];
    let mut out = kit::hostile::forms(&plain);
    out.push("Hostile".into());
    out
}

#[track_caller]
fn assert_clean(text: &str, what: &str) {
    kit::hostile::assert_none_of(&forbidden(), text, what);
}

/// Each header, the query and the body, as the hostile pages echo them.
fn echo(headers: &HeaderMap, uri: &Uri, body: &[u8]) -> String {
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("")))
        .collect();
    kit::hostile::echo_of(pairs.iter().copied(), uri.query().unwrap_or(""), body)
}

/// `/<status>/...`: that status; 2xx answers put the echo where the API wants something else.
async fn hostile(headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().to_string();
    let status: u16 = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let e = serde_json::Value::String(echo(&headers, &uri, &body));
    let code = StatusCode::from_u16(status).unwrap();
    match status {
        401 | 403 => (code, format!("denied; you sent {}", e.as_str().unwrap())).into_response(),
        500 => (
            code,
            format!("<html><body>upstream failed; request: {e}</body></html>"),
        )
            .into_response(),
        _ => {
            let json = if path.ends_with("/query") || path.ends_with("/query_range") {
                serde_json::json!({"status": "success", "data": {"resultType": e, "result": []}})
            } else if path.ends_with("/buildinfo") {
                serde_json::json!({"status": "success", "data": {"version": e, "revision": e}})
            } else if path.ends_with("/api/v2/status") {
                serde_json::json!({"versionInfo": {"version": e}, "cluster": {"status": e, "name": e}})
            } else if path.ends_with("/alerts") || path.ends_with("/silences") {
                serde_json::json!([e])
            } else {
                serde_json::json!({"status": e, "message": e})
            };
            (code, axum::Json(json)).into_response()
        }
    }
}

/// The tail refuses the upgrade with an echoing page, or (200) upgrades and sends a frame
/// whose `streams` is the echo.
async fn tail(UrlPath(status): UrlPath<u16>, ws: WebSocketUpgrade, req: Request) -> Response {
    let (headers, uri) = (req.headers().clone(), req.uri().clone());
    let e = echo(&headers, &uri, b"");
    if status != 200 {
        let code = StatusCode::from_u16(status).unwrap();
        return (code, format!("ws denied; you sent {e}")).into_response();
    }
    ws.on_upgrade(move |mut socket| async move {
        let frame = serde_json::json!({ "streams": e }).to_string();
        let _ = socket.send(Message::Text(frame.into())).await;
        while let Some(Ok(_)) = socket.recv().await {}
    })
}

async fn server() -> String {
    let app = axum::Router::new()
        .route("/{status}/loki/api/v1/tail", get(tail))
        .fallback(hostile);
    kit::serve(app).await
}

/// Each secret in a file of `dir`, as the config reads it (the binary tests use an env var too).
fn secret_file(dir: &Path, name: &str, value: &str) -> SecretRef {
    let path = dir.join(name);
    std::fs::write(&path, format!("{value}\n")).unwrap();
    SecretRef {
        file: Some(path),
        env: None,
    }
}

/// A client's options with the bearer token, then with basic auth, the tenant header on both.
fn both_auths(dir: &Path) -> [HttpOptions; 2] {
    let token = secret_file(dir, "token", TOKEN);
    let password = secret_file(dir, "password", PASSWORD);
    [opts(Some(token), None), opts(None, Some(password))]
}

fn opts(bearer: Option<SecretRef>, basic: Option<SecretRef>) -> HttpOptions {
    HttpOptions {
        bearer_token: bearer,
        basic_auth: basic.map(|password| BasicAuth {
            username: USER.into(),
            password,
        }),
        headers: [("X-Scope-OrgID".to_string(), TENANT.to_string())].into(),
        timeout: Some(TIMEOUT),
        ..Default::default()
    }
}

/// The cockpit with the three sources the in-process tests feed errors to.
fn cockpit() -> onwatch::app::State {
    kit::state(onwatch::app::state::Setup {
        sources: vec![kit::prom(), kit::am(), kit::loki()],
        ..kit::setup()
    })
}

/// What the user sees of `state`: the screen, wide enough for whole messages, and its JSON.
fn shown(state: &onwatch::app::State) -> String {
    let json = onwatch::app::report::state_json(state).to_string();
    format!("{}\n{json}", kit::screen(state, 220, 50))
}

/// An error as the header and the panes show it, after the reducer took it in.
fn feed(
    state: &mut onwatch::app::State,
    source: onwatch::domain::health::SourceId,
    e: SourceError,
) {
    let generation = state
        .sources
        .iter()
        .find(|h| h.id == source)
        .map_or(0, |h| h.generation)
        + 1;
    onwatch::app::update(
        state,
        kit::source_msg(source, generation, kit::t0(), Err(e)),
        &kit::clock(),
    );
}

/// An echoing error page must have shown up masked, or the test proved nothing.
#[track_caller]
fn assert_masked(text: &str, status: u16) {
    assert_clean(text, &format!("HTTP {status}"));
    if status != 200 {
        assert!(text.contains(&format!("HTTP {status}")), "{text}");
        assert!(
            text.contains("Authorization: Bearer ***")
                || text.contains("authorization: ***")
                || text.contains("***"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn contract_hostile_pollers_show_no_secret_on_screen_or_in_errors() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let mut state = cockpit();
    let now = i128::from(chrono::Utc::now().timestamp()) * 1_000_000_000;
    for auth in both_auths(dir.path()) {
        let http = HttpClient::new(&auth, TIMEOUT).unwrap();
        for status in STATUSES {
            let at = format!("{base}/{status}");
            let prom = PrometheusClient::new(&at, http.clone()).unwrap();
            let am = AlertmanagerClient::new(&at, http.clone()).unwrap();
            let loki = LokiClient::new(&at, http.clone()).unwrap();
            let query = prom.instant("up", None).await.unwrap_err();
            // A 2xx list whose item is the echo: the item is left out and counted, its
            // reason naming the fault, never the text.
            let alerts = match am.alerts_lenient().await {
                Ok((good, unreadable)) if status == 200 => {
                    assert!(good.is_empty());
                    let said = unreadable.describe().unwrap_or_default();
                    assert_eq!(said, "1 alert unreadable: not an object");
                    SourceError::BadResponse(said)
                }
                other => other.unwrap_err(),
            };
            let logs = loki
                .query_range(r#"{app="x"}"#, now - 60_000_000_000, now, 10, false)
                .await
                .unwrap_err();
            // 2xx answers read as data: what `check` prints of them
            let build = format!("{:?}", prom.buildinfo().await);
            let am_status = format!("{:?}", am.status().await);
            for e in [&query, &alerts, &logs] {
                assert_masked(&format!("{e} {e:?}"), status);
            }
            assert_clean(
                &format!("{build} {am_status} {http:?} {prom:?} {am:?} {loki:?}"),
                "2xx data and Debug",
            );
            if status == 200 {
                assert!(
                    query
                        .to_string()
                        .starts_with("bad response: expected vector, got "),
                    "{query}"
                );
                assert!(
                    build.contains("***"),
                    "the echoed version is masked: {build}"
                );
            }
            feed(&mut state, kit::prom(), query);
            feed(&mut state, kit::am(), alerts);
            feed(&mut state, kit::loki(), logs);
            let screen = shown(&state);
            assert_masked(&screen, status);
        }
    }
}

#[tokio::test]
async fn contract_hostile_loki_tail_shows_no_secret() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let mut state = cockpit();
    for auth in both_auths(dir.path()) {
        for status in STATUSES {
            let connector = TailConnector::new(&format!("{base}/{status}"), &auth).unwrap();
            let end = tokio::time::timeout(
                TIMEOUT,
                connector.run(r#"{app="x"}"#, 0, 10, |f| panic!("no frame is good: {f:?}")),
            )
            .await
            .unwrap();
            let TailEnd::Error(e) = end else {
                panic!("the tail ended without an error: {end:?}");
            };
            assert_masked(&format!("{e} {e:?} {connector:?}"), status);
            if status == 200 {
                assert!(
                    e.to_string().contains("expected a Loki tail message"),
                    "{e}"
                );
            }
            feed(&mut state, kit::loki(), e);
            assert_masked(&shown(&state), status);
        }
    }
}

/// Webhook and PagerDuty targets as the config builds them (which is where their URL's and
/// routing key's secrets are learnt), one per status.
fn actions_config(base: &str, dir: &Path) -> onwatch::config::Config {
    let key = secret_file(dir, "routing-key", ROUTING_KEY);
    let hook_base = base.replace("http://", &format!("http://hook:{HOOK_PASSWORD}@"));
    let mut text = format!(
        "[actions]\nstate_dir = {:?}\n\n[[escalation]]\nname = \"crit\"\n",
        dir.display().to_string()
    );
    for status in STATUSES {
        text.push_str(&format!(
            "[[escalation.targets]]\ntype = \"webhook\"\nname = \"hook{status}\"\nurl = \"{hook_base}/{status}/hook?token={HOOK_QUERY}\"\n\
             [[escalation.targets]]\ntype = \"pagerduty\"\nname = \"pd{status}\"\nrouting_key = {{ file = {:?} }}\nurl = \"{base}/{status}\"\n",
            key.file.as_ref().unwrap().display().to_string()
        ));
    }
    onwatch::config::parse(&text, Path::new("hostile.toml")).unwrap()
}

#[tokio::test]
async fn contract_hostile_action_clients_show_no_secret_on_screen_or_in_the_audit_log() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let config = actions_config(&base, dir.path());
    let exec_config = onwatch::actions::build(&config, None).unwrap();
    assert_clean(&format!("{exec_config:?}"), "the executor's Debug");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let executor = onwatch::actions::Executor::new(exec_config, tx).unwrap();
    let alert = kit::alert(&[("alertname", "TierTwo")], kit::t0());
    let mut waiting = BTreeMap::new();
    for status in STATUSES {
        for kind in ["hook", "pd"] {
            let id = format!("1-0-{kind}{status}");
            let target = format!("{kind}{status}");
            executor
                .submit(kit::escalation(&id, &target, &alert, "paging tier 2"))
                .unwrap();
            waiting.insert(id, status);
        }
    }
    let mut state = cockpit();
    let mut outcomes = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !waiting.is_empty() {
        let r = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no outcome for {waiting:?}"))
            .unwrap();
        if r.outcome == Outcome::Queued {
            continue;
        }
        if let Some(status) = waiting.remove(&r.request.id) {
            let expected = match status {
                401 | 403 => matches!(r.outcome, Outcome::Failed(_)),
                500 => matches!(r.outcome, Outcome::Retrying(_)),
                _ => matches!(r.outcome, Outcome::Done(_)),
            };
            assert!(expected, "{status}: {:?}", r.outcome);
            if status == 401 || status == 403 {
                assert_masked(&format!("{:?}", r.outcome), status);
            }
        }
        outcomes.push(format!("{:?}", r.outcome));
        onwatch::app::update(
            &mut state,
            onwatch::app::Msg::ActionResult(r),
            &kit::clock(),
        );
        assert_clean(&shown(&state), "the screen after an action's outcome");
    }
    assert_clean(&outcomes.join("\n"), "the outcomes");
    // straight from the clients too: the 2xx and 5xx bodies the executor does not show
    let poster = JsonPoster::new(TIMEOUT, 64 << 20).unwrap();
    let key = onwatch::config::secret::read(&secret_file(dir.path(), "rk", ROUTING_KEY)).unwrap();
    for status in STATUSES {
        let pd = PagerDutyClient::new(&format!("{base}/{status}"), poster.clone()).unwrap();
        let event = Event {
            routing_key: key.clone(),
            event_action: "acknowledge",
            dedup_key: "onwatch/prod/abc".into(),
            payload: None,
            client_url: None,
            links: Vec::new(),
        };
        let delivery = pd.send(&event).await;
        assert_clean(
            &format!("{delivery:?} {pd:?} {event:?}"),
            "a PagerDuty answer",
        );
        let hook = url::Url::parse(&format!(
            "{}/{status}/hook?token={HOOK_QUERY}",
            base.replace("http://", &format!("http://hook:{HOOK_PASSWORD}@"))
        ))
        .unwrap();
        let delivery = poster.post(&hook, "{}".into()).await;
        assert_clean(&format!("{delivery:?}"), "a webhook answer");
    }
    drop(executor);
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(audit.lines().count() >= 16, "{audit}");
    assert!(
        audit.contains("***"),
        "the echoes reached the audit log masked: {audit}"
    );
    assert_clean(&audit, "the audit log");
    for line in audit.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}

/// A config with every source kind the binary probes and polls, at every hostile status,
/// the token from an env var and the password from a file.
fn binary_config(base: &str, dir: &Path) -> std::path::PathBuf {
    let password = secret_file(dir, "password", PASSWORD);
    let password = password.file.unwrap().display().to_string();
    let bearer = format!("bearer_token = {{ env = \"{TOKEN_ENV}\" }}");
    let basic =
        format!("basic_auth = {{ username = \"{USER}\", password = {{ file = {password:?} }} }}");
    let headers = format!("headers = {{ \"X-Scope-OrgID\" = \"{TENANT}\" }}");
    let mut text = "[general]\ntimeout = \"5s\"\n".to_string();
    for status in STATUSES {
        let auth = if status % 2 == 0 { &basic } else { &bearer };
        text.push_str(&format!(
            "\n[[prometheus]]\nname = \"prom{status}\"\nurl = \"{base}/{status}\"\n{auth}\n{headers}\n\
             \n[[alertmanager]]\nname = \"am{status}\"\nurls = [\"{base}/{status}\"]\n{auth}\n{headers}\n\
             \n[[loki]]\nname = \"loki{status}\"\nurl = \"{base}/{status}\"\nquery = '{{app=\"x\"}}'\n{auth}\n{headers}\n\
             \n[[slo]]\nname = \"slo{status}\"\nsource = \"prom{status}\"\nobjective = 99.9\nerror_query = 'sum(rate(e[$window]))'\ntotal_query = 'sum(rate(t[$window]))'\n"
        ));
    }
    let path = dir.join("hostile.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contract_hostile_snapshot_check_and_log_file_show_no_secret() {
    let base = server().await;
    let home = tempfile::tempdir().unwrap();
    let config = binary_config(&base, home.path());
    let log = home.path().join("onwatch.log");
    for args in [
        vec!["snapshot", "--format", "json"],
        vec!["snapshot", "--format", "text", "--size", "220x60"],
        vec!["check"],
    ] {
        let (home_dir, config, log) = (home.path().to_path_buf(), config.clone(), log.clone());
        let what = args.join(" ");
        let (code, out, err) = tokio::task::spawn_blocking(move || {
            kit::binary::run(
                kit::binary::onwatch(&home_dir)
                    .env(TOKEN_ENV, TOKEN)
                    .arg("--config")
                    .arg(&config)
                    .arg("--log-file")
                    .arg(&log)
                    .args(&args),
            )
        })
        .await
        .unwrap();
        assert_ne!(code, 0, "{what}: the hostile sources fail\n{out}\n{err}");
        assert_clean(&out, &what);
        assert_clean(&err, &what);
        assert!(
            out.contains("HTTP 401") && out.contains("***"),
            "{what}: the echoes were shown, masked:\n{out}\n{err}"
        );
    }
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("poll failed") && logged.contains("probe failed"),
        "{logged}"
    );
    assert_clean(&logged, "the log file");
}
