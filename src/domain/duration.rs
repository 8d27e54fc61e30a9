//! Prometheus-style durations (`5m`, `1h`, `30d`): parsing for the config and the label we print.

use std::time::Duration;

/// Parses `90s`, `5m`, `1h30m`, `30d`, `1w` (units ms, s, m, h, d, w; no spaces).
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    let mut total_ms: u128 = 0;
    let mut digits = String::new();
    let mut chars = text.chars().peekable();
    let mut saw_unit = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit_ms: u128 = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            'w' => 604_800_000,
            'y' => 31_536_000_000,
            other => {
                return Err(format!(
                    "unknown unit '{other}' in duration '{text}' (use ms, s, m, h, d, w)"
                ));
            }
        };
        let n: u128 = digits
            .parse()
            .map_err(|_| format!("missing number before unit in duration '{text}'"))?;
        digits.clear();
        total_ms = total_ms.saturating_add(n.saturating_mul(unit_ms));
        saw_unit = true;
    }
    if !digits.is_empty() || !saw_unit {
        return Err(format!(
            "duration '{text}' needs a unit, e.g. 15s, 5m, 1h, 30d"
        ));
    }
    let ms = u64::try_from(total_ms).map_err(|_| format!("duration '{text}' is too long"))?;
    Ok(Duration::from_millis(ms))
}

/// The shortest Prometheus label for a duration: 300s -> `5m`, 86400s -> `1d`, 5400s -> `1h30m`.
pub fn label(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    let mut out = String::new();
    for (unit, size) in [
        ("w", 604_800),
        ("d", 86_400),
        ("h", 3_600),
        ("m", 60),
        ("s", 1),
    ] {
        // weeks only when the whole value is in weeks (Prometheus writes 30d, not 4w2d)
        if unit == "w" && !secs.is_multiple_of(size) {
            continue;
        }
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

/// Serde helper: a duration written as a Prometheus-style string in TOML.
pub mod serde_str {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        super::parse(&s).map_err(serde::de::Error::custom)
    }

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::label(*d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prometheus_units() {
        assert_eq!(parse("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("2w"), Ok(Duration::from_secs(14 * 86_400)));
    }

    #[test]
    fn rejects_bad_durations_with_a_reason() {
        assert!(parse("").is_err());
        assert!(parse("15").unwrap_err().contains("needs a unit"));
        assert!(parse("5x").unwrap_err().contains("unknown unit 'x'"));
        assert!(parse("m").is_err());
    }

    #[test]
    fn labels_round_trip() {
        for s in [
            "5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d", "1h30m", "15s", "1w",
        ] {
            assert_eq!(label(parse(s).unwrap()), s);
        }
        assert_eq!(label(Duration::from_secs(28 * 86_400)), "4w");
    }
}
