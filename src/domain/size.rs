//! Byte sizes as the config writes them: `64MiB`, `512KiB`, `2GiB`, `10MB`, `4096B`.
//! Binary units (KiB, MiB, GiB) are powers of 1024, decimal ones (KB, MB, GB) of 1000; the unit
//! is not case-sensitive and is required (a bare number is ambiguous in a config read at 3 a.m.).

const UNITS: &[(&str, u64)] = &[
    ("b", 1),
    ("kib", 1 << 10),
    ("mib", 1 << 20),
    ("gib", 1 << 30),
    ("kb", 1_000),
    ("mb", 1_000_000),
    ("gb", 1_000_000_000),
];

/// Parses `64MiB` (spaces between number and unit allowed) into bytes.
pub fn parse(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("'{t}' needs a unit: B, KiB, MiB or GiB"))?;
    let (number, unit) = t.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{t}' does not start with a whole number"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let factor = UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, f)| *f)
        .ok_or_else(|| format!("unknown unit '{unit}' in '{t}' (B, KiB, MiB, GiB, KB, MB, GB)"))?;
    n.checked_mul(factor)
        .ok_or_else(|| format!("'{t}' is too large"))
}

/// The largest binary unit that divides `bytes` exactly: `64MiB`, `1536KiB`, `10B`.
pub fn label(bytes: u64) -> String {
    for (unit, factor) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= factor && bytes.is_multiple_of(factor) {
            return format!("{}{unit}", bytes / factor);
        }
    }
    format!("{bytes}B")
}

/// `label` with a space for prose: "64 MiB".
pub fn spoken(bytes: u64) -> String {
    let l = label(bytes);
    let at = l.find(|c: char| !c.is_ascii_digit()).unwrap_or(l.len());
    format!("{} {}", &l[..at], &l[at..])
}

/// For `#[serde(with = "...")]` on a `u64` byte count written as a size string.
pub mod serde_str {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let s = String::deserialize(d)?;
        super::parse(&s).map_err(serde::de::Error::custom)
    }

    pub fn serialize<S: Serializer>(bytes: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::label(*bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_binary_and_decimal_units_in_any_case() {
        assert_eq!(parse("64MiB"), Ok(64 << 20));
        assert_eq!(parse("512 KiB"), Ok(512 << 10));
        assert_eq!(parse("2gib"), Ok(2 << 30));
        assert_eq!(parse("10MB"), Ok(10_000_000));
        assert_eq!(parse("4096B"), Ok(4096));
    }

    #[test]
    fn refuses_what_it_cannot_read_with_a_reason() {
        assert!(parse("64").unwrap_err().contains("needs a unit"));
        assert!(parse("MiB").unwrap_err().contains("whole number"));
        assert!(
            parse("1.5MiB")
                .unwrap_err()
                .contains("unknown unit '.5mib'")
        );
        assert!(parse("64XB").unwrap_err().contains("unknown unit"));
        assert!(
            parse("99999999999999GiB")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn labels_round_trip() {
        for s in ["64MiB", "1536KiB", "2GiB", "10B"] {
            assert_eq!(label(parse(s).unwrap()), s);
        }
        assert_eq!(spoken(64 << 20), "64 MiB");
    }
}
