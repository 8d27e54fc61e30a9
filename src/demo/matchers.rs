//! Label matchers (`=`, `!=`, `=~`, `!~`) with Prometheus/Alertmanager semantics: regexes are
//! anchored at both ends, and a missing label reads as the empty string.

pub use crate::domain::matchers::Op;
use crate::domain::matchers::ValueMatcher;
use std::collections::BTreeMap;

/// A matcher on a label set: the domain's value matcher (anchored regexes, the same semantics
/// the cockpit filters with) plus the label-name check a server does on input.
#[derive(Clone, Debug)]
pub struct LabelMatcher(ValueMatcher);

impl std::ops::Deref for LabelMatcher {
    type Target = ValueMatcher;
    fn deref(&self) -> &ValueMatcher {
        &self.0
    }
}

impl LabelMatcher {
    pub fn new(name: &str, op: Op, value: &str) -> Result<Self, String> {
        if !valid_label_name(name) {
            return Err(format!("invalid label name {name:?}"));
        }
        ValueMatcher::new(name, op, value).map(Self)
    }

    /// Whether a label value (empty when the label is absent) satisfies this matcher.
    pub fn matches_value(&self, v: &str) -> bool {
        self.0.matches(v)
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0
            .matches(labels.get(&self.0.name).map_or("", String::as_str))
    }
}

pub fn matches_all(ms: &[LabelMatcher], labels: &BTreeMap<String, String>) -> bool {
    ms.iter().all(|m| m.matches(labels))
}

pub fn valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Parses one matcher as written in an Alertmanager `filter` parameter: `name="value"`,
/// `name!~"re"`, with or without quotes around the value, optionally inside braces.
pub fn parse_one(text: &str) -> Result<LabelMatcher, String> {
    let t = text.trim();
    let t = t.strip_prefix('{').unwrap_or(t);
    let t = t.strip_suffix('}').unwrap_or(t).trim();
    let pos = t
        .find(['=', '!'])
        .ok_or_else(|| format!("bad matcher format: {text}"))?;
    let name = t[..pos].trim();
    let rest = &t[pos..];
    let (op, value) = if let Some(v) = rest.strip_prefix("=~") {
        (Op::Re, v)
    } else if let Some(v) = rest.strip_prefix("!~") {
        (Op::NotRe, v)
    } else if let Some(v) = rest.strip_prefix("!=") {
        (Op::Ne, v)
    } else if let Some(v) = rest.strip_prefix('=') {
        (Op::Eq, v)
    } else {
        return Err(format!("bad matcher format: {text}"));
    };
    let value = unquote(value.trim())?;
    LabelMatcher::new(name, op, &value)
}

/// Removes surrounding double quotes and resolves the escapes Prometheus strings use.
fn unquote(v: &str) -> Result<String, String> {
    match v.strip_prefix('"') {
        None => Ok(v.to_string()),
        Some(inner) => {
            let inner = inner
                .strip_suffix('"')
                .ok_or_else(|| format!("unterminated quoted string {v}"))?;
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    match chars.next() {
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some(other) => out.push(other),
                        None => return Err(format!("bad escape in {v}")),
                    }
                } else {
                    out.push(c);
                }
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn four_operators() {
        let l = labels(&[("code", "503"), ("service", "checkout")]);
        assert!(
            LabelMatcher::new("code", Op::Eq, "503")
                .unwrap()
                .matches(&l)
        );
        assert!(
            !LabelMatcher::new("code", Op::Ne, "503")
                .unwrap()
                .matches(&l)
        );
        assert!(
            LabelMatcher::new("code", Op::Re, "5..")
                .unwrap()
                .matches(&l)
        );
        assert!(
            !LabelMatcher::new("code", Op::NotRe, "5..")
                .unwrap()
                .matches(&l)
        );
    }

    #[test]
    fn regexes_are_anchored_and_missing_labels_are_empty() {
        let l = labels(&[("code", "1503")]);
        assert!(
            !LabelMatcher::new("code", Op::Re, "5..")
                .unwrap()
                .matches(&l)
        );
        assert!(LabelMatcher::new("team", Op::Eq, "").unwrap().matches(&l));
        assert!(LabelMatcher::new("team", Op::Re, ".*").unwrap().matches(&l));
        assert!(!LabelMatcher::new("team", Op::Re, ".+").unwrap().matches(&l));
    }

    #[test]
    fn parses_filter_syntax() {
        let m = parse_one(r#"alertname=~"Checkout.*""#).unwrap();
        assert_eq!((m.name.as_str(), m.op), ("alertname", Op::Re));
        let m = parse_one("{severity!=info}").unwrap();
        assert_eq!((m.op, m.value.as_str()), (Op::Ne, "info"));
        assert!(parse_one("severity").is_err());
        assert!(parse_one(r#"a=~"(""#).is_err());
        assert!(parse_one(r#"1a="x""#).is_err());
    }
}
