//! The log source and view options: defaults, and errors at the line of the key at fault.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
use onwatch::config::{self, LokiMode};
use onwatch::domain::logs::AnsiMode;
use std::path::Path;

fn parse(text: &str) -> Result<config::Config, String> {
    config::parse(text, Path::new("c.toml")).map_err(|e| e.to_string())
}

#[test]
fn log_sources_parse_with_their_defaults() {
    let c = parse(
        r#"
[[loki]]
name = "l"
url = "http://127.0.0.1:3100"
query = '{app="x"}'
mode = "tail"

[[elasticsearch]]
name = "es"
url = "http://127.0.0.1:9200"
index = "logs-*"

[[command]]
name = "j"
argv = ["journalctl", "-f"]

[[file]]
name = "f"
path = "/var/log/syslog"

[[log_view]]
name = "errors"
filter = "re:error"
"#,
    )
    .unwrap();
    assert_eq!(c.loki[0].mode, LokiMode::Tail);
    assert_eq!(c.elasticsearch[0].time_field, "@timestamp");
    assert_eq!(c.elasticsearch[0].message_field, "message");
    assert_eq!(c.elasticsearch[0].tiebreaker, "_id");
    assert_eq!(c.elasticsearch[0].query, "*");
    assert_eq!(c.file[0].poll, std::time::Duration::from_secs(1));
    let five_minutes = Some(std::time::Duration::from_secs(300));
    assert_eq!(c.command[0].idle_window(), five_minutes);
    assert_eq!(c.file[0].idle_window(), five_minutes);
    assert_eq!(c.loki[0].idle, None, "the tail's own default (30s) applies");
    assert_eq!(c.logs.ansi, AnsiMode::Keep);
    let pane = onwatch::cli::setup::log_pane(&c);
    assert_eq!(
        pane.views
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>(),
        ["all", "errors"]
    );
    assert!(pane.trace_pattern.is_some());
}

#[test]
fn log_source_mistakes_are_reported_at_their_line() {
    let cases = [
        (
            "[[command]]\nname = \"x\"\nargv = []\n",
            "c.toml:3:1: [[command]] x: argv must start with the program to run",
        ),
        (
            "[[command]]\nname = \"x\"\nargv = [\"a\"]\n[[file]]\nname = \"x\"\npath = \"/p\"\n",
            "c.toml:5:1: [[file]] x: the name `x` is used by another log source",
        ),
        (
            "[[file]]\nname = \"f\"\npath = \"/p\"\n[[log_view]]\nname = \"v\"\nsources = [\"nope\"]\n",
            "[[log_view]] v: `nope` is not the name of a log source",
        ),
        (
            "[[log_view]]\nname = \"v\"\nfilter = \"re:(\"\n",
            "c.toml:3:1: [[log_view]] v: filter: bad regex",
        ),
        (
            "[logs]\ntrace_url = \"https://j/trace\"\n",
            "c.toml:2:1: [logs]: trace_url must contain $trace_id",
        ),
        (
            "[logs]\ntrace_url = \"javascript:alert('$trace_id')\"\n",
            "c.toml:2:1: [logs]: refused trace_url \"javascript:alert('0')\": contains shell metacharacters or spaces",
        ),
        (
            "[logs]\ntrace_url = \"zipkin://z/$trace_id\"\n",
            "c.toml:2:1: [logs]: refused trace_url \"zipkin://z/0\": scheme \"zipkin\" (only http, https)",
        ),
        ("[logs]\nansi = \"rainbow\"\n", "unknown variant `rainbow`"),
        (
            "[[loki]]\nname = \"l\"\nurl = \"http://127.0.0.1:3100\"\nquery = \"{a=\\\"b\\\"}\"\nidle = \"0s\"\n",
            "c.toml:5:1: [[loki]] l: idle must be greater than 0",
        ),
    ];
    for (text, want) in cases {
        let err = parse(text).unwrap_err();
        assert!(err.contains(want), "{text}\n got: {err}\nwant: {want}");
    }
}

#[test]
fn a_zero_idle_window_turns_the_quiet_mark_off_for_commands_and_files() {
    let c = parse(
        "[[command]]\nname = \"j\"\nargv = [\"journalctl\", \"-f\"]\nidle = \"0s\"\n\
         [[file]]\nname = \"f\"\npath = \"/p\"\nidle = \"90s\"\n",
    )
    .unwrap();
    assert_eq!(c.command[0].idle_window(), None);
    assert_eq!(
        c.file[0].idle_window(),
        Some(std::time::Duration::from_secs(90))
    );
}
