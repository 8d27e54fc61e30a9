//! The alerts filter: Alertmanager matcher syntax (`{severity="critical",service=~"check.*"}`,
//! bare `a=b`, `!=`, `=~`, `!~`, regexes anchored, quoting and escapes as Alertmanager 0.25's
//! `pkg/labels` parser) plus `@state=firing|acked|silenced|inhibited|flapping`, `@age>10m` and
//! `@cluster=NAME`. Every term must hold (AND), as in Alertmanager.

use super::alerts::{AlertReading, DedupedAlert};
use chrono::{DateTime, Utc};
use regex::Regex;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Re,
    NotRe,
}

impl Op {
    /// From the Alertmanager API's `isRegex` and `isEqual` flags.
    pub fn from_flags(is_regex: bool, is_equal: bool) -> Self {
        match (is_regex, is_equal) {
            (false, true) => Op::Eq,
            (false, false) => Op::Ne,
            (true, true) => Op::Re,
            (true, false) => Op::NotRe,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Re => "=~",
            Op::NotRe => "!~",
        }
    }
}

/// One `name op value` with its regex compiled (anchored) when the op is a regex op.
#[derive(Clone, Debug)]
pub struct ValueMatcher {
    pub name: String,
    pub op: Op,
    pub value: String,
    regex: Option<Regex>,
}

impl PartialEq for ValueMatcher {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.op == o.op && self.value == o.value
    }
}

/// The regex crate's reason in one line: its `error: …` line (its first line only says
/// "regex parse error:" and the pattern with a caret follows), else its last line.
pub fn regex_reason(e: &regex::Error) -> String {
    let s = e.to_string();
    let lines = || s.lines().map(str::trim).filter(|l| !l.is_empty());
    lines()
        .find_map(|l| l.strip_prefix("error: "))
        .or_else(|| lines().next_back())
        .unwrap_or(&s)
        .to_string()
}

impl ValueMatcher {
    pub fn new(name: &str, op: Op, value: &str) -> Result<Self, String> {
        let regex = match op {
            Op::Re | Op::NotRe => Some(Regex::new(&format!("^(?:{value})$")).map_err(|e| {
                format!(
                    "bad regex in {name}{}{value:?}: {}",
                    op.as_str(),
                    regex_reason(&e)
                )
            })?),
            Op::Eq | Op::Ne => None,
        };
        Ok(Self {
            name: name.to_string(),
            op,
            value: value.to_string(),
            regex,
        })
    }

    /// A missing label matches as the empty string, as in Alertmanager.
    pub fn matches(&self, v: &str) -> bool {
        match (self.op, &self.regex) {
            (Op::Eq, _) => v == self.value,
            (Op::Ne, _) => v != self.value,
            (Op::Re, Some(r)) => r.is_match(v),
            (Op::NotRe, Some(r)) => !r.is_match(v),
            (Op::Re | Op::NotRe, None) => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateName {
    Firing,
    Acked,
    Silenced,
    Inhibited,
    Flapping,
}

impl StateName {
    fn parse(s: &str) -> Result<Self, String> {
        Ok(match s.trim() {
            "firing" => StateName::Firing,
            "acked" => StateName::Acked,
            "silenced" => StateName::Silenced,
            "inhibited" => StateName::Inhibited,
            "flapping" => StateName::Flapping,
            other => {
                return Err(format!(
                    "unknown @state '{other}' (firing, acked, silenced, inhibited, flapping)"
                ));
            }
        })
    }

    fn holds(self, a: &DedupedAlert) -> bool {
        match self {
            StateName::Firing => a.reading == AlertReading::Firing,
            StateName::Acked => matches!(a.reading, AlertReading::Acked { .. }),
            StateName::Silenced => matches!(a.reading, AlertReading::Silenced { .. }),
            StateName::Inhibited => a.reading == AlertReading::Inhibited,
            StateName::Flapping => a.flapping,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    Label(ValueMatcher),
    /// `@state=a|b` (any of) or `@state!=a|b` (none of).
    State {
        negate: bool,
        any_of: Vec<StateName>,
    },
    /// How long the alert has been firing (now − startsAt).
    Age {
        cmp: Cmp,
        than: Duration,
    },
    Cluster(ValueMatcher),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub terms: Vec<Term>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when the filter asks about states itself: then silenced and inhibited alerts are
    /// not hidden by the pane's default.
    pub fn mentions_state(&self) -> bool {
        self.terms.iter().any(|t| matches!(t, Term::State { .. }))
    }

    pub fn matches(&self, a: &DedupedAlert, now: DateTime<Utc>) -> bool {
        self.terms.iter().all(|t| t.matches(a, now))
    }

    /// The first instant after `now` at which an `@age` term's verdict on `a` changes, while
    /// the other terms hold (else the age cannot change whether it is shown). The pane
    /// re-applies the filter then, not on every tick.
    pub fn next_age_change(&self, a: &DedupedAlert, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // Most filters have no age term: don't match the other terms twice per alert for them.
        if !self.terms.iter().any(|t| matches!(t, Term::Age { .. })) {
            return None;
        }
        let mut next = None;
        for t in &self.terms {
            match t {
                Term::Age { cmp, than } => {
                    let Ok(than) = chrono::Duration::from_std(*than) else {
                        continue;
                    };
                    let Some(at) = a.alert.starts_at.checked_add_signed(than) else {
                        continue;
                    };
                    // `>` and `<=` flip just after the boundary, `>=` and `<` on it.
                    let at = match cmp {
                        Cmp::Gt | Cmp::Le => at + chrono::Duration::nanoseconds(1),
                        Cmp::Ge | Cmp::Lt => at,
                    };
                    if at > now && next.is_none_or(|n| at < n) {
                        next = Some(at);
                    }
                }
                other if !other.matches(a, now) => return None,
                _ => {}
            }
        }
        next
    }
}

impl Term {
    fn matches(&self, a: &DedupedAlert, now: DateTime<Utc>) -> bool {
        match self {
            Term::Label(m) => m.matches(a.alert.labels.get(&m.name).unwrap_or("")),
            Term::Cluster(m) => m.matches(a.cluster()),
            Term::State { negate, any_of } => any_of.iter().any(|s| s.holds(a)) != *negate,
            Term::Age { cmp, than } => {
                let age = (now - a.alert.starts_at).to_std().unwrap_or_default();
                match cmp {
                    Cmp::Gt => age > *than,
                    Cmp::Ge => age >= *than,
                    Cmp::Lt => age < *than,
                    Cmp::Le => age <= *than,
                }
            }
        }
    }
}

/// Parses a whole filter. Empty (or `{}`) is the empty filter.
pub fn parse(text: &str) -> Result<Filter, String> {
    let t = text.trim();
    let t = t.strip_prefix('{').unwrap_or(t);
    let t = t.strip_suffix('}').unwrap_or(t);
    let mut terms = Vec::new();
    for token in split(t) {
        if token.trim().is_empty() {
            return Err(format!("empty matcher in '{}'", text.trim()));
        }
        terms.push(parse_term(&token)?);
    }
    Ok(Filter { terms })
}

/// Splits on commas outside double quotes (Alertmanager's `ParseMatchers`); a trailing empty
/// token is dropped, as there.
fn split(s: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut token = String::new();
    let (mut inside, mut escaped) = (false, false);
    for c in s.chars() {
        match c {
            ',' if !inside => {
                tokens.push(std::mem::take(&mut token));
                continue;
            }
            '"' => {
                if escaped {
                    escaped = false;
                } else {
                    inside = !inside;
                }
            }
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
        token.push(c);
    }
    if !token.trim().is_empty() {
        tokens.push(token);
    }
    tokens
}

fn parse_term(token: &str) -> Result<Term, String> {
    let t = token.trim();
    if let Some(rest) = t.strip_prefix('@') {
        return parse_special(rest);
    }
    let (name, op, raw) = split_matcher(t)?;
    let value = unquote(raw)?;
    Ok(Term::Label(ValueMatcher::new(name, op, &value)?))
}

/// `name op rest`, name `[a-zA-Z_:][a-zA-Z0-9_:]*`, spaces allowed around the op.
fn split_matcher(t: &str) -> Result<(&str, Op, &str), String> {
    let bad =
        || format!("bad matcher '{t}': expected name=value, name!=value, name=~re or name!~re");
    let end = t
        .char_indices()
        .find(|(i, c)| {
            !(c.is_ascii_alphabetic() || *c == '_' || *c == ':' || (*i > 0 && c.is_ascii_digit()))
        })
        .map_or(t.len(), |(i, _)| i);
    if end == 0 {
        return Err(bad());
    }
    let name = &t[..end];
    let rest = t[end..].trim_start();
    let (op, len) = if rest.starts_with("=~") {
        (Op::Re, 2)
    } else if rest.starts_with("!=") {
        (Op::Ne, 2)
    } else if rest.starts_with("!~") {
        (Op::NotRe, 2)
    } else if rest.starts_with('=') {
        (Op::Eq, 1)
    } else {
        return Err(bad());
    };
    Ok((name, op, rest[len..].trim()))
}

/// Alertmanager 0.25's value rules: an optional leading quote needs its trailing one; inside,
/// `\n`, `\"` and `\\` are escapes, any other backslash is literal; an unescaped quote anywhere
/// else is an error.
pub fn unquote(raw: &str) -> Result<String, String> {
    let (body, mut expect_quote) = match raw.strip_prefix('"') {
        Some(b) => (b, true),
        None => (raw, false),
    };
    let mut out = String::with_capacity(body.len());
    let mut escaped = false;
    let mut chars = body.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        let last = chars.peek().is_none();
        if escaped {
            escaped = false;
            match c {
                'n' => out.push('\n'),
                '"' | '\\' => out.push(c),
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
            continue;
        }
        match c {
            '\\' if !last => escaped = true,
            '\\' => out.push('\\'),
            '"' if expect_quote && last => expect_quote = false,
            '"' => return Err(format!("unescaped double quote in value {raw}")),
            other => out.push(other),
        }
    }
    if expect_quote {
        return Err(format!("missing closing double quote in value {raw}"));
    }
    Ok(out)
}

fn parse_special(rest: &str) -> Result<Term, String> {
    let name_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let (name, tail) = rest.split_at(name_end);
    let tail = tail.trim_start();
    match name {
        "state" => {
            let (negate, values) = if let Some(v) = tail.strip_prefix("!=") {
                (true, v)
            } else if let Some(v) = tail.strip_prefix('=') {
                (false, v)
            } else {
                return Err("@state takes = or !=, e.g. @state=firing|flapping".into());
            };
            let values = unquote(values.trim())?;
            let any_of = values
                .split('|')
                .map(StateName::parse)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Term::State { negate, any_of })
        }
        "age" => {
            let (cmp, v) = if let Some(v) = tail.strip_prefix(">=") {
                (Cmp::Ge, v)
            } else if let Some(v) = tail.strip_prefix("<=") {
                (Cmp::Le, v)
            } else if let Some(v) = tail.strip_prefix('>') {
                (Cmp::Gt, v)
            } else if let Some(v) = tail.strip_prefix('<') {
                (Cmp::Lt, v)
            } else {
                return Err("@age takes >, >=, < or <=, e.g. @age>10m".into());
            };
            let than = super::duration::parse(v).map_err(|e| format!("@age: {e}"))?;
            Ok(Term::Age { cmp, than })
        }
        "cluster" => {
            let (_, op, raw) = split_matcher(&format!("cluster{tail}"))
                .map(|(n, o, r)| (n.to_string(), o, r.to_string()))
                .map_err(|_| "@cluster takes =, !=, =~ or !~, e.g. @cluster=prod-eu".to_string())?;
            Ok(Term::Cluster(ValueMatcher::new(
                "@cluster",
                op,
                &unquote(&raw)?,
            )?))
        }
        other => Err(format!(
            "unknown '@{other}' (use @state=…, @age>…, @cluster=…)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::{Alert, AmState, Labels, Severity};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
    }

    #[test]
    fn a_bad_regex_is_refused_in_one_line_naming_the_matcher() {
        let err = parse(r#"service=~"(unclosed""#).unwrap_err();
        assert_eq!(err, r#"bad regex in service=~"(unclosed": unclosed group"#);
    }

    fn alert(pairs: &[(&str, &str)], age_min: i64, reading: AlertReading) -> DedupedAlert {
        let labels: Labels = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        DedupedAlert {
            id: crate::domain::alerts::AlertId::new("prod-eu", (&labels).into()),
            alert: std::sync::Arc::new(Alert {
                labels: std::sync::Arc::new(labels.into()),
                annotations: Default::default(),
                state: AmState::Active,
                silenced_by: vec![],
                inhibited_by: vec![],
                starts_at: now() - chrono::Duration::minutes(age_min),
                updated_at: now(),
                ends_at: None,
                generator_url: None,
                fingerprint: String::new(),
                receivers: Default::default(),
            }),
            sources: Default::default(),
            reading,
            severity: Severity::Critical,
            flapping: false,
        }
    }

    fn m(name: &str, op: Op, value: &str) -> Term {
        Term::Label(ValueMatcher::new(name, op, value).unwrap())
    }

    #[test]
    fn parses_the_alertmanager_forms() {
        let table: &[(&str, Vec<Term>)] = &[
            ("", vec![]),
            ("{}", vec![]),
            ("a=b", vec![m("a", Op::Eq, "b")]),
            ("{a=\"b\"}", vec![m("a", Op::Eq, "b")]),
            (
                "{severity=\"critical\",service=~\"check.*\"}",
                vec![
                    m("severity", Op::Eq, "critical"),
                    m("service", Op::Re, "check.*"),
                ],
            ),
            (
                " a != b , c!~\"d|e\" ",
                vec![m("a", Op::Ne, "b"), m("c", Op::NotRe, "d|e")],
            ),
            ("a=\"x,y\"", vec![m("a", Op::Eq, "x,y")]),
            ("a=\"say \\\"hi\\\"\"", vec![m("a", Op::Eq, "say \"hi\"")]),
            ("a=\"back\\\\slash\"", vec![m("a", Op::Eq, "back\\slash")]),
            ("a=\"two\\nlines\"", vec![m("a", Op::Eq, "two\nlines")]),
            // A spurious escape keeps its backslash; a trailing one is literal.
            ("a=\\d+", vec![m("a", Op::Eq, "\\d+")]),
            ("a=b\\", vec![m("a", Op::Eq, "b\\")]),
            ("a=", vec![m("a", Op::Eq, "")]),
            ("a=b,", vec![m("a", Op::Eq, "b")]),
            ("__name__:x_1=v", vec![m("__name__:x_1", Op::Eq, "v")]),
        ];
        for (text, want) in table {
            assert_eq!(&parse(text).unwrap().terms, want, "{text}");
        }
    }

    #[test]
    fn rejects_what_alertmanager_rejects() {
        for bad in [
            "a",
            "=b",
            "1a=b",
            "a==\"b",
            "a=\"b",
            "a=b\"c",
            "a=\"b\"c\"",
            "a=~(",
            "a=b,,c=d",
            "@state=bogus",
            "@state>firing",
            "@age>soon",
            "@age=5m",
            "@nope=1",
            "@cluster>x",
        ] {
            assert!(parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn regexes_are_anchored_and_missing_labels_are_empty() {
        let a = alert(&[("service", "checkout")], 1, AlertReading::Firing);
        let yes = |f: &str| parse(f).unwrap().matches(&a, now());
        assert!(yes("service=~check.*"));
        assert!(!yes("service=~check"));
        assert!(!yes("service=~heck.*"));
        assert!(yes("service!~check"));
        assert!(yes("team=\"\""));
        assert!(yes("team!=x"));
        assert!(!yes("team=~.+"));
        assert!(yes("{service=\"checkout\",team!~\"a|b\"}"));
        assert!(!yes("{service=\"checkout\",team=\"a\"}"));
    }

    #[test]
    fn state_age_and_cluster() {
        let acked = AlertReading::Acked {
            by: "bob".into(),
            comment: "ACK".into(),
            since: now(),
            until: now(),
            silence_id: "s".into(),
        };
        let mut flapping = alert(&[], 30, AlertReading::Firing);
        flapping.flapping = true;
        let acked = alert(&[], 5, acked);
        let yes = |a: &DedupedAlert, f: &str| parse(f).unwrap().matches(a, now());
        assert!(yes(&flapping, "@state=firing"));
        assert!(yes(&flapping, "@state=flapping"));
        assert!(yes(&acked, "@state=firing|acked"));
        assert!(!yes(&acked, "@state=firing|flapping"));
        assert!(yes(&acked, "@state!=firing"));
        assert!(yes(&flapping, "@age>10m"));
        assert!(!yes(&acked, "@age>10m"));
        assert!(yes(&acked, "@age<=5m"));
        assert!(yes(&acked, "@cluster=prod-eu"));
        assert!(yes(&acked, "@cluster=~\"prod-.*\""));
        assert!(!yes(&acked, "@cluster!=prod-eu"));
        assert!(parse("@state=acked").unwrap().mentions_state());
        assert!(!parse("a=b").unwrap().mentions_state());
    }

    #[test]
    fn next_age_change_is_where_the_verdict_flips() {
        let a = alert(&[("team", "a")], 5, AlertReading::Firing);
        let start = a.alert.starts_at;
        let next = |f: &str, at: DateTime<Utc>| parse(f).unwrap().next_age_change(&a, at);
        let ten = start + chrono::Duration::minutes(10);
        let ns = chrono::Duration::nanoseconds(1);
        assert_eq!(next("@age>10m", now()), Some(ten + ns));
        assert_eq!(next("@age>=10m", now()), Some(ten));
        assert_eq!(
            next("@age<10m,@age>7m", now()),
            Some(start + chrono::Duration::minutes(7) + ns)
        );
        // Past every boundary, without an age term, or hidden by another term: nothing to wait for.
        assert_eq!(next("@age>1m", now()), None);
        assert_eq!(next("team=a", now()), None);
        assert_eq!(next("team=b,@age>10m", now()), None);
        // Each returned instant is the first at which `matches` answers differently.
        for f in ["@age>10m", "@age>=10m", "@age<10m", "@age<=10m"] {
            let at = next(f, now()).unwrap();
            let filter = parse(f).unwrap();
            assert_ne!(filter.matches(&a, at - ns), filter.matches(&a, at), "{f}");
        }
    }

    proptest::proptest! {
        /// Never a panic, whatever is typed.
        #[test]
        fn any_input_parses_or_errors(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }

        /// A value quoted with Alertmanager's escapes reads back as itself.
        #[test]
        fn quoted_values_round_trip(v in "\\PC{0,20}") {
            let quoted = format!(
                "\"{}\"",
                v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
            );
            let f = parse(&format!("a={quoted}")).unwrap();
            proptest::prop_assert_eq!(&f.terms, &vec![m("a", Op::Eq, &v)]);
        }
    }
}
