//! Log lines: sanitised at ingest (nothing from a backend reaches the terminal raw), level
//! detection, and a buffer bounded by lines and bytes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Unknown,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Unknown => "   ",
            Level::Trace => "TRC",
            Level::Debug => "DBG",
            Level::Info => "INF",
            Level::Warn => "WRN",
            Level::Error => "ERR",
            Level::Fatal => "FTL",
        }
    }

    fn from_word(word: &str) -> Option<Level> {
        Some(match word.to_ascii_lowercase().as_str() {
            "trace" | "trc" => Level::Trace,
            "debug" | "dbg" => Level::Debug,
            "info" | "inf" | "notice" | "information" => Level::Info,
            "warn" | "warning" | "wrn" => Level::Warn,
            "error" | "err" | "eror" => Level::Error,
            "fatal" | "ftl" | "critical" | "crit" | "panic" | "emerg" | "alert" => Level::Fatal,
            _ => return None,
        })
    }
}

/// One sanitised log line: `text` holds no control character, no escape sequence, no tab.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogLine {
    pub timestamp: DateTime<Utc>,
    pub source: String,
    pub level: Level,
    pub line: String,
}

/// Limits applied at ingest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SanitiseOptions {
    pub tab_width: usize,
    /// Longest line kept, in bytes of the sanitised text; longer ones are cut with a marker.
    pub max_line_bytes: usize,
}

impl Default for SanitiseOptions {
    fn default() -> Self {
        Self {
            tab_width: 8,
            max_line_bytes: 16 * 1024,
        }
    }
}

/// Makes raw backend bytes safe to draw: SGR colour sequences are dropped, every other escape and
/// control character is shown in caret notation (`^[`, `^M`, `^@`), C1 controls and bidi
/// overrides as `<U+XXXX>`, tabs expanded, invalid UTF-8 replaced, over-long lines cut.
pub fn sanitise(raw: &[u8], opts: SanitiseOptions) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len().min(opts.max_line_bytes + 32));
    let mut column = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if out.len() >= opts.max_line_bytes {
            let cut = raw.len().saturating_sub(start.min(raw.len()));
            out.push_str(&format!(" …[cut {cut} bytes]"));
            break;
        }
        match c {
            '\x1b' => {
                if let Some(len) = sgr_len(&text[start..]) {
                    // skip the whole colour sequence
                    for _ in 1..len {
                        chars.next();
                    }
                } else {
                    out.push_str("^[");
                    column += 2;
                }
            }
            '\t' => {
                let pad = opts.tab_width.max(1) - column % opts.tab_width.max(1);
                out.extend(std::iter::repeat_n(' ', pad));
                column += pad;
            }
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
                column += 2;
            }
            '\x7f' => {
                out.push_str("^?");
                column += 2;
            }
            c if ('\u{80}'..='\u{9f}').contains(&c) || is_bidi_control(c) => {
                let s = format!("<U+{:04X}>", c as u32);
                column += s.len();
                out.push_str(&s);
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Length in chars (all ASCII) of a complete SGR sequence `ESC [ params m` at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes.get(1) != Some(&b'[') {
        return None;
    }
    for (i, b) in bytes.iter().enumerate().skip(2).take(64) {
        match b {
            b'0'..=b'9' | b';' | b':' => continue,
            b'm' => return Some(i + 1),
            _ => return None,
        }
    }
    None
}

/// Reads a level from JSON (`"level":"error"`), logfmt (`level=warn`) or common text forms
/// (`ERROR`, `[warn]`, `E1122 ...` is not guessed).
pub fn detect_level(line: &str) -> Level {
    let head = &line[..line.len().min(512)];
    for key in ["level", "severity", "lvl", "loglevel"] {
        for pattern in [
            format!("\"{key}\":\""),
            format!("\"{key}\": \""),
            format!("{key}="),
        ] {
            if let Some(pos) = find_ascii_ci(head, &pattern) {
                let rest = &head[pos + pattern.len()..];
                let word: String = rest
                    .trim_start_matches('"')
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                if let Some(l) = Level::from_word(&word) {
                    return l;
                }
            }
        }
    }
    head.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && w.len() <= 8)
        .filter(|w| {
            w.chars().all(|c| c.is_ascii_uppercase()) || w.chars().all(|c| c.is_ascii_lowercase())
        })
        .take(12)
        .find_map(|w| {
            if w.chars().all(|c| c.is_ascii_uppercase()) {
                Level::from_word(w)
            } else {
                None
            }
        })
        .unwrap_or(Level::Unknown)
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.len() > h.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// A ring of log lines bounded by a line count and a byte budget; the oldest are dropped first,
/// and the number dropped is kept so the pane can say so.
#[derive(Clone, Debug)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
    dropped: u64,
}

impl LogBuffer {
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            bytes: 0,
            max_lines: max_lines.max(1),
            max_bytes: max_bytes.max(1),
            dropped: 0,
        }
    }

    fn cost(line: &LogLine) -> usize {
        line.line.len() + line.source.len() + std::mem::size_of::<LogLine>()
    }

    pub fn push(&mut self, line: LogLine) {
        self.bytes += Self::cost(&line);
        self.lines.push_back(line);
        while self.lines.len() > self.max_lines
            || (self.bytes > self.max_bytes && self.lines.len() > 1)
        {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= Self::cost(&old);
                self.dropped += 1;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogLine> + ExactSizeIterator {
        self.lines.iter()
    }

    /// The newest `n` lines, oldest first.
    pub fn tail(&self, n: usize) -> impl Iterator<Item = &LogLine> {
        self.lines.iter().skip(self.lines.len().saturating_sub(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn clean(s: &[u8]) -> String {
        sanitise(s, SanitiseOptions::default())
    }

    #[test]
    fn colours_are_dropped_other_escapes_shown() {
        assert_eq!(clean(b"\x1b[31mred\x1b[0m ok"), "red ok");
        assert_eq!(clean(b"\x1b]0;title\x07x"), "^[]0;title^Gx");
        assert_eq!(clean(b"a\x1b[2Jb"), "a^[[2Jb");
        assert_eq!(clean(b"nul\x00cr\r"), "nul^@cr^M");
        assert_eq!(clean("c1\u{9b}2J".as_bytes()), "c1<U+009B>2J");
        assert_eq!(clean("rtl\u{202e}txt".as_bytes()), "rtl<U+202E>txt");
    }

    #[test]
    fn tabs_expand_to_columns_and_bad_utf8_is_replaced() {
        assert_eq!(clean(b"a\tb"), "a       b");
        assert_eq!(clean(b"abcdefgh\tb"), "abcdefgh        b");
        assert_eq!(clean(b"x\xffy"), "x\u{fffd}y");
    }

    #[test]
    fn long_lines_are_cut_with_a_marker() {
        let raw = vec![b'x'; 1_000_000];
        let out = sanitise(
            &raw,
            SanitiseOptions {
                tab_width: 8,
                max_line_bytes: 100,
            },
        );
        assert!(out.starts_with(&"x".repeat(100)));
        assert!(out.ends_with("…[cut 999900 bytes]"), "{}", &out[90..]);
    }

    #[test]
    fn levels_from_json_logfmt_and_text() {
        assert_eq!(
            detect_level(r#"{"ts":1,"level":"error","msg":"x"}"#),
            Level::Error
        );
        assert_eq!(detect_level("ts=1 level=warn msg=slow"), Level::Warn);
        assert_eq!(
            detect_level("2026-11-22 03:00:00 ERROR payment failed"),
            Level::Error
        );
        assert_eq!(detect_level("[INFO] started"), Level::Info);
        assert_eq!(
            detect_level("an error happened in lowercase prose"),
            Level::Unknown
        );
    }

    fn line(text: &str) -> LogLine {
        LogLine {
            timestamp: DateTime::<Utc>::UNIX_EPOCH,
            source: "s".into(),
            level: Level::Info,
            line: text.into(),
        }
    }

    #[test]
    fn buffer_drops_oldest_and_counts() {
        let mut b = LogBuffer::new(3, usize::MAX);
        for i in 0..5 {
            b.push(line(&i.to_string()));
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 2);
        assert_eq!(
            b.iter().map(|l| l.line.as_str()).collect::<Vec<_>>(),
            ["2", "3", "4"]
        );
        assert_eq!(
            b.tail(2).map(|l| l.line.as_str()).collect::<Vec<_>>(),
            ["3", "4"]
        );
    }

    #[test]
    fn buffer_respects_byte_budget() {
        let mut b = LogBuffer::new(1000, 10_000);
        for _ in 0..1000 {
            b.push(line(&"y".repeat(500)));
        }
        assert!(b.bytes() <= 10_000);
        assert!(b.dropped() > 900);
    }

    proptest! {
        #[test]
        fn no_control_byte_survives(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
            let out = clean(&raw);
            for c in out.chars() {
                prop_assert!(!(c.is_control()), "control {:?} in {:?}", c, out);
            }
        }
    }
}
