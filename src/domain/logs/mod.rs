//! Log lines: sanitised at ingest (nothing from a backend reaches the terminal raw), level
//! detection, and a buffer bounded by lines and bytes.

mod buffer;
mod level;
#[cfg(test)]
mod tests;

pub use buffer::LogBuffer;
pub use level::{detect_level, syslog_level};

use super::sgr;
pub use super::sgr::{AnsiColor, StyleSpan, TextStyle};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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
            c => match super::visible::replacement(c) {
                Some(shown) => {
                    column += shown.len();
                    out.push_str(&shown);
                }
                None => {
                    out.push(c);
                    column += 1;
                }
            },
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
