//! Log queries filled from an alert's labels (`$label` or `${label}`), escaped for where the
//! value lands, and trace ids found in lines.

use crate::domain::alerts::GetLabel;
use regex::Regex;

/// Where a filled-in value goes: each needs its own escaping so a label value cannot change the
/// query's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// Inside a LogQL double-quoted string.
    LogQl,
    /// A Lucene `query_string` term.
    QueryString,
    /// A log filter as typed after `/` (regex-escaped when the filter is a regex).
    Filter,
}

fn escape(value: &str, how: Escape, regex: bool) -> String {
    match how {
        Escape::LogQl => value.replace('\\', "\\\\").replace('"', "\\\""),
        Escape::QueryString => {
            let mut out = String::with_capacity(value.len());
            for c in value.chars() {
                if "+-=&|><!(){}[]^\"~*?:\\/ ".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
        Escape::Filter if regex => regex::escape(value),
        Escape::Filter => value.to_string(),
    }
}

/// The template with each `$name` / `${name}` replaced by the label's value; `None` when the
/// alert lacks a label the template uses (the source is then left out, not queried wrongly).
pub fn fill(template: &str, labels: &impl GetLabel, how: Escape) -> Option<String> {
    let t = template.trim_start_matches('!');
    let regex = t.starts_with("re:") || (t.len() >= 2 && t.starts_with('/') && t.ends_with('/'));
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, used) = if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}')?;
            (&inner[..end], end + 2)
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        if name.is_empty() {
            out.push('$'); // a lone `$` (a regex anchor) stays
            rest = after;
            continue;
        }
        out.push_str(&escape(labels.get_label(name)?, how, regex));
        rest = &after[used..];
    }
    out.push_str(rest);
    Some(out)
}

/// The trace id in `line`: the pattern's first capture group, else its whole match.
pub fn trace_id<'a>(pattern: &Regex, line: &'a str) -> Option<&'a str> {
    let caps = pattern.captures(line)?;
    caps.get(1).or_else(|| caps.get(0)).map(|m| m.as_str())
}

/// Longest trace id put in a URL (W3C and Jaeger ids are 32 hex digits).
pub const MAX_TRACE_ID: usize = 64;

/// The trace URL for an id. The id came from a log line: only ASCII letters and digits (hex
/// ids, and the alphanumeric ones some tracers use) are put in, so it cannot leave its place in
/// the URL.
pub fn trace_url(template: &str, id: &str) -> Option<String> {
    (!id.is_empty() && id.len() <= MAX_TRACE_ID && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| template.replace("$trace_id", id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn labels() -> BTreeMap<String, String> {
        [
            ("namespace", "checkout"),
            ("service", "api\"x"),
            ("pod", "a.b"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn fills_and_escapes_per_destination() {
        assert_eq!(
            fill(
                r#"{namespace="$namespace", app="${service}"} |= "error""#,
                &labels(),
                Escape::LogQl
            )
            .unwrap(),
            r#"{namespace="checkout", app="api\"x"} |= "error""#
        );
        assert_eq!(
            fill(
                "service:$service AND level:error",
                &labels(),
                Escape::QueryString
            )
            .unwrap(),
            "service:api\\\"x AND level:error"
        );
        assert_eq!(
            fill("re:^x $pod$", &labels(), Escape::Filter).unwrap(),
            "re:^x a\\.b$"
        );
        assert_eq!(fill("$pod", &labels(), Escape::Filter).unwrap(), "a.b");
        assert_eq!(fill("{app=\"$missing\"}", &labels(), Escape::LogQl), None);
    }

    #[test]
    fn trace_ids_and_urls() {
        let re = Regex::new(crate::config::DEFAULT_TRACE_ID_PATTERN).unwrap();
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        assert_eq!(
            trace_id(&re, &format!("msg=x trace_id={id} span=1")),
            Some(id)
        );
        assert_eq!(trace_id(&re, &format!(r#"{{"traceId":"{id}"}}"#)), Some(id));
        assert_eq!(trace_id(&re, "no trace here"), None);
        assert_eq!(
            trace_url("https://jaeger/trace/$trace_id", id).unwrap(),
            format!("https://jaeger/trace/{id}")
        );
        assert_eq!(
            trace_url("https://tempo.example/trace/$trace_id?x=$trace_id", "0aF9").unwrap(),
            "https://tempo.example/trace/0aF9?x=0aF9"
        );
        for bad in [
            "a\"b", "", "../admin", "a/b", "a?b", "a#b", "a%2F", "a b", "a-b", "a_b", "\u{1b}]8",
            "é",
        ] {
            assert_eq!(trace_url("https://j/$trace_id", bad), None, "{bad:?}");
        }
        assert!(trace_url("https://j/$trace_id", &"f".repeat(MAX_TRACE_ID)).is_some());
        assert_eq!(
            trace_url("https://j/$trace_id", &"f".repeat(MAX_TRACE_ID + 1)),
            None
        );
    }
}
