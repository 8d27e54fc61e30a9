//! Loading the config: the example, `init`, and the exact messages of invalid files.

use onwatch::config::{self, ConfigError, InitError};
use std::path::Path;

const PATH: &str = "/home/a/.config/onwatch/config.toml";

fn err(text: &str) -> String {
    config::parse(text, Path::new(PATH))
        .expect_err("config should be refused")
        .to_string()
}

/// A valid config; each invalid case below changes one thing in it.
const BASE: &str = r#"[general]
refresh = "15s"

[[prometheus]]
name = "prod"
url = "http://127.0.0.1:9090"

[[alertmanager]]
name = "prod"
urls = ["http://127.0.0.1:9093"]

[[slo]]
name = "checkout"
source = "prod"
objective = 99.9
error_query = 'sum(rate(errors[$window]))'
total_query = 'sum(rate(total[$window]))'
"#;

/// The ratio SLI of BASE's SLO.
const RATIO: &str =
    "error_query = 'sum(rate(errors[$window]))'\ntotal_query = 'sum(rate(total[$window]))'\n";

/// A latency SLI.
const LATENCY: &str =
    "histogram = 'http_request_duration_seconds{service=\"checkout\"}'\nthreshold = \"0.3\"\n";

const PROM_URL: &str = "url = \"http://127.0.0.1:9090\"";

fn with_prom_line(line: &str) -> String {
    BASE.replace(PROM_URL, &format!("{PROM_URL}\n{line}"))
}

#[test]
fn base_is_valid() {
    let c = config::parse(BASE, Path::new(PATH)).unwrap();
    assert_eq!(c.slo[0].objective, 99.9);
    // tables given in part keep the defaults of the rest
    assert_eq!(c.general.timeout, std::time::Duration::from_secs(10));
}

#[test]
fn invalid_configs_give_exact_messages() {
    let p = format!("config error in {PATH}");
    let cases: Vec<(&str, String, String)> = vec![
        (
            "unknown key",
            BASE.replace("refresh", "refesh"),
            format!(
                "{p}:2:1: unknown field `refesh` in [general], expected one of `user`, `refresh`, `timeout`, `max_response`"
            ),
        ),
        (
            "unknown top-level table",
            format!("bogus = 1\n{BASE}"),
            format!(
                "{p}:1:1: unknown field `bogus` at the top level, expected one of `general`, `prometheus`, `alertmanager`, `loki`, `slo`, `slo_rules`, `alerts`, `logs`, `ui`, `wall`, `notify`, `keys`, `actions`, `escalation`, `runbooks`, `elasticsearch`, `command`, `file`, `log_view`"
            ),
        ),
        (
            "wrong type",
            BASE.replace("\"15s\"", "15"),
            format!("{p}:2:11: [general] refresh: invalid type: integer `15`, expected a string"),
        ),
        (
            "bad duration",
            BASE.replace("\"15s\"", "\"15\""),
            format!(
                "{p}:2:11: [general] refresh: duration '15' needs a unit, e.g. 15s, 5m, 1h, 30d"
            ),
        ),
        (
            "zero refresh",
            BASE.replace("\"15s\"", "\"0s\""),
            format!("{p}:2:1: [general]: refresh must be greater than 0"),
        ),
        (
            "missing field",
            format!("{BASE}\n[[loki]]\nname = \"l\"\nurl = \"http://127.0.0.1:3100\"\n"),
            format!("{p}:19:1: [[loki]]: missing field `query`"),
        ),
        (
            "syntax",
            format!("{BASE}[logs\n"),
            format!("{p}:18:6: unclosed table, expected `]`"),
        ),
        (
            "duplicated source name",
            format!("{BASE}\n[[prometheus]]\nname = \"prod\"\nurl = \"http://127.0.0.1:9091\"\n"),
            format!(
                "{p}:20:1: [[prometheus]] prod: the name `prod` is used twice; each [[prometheus]] needs its own name"
            ),
        ),
        (
            "SLO naming a missing source",
            BASE.replace("source = \"prod\"", "source = \"staging\""),
            format!(
                "{p}:14:1: [[slo]] checkout: source `staging` is not the name of a [[prometheus]] source (known: prod)"
            ),
        ),
        (
            "objective out of range",
            BASE.replace("99.9", "100.5"),
            format!(
                "{p}:15:1: [[slo]] checkout: objective 100.5 must be between 0 and 100 (exclusive)"
            ),
        ),
        (
            "objective zero",
            BASE.replace("99.9", "0.0"),
            format!(
                "{p}:15:1: [[slo]] checkout: objective 0 must be between 0 and 100 (exclusive)"
            ),
        ),
        (
            "bad URL",
            BASE.replace("http://127.0.0.1:9090", "127.0.0.1:9090"),
            format!(
                "{p}:6:1: [[prometheus]] prod: url is not a valid URL (relative URL without a base)"
            ),
        ),
        (
            "URL scheme",
            BASE.replace("http://127.0.0.1:9093", "ftp://127.0.0.1:9093"),
            format!("{p}:10:9: [[alertmanager]] prod: urls must start with http:// or https://"),
        ),
        (
            "no alertmanager URL",
            BASE.replace("[\"http://127.0.0.1:9093\"]", "[]"),
            format!(
                "{p}:10:1: [[alertmanager]] prod: urls must list at least one URL (one per replica)"
            ),
        ),
        (
            "missing $window",
            BASE.replace("total[$window]", "total[5m]"),
            format!(
                "{p}:17:1: [[slo]] checkout: total_query must contain $window (replaced by each burn-rate window, e.g. 5m, 1h)"
            ),
        ),
        (
            "SLO without an SLI",
            BASE.replace(RATIO, ""),
            format!(
                "{p}:13:1: [[slo]] checkout: needs an SLI: error_query and total_query (a ratio), or histogram and threshold (a latency)"
            ),
        ),
        (
            "SLO with both SLIs",
            format!("{BASE}{LATENCY}"),
            format!(
                "{p}:13:1: [[slo]] checkout: give either error_query and total_query (a ratio SLI) or histogram and threshold (a latency SLI), not both"
            ),
        ),
        (
            "half a ratio SLI",
            BASE.replace("total_query = 'sum(rate(total[$window]))'\n", ""),
            format!("{p}:16:1: [[slo]] checkout: error_query needs total_query beside it"),
        ),
        (
            "half a latency SLI",
            BASE.replace(RATIO, "histogram = 'http_request_duration_seconds'\n"),
            format!(
                "{p}:16:1: [[slo]] checkout: histogram needs threshold beside it (the le bucket bound, e.g. \"0.3\")"
            ),
        ),
        (
            "histogram named by its bucket series",
            BASE.replace(RATIO, &LATENCY.replace("seconds{", "seconds_bucket{")),
            format!(
                "{p}:16:1: [[slo]] checkout: histogram `http_request_duration_seconds_bucket{{service=\"checkout\"}}` names the histogram without its _bucket suffix (the queries add _bucket and _count)"
            ),
        ),
        (
            "threshold not a bucket bound",
            BASE.replace(RATIO, &LATENCY.replace("\"0.3\"", "\"300ms\"")),
            format!(
                "{p}:17:1: [[slo]] checkout: threshold `300ms` must be a bucket bound as the histogram's le label writes it, e.g. \"0.3\""
            ),
        ),
        (
            "group_by not a label name",
            format!("{BASE}group_by = [\"service-name\"]\n"),
            format!(
                "{p}:18:1: [[slo]] checkout: group_by label `service-name` is not a label name"
            ),
        ),
        (
            "bad key name",
            format!("{BASE}\n[keys]\njump = \"j\"\n"),
            format!(
                "{p}:20:1: [keys]: unknown action `jump`; actions are: move_down, move_up, top, bottom, page_down, page_up, newest_page, cycle_sort, select, back, next_pane, prev_pane, focus_slo, focus_alerts, focus_logs, filter, command, help, ack, unack, escalate, runbook, logs, follow, toggle_wrap, toggle_time, next_log_view, prev_log_view, open_trace, toggle_silenced, silences, new_silence, refresh, note, next_theme, quit"
            ),
        ),
        (
            "bad key",
            format!("{BASE}\n[keys]\nquit = \"q\"\nack = [\"a\", \"hyper-x\"]\n"),
            format!(
                "{p}:21:1: [keys]: ack: unknown key 'hyper-x' (use a character, or ctrl-/alt- with one of: enter, esc, tab, backtab, backspace, delete, up, down, left, right, home, end, pageup, pagedown, space, f1..f12)"
            ),
        ),
        (
            "key clash",
            format!("{BASE}\n[keys]\nquit = \"q\"\nack = \"j\"\nunack = \"j\"\n"),
            format!(
                "{p}:21:1: [keys]: key 'j' is bound to both 'ack' and 'unack'; change one of them in [keys]"
            ),
        ),
        (
            "secret with both file and env",
            with_prom_line("bearer_token = { file = \"/run/secrets/t\", env = \"PROM_TOKEN\" }"),
            format!(
                "{p}:7:1: [[prometheus]] prod: bearer_token needs exactly one of `file` or `env`"
            ),
        ),
        (
            "secret with neither",
            with_prom_line("[prometheus.basic_auth]\nusername = \"u\"\npassword = {}"),
            format!(
                "{p}:9:1: [[prometheus]] prod: basic_auth.password needs exactly one of `file` or `env`"
            ),
        ),
        (
            "flap thresholds the wrong way round",
            format!("{BASE}\n[alerts.flap]\nlow_threshold = 30.0\nhigh_threshold = 20.0\n"),
            format!(
                "{p}:20:1: [alerts.flap]: low_threshold must be above 0 and below high_threshold"
            ),
        ),
        (
            "an empty ack prefix",
            format!("{BASE}\n[alerts]\nack_prefix = \" \"\n"),
            format!(
                "{p}:20:1: [alerts]: ack_prefix must not be empty: every silence would read as an ack"
            ),
        ),
        (
            "a severity value in two lists",
            format!("{BASE}\n[alerts.severity]\ncritical = [\"sev1\"]\nwarning = [\"SEV1\"]\n"),
            format!("{p}:20:1: [alerts.severity]: 'sev1' is in both critical and warning"),
        ),
        (
            "a response cap too small to hold an answer",
            BASE.replace(
                "refresh = \"15s\"",
                "refresh = \"15s\"\nmax_response = \"10B\"",
            ),
            format!("{p}:3:1: [general]: max_response must be at least 1KiB"),
        ),
        (
            "empty theme",
            format!("{BASE}\n[ui]\ntheme = \"\"\n"),
            format!("{p}:20:1: [ui]: theme must not be empty"),
        ),
        (
            "bad wall colour",
            format!("{BASE}\n[wall]\nenvironment = \"PROD\"\ncolor = \"reddish\"\n"),
            format!("{p}:21:1: [wall]: color 'reddish' is not a colour name or #rrggbb"),
        ),
    ];
    for (what, text, want) in cases {
        assert_eq!(err(&text), want, "{what}");
    }
}

#[test]
fn latency_and_grouped_slos_load() {
    let text = BASE.replace(
        RATIO,
        &format!("{LATENCY}group_by = [\"service\", \"code\"]\n"),
    );
    let c = config::parse(&text, Path::new(PATH)).unwrap();
    assert_eq!(c.slo[0].group_by, ["service", "code"]);
    let (error, total) = c.slo[0].queries().unwrap();
    assert_eq!(
        total,
        r#"sum by (service, code) (rate(http_request_duration_seconds_count{service="checkout"}[$window]))"#
    );
    assert_eq!(
        error,
        format!(
            r#"{total} - sum by (service, code) (rate(http_request_duration_seconds_bucket{{service="checkout",le="0.3"}}[$window]))"#
        )
    );
    // The ratio form is sent as written.
    let c = config::parse(BASE, Path::new(PATH)).unwrap();
    assert_eq!(
        c.slo[0].queries().unwrap(),
        (
            "sum(rate(errors[$window]))".to_string(),
            "sum(rate(total[$window]))".to_string()
        )
    );
}

#[test]
fn secrets_never_appear_in_errors() {
    let secret = "hunter2-s3cr3t";
    for text in [
        with_prom_line(&format!("bearer_token = \"{secret}\"")),
        with_prom_line(&format!(
            "basic_auth = {{ username = \"u\", password = \"{secret}\" }}"
        )),
        with_prom_line(&format!("bearer_token = {{ value = \"{secret}\" }}")),
        BASE.replace(
            "http://127.0.0.1:9090",
            &format!("http://u:{secret}@127.0.0.1:9090"),
        ),
        BASE.replace("http://127.0.0.1:9090", &format!("{secret}:not a url")),
        BASE.replace("\"15s\"", &format!("[\"{secret}\"]")),
    ] {
        let e = err(&text);
        assert!(!e.contains(secret), "{e}");
        assert!(
            e.contains(":7:") || e.contains(":6:") || e.contains(":2:"),
            "{e}"
        );
    }
    assert_eq!(
        err(&with_prom_line(&format!("bearer_token = \"{secret}\""))),
        format!(
            "config error in {PATH}:7:16: [[prometheus]] bearer_token: invalid type: string, expected a table with `file` or `env` (secrets are never written inline)"
        )
    );
}

#[test]
fn load_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let missing = config::load(&path).unwrap_err();
    assert!(matches!(missing, ConfigError::Read { .. }), "{missing:?}");
    assert!(
        missing
            .to_string()
            .starts_with(&format!("config error in {}: cannot read", path.display())),
        "{missing}"
    );

    std::fs::write(&path, BASE.replace("99.9", "100.5")).unwrap();
    let e = config::load(&path).unwrap_err();
    assert_eq!(e.line(), Some(15));
    assert!(
        e.to_string()
            .starts_with(&format!("config error in {}:15:1: ", path.display())),
        "{e}"
    );
    assert_eq!(config::EXIT_CONFIG, 2);

    std::fs::write(&path, BASE).unwrap();
    assert_eq!(config::load(&path).unwrap().prometheus[0].name, "prod");
}

#[test]
fn example_parses_validates_and_shows_several_sources() {
    let c = config::parse(config::EXAMPLE, Path::new("config.example.toml")).unwrap();
    assert!(c.prometheus.len() >= 2 && c.alertmanager.len() >= 2 && c.loki.len() >= 2);
    assert!(c.slo.len() >= 2);
    assert!(
        c.prometheus
            .iter()
            .any(|p| p.bearer_token.as_ref().is_some_and(|t| t.env.is_some()))
    );
    assert!(c.prometheus.iter().any(|p| {
        p.basic_auth
            .as_ref()
            .is_some_and(|b| b.password.file.is_some())
            && p.headers.contains_key("X-Scope-OrgID")
    }));
    assert!(c.prometheus.iter().any(|p| p.tls.ca_file.is_some()));
    assert!(!c.keys.is_empty());
    // every option present in the file differs from nothing the loader would invent
    assert_ne!(c, config::Config::default());
}

#[test]
fn example_documents_every_option() {
    let options = [
        "[general]",
        "user",
        "refresh",
        "timeout",
        "[[prometheus]]",
        "[[alertmanager]]",
        "[[loki]]",
        "name",
        "url",
        "urls",
        "query",
        "bearer_token",
        "basic_auth",
        "username",
        "password",
        "headers",
        "tls.ca_file",
        "tls.insecure_skip_verify",
        "file",
        "env",
        "[[slo]]",
        "source",
        "objective",
        "period",
        "error_query",
        "total_query",
        "[alerts]",
        "group_by",
        "dedup_labels",
        "[logs]",
        "max_lines",
        "max_bytes",
        "lookback",
        "[ui]",
        "theme",
        "mouse",
        "[keys]",
    ];
    for o in options {
        assert!(
            config::EXAMPLE.contains(o),
            "config.example.toml does not mention {o}"
        );
    }
    // every field of every table: a key the schema accepts is in the example file, as a key
    let value: toml::Table = toml::from_str(config::EXAMPLE).unwrap();
    for table in ["general", "alerts", "logs", "ui"] {
        let keys: Vec<&String> = value[table].as_table().unwrap().keys().collect();
        let schema = toml::Table::try_from(
            match table {
                "general" => toml::Value::try_from(config::General::default()),
                "alerts" => toml::Value::try_from(config::AlertsConfig::default()),
                "logs" => toml::Value::try_from(config::LogsConfig::default()),
                _ => toml::Value::try_from(config::UiConfig::default()),
            }
            .unwrap(),
        )
        .unwrap();
        for k in schema.keys() {
            assert!(keys.contains(&k), "[{table}] {k} is not set in the example");
        }
    }
}

#[test]
fn init_writes_the_example_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/onwatch/config.toml");
    config::init(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), config::EXAMPLE.as_bytes());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml")).unwrap()
    );

    std::fs::write(&path, "# mine\n").unwrap();
    let e = config::init(&path).unwrap_err();
    assert!(matches!(e, InitError::Exists(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("{} already exists; not overwriting it", path.display())
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
}

#[test]
fn config_flag_beats_env_beats_default() {
    use onwatch::config::paths::config_path_from;
    use std::ffi::OsString;
    let dir = tempfile::tempdir().unwrap();
    let default = dir.path().join("config.toml");
    let env = Some(OsString::from("/env/config.toml"));
    let cli = Path::new("/cli/config.toml");
    assert_eq!(
        config_path_from(Some(cli), env.clone(), Some(&default)).as_deref(),
        Some(cli)
    );
    assert_eq!(
        config_path_from(None, env, Some(&default)).as_deref(),
        Some(Path::new("/env/config.toml"))
    );
    assert_eq!(config_path_from(None, None, Some(&default)), None);
    config::init(&default).unwrap();
    assert_eq!(
        config_path_from(None, None, Some(&default)).as_deref(),
        Some(default.as_path())
    );
}

#[test]
fn every_problem_is_reported_in_file_order_in_one_run() {
    let p = "/home/a/.config/onwatch/config.toml";
    let text = r#"[ui]
theme = ""

[[prometheus]]
name = "prod"
url = "ftp://127.0.0.1:9090"

[[slo]]
name = "checkout"
source = "nowhere"
objective = 99.9
error_query = 'sum(rate(errors[$window]))'
total_query = 'sum(rate(total[$window]))'

[[slo]]
name = "search"
source = "prod"
objective = 120
error_query = 'sum(rate(errors[$window]))'
total_query = 'sum(rate(total[$window]))'
"#;
    let got = err(text);
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 5, "four errors and the count:\n{got}");
    let at = |l: &str| {
        l.split(':')
            .nth(1)
            .unwrap_or_default()
            .parse::<usize>()
            .unwrap_or(0)
    };
    assert!(
        lines[0].starts_with(&format!("config error in {p}:2:")),
        "{got}"
    );
    assert!(lines[0].contains("theme must not be empty"), "{got}");
    assert!(lines[1].contains("[[prometheus]] prod: url"), "{got}");
    assert!(lines[2].contains("source `nowhere`"), "{got}");
    assert!(lines[3].contains("objective 120"), "{got}");
    assert_eq!(lines[4], "4 config errors");
    let order: Vec<usize> = lines[..4]
        .iter()
        .map(|l| at(l.trim_start_matches("config error in ")))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "file order: {order:?}\n{got}"
    );
}
