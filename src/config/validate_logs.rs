//! Checks of the log sources and views: names unique across every log source (lines are told
//! apart by source name), commands that can run, filters and patterns that compile.

use super::error::ConfigError;
use super::locate::Seg;
use super::schema::Config;
use crate::domain::log_filter::LogFilter;
use std::collections::BTreeSet;

type Err<'a> = &'a dyn Fn(&[Seg<'_>], &str, String) -> ConfigError;

pub fn log_sources(err: Err<'_>, config: &Config) -> Result<(), ConfigError> {
    let mut names = BTreeSet::new();
    let all = config
        .indexed_sources()
        .filter(|(_, s)| s.kind().is_log())
        .map(|(i, s)| (s.table(), i, s.name()));
    for (kind, i, name) in all {
        let at = [Seg::Key(kind), Seg::Index(i), Seg::Key("name")];
        if name.trim().is_empty() {
            return Err(err(
                &at,
                &format!("[[{kind}]]"),
                "name must not be empty".into(),
            ));
        }
        if !names.insert(name) {
            return Err(err(
                &at,
                &format!("[[{kind}]] {name}"),
                format!(
                    "the name `{name}` is used by another log source; log sources (loki, elasticsearch, command, file) need distinct names"
                ),
            ));
        }
    }
    for (i, s) in config.loki.iter().enumerate() {
        // The tail pings after this silence: a zero window would ping without pause.
        if s.idle.is_some_and(|d| d.is_zero()) {
            return Err(err(
                &[Seg::Key("loki"), Seg::Index(i), Seg::Key("idle")],
                &format!("[[loki]] {}", s.name),
                "idle must be greater than 0".into(),
            ));
        }
    }
    for (i, s) in config.elasticsearch.iter().enumerate() {
        let place = format!("[[elasticsearch]] {}", s.name);
        for (key, v) in [
            ("index", &s.index),
            ("time_field", &s.time_field),
            ("message_field", &s.message_field),
            ("tiebreaker", &s.tiebreaker),
        ] {
            if v.trim().is_empty() {
                return Err(err(
                    &[Seg::Key("elasticsearch"), Seg::Index(i), Seg::Key(key)],
                    &place,
                    format!("{key} must not be empty"),
                ));
            }
        }
    }
    for (i, s) in config.command.iter().enumerate() {
        if s.argv.first().is_none_or(|p| p.trim().is_empty()) {
            return Err(err(
                &[Seg::Key("command"), Seg::Index(i), Seg::Key("argv")],
                &format!("[[command]] {}", s.name),
                "argv must start with the program to run, e.g. [\"journalctl\", \"-f\"] (no shell is involved)".into(),
            ));
        }
        filter(
            err,
            "command",
            i,
            "alert_filter",
            &s.name,
            s.alert_filter.as_deref(),
        )?;
    }
    for (i, s) in config.file.iter().enumerate() {
        let place = format!("[[file]] {}", s.name);
        if s.path.as_os_str().is_empty() {
            return Err(err(
                &[Seg::Key("file"), Seg::Index(i), Seg::Key("path")],
                &place,
                "path must not be empty".into(),
            ));
        }
        if s.poll.is_zero() {
            return Err(err(
                &[Seg::Key("file"), Seg::Index(i), Seg::Key("poll")],
                &place,
                "poll must be greater than 0".into(),
            ));
        }
        filter(
            err,
            "file",
            i,
            "alert_filter",
            &s.name,
            s.alert_filter.as_deref(),
        )?;
    }
    let mut views = BTreeSet::new();
    for (i, v) in config.log_view.iter().enumerate() {
        let at = |key| [Seg::Key("log_view"), Seg::Index(i), Seg::Key(key)];
        let place = format!("[[log_view]] {}", v.name);
        if v.name.trim().is_empty() || !views.insert(v.name.as_str()) {
            return Err(err(
                &at("name"),
                &place,
                "name must be given and distinct from the other views".into(),
            ));
        }
        for (j, src) in v.sources.iter().enumerate() {
            if !names.contains(src.as_str()) {
                return Err(err(
                    &[
                        Seg::Key("log_view"),
                        Seg::Index(i),
                        Seg::Key("sources"),
                        Seg::Index(j),
                    ],
                    &place,
                    format!("`{src}` is not the name of a log source"),
                ));
            }
        }
        filter(err, "log_view", i, "filter", &v.name, Some(&v.filter))?;
    }
    let logs = &config.logs;
    let at = |key| [Seg::Key("logs"), Seg::Key(key)];
    if logs.max_line_bytes < 64 {
        return Err(err(
            &at("max_line_bytes"),
            "[logs]",
            "max_line_bytes must be at least 64".into(),
        ));
    }
    if logs.alert_lookback.is_zero() {
        return Err(err(
            &at("alert_lookback"),
            "[logs]",
            "alert_lookback must be greater than 0".into(),
        ));
    }
    if let Err(e) = regex::Regex::new(&logs.trace_id_pattern) {
        return Err(err(
            &at("trace_id_pattern"),
            "[logs]",
            format!(
                "trace_id_pattern is not a valid regex: {}",
                e.to_string().lines().last().unwrap_or("")
            ),
        ));
    }
    if let Some(u) = &logs.trace_url
        && !u.contains("$trace_id")
    {
        return Err(err(
            &at("trace_url"),
            "[logs]",
            "trace_url must contain $trace_id".into(),
        ));
    }
    // Checked as the trace key will check it, so a bad template fails at start, not mid-shift.
    if let Some(u) = &logs.trace_url
        && let Err(e) = crate::domain::links::check_web(&u.replace("$trace_id", "0"), "trace_url")
    {
        return Err(err(&at("trace_url"), "[logs]", e));
    }
    Ok(())
}

fn filter(
    err: Err<'_>,
    kind: &str,
    i: usize,
    key: &str,
    name: &str,
    text: Option<&str>,
) -> Result<(), ConfigError> {
    if let Some(t) = text
        && !t.contains('$')
        && let Err(e) = LogFilter::parse(t)
    {
        return Err(err(
            &[Seg::Key(kind), Seg::Index(i), Seg::Key(key)],
            &format!("[[{kind}]] {name}"),
            format!("{key}: {e}"),
        ));
    }
    Ok(())
}
