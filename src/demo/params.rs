//! Query-string and form parameters, and the timestamp formats the three APIs accept.

use chrono::{DateTime, Utc};

/// Decoded `key=value` pairs, in order, repeated keys kept.
#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// From a raw query string and, for form posts, the body.
    pub fn parse(query: Option<&str>, body: &[u8]) -> Self {
        let mut out: Vec<(String, String)> =
            url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        out.extend(url::form_urlencoded::parse(body).into_owned());
        Self(out)
    }

    /// The first value of a key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a key (`filter=a&filter=b`, also `key[]=`).
    pub fn all(&self, key: &str) -> Vec<&str> {
        let bracketed = format!("{key}[]");
        self.0
            .iter()
            .filter(|(k, _)| k == key || *k == bracketed)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean with a default, refused with go-swagger's message when malformed.
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, String> {
        match self.get(key) {
            None | Some("") => Ok(default),
            Some("true" | "1" | "True" | "TRUE") => Ok(true),
            Some("false" | "0" | "False" | "FALSE") => Ok(false),
            Some(other) => Err(format!("{key} in query must be of type boolean: {other:?}")),
        }
    }
}

/// Prometheus timestamps: unix seconds (fractional allowed) or RFC3339. Returns unix seconds,
/// rounded to the millisecond as Prometheus keeps them.
pub fn prom_time(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let secs = match t.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => DateTime::parse_from_rfc3339(t)
            .map(|d| d.timestamp() as f64 + f64::from(d.timestamp_subsec_nanos()) / 1e9)
            .map_err(|_| format!("cannot parse {text:?} to a valid timestamp"))?,
    };
    Ok(to_millis(secs))
}

pub fn to_millis(secs: f64) -> f64 {
    (secs * 1000.0).round() / 1000.0
}

/// Prometheus durations: `5m`, `1h30m`, or float seconds. Returns seconds.
pub fn prom_duration(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if let Ok(v) = t.parse::<f64>() {
        return if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("cannot parse {text:?} to a valid duration"))
        };
    }
    crate::domain::duration::parse(t)
        .map(|d| d.as_secs_f64())
        .map_err(|_| format!("cannot parse {text:?} to a valid duration"))
}

/// Loki timestamps: integer nanoseconds (ten digits or fewer read as seconds, as Loki does),
/// fractional seconds, or RFC3339. Returns unix nanoseconds.
pub fn loki_time(text: &str) -> Result<i128, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i128>() {
        return Ok(if t.trim_start_matches('-').len() <= 10 {
            n * 1_000_000_000
        } else {
            n
        });
    }
    if let Ok(f) = t.parse::<f64>()
        && f.is_finite()
    {
        return Ok((f * 1e9).round() as i128);
    }
    DateTime::parse_from_rfc3339(t)
        .map(|d| i128::from(d.timestamp()) * 1_000_000_000 + i128::from(d.timestamp_subsec_nanos()))
        .map_err(|_| format!("could not parse {text:?} as a timestamp"))
}

pub fn now_secs() -> f64 {
    let n = Utc::now();
    to_millis(n.timestamp() as f64 + f64::from(n.timestamp_subsec_nanos()) / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_query_and_body_with_repeats() {
        let p = Params::parse(
            Some("filter=a%3D%22b%22&filter=c&x=1"),
            b"query=up%7Bx%3D%221%22%7D",
        );
        assert_eq!(p.all("filter"), ["a=\"b\"", "c"]);
        assert_eq!(p.get("query"), Some("up{x=\"1\"}"));
        assert_eq!(p.bool_or("x", false), Ok(true));
        assert_eq!(p.bool_or("missing", true), Ok(true));
        assert!(
            Params::parse(Some("a=maybe"), b"")
                .bool_or("a", true)
                .is_err()
        );
    }

    #[test]
    fn prometheus_times_and_durations() {
        assert_eq!(prom_time("1435781451.781").unwrap(), 1435781451.781);
        assert_eq!(prom_time("1435781451.7814").unwrap(), 1435781451.781);
        assert_eq!(prom_time("2015-07-01T20:10:51Z").unwrap(), 1435781451.0);
        assert!(prom_time("yesterday").is_err());
        assert_eq!(prom_duration("15s").unwrap(), 15.0);
        assert_eq!(prom_duration("2.5").unwrap(), 2.5);
        assert!(prom_duration("soon").is_err());
    }

    #[test]
    fn loki_times() {
        assert_eq!(
            loki_time("1569266497240578000").unwrap(),
            1569266497240578000
        );
        assert_eq!(loki_time("1569266497").unwrap(), 1569266497000000000);
        assert_eq!(loki_time("1569266497.5").unwrap(), 1569266497500000000);
        assert_eq!(
            loki_time("2019-09-23T19:21:37Z").unwrap(),
            1569266497000000000
        );
        assert!(loki_time("later").is_err());
    }
}
