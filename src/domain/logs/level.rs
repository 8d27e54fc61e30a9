//! Reading a log line's level from JSON, logfmt and the common text forms.

use super::Level;

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
pub(super) fn without_shown_escapes(text: &str) -> String {
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
