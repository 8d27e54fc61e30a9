//! Checks serde cannot express: references between tables, ranges, URLs, the keymap. Every
//! table (every source, every SLO) is checked and its first problem reported, at the line of
//! the key at fault, all of them in file order in one run.

use super::error::ConfigError;
use super::locate::{Locator, Seg};
use super::schema::{Config, KeyList, SecretRef, TlsOptions};
use crate::domain::keymap::{Action, Key, Keymap};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

mod alerts;
use alerts::{alert_flaps, alert_reading};

type Checked = Result<(), ConfigError>;

struct Ctx<'a> {
    path: &'a Path,
    source: &'a str,
    locator: &'a Locator<'a>,
}

impl Ctx<'_> {
    /// An error at `at` (a key path into the file), said of `place` (`[general]`, `[[slo]] checkout`).
    fn err(&self, at: &[Seg<'_>], place: &str, message: impl AsRef<str>) -> ConfigError {
        ConfigError::at(
            self.path,
            self.source,
            self.locator.span(at),
            format!("{place}: {}", message.as_ref()),
        )
    }
}

pub fn validate(config: &Config, path: &Path, source: &str, locator: &Locator<'_>) -> Checked {
    let cx = Ctx {
        path,
        source,
        locator,
    };
    let mut found = vec![general(&cx, config)];
    found.extend(sources(&cx, config));
    found.extend(slos(&cx, config));
    found.extend([
        logs(&cx, config),
        wall(&cx, config),
        alert_flaps(&cx, config),
        alert_reading(&cx, config),
        actions(&cx, config),
        super::validate_logs::log_sources(
            &|at: &[Seg<'_>], place: &str, m: String| cx.err(at, place, m),
            config,
        ),
        theme(&cx, config),
        keys(&cx, config),
    ]);
    ConfigError::in_file_order(found.into_iter().filter_map(Result::err).collect())
}

fn theme(cx: &Ctx<'_>, config: &Config) -> Checked {
    if config.ui.theme.trim().is_empty() {
        return Err(cx.err(
            &[Seg::Key("ui"), Seg::Key("theme")],
            "[ui]",
            "theme must not be empty",
        ));
    }
    Ok(())
}

fn general(cx: &Ctx<'_>, config: &Config) -> Checked {
    for (key, d) in [
        ("refresh", config.general.refresh),
        ("timeout", config.general.timeout),
    ] {
        positive(
            cx,
            &[Seg::Key("general"), Seg::Key(key)],
            "[general]",
            key,
            d,
        )?;
    }
    if config
        .general
        .user
        .as_deref()
        .is_some_and(|u| u.trim().is_empty())
    {
        return Err(cx.err(
            &[Seg::Key("general"), Seg::Key("user")],
            "[general]",
            "user must not be empty (leave it out to use $USER)",
        ));
    }
    if config.general.max_response < 1024 {
        return Err(cx.err(
            &[Seg::Key("general"), Seg::Key("max_response")],
            "[general]",
            "max_response must be at least 1KiB",
        ));
    }
    Ok(())
}

fn wall(cx: &Ctx<'_>, config: &Config) -> Checked {
    if let Some(color) = &config.wall.color
        && color.parse::<ratatui::style::Color>().is_err()
    {
        return Err(cx.err(
            &[Seg::Key("wall"), Seg::Key("color")],
            "[wall]",
            format!("color '{color}' is not a colour name or #rrggbb"),
        ));
    }
    if let Some(rotate) = config.wall.rotate {
        positive(
            cx,
            &[Seg::Key("wall"), Seg::Key("rotate")],
            "[wall]",
            "rotate",
            rotate,
        )?;
    }
    Ok(())
}

fn actions(cx: &Ctx<'_>, config: &Config) -> Checked {
    let a = &config.actions;
    if a.timeline_max_size < 1024 {
        return Err(cx.err(
            &[Seg::Key("actions"), Seg::Key("timeline_max_size")],
            "[actions]",
            "timeline_max_size must be at least 1KiB",
        ));
    }
    for (key, d) in [
        ("ack_duration", a.ack_duration),
        ("until_resolved_step", a.until_resolved_step),
        ("retry_for", a.retry_for),
    ] {
        positive(
            cx,
            &[Seg::Key("actions"), Seg::Key(key)],
            "[actions]",
            key,
            d,
        )?;
    }
    if a.pagerduty_ack
        .as_ref()
        .is_some_and(|pd| pd.dedup_key.trim().is_empty())
    {
        return Err(cx.err(
            &[
                Seg::Key("actions"),
                Seg::Key("pagerduty_ack"),
                Seg::Key("dedup_key"),
            ],
            "[actions.pagerduty_ack]",
            "dedup_key must not be empty",
        ));
    }
    Ok(())
}

fn positive(cx: &Ctx<'_>, at: &[Seg<'_>], place: &str, key: &str, d: Duration) -> Checked {
    if d.is_zero() {
        return Err(cx.err(at, place, format!("{key} must be greater than 0")));
    }
    Ok(())
}

/// What the three source kinds share, borrowed from whichever one is checked.
struct Common<'a> {
    kind: &'static str,
    name: &'a str,
    bearer_token: Option<&'a SecretRef>,
    password: Option<&'a SecretRef>,
    username: Option<&'a str>,
    headers: &'a BTreeMap<String, String>,
    tls: &'a TlsOptions,
    timeout: Option<Duration>,
}

macro_rules! common {
    ($s:expr, $kind:literal) => {
        Common {
            kind: $kind,
            name: &$s.name,
            bearer_token: $s.bearer_token.as_ref(),
            password: $s.basic_auth.as_ref().map(|b| &b.password),
            username: $s.basic_auth.as_ref().map(|b| b.username.as_str()),
            headers: &$s.headers,
            tls: &$s.tls,
            timeout: $s.timeout,
        }
    };
}

/// One result per source (its first problem) and per kind's names.
fn sources(cx: &Ctx<'_>, config: &Config) -> Vec<Checked> {
    let mut out = Vec::new();
    for (i, s) in config.prometheus.iter().enumerate() {
        let c = common!(s, "prometheus");
        out.push(
            source_common(cx, &c, i)
                .and_then(|()| url(cx, &c, i, &[Seg::Key("url")], "url", &s.url)),
        );
    }
    for (i, s) in config.alertmanager.iter().enumerate() {
        let c = common!(s, "alertmanager");
        out.push((|| {
            source_common(cx, &c, i)?;
            if s.urls.is_empty() {
                return Err(cx.err(
                    &[Seg::Key(c.kind), Seg::Index(i), Seg::Key("urls")],
                    &place(&c),
                    "urls must list at least one URL (one per replica)",
                ));
            }
            for (j, u) in s.urls.iter().enumerate() {
                url(cx, &c, i, &[Seg::Key("urls"), Seg::Index(j)], "urls", u)?;
            }
            Ok(())
        })());
    }
    for (i, s) in config.loki.iter().enumerate() {
        let c = common!(s, "loki");
        out.push((|| {
            source_common(cx, &c, i)?;
            url(cx, &c, i, &[Seg::Key("url")], "url", &s.url)?;
            if s.query.trim().is_empty() {
                return Err(cx.err(
                    &[Seg::Key(c.kind), Seg::Index(i), Seg::Key("query")],
                    &place(&c),
                    "query must not be empty (a LogQL stream selector, e.g. '{namespace=\"checkout\"}')",
                ));
            }
            Ok(())
        })());
    }
    for (i, s) in config.elasticsearch.iter().enumerate() {
        let c = common!(s, "elasticsearch");
        out.push(
            source_common(cx, &c, i)
                .and_then(|()| url(cx, &c, i, &[Seg::Key("url")], "url", &s.url)),
        );
    }
    out.push(unique(
        cx,
        "prometheus",
        config.prometheus.iter().map(|s| s.name.as_str()),
    ));
    out.push(unique(
        cx,
        "alertmanager",
        config.alertmanager.iter().map(|s| s.name.as_str()),
    ));
    out.push(unique(
        cx,
        "loki",
        config.loki.iter().map(|s| s.name.as_str()),
    ));
    out.push(unique(
        cx,
        "slo",
        config.slo.iter().map(|s| s.name.as_str()),
    ));
    out
}

fn place(c: &Common<'_>) -> String {
    format!("[[{}]] {}", c.kind, c.name)
}

fn source_common(cx: &Ctx<'_>, c: &Common<'_>, i: usize) -> Checked {
    fn path<'a>(kind: &'static str, i: usize, rest: &[Seg<'a>]) -> Vec<Seg<'a>> {
        let mut p = vec![Seg::Key(kind), Seg::Index(i)];
        p.extend_from_slice(rest);
        p
    }
    let at = |rest| path(c.kind, i, rest);
    if c.name.trim().is_empty() {
        return Err(cx.err(
            &at(&[Seg::Key("name")]),
            &format!("[[{}]]", c.kind),
            "name must not be empty",
        ));
    }
    if let Some(r) = c.bearer_token {
        secret(cx, &at(&[Seg::Key("bearer_token")]), c, "bearer_token", r)?;
    }
    if let Some(r) = c.password {
        secret(
            cx,
            &at(&[Seg::Key("basic_auth"), Seg::Key("password")]),
            c,
            "basic_auth.password",
            r,
        )?;
    }
    if c.username.is_some_and(|u| u.is_empty()) {
        return Err(cx.err(
            &at(&[Seg::Key("basic_auth"), Seg::Key("username")]),
            &place(c),
            "basic_auth.username must not be empty",
        ));
    }
    if c.bearer_token.is_some() && c.password.is_some() {
        return Err(cx.err(
            &at(&[Seg::Key("basic_auth")]),
            &place(c),
            "use either bearer_token or basic_auth, not both",
        ));
    }
    for name in c.headers.keys() {
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            return Err(cx.err(
                &at(&[Seg::Key("headers"), Seg::Key(name)]),
                &place(c),
                format!("header name {name:?} is not a valid HTTP header name"),
            ));
        }
    }
    if c.tls
        .ca_file
        .as_ref()
        .is_some_and(|p| p.as_os_str().is_empty())
    {
        return Err(cx.err(
            &at(&[Seg::Key("tls"), Seg::Key("ca_file")]),
            &place(c),
            "tls.ca_file must not be empty",
        ));
    }
    if let Some(t) = c.timeout {
        positive(cx, &at(&[Seg::Key("timeout")]), &place(c), "timeout", t)?;
    }
    Ok(())
}

fn secret(cx: &Ctx<'_>, at: &[Seg<'_>], c: &Common<'_>, key: &str, r: &SecretRef) -> Checked {
    if r.file.is_some() == r.env.is_some() {
        return Err(cx.err(
            at,
            &place(c),
            format!("{key} needs exactly one of `file` or `env`"),
        ));
    }
    if r.env.as_deref().is_some_and(str::is_empty) {
        return Err(cx.err(
            at,
            &place(c),
            format!("{key}.env must name an environment variable"),
        ));
    }
    Ok(())
}

/// The URL itself is never echoed: it may carry credentials.
fn url(cx: &Ctx<'_>, c: &Common<'_>, i: usize, rest: &[Seg<'_>], key: &str, text: &str) -> Checked {
    let mut at = vec![Seg::Key(c.kind), Seg::Index(i)];
    at.extend_from_slice(rest);
    let parsed = url::Url::parse(text)
        .map_err(|e| cx.err(&at, &place(c), format!("{key} is not a valid URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(cx.err(
            &at,
            &place(c),
            format!("{key} must start with http:// or https://"),
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(cx.err(
            &at,
            &place(c),
            format!(
                "{key} must not carry credentials; use basic_auth with a password from a file or env"
            ),
        ));
    }
    Ok(())
}

fn unique<'a>(cx: &Ctx<'_>, kind: &'static str, names: impl Iterator<Item = &'a str>) -> Checked {
    let mut seen = BTreeSet::new();
    for (i, name) in names.enumerate() {
        if !seen.insert(name) {
            return Err(cx.err(
                &[Seg::Key(kind), Seg::Index(i), Seg::Key("name")],
                &format!("[[{kind}]] {name}"),
                format!("the name `{name}` is used twice; each [[{kind}]] needs its own name"),
            ));
        }
    }
    Ok(())
}

/// One result per SLO: its first problem.
fn slos(cx: &Ctx<'_>, config: &Config) -> Vec<Checked> {
    let known: Vec<&str> = config.prometheus.iter().map(|p| p.name.as_str()).collect();
    config
        .slo
        .iter()
        .enumerate()
        .map(|(i, s)| slo(cx, &known, i, s))
        .collect()
}

fn slo(cx: &Ctx<'_>, known: &[&str], i: usize, s: &super::schema::SloConfig) -> Checked {
    let at = |key: &'static str| [Seg::Key("slo"), Seg::Index(i), Seg::Key(key)];
    let place = format!("[[slo]] {}", s.name);
    if s.name.trim().is_empty() {
        return Err(cx.err(&at("name"), "[[slo]]", "name must not be empty"));
    }
    if !known.contains(&s.source.as_str()) {
        let known = if known.is_empty() {
            "there is no [[prometheus]] source".to_string()
        } else {
            format!("known: {}", known.join(", "))
        };
        return Err(cx.err(
            &at("source"),
            &place,
            format!(
                "source `{}` is not the name of a [[prometheus]] source ({known})",
                s.source
            ),
        ));
    }
    if !(s.objective > 0.0 && s.objective < 100.0) {
        return Err(cx.err(
            &at("objective"),
            &place,
            format!(
                "objective {} must be between 0 and 100 (exclusive)",
                s.objective
            ),
        ));
    }
    positive(cx, &at("period"), &place, "period", s.period)?;
    if let Err(e) = crate::domain::sli::check_group_by(&s.group_by) {
        return Err(cx.err(&at("group_by"), &place, e));
    }
    if let Err(e) = s.queries() {
        // At the key the message is about, else at the table.
        let key = ["total_query", "error_query", "threshold", "histogram"]
            .into_iter()
            .find(|k| e.starts_with(k))
            .unwrap_or("name");
        return Err(cx.err(&at(key), &place, e));
    }
    Ok(())
}

fn logs(cx: &Ctx<'_>, config: &Config) -> Checked {
    let at = |key: &'static str| [Seg::Key("logs"), Seg::Key(key)];
    if config.logs.max_lines == 0 {
        return Err(cx.err(
            &at("max_lines"),
            "[logs]",
            "max_lines must be greater than 0",
        ));
    }
    if config.logs.max_bytes == 0 {
        return Err(cx.err(
            &at("max_bytes"),
            "[logs]",
            "max_bytes must be greater than 0",
        ));
    }
    positive(
        cx,
        &at("lookback"),
        "[logs]",
        "lookback",
        config.logs.lookback,
    )
}

/// A `[keys]` entry that cannot be used: which action name, and why.
#[derive(Debug)]
pub struct KeyProblem {
    pub name: String,
    pub message: String,
}

/// The `[keys]` table as keymap overrides, checked against the action names and key syntax.
pub fn key_overrides(
    keys: &BTreeMap<String, KeyList>,
) -> Result<BTreeMap<Action, Vec<Key>>, KeyProblem> {
    let mut out = BTreeMap::new();
    for (name, list) in keys {
        let action = Action::from_name(name).ok_or_else(|| KeyProblem {
            name: name.clone(),
            message: format!(
                "unknown action `{name}`; actions are: {}",
                Action::ALL
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        let texts: Vec<&String> = match list {
            KeyList::One(k) => vec![k],
            KeyList::Many(ks) => ks.iter().collect(),
        };
        if texts.is_empty() {
            return Err(KeyProblem {
                name: name.clone(),
                message: format!("{name} needs at least one key"),
            });
        }
        let parsed = texts
            .iter()
            .map(|t| t.parse::<Key>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| KeyProblem {
                name: name.clone(),
                message: format!("{name}: {e}"),
            })?;
        out.insert(action, parsed);
    }
    Ok(out)
}

/// The keymap the `[keys]` table gives, or the problem with it (a clash names both actions).
pub fn keymap(keys: &BTreeMap<String, KeyList>) -> Result<Keymap, KeyProblem> {
    let overrides = key_overrides(keys)?;
    Keymap::with_overrides(&overrides).map_err(|message| {
        // at least one side of a clash is an override (the defaults have none): point at it
        let name = keys
            .keys()
            .find(|n| message.contains(&format!("'{n}'")))
            .cloned()
            .unwrap_or_default();
        KeyProblem { name, message }
    })
}

fn keys(cx: &Ctx<'_>, config: &Config) -> Checked {
    keymap(&config.keys).map(|_| ()).map_err(|p| {
        let at: Vec<Seg<'_>> = if p.name.is_empty() {
            vec![Seg::Key("keys")]
        } else {
            vec![Seg::Key("keys"), Seg::Key(&p.name)]
        };
        cx.err(&at, "[keys]", &p.message)
    })
}
