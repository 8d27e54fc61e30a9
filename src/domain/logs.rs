//! Log lines: sanitised at ingest (nothing from a backend reaches the terminal raw), level
//! detection, and a buffer bounded by lines and bytes.

use super::sgr;
pub use super::sgr::{AnsiColor, StyleSpan, TextStyle};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[default]
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

/// One sanitised log line: `line` holds no control character, no escape sequence, no tab.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LogLine {
    pub timestamp: DateTime<Utc>,
    pub source: String,
    pub level: Level,
    pub line: String,
    /// Colours the line's program printed, as byte ranges of `line` (empty when stripped).
    pub styles: Vec<StyleSpan>,
    /// The stream's labels (Loki), fields (Elasticsearch) or none; shared between the lines of
    /// one stream.
    #[serde(skip)]
    pub labels: Labels,
}

/// Labels shared by the lines of one stream.
pub type Labels = Arc<Vec<(String, String)>>;

/// Lines of one stream share one copy of its labels.
#[derive(Default)]
pub struct LabelCache {
    last: Option<(BTreeMap<String, String>, Labels)>,
}

impl LabelCache {
    pub fn get(&mut self, labels: &BTreeMap<String, String>) -> Labels {
        if let Some((map, shared)) = &self.last
            && map == labels
        {
            return shared.clone();
        }
        let shared = Arc::new(
            labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>(),
        );
        self.last = Some((labels.clone(), shared.clone()));
        shared
    }
}

/// What to do with the colours (SGR sequences) in a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnsiMode {
    /// Kept as styles drawn by the pane (never as escape bytes).
    #[default]
    Keep,
    /// Dropped.
    Strip,
}

/// Limits applied at ingest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SanitiseOptions {
    pub tab_width: usize,
    /// Longest line kept, in bytes of the sanitised text; longer ones are cut with a marker.
    pub max_line_bytes: usize,
    pub ansi: AnsiMode,
}

impl Default for SanitiseOptions {
    fn default() -> Self {
        Self {
            tab_width: 8,
            max_line_bytes: 16 * 1024,
            ansi: AnsiMode::Strip,
        }
    }
}

/// A sanitised line and the colours it carried.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sanitised {
    pub text: String,
    pub styles: Vec<StyleSpan>,
}

/// Makes raw backend bytes safe to draw: SGR colour sequences are dropped, every other escape and
/// control character is shown in caret notation (`^[`, `^M`, `^@`), C1 controls and bidi
/// overrides as `<U+XXXX>`, tabs expanded, invalid UTF-8 replaced, over-long lines cut.
pub fn sanitise(raw: &[u8], opts: SanitiseOptions) -> String {
    sanitise_styled(
        raw,
        SanitiseOptions {
            ansi: AnsiMode::Strip,
            ..opts
        },
    )
    .text
}

/// As `sanitise`, and with `AnsiMode::Keep` the SGR sequences become style spans of the text.
pub fn sanitise_styled(raw: &[u8], opts: SanitiseOptions) -> Sanitised {
    sanitise_partial(raw, 0, opts)
}

/// As `sanitise_styled` for the start of a line whose last `missing` bytes a reader already
/// discarded (a reader never holds an unbounded line): the cut marker counts them too.
pub fn sanitise_partial(raw: &[u8], missing: usize, opts: SanitiseOptions) -> Sanitised {
    let mut out = sanitise_head(raw, missing, opts);
    if missing > 0 && !out.text.ends_with(" bytes]") {
        out.text.push_str(&format!(" …[cut {missing} bytes]"));
    }
    out
}

fn sanitise_head(raw: &[u8], missing: usize, opts: SanitiseOptions) -> Sanitised {
    // Most lines are printable ASCII: nothing to replace, nothing to measure.
    if raw.len() <= opts.max_line_bytes && raw.iter().all(|b| (0x20..0x7f).contains(b)) {
        let text = std::str::from_utf8(raw)
            .map(str::to_string)
            .unwrap_or_default();
        return Sanitised {
            text,
            styles: Vec::new(),
        };
    }
    let text = String::from_utf8_lossy(raw);
    let keep = opts.ansi == AnsiMode::Keep;
    let tab = opts.tab_width.max(1);
    let mut out = String::with_capacity(text.len().min(opts.max_line_bytes + 32));
    let mut styles = Vec::new();
    let mut style = TextStyle::default();
    let mut style_start = 0usize;
    let mut column = 0usize;
    let mut chars = text.char_indices();
    while let Some((start, c)) = chars.next() {
        if out.len() >= opts.max_line_bytes {
            close_span(&mut styles, style, style_start, out.len());
            style = TextStyle::default();
            let cut = text.len().saturating_sub(start) + missing;
            out.push_str(&format!(" …[cut {cut} bytes]"));
            break;
        }
        match c {
            '\x1b' => {
                if let Some(len) = sgr::sgr_len(&text.as_bytes()[start..]) {
                    if keep {
                        let mut next = style;
                        sgr::apply(&mut next, &text[start + 2..start + len - 1]);
                        if next != style {
                            close_span(&mut styles, style, style_start, out.len());
                            style = next;
                            style_start = out.len();
                        }
                    }
                    // skip the rest of the sequence (all ASCII: one char per byte)
                    for _ in 1..len {
                        chars.next();
                    }
                } else {
                    out.push_str("^[");
                    column += 2;
                }
            }
            '\t' => {
                let pad = tab - column % tab;
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
    close_span(&mut styles, style, style_start, out.len());
    Sanitised { text: out, styles }
}

fn close_span(styles: &mut Vec<StyleSpan>, style: TextStyle, start: usize, end: usize) {
    if style.is_plain() || end <= start {
        return;
    }
    let to32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    styles.push(StyleSpan {
        start: to32(start),
        end: to32(end),
        style,
    });
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Reads a level from JSON (`"level":"error"`, `"level":50`, `"PRIORITY":"3"`), logfmt
/// (`level=warn`) or common text forms: an upper-case word (`ERROR`), a bracketed one (`[warn]`,
/// `[E]`), a glog prefix (`E1122 03:00:00.000000`) or a syslog priority (`<3>`).
pub fn detect_level(line: &str) -> Level {
    let head = &line[..floor_boundary(line, 512)];
    // Escapes a program wrote are shown as `^[[2J^[[H` by now; read the level around them
    // (`^[[HFATAL` is FATAL, not the word HFATAL).
    let unescaped;
    let head = if head.contains("^[") {
        unescaped = without_shown_escapes(head);
        unescaped.as_str()
    } else {
        head
    };
    if let Some(l) = keyed_level(head) {
        return l;
    }
    if let Some(l) = prefix_level(head.as_bytes()) {
        return l;
    }
    if let Some(l) = bracketed_level(&head[..floor_boundary(head, 128)]) {
        return l;
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

/// `text` without the escape sequences sanitising showed in caret notation: CSI (`^[[` to its
/// final byte), OSC (`^[]` to `^G` or `^[\`), and any other `^[` with the byte after it.
fn without_shown_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("^[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        rest = if let Some(csi) = after.strip_prefix('[') {
            let end = csi
                .find(|c: char| ('@'..='~').contains(&c))
                .map_or(csi.len(), |i| i + 1);
            &csi[end..]
        } else if let Some(osc) = after.strip_prefix(']') {
            match (osc.find("^G"), osc.find("^[\\")) {
                (Some(a), Some(b)) => &osc[a.min(b) + if a <= b { 2 } else { 3 }..],
                (Some(a), None) => &osc[a + 2..],
                (None, Some(b)) => &osc[b + 3..],
                (None, None) => "",
            }
        } else {
            let mut chars = after.chars();
            chars.next();
            chars.as_str()
        };
    }
    out.push_str(rest);
    out
}

fn floor_boundary(s: &str, max: usize) -> usize {
    let mut i = s.len().min(max);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `key":"value"`, `key": value`, `key=value` for the usual level keys, as a whole key.
fn keyed_level(head: &str) -> Option<Level> {
    let b = head.as_bytes();
    for key in ["level", "severity", "lvl", "loglevel", "priority"] {
        let mut from = 0;
        while let Some(pos) = find_ascii_ci(&head[from..], key) {
            let at = from + pos;
            from = at + key.len();
            if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
                continue; // part of another key (`detected_level`, `loglevel`)
            }
            let mut rest = &b[from..];
            if rest.first() == Some(&b'"') {
                rest = &rest[1..];
            }
            match rest.first() {
                Some(b':' | b'=') => rest = &rest[1..],
                _ => continue,
            }
            while let Some(b' ' | b'"') = rest.first() {
                rest = &rest[1..];
            }
            let len = rest
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            let word = std::str::from_utf8(&rest[..len]).unwrap_or("");
            let level = match word.parse::<u32>() {
                Ok(n) if key == "priority" => syslog_level(n),
                Ok(n) => numeric_level(n),
                Err(_) => Level::from_word(word),
            };
            if level.is_some() {
                return level;
            }
        }
    }
    None
}

/// Syslog severities (journald's `PRIORITY`, `<N>` prefixes; facility bits ignored).
pub fn syslog_level(n: u32) -> Option<Level> {
    Some(match n % 8 {
        0..=2 => Level::Fatal,
        3 => Level::Error,
        4 => Level::Warn,
        5 | 6 => Level::Info,
        _ => Level::Debug,
    })
}

/// bunyan / pino numeric levels.
fn numeric_level(n: u32) -> Option<Level> {
    Some(match n {
        10 => Level::Trace,
        20 => Level::Debug,
        30 => Level::Info,
        40 => Level::Warn,
        50 => Level::Error,
        60 => Level::Fatal,
        _ => return None,
    })
}

/// `<3>message` (syslog) and `E1122 03:00:00.000000 …` (glog, klog).
fn prefix_level(b: &[u8]) -> Option<Level> {
    if b.first() == Some(&b'<') {
        let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if (1..=3).contains(&digits) && b.get(1 + digits) == Some(&b'>') {
            let n = std::str::from_utf8(&b[1..1 + digits]).ok()?.parse().ok()?;
            return syslog_level(n);
        }
    }
    if b.len() >= 6 && b[1..5].iter().all(u8::is_ascii_digit) && b[5] == b' ' {
        return letter_level(b[0]);
    }
    None
}

fn letter_level(c: u8) -> Option<Level> {
    Some(match c {
        b'T' => Level::Trace,
        b'D' => Level::Debug,
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' | b'C' => Level::Fatal,
        _ => return None,
    })
}

/// `[E]`, `[warn]`, `[ERROR]` near the start of the line.
fn bracketed_level(head: &str) -> Option<Level> {
    let mut rest = head;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let close = after.find(']')?;
        let word = after[..close].trim();
        let level = if word.len() == 1 {
            letter_level(word.as_bytes()[0])
        } else {
            Level::from_word(word)
        };
        if level.is_some() {
            return level;
        }
        rest = &after[close..];
    }
    None
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

    /// What a line holds on the heap and in the ring (labels are shared between lines of a
    /// stream, so they are not counted per line).
    fn cost(line: &LogLine) -> usize {
        line.line.len()
            + line.source.len()
            + line.styles.len() * std::mem::size_of::<StyleSpan>()
            + std::mem::size_of::<LogLine>()
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

    /// Counts lines lost before they reached the buffer (a source's window moved past them).
    pub fn add_dropped(&mut self, n: u64) {
        self.dropped += n;
    }

    /// Empties the buffer (a new log view); the dropped count restarts too.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.bytes = 0;
        self.dropped = 0;
    }

    pub fn max_lines(&self) -> usize {
        self.max_lines
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
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
                ..Default::default()
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
            ..Default::default()
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

    fn keep() -> SanitiseOptions {
        SanitiseOptions {
            ansi: AnsiMode::Keep,
            ..Default::default()
        }
    }

    #[test]
    fn colours_kept_as_spans_over_the_clean_text() {
        let s = sanitise_styled(b"\x1b[1;31mERR\x1b[0m ok \x1b[38;5;208mhot\x1b[m", keep());
        assert_eq!(s.text, "ERR ok hot");
        assert_eq!(s.styles.len(), 2);
        assert_eq!((s.styles[0].start, s.styles[0].end), (0, 3));
        assert_eq!(s.styles[0].style.fg, Some(AnsiColor::Indexed(1)));
        assert!(s.styles[0].style.has(sgr::BOLD));
        assert_eq!(&s.text[7..10], "hot");
        assert_eq!((s.styles[1].start, s.styles[1].end), (7, 10));
        assert_eq!(s.styles[1].style.fg, Some(AnsiColor::Indexed(208)));
        // A colour never reset runs to the end; strip mode keeps no span.
        let open = sanitise_styled(b"\x1b[32mgreen", keep());
        assert_eq!((open.styles[0].start, open.styles[0].end), (0, 5));
        let stripped = sanitise_styled(b"\x1b[32mgreen", SanitiseOptions::default());
        assert_eq!(stripped.text, "green");
        assert!(stripped.styles.is_empty());
        // Other escapes are still shown, not interpreted, with colours kept around them.
        let mixed = sanitise_styled(b"\x1b[31ma\x1b[2Jb", keep());
        assert_eq!(mixed.text, "a^[[2Jb");
        assert_eq!(mixed.styles[0].end as usize, mixed.text.len());
    }

    #[test]
    fn bytes_a_reader_discarded_are_counted_in_the_marker() {
        let s = sanitise_partial(b"abc", 10, SanitiseOptions::default());
        assert_eq!(s.text, "abc …[cut 10 bytes]");
        let raw = vec![b'x'; 300];
        let s = sanitise_partial(
            &raw,
            700,
            SanitiseOptions {
                max_line_bytes: 100,
                ..Default::default()
            },
        );
        assert!(s.text.ends_with("…[cut 900 bytes]"), "{}", s.text);
    }

    #[test]
    fn a_cut_line_closes_its_span_at_the_cut() {
        let mut raw = b"\x1b[31m".to_vec();
        raw.extend(vec![b'x'; 500]);
        let s = sanitise_styled(
            &raw,
            SanitiseOptions {
                max_line_bytes: 100,
                ..keep()
            },
        );
        assert_eq!(s.styles[0].end, 100);
        assert!(s.text.ends_with("…[cut 400 bytes]"));
    }

    #[test]
    fn levels_read_around_escapes_shown_in_caret_notation() {
        let shown = |raw: &str| sanitise(raw.as_bytes(), SanitiseOptions::default());
        for (raw, want) in [
            ("\x1b[2J\x1b[HFATAL worker 2532 crashed", Level::Fatal),
            ("\x1b]0;pwned\x07ERROR panic in handler", Level::Error),
            ("\x1b]0;t\x1b\\WARN slow", Level::Warn),
            ("\x1b7INFO saved", Level::Info),
        ] {
            let text = shown(raw);
            assert!(text.contains("^["), "{text}");
            assert_eq!(detect_level(&text), want, "{text}");
        }
        assert_eq!(without_shown_escapes("a^[[1;31mb^[]x^Gc^["), "abc");
        assert_eq!(detect_level("plain HFATAL words"), Level::Unknown);
    }

    #[test]
    fn levels_from_glog_syslog_brackets_and_numbers() {
        assert_eq!(
            detect_level("E1122 03:00:00.000000   1 main.go:1] boom"),
            Level::Error
        );
        assert_eq!(detect_level("W1122 03:00:00.000000 slow"), Level::Warn);
        assert_eq!(detect_level("<3>disk failed"), Level::Error);
        assert_eq!(detect_level("<12>kern: low memory"), Level::Warn);
        assert_eq!(detect_level("12:00:01 [E] payment failed"), Level::Error);
        assert_eq!(detect_level("12:00:01 [warn] slow"), Level::Warn);
        assert_eq!(detect_level(r#"{"level":50,"msg":"x"}"#), Level::Error);
        assert_eq!(
            detect_level(r#"{"PRIORITY":"4","MESSAGE":"x"}"#),
            Level::Warn
        );
        assert_eq!(detect_level("ts=1 lvl=debug msg=x"), Level::Debug);
        assert_eq!(
            detect_level(r#"{"detected_level":"x","level":"info"}"#),
            Level::Info,
            "a key that only ends in level is not the level"
        );
        // A multi-byte char across the 512-byte head does not panic.
        let long = format!("{}é ERROR", "a".repeat(511));
        assert_eq!(detect_level(&long), Level::Unknown);
        assert_eq!(detect_level("E12 not glog"), Level::Unknown);
    }

    proptest! {
        #[test]
        fn no_control_byte_survives(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
            let out = clean(&raw);
            for c in out.chars() {
                prop_assert!(!(c.is_control()), "control {:?} in {:?}", c, out);
            }
        }

        #[test]
        fn styled_output_is_clean_and_spans_are_sound(
            parts in proptest::collection::vec(
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..20),
                    "\\x1b\\[[0-9;:]{0,12}m".prop_map(String::into_bytes),
                    Just(b"\x1b[38;2;1;2;3m".to_vec()),
                ],
                0..20,
            ),
            max in 1usize..200,
        ) {
            let raw: Vec<u8> = parts.concat();
            let out = sanitise_styled(&raw, SanitiseOptions { max_line_bytes: max, ..keep() });
            for c in out.text.chars() {
                prop_assert!(!c.is_control(), "control {:?} in {:?}", c, out.text);
            }
            let mut prev_end = 0;
            for span in &out.styles {
                let (a, b) = (span.start as usize, span.end as usize);
                prop_assert!(prev_end <= a && a < b && b <= out.text.len());
                prop_assert!(out.text.is_char_boundary(a) && out.text.is_char_boundary(b));
                prop_assert!(!span.style.is_plain());
                prev_end = b;
            }
        }
    }
}
