//! The logs pane's filter as typed after `/`: plain text, `re:REGEX` or `/REGEX/`, all
//! case-insensitive; a leading `!` keeps the lines that do *not* match.

use super::matchers::regex_reason;
use regex::{Regex, RegexBuilder};
use std::ops::Range;

#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    /// As typed (shown in the pane's title).
    pub text: String,
    pub inverse: bool,
    matcher: Matcher,
}

#[derive(Clone, Debug, Default)]
enum Matcher {
    #[default]
    All,
    /// Lower-cased; ASCII-only needles take a fast path.
    Text(String),
    Regex(Regex),
}

impl PartialEq for LogFilter {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// A regex bigger than this is refused (the pane runs it over every line on every frame).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl LogFilter {
    pub fn parse(text: &str) -> Result<LogFilter, String> {
        let typed = text.trim();
        let (inverse, rest) = match typed.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, typed),
        };
        let pattern = rest.strip_prefix("re:").or_else(|| {
            (rest.len() >= 2 && rest.starts_with('/') && rest.ends_with('/'))
                .then(|| &rest[1..rest.len() - 1])
        });
        let matcher = match pattern {
            Some(p) => Matcher::Regex(
                RegexBuilder::new(p)
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| format!("bad regex {p:?}: {}", regex_reason(&e)))?,
            ),
            None if rest.is_empty() => Matcher::All,
            None => Matcher::Text(rest.to_lowercase()),
        };
        Ok(LogFilter {
            text: typed.to_string(),
            inverse: inverse && !matches!(matcher, Matcher::All),
            matcher,
        })
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.matcher, Matcher::All)
    }

    pub fn matches(&self, line: &str) -> bool {
        let hit = match &self.matcher {
            Matcher::All => return true,
            Matcher::Text(needle) => contains_ci(line, needle),
            Matcher::Regex(re) => re.is_match(line),
        };
        hit != self.inverse
    }

    /// Byte ranges to highlight (none for an inverse filter: its lines are the ones that
    /// do not match).
    pub fn ranges(&self, line: &str) -> Vec<Range<usize>> {
        if self.inverse {
            return Vec::new();
        }
        match &self.matcher {
            Matcher::All => Vec::new(),
            Matcher::Text(needle) => find_all_ci(line, needle),
            Matcher::Regex(re) => re
                .find_iter(line)
                .filter(|m| !m.is_empty())
                .map(|m| m.range())
                .collect(),
        }
    }
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return n.len() <= h.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    !find_all_ci(hay, needle).is_empty()
}

/// Non-overlapping case-insensitive matches of `needle` (already lower-cased) in `hay`.
fn find_all_ci(hay: &str, needle: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let want: Vec<char> = needle.chars().collect();
    let mut start = 0;
    while start < hay.len() {
        match match_len(&hay[start..], &want) {
            Some(len) => {
                out.push(start..start + len);
                start += len.max(1);
            }
            None => start += hay[start..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

fn match_len(hay: &str, want: &[char]) -> Option<usize> {
    let mut want = want.iter();
    let mut used = 0;
    for c in hay.chars() {
        for l in c.to_lowercase() {
            if want.next() != Some(&l) {
                return None;
            }
        }
        used += c.len_utf8();
        if want.len() == 0 {
            return Some(used);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> LogFilter {
        LogFilter::parse(s).unwrap()
    }

    #[test]
    fn text_is_case_insensitive_with_ranges() {
        let t = f("Timeout");
        assert!(t.matches("upstream TIMEOUT after 5s"));
        assert!(!t.matches("all good"));
        assert_eq!(t.ranges("a timeout, Timeout"), [2..9, 11..18]);
        assert!(f("").matches("anything") && f("").is_empty());
        assert!(f("é").matches("CAFÉ"));
    }

    #[test]
    fn regex_forms_and_inverse() {
        for r in ["re:err(or)?\\s+\\d+", "/err(or)?\\s+\\d+/"] {
            let t = f(r);
            assert!(t.matches("ERROR 42"), "{r}");
            assert!(!t.matches("error x"), "{r}");
            assert_eq!(t.ranges("x Err 7"), vec![(2usize..7)]);
        }
        let inv = f("!healthz");
        assert!(inv.inverse);
        assert!(!inv.matches("GET /healthz 200"));
        assert!(inv.matches("GET /api 500"));
        assert!(inv.ranges("GET /api").is_empty());
        assert!(f("!re:^GET").matches("POST /x"));
        assert!(!f("!").inverse, "a lone ! filters nothing");
    }

    #[test]
    fn a_bad_regex_is_an_error_not_a_panic() {
        let e = LogFilter::parse("re:(unclosed").unwrap_err();
        assert_eq!(e, r#"bad regex "(unclosed": unclosed group"#);
    }
}
