//! Small pure text helpers: ages, percentages, safe and width-exact strings.

use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::ops::Range;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `<1m`, `3m`, `2h`, `4d`: the shortest honest age, at minute resolution.
pub fn age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        // Under a minute is "fresh": a label that changed every second would redraw (and
        // cost bytes on a slow link) every second for no decision it helps make.
        0..=59 => "<1m".to_string(),
        60..=3_599 => format!("{}m", s / 60),
        3_600..=86_399 => format!("{}h", s / 3_600),
        _ => format!("{}d", s / 86_400),
    }
}

pub fn age_since(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    age((now - then).num_seconds())
}

/// Backend text as drawn: what the terminal would obey or not show (a control, a zero-width
/// joiner, a bidi override) named instead, the way log lines are at ingest, whatever path the
/// text took (a label, an annotation, an error).
pub fn safe(s: &str) -> Cow<'_, str> {
    crate::domain::visible::visible(s)
}

/// `width(&safe(s))` without building the safe copy: printable ASCII is one column a byte
/// (the pane asks this of every row, every frame).
pub fn safe_width(s: &str) -> usize {
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        s.len()
    } else {
        width(&safe(s))
    }
}

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cut to at most `max` columns, ending with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Lines of at most `max` columns: broken after a space where one is near enough, else
/// mid-word, so nothing but the space a line breaks at is cut off (matchers in a dialog are
/// read in full).
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > max && c == ' ' {
            lines.push(std::mem::take(&mut line));
            w = 0;
            continue;
        }
        if w + cw > max {
            // Break after the line's last space, if it has one.
            let cut = line.rfind(' ').filter(|&i| i > 0);
            let rest = match cut {
                Some(i) => line.split_off(i + 1),
                None => String::new(),
            };
            lines.push(std::mem::replace(&mut line, rest));
            w = width(&line);
        }
        line.push(c);
        w += cw;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Exactly `w` columns, left-aligned (cut with `…` if longer).
pub fn pad(s: &str, w: usize) -> String {
    let mut out = String::with_capacity(w);
    pad_into(&mut out, s, w);
    out
}

/// Exactly `w` columns, right-aligned.
pub fn rpad(s: &str, w: usize) -> String {
    let mut out = String::with_capacity(w);
    rpad_into(&mut out, s, w);
    out
}

/// `pad` appended to `out` (no allocation when `s` fits).
pub fn pad_into(out: &mut String, s: &str, w: usize) {
    let t = fit(s, w);
    out.push_str(&t);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(&t))));
}

/// `rpad` appended to `out` (no allocation when `s` fits).
pub fn rpad_into(out: &mut String, s: &str, w: usize) {
    let t = fit(s, w);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(&t))));
    out.push_str(&t);
}

/// `s` cut to at most `w` columns.
fn fit(s: &str, w: usize) -> Cow<'_, str> {
    if width(s) <= w {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(truncate(s, w))
    }
}

/// Byte ranges of the case-insensitive, non-overlapping matches of `needle` in `hay`.
pub fn find_all_ci(hay: &str, needle: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    let mut start = 0;
    while start < hay.len() {
        if let Some(len) = match_len_ci(&hay[start..], &needle) {
            out.push(start..start + len);
            start += len.max(1);
        } else {
            start += hay[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// Bytes of `hay`'s prefix that equal `needle` (already lowercased), if it does.
fn match_len_ci(hay: &str, needle: &[char]) -> Option<usize> {
    let mut want = needle.iter();
    let mut used = 0;
    for c in hay.chars() {
        let lower: Vec<char> = c.to_lowercase().collect();
        for l in &lower {
            if want.next() != Some(l) {
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

/// `99.9%` for 0.999, `99.95%` for 0.9995: as many decimals as the objective needs (up to 3).
pub fn objective(fraction: f64) -> String {
    let pct = fraction * 100.0;
    for d in 0..=3 {
        let s = format!("{pct:.d$}");
        if let Ok(back) = s.parse::<f64>()
            && (back - pct).abs() < 1e-9
        {
            return format!("{s}%");
        }
    }
    format!("{pct:.3}%")
}

/// A burn rate in at most 5 columns: `0.52`, `14.4`, `120`, `>999`.
pub fn burn(v: f64) -> String {
    if !v.is_finite() || v > 999.0 {
        ">999".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Budget remaining as a percentage, negative when overspent: `-42.0%`.
pub fn budget(fraction: f64) -> String {
    let pct = fraction * 100.0;
    if pct <= -1000.0 {
        "<-999%".into()
    } else {
        format!("{pct:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(age(0), "<1m");
        assert_eq!(age(59), "<1m");
        assert_eq!(age(60), "1m");
        assert_eq!(age(3_599), "59m");
        assert_eq!(age(7_200), "2h");
        assert_eq!(age(3 * 86_400 + 5), "3d");
        assert_eq!(age(-5), "<1m");
    }

    #[test]
    fn truncation_is_width_exact() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello", 4), "hel…");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(rpad("ab", 4), "  ab");
        assert_eq!(width(&pad("日本語テキスト", 5)), 5);
        assert_eq!(truncate("x", 0), "");
    }

    #[test]
    fn case_insensitive_matches() {
        assert_eq!(
            find_all_ci("Timeout and TIMEOUT", "timeout"),
            vec![0..7, 12..19]
        );
        assert_eq!(find_all_ci("aaa", "aa"), vec![0..2]);
        assert!(find_all_ci("abc", "").is_empty());
        assert_eq!(find_all_ci("Ünïcode ünï", "ÜNÏ"), vec![0..5, 10..15]);
    }

    #[test]
    fn control_characters_never_pass() {
        assert_eq!(safe("a\x1b[31mb\x07"), "a^[[31mb^G");
        assert!(matches!(safe("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_width_asked_is_the_width_drawn() {
        for s in [
            "plain",
            "svc\u{200d}x",
            "\u{feff}bom",
            "zw\u{200b}",
            "rtl\u{202e}",
            "日本",
            "esc\x1b[2J",
            "é",
        ] {
            assert_eq!(safe_width(s), width(&safe(s)), "{s:?}");
            assert_eq!(
                width(&safe(s)),
                safe(s)
                    .chars()
                    .map(|c| width(&c.to_string()))
                    .sum::<usize>(),
                "{s:?}: every drawn character takes its own columns"
            );
        }
        assert_eq!(safe_width("svc\u{200d}x"), 12);
    }

    #[test]
    fn numbers() {
        assert_eq!(objective(0.999), "99.9%");
        assert_eq!(objective(0.99), "99%");
        assert_eq!(objective(0.9995), "99.95%");
        assert_eq!(burn(0.523), "0.52");
        assert_eq!(burn(14.42), "14.4");
        assert_eq!(burn(120.4), "120");
        assert_eq!(burn(f64::INFINITY), ">999");
        assert_eq!(budget(-0.42), "-42.0%");
        assert_eq!(budget(0.875), "87.5%");
    }

    #[test]
    fn wraps_after_spaces_and_breaks_long_words() {
        assert_eq!(wrap("ab cd ef", 5), ["ab cd", "ef"]);
        assert_eq!(wrap("ab cde fg", 5), ["ab ", "cde ", "fg"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), [""]);
        let text = r#"{alertname="X", service="checkout", team="shop"}"#;
        let lines = wrap(text, 12);
        assert!(lines.iter().all(|l| super::width(l) <= 12), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}
