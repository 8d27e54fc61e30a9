//! A line read from a command or a file. journald's JSON export (`journalctl -o json`) is read
//! for its time, message and priority, so the pane shows the message at the time it was logged
//! rather than a JSON object stamped with when it was read, labelled with the unit, the program
//! and the host that logged it (`journalctl -f -o json` with no unit mixes them); any other line
//! is taken as it is.

use super::logs::{
    Level, SanitiseOptions, Sanitised, detect_level, sanitise, sanitise_partial, syslog_level,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// What a raw line says: its text made safe, its level, and its own time when it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadLine {
    pub timestamp: Option<DateTime<Utc>>,
    pub level: Level,
    pub text: Sanitised,
    /// Where a journal entry came from (`unit`, `program`, `host`), made safe; empty otherwise.
    pub labels: Vec<(String, String)>,
}

/// Reads one raw line (`missing` bytes of it already discarded by the reader).
pub fn read_line(raw: &[u8], missing: usize, opts: SanitiseOptions) -> ReadLine {
    if missing == 0
        && let Some(entry) = parse(raw)
    {
        let text = sanitise_partial(&entry.message, 0, opts);
        let level = entry.level.unwrap_or_else(|| detect_level(&text.text));
        let labels = entry
            .labels
            .into_iter()
            .map(|(name, value)| (name.to_string(), sanitise(&value, opts)))
            .collect();
        return ReadLine {
            timestamp: Some(entry.timestamp),
            level,
            text,
            labels,
        };
    }
    let text = sanitise_partial(raw, missing, opts);
    ReadLine {
        timestamp: None,
        level: detect_level(&text.text),
        text,
        labels: Vec::new(),
    }
}

/// The fields of one journal entry the pane uses. `message` is raw bytes: journald keeps
/// binary messages as they were logged, so they are sanitised like any other line.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub timestamp: DateTime<Utc>,
    pub message: Vec<u8>,
    /// From `PRIORITY` ("0".."7"); `None` when it is missing or not a syslog severity.
    pub level: Option<Level>,
    /// The label names of `LABEL_FIELDS` with the raw values present in the entry.
    pub labels: Vec<(&'static str, Vec<u8>)>,
}

/// The journal fields shown as labels, and their names: enough to tell apart the lines of
/// several units or hosts in one tail.
const LABEL_FIELDS: [(&str, &str); 3] = [
    ("_SYSTEMD_UNIT", "unit"),
    ("SYSLOG_IDENTIFIER", "program"),
    ("_HOSTNAME", "host"),
];

/// Shown for a `MESSAGE` journalctl left out: it writes `null` for a field over 4096 bytes.
const OMITTED: &[u8] = b"[message over 4096 bytes left out by journalctl; run it with --all]";

/// A journal entry, or `None` when the line is not one (no `__REALTIME_TIMESTAMP` and
/// `MESSAGE`): other JSON lines are left to the ordinary reading.
pub fn parse(raw: &[u8]) -> Option<Entry> {
    // Most lines are not journal entries: skip the JSON parser for them.
    if raw.first() != Some(&b'{') || !contains(raw, b"\"__REALTIME_TIMESTAMP\"") {
        return None;
    }
    let Value::Object(fields) = serde_json::from_slice::<Value>(raw).ok()? else {
        return None;
    };
    let micros = fields
        .get("__REALTIME_TIMESTAMP")?
        .as_str()?
        .parse::<i64>()
        .ok()?;
    let timestamp = DateTime::from_timestamp_micros(micros)?;
    let message = match fields.get("MESSAGE")? {
        Value::Null => OMITTED.to_vec(),
        other => field_bytes(other)?,
    };
    let level = fields
        .get("PRIORITY")
        .and_then(Value::as_str)
        .and_then(|p| match p {
            "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" => p.parse().ok(),
            _ => None,
        })
        .and_then(syslog_level);
    let labels = LABEL_FIELDS
        .iter()
        .filter_map(|(field, name)| Some((*name, field_bytes(fields.get(*field)?)?)))
        .collect();
    Some(Entry {
        timestamp,
        message,
        level,
        labels,
    })
}

/// A field's bytes: a string, an array of byte values (journalctl's form for a field that is
/// not valid UTF-8 or holds control characters), or for a field logged several times its first
/// value.
fn field_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Array(items) if items.iter().all(Value::is_number) => items
            .iter()
            .map(|n| n.as_u64().and_then(|n| u8::try_from(n).ok()))
            .collect(),
        Value::Array(items) => items.first().and_then(field_bytes),
        _ => None,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> SanitiseOptions {
        SanitiseOptions::default()
    }

    #[test]
    fn time_message_and_priority_are_read() {
        let raw = br#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1795834800123456","PRIORITY":"3","_SYSTEMD_UNIT":"nginx.service","MESSAGE":"upstream timed out"}"#;
        let got = read_line(raw, 0, opts());
        assert_eq!(got.text.text, "upstream timed out");
        assert_eq!(got.level, Level::Error);
        assert_eq!(
            got.timestamp.unwrap().to_rfc3339(),
            "2026-11-28T03:00:00.123456+00:00"
        );
        assert_eq!(
            got.labels,
            [("unit".to_string(), "nginx.service".to_string())]
        );
    }

    #[test]
    fn unit_program_and_host_become_labels_made_safe() {
        let raw = br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":"m","_HOSTNAME":"db-1","SYSLOG_IDENTIFIER":[101,118,27,105,108],"_SYSTEMD_UNIT":"a\u0007.service"}"#;
        let got = read_line(raw, 0, opts());
        assert_eq!(
            got.labels,
            [
                ("unit".to_string(), "a^G.service".to_string()),
                ("program".to_string(), "ev^[il".to_string()),
                ("host".to_string(), "db-1".to_string()),
            ]
        );
        assert!(read_line(b"plain", 0, opts()).labels.is_empty());
    }

    #[test]
    fn every_priority_maps_to_a_level() {
        let level = |p: &str| {
            let raw = format!(
                r#"{{"__REALTIME_TIMESTAMP":"1","PRIORITY":"{p}","MESSAGE":"plain words"}}"#
            );
            read_line(raw.as_bytes(), 0, opts()).level
        };
        for (p, l) in [
            ("0", Level::Fatal),
            ("1", Level::Fatal),
            ("2", Level::Fatal),
            ("3", Level::Error),
            ("4", Level::Warn),
            ("5", Level::Info),
            ("6", Level::Info),
            ("7", Level::Debug),
        ] {
            assert_eq!(level(p), l, "PRIORITY {p}");
        }
        // Not a syslog severity: the message's own words decide.
        assert_eq!(level("9"), Level::Unknown);
        let raw = br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":"WARN disk 91%"}"#;
        assert_eq!(read_line(raw, 0, opts()).level, Level::Warn);
    }

    #[test]
    fn a_binary_message_is_sanitised_like_any_line() {
        // "\x1b]0;pwned\x07ok\r\n\xff" as journalctl writes it: an array of byte values.
        let raw = br#"{"__REALTIME_TIMESTAMP":"1795834800000000","PRIORITY":"4","MESSAGE":[27,93,48,59,112,119,110,101,100,7,111,107,13,10,255]}"#;
        let got = read_line(raw, 0, opts());
        assert_eq!(got.text.text, "^[]0;pwned^Gok^M^J\u{fffd}");
        assert_eq!(got.level, Level::Warn);
        assert!(!got.text.text.chars().any(char::is_control));
        // An escape written as a JSON string escape is caught the same way.
        let raw = br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":"a\u001b[2Jb\u0000"}"#;
        assert_eq!(read_line(raw, 0, opts()).text.text, "a^[[2Jb^@");
    }

    #[test]
    fn odd_messages_and_lines_that_are_not_entries() {
        // journalctl writes null for a field over 4096 bytes (without --all).
        let raw = br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":null}"#;
        assert!(read_line(raw, 0, opts()).text.text.contains("--all"));
        // A field logged twice: the first value.
        let raw = br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":["one",[116,119,111]]}"#;
        assert_eq!(read_line(raw, 0, opts()).text.text, "one");
        // A byte array with a value over 255 is not a message: the line is shown as it is.
        let raw = br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":[300]}"#;
        let got = read_line(raw, 0, opts());
        assert_eq!(got.timestamp, None);
        assert_eq!(got.text.text, String::from_utf8_lossy(raw));
        // Other JSON keeps the ordinary reading (level from the JSON, no time of its own).
        let raw = br#"{"level":"error","msg":"x"}"#;
        let got = read_line(raw, 0, opts());
        assert_eq!((got.timestamp, got.level), (None, Level::Error));
        assert_eq!(got.text.text, r#"{"level":"error","msg":"x"}"#);
        // A bad timestamp, a cut line, or no MESSAGE: not read as an entry.
        for raw in [
            &br#"{"__REALTIME_TIMESTAMP":"soon","MESSAGE":"x"}"#[..],
            br#"{"__REALTIME_TIMESTAMP":"1"}"#,
            br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":"x""#,
        ] {
            assert_eq!(read_line(raw, 0, opts()).timestamp, None, "{raw:?}");
        }
        let cut = read_line(br#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":"x"}"#, 10, opts());
        assert_eq!(cut.timestamp, None);
        assert!(cut.text.text.ends_with("…[cut 10 bytes]"));
    }
}
