//! What a new silence is made of, read from what an engineer types: matchers in the filter's
//! syntax (`=`, `!=`, `=~`, `!~`), a start (`now`, `+2h`, `14:00`, `2026-12-04 02:00`, RFC 3339)
//! read in the local zone, and a duration or an end.

use super::alerts::Matcher;
use super::matchers::{self, Op, Term};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Matchers for a silence, from one or more arguments (`alertname=Disk 'instance=~db-.*'` or
/// `{alertname="Disk",instance=~"db-.*"}`). Refused: the `@` terms of the alert filter (they
/// pick alerts, Alertmanager has no such matcher), and a set every matcher of which holds for a
/// missing label (it would silence everything; Alertmanager refuses it too).
pub fn parse_matchers(args: &[String]) -> Result<Vec<Matcher>, String> {
    let joined = args
        .iter()
        .map(|a| {
            let a = a.trim();
            let a = a.strip_prefix('{').unwrap_or(a);
            a.strip_suffix('}').unwrap_or(a).to_string()
        })
        .collect::<Vec<_>>()
        .join(",");
    let filter = matchers::parse(&joined)?;
    let mut out = Vec::new();
    let mut any_picks = false;
    for term in filter.terms {
        let Term::Label(m) = term else {
            return Err("@state, @age and @cluster pick alerts in the filter; a silence has only label matchers".into());
        };
        any_picks |= !m.matches("");
        out.push(Matcher {
            name: m.name.clone(),
            value: m.value.clone(),
            is_regex: matches!(m.op, Op::Re | Op::NotRe),
            is_equal: matches!(m.op, Op::Eq | Op::Re),
        });
    }
    if out.is_empty() {
        return Err("a silence needs at least one matcher, such as alertname=DiskFull".into());
    }
    if !any_picks {
        return Err("every matcher holds for a missing label: it would silence everything".into());
    }
    Ok(out)
}

/// `value` as a quoted matcher value, with Alertmanager's escapes: what `parse_matchers`
/// reads back as `value`.
pub fn quote(value: &str) -> String {
    format!(
        "\"{}\"",
        value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// A start or end time: `now`, `+DURATION` from now, `HH:MM` (the next such time, today or
/// tomorrow), `YYYY-MM-DD HH:MM`, or RFC 3339; wall times in `zone`.
pub fn parse_when<Tz: TimeZone>(
    text: &str,
    now: DateTime<Utc>,
    zone: &Tz,
) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Some(d) = t.strip_prefix('+') {
        let d = super::duration::parse(d)?;
        return Duration::from_std(d)
            .map(|d| now + d)
            .map_err(|_| format!("{t}: too far ahead"));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    let local = |naive: NaiveDateTime| {
        zone.from_local_datetime(&naive)
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .ok_or_else(|| format!("{t} does not exist in the local zone (a clock change)"))
    };
    if let Ok(time) = NaiveTime::parse_from_str(t, "%H:%M") {
        let today = now.with_timezone(zone).date_naive();
        let at = local(today.and_time(time))?;
        return if at > now {
            Ok(at)
        } else {
            local((today + Duration::days(1)).and_time(time))
        };
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M") {
        return local(naive);
    }
    if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return local(day.and_time(NaiveTime::MIN));
    }
    Err(format!(
        "{t:?}: give now, +2h, 14:00, 2026-12-04 02:00 or an RFC 3339 time"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matchers_read_as_the_filter_reads_them() {
        let ms = parse_matchers(&args(&[
            "alertname=Disk",
            "instance=~db-.*",
            "env!=staging",
        ]))
        .unwrap();
        assert_eq!(
            super::super::silence_list::matchers_text(&ms),
            r#"{alertname="Disk", instance=~"db-.*", env!="staging"}"#
        );
        let braces = parse_matchers(&args(&[r#"{alertname="Disk", job!~"x|y"}"#])).unwrap();
        assert_eq!(braces[1].name, "job");
        assert!(braces[1].is_regex && !braces[1].is_equal);
    }

    #[test]
    fn what_alertmanager_would_refuse_is_refused_here_with_the_reason() {
        let e = parse_matchers(&args(&["env!=prod"])).unwrap_err();
        assert!(e.contains("silence everything"), "{e}");
        assert!(parse_matchers(&args(&["job=~.*"])).is_err());
        assert!(parse_matchers(&[]).unwrap_err().contains("at least one"));
        let e = parse_matchers(&args(&["@state=firing"])).unwrap_err();
        assert!(e.contains("only label matchers"), "{e}");
        let e = parse_matchers(&args(&["instance=~(db"])).unwrap_err();
        assert!(e.contains("bad regex"), "{e}");
    }

    #[test]
    fn a_quoted_value_reads_back_as_itself() {
        for v in [r#"say "hi""#, r"back\slash", "two\nlines", "a, b=c", ""] {
            let ms = parse_matchers(&[format!("job={}, alertname=X", quote(v))]).unwrap();
            assert_eq!(ms[0].value, v);
        }
    }

    #[test]
    fn times_are_read_in_the_local_zone() {
        let berlin = FixedOffset::east_opt(3600).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 12, 30, 0).unwrap(); // 13:30 in Berlin
        let at = |t: &str| parse_when(t, now, &berlin).unwrap();
        assert_eq!(at("now"), now);
        assert_eq!(at("+2h"), now + Duration::hours(2));
        assert_eq!(
            at("14:00"),
            Utc.with_ymd_and_hms(2026, 12, 4, 13, 0, 0).unwrap()
        );
        assert_eq!(
            at("13:00"),
            Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap(),
            "already past today: tomorrow"
        );
        assert_eq!(
            at("2026-12-06 02:00"),
            Utc.with_ymd_and_hms(2026, 12, 6, 1, 0, 0).unwrap()
        );
        assert_eq!(
            at("2026-12-06T02:00:00Z"),
            Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0).unwrap()
        );
        assert!(
            parse_when("tuesday", now, &berlin)
                .unwrap_err()
                .contains("give now")
        );
    }
}
