//! `onwatch silence …`: the silences of the configured Alertmanager clusters, headless, read
//! through the same pollers and state as the cockpit.

use super::{Cli, EXIT_CONFIG, EXIT_OK, EXIT_PARTIAL, ListFormat};
use crate::app::{self, Msg, SystemClock};
use crate::config::Config;
use crate::domain::alerts::{Matcher, SilenceState};
use crate::domain::redact::Redactor;
use crate::domain::silence_list::{self, SilenceKind, SilenceRow};
use crate::poll;
use crate::ui::text::safe;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// `onwatch silence list`.
pub async fn list(
    cli: &Cli,
    config: &Config,
    format: ListFormat,
    expired: bool,
    only: Option<&str>,
) -> i32 {
    let Some(polled) = alertmanagers_only(config, only) else {
        return EXIT_CONFIG;
    };
    let mut state = match super::headless_state(cli, config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let clock = SystemClock;
    let mut failed = false;
    for update in poll::poll_once_all(&polled).await {
        if let Err(e) = &update.result {
            eprintln!("onwatch silence: {}: {e}", update.source);
            failed = true;
        }
        app::update(&mut state, Msg::Source(update), &clock);
    }
    let clusters = state
        .clusters
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o == name.as_str()))
        .map(|(name, snap)| {
            (
                name.as_str(),
                snap.silences.as_slice(),
                state.cluster_alerts(name),
            )
        });
    let rows = silence_list::silence_rows(clusters, &state.alert_policy, state.now, expired);
    let redactor = crate::config::secret::known();
    match format {
        ListFormat::Text => print!("{}", text(&rows, state.now, &redactor)),
        ListFormat::Json => {
            let views: Vec<RowJson> = rows
                .iter()
                .map(|r| json_row(r, state.now, &redactor))
                .collect();
            match serde_json::to_string_pretty(&views) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("onwatch silence: {e}");
                    return super::EXIT_FAILURE;
                }
            }
        }
    }
    if failed { EXIT_PARTIAL } else { EXIT_OK }
}

/// The config with only its Alertmanager clusters (`only`, when given), or `None` after saying
/// why there is nothing to ask.
pub(super) fn alertmanagers_only(config: &Config, only: Option<&str>) -> Option<Config> {
    if config.alertmanager.is_empty() {
        eprintln!("onwatch silence: the config has no [[alertmanager]]");
        return None;
    }
    if let Some(name) = only
        && !config.alertmanager.iter().any(|a| a.name == name)
    {
        let names: Vec<&str> = config
            .alertmanager
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        eprintln!(
            "onwatch silence: no [[alertmanager]] named {name:?} (configured: {})",
            names.join(", ")
        );
        return None;
    }
    let mut polled = config.clone();
    polled.prometheus.clear();
    polled.slo.clear();
    polled.slo_rules.clear();
    polled.loki.clear();
    polled.elasticsearch.clear();
    polled.command.clear();
    polled.file.clear();
    polled
        .alertmanager
        .retain(|a| only.is_none_or(|o| o == a.name));
    Some(polled)
}

/// Aligned columns, every outside string made safe for the terminal and masked.
fn text(rows: &[SilenceRow], now: DateTime<Utc>, r: &Redactor) -> String {
    if rows.is_empty() {
        return "no silences\n".into();
    }
    let cell = |s: &str| safe(&r.masked(s)).into_owned();
    let table: Vec<[String; 9]> = rows
        .iter()
        .map(|row| {
            let s = row.silence;
            [
                cell(row.cluster),
                cell(&s.id),
                row.state_word().into(),
                match row.kind {
                    SilenceKind::Ack => "ack".into(),
                    SilenceKind::Silence => "silence".into(),
                },
                s.ends_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                row.when(now),
                row.matching.to_string(),
                cell(&s.created_by),
                cell(&format!(
                    "{} {}",
                    silence_list::matchers_text(&s.matchers),
                    s.comment
                )),
            ]
        })
        .collect();
    let head = [
        "CLUSTER",
        "ID",
        "STATE",
        "KIND",
        "ENDS",
        "WHEN",
        "MATCHING",
        "BY",
        "MATCHERS COMMENT",
    ];
    let mut widths = head.map(str::len);
    for row in &table {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(crate::ui::text::safe_width(c));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(c);
            } else {
                let pad = w.saturating_sub(crate::ui::text::safe_width(c));
                out.push_str(c);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(head.to_vec());
    for row in &table {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// One silence for tools: field names are a contract (additions free).
#[derive(Serialize)]
struct RowJson {
    cluster: String,
    id: String,
    state: SilenceState,
    kind: SilenceKind,
    matchers: Vec<MatcherJson>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    created_by: String,
    comment: String,
    /// Until the end (active), until the start (pending), since the end (expired).
    seconds: i64,
    matching: usize,
}

#[derive(Serialize)]
struct MatcherJson {
    name: String,
    value: String,
    is_regex: bool,
    is_equal: bool,
}

fn json_row(row: &SilenceRow, now: DateTime<Utc>, r: &Redactor) -> RowJson {
    let s = row.silence;
    let m = |t: &str| r.masked(t).into_owned();
    RowJson {
        cluster: m(row.cluster),
        id: m(&s.id),
        state: s.state,
        kind: row.kind,
        matchers: s
            .matchers
            .iter()
            .map(|x: &Matcher| MatcherJson {
                name: m(&x.name),
                value: m(&x.value),
                is_regex: x.is_regex,
                is_equal: x.is_equal,
            })
            .collect(),
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        created_by: m(&s.created_by),
        comment: m(&s.comment),
        seconds: row.time_left(now).num_seconds(),
        matching: row.matching,
    }
}
