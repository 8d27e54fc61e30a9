//! The state as JSON for `onwatch snapshot --format json` (its field names are a contract other
//! tools rely on). Serialised straight from the state through borrowed views, every string
//! from outside masked as it is written: no `Value` tree is built for 10,000 alerts.

use super::state::State;
use crate::domain::alerts::{AlertGroup, AlertReading, DedupedAlert, LabelSet};
use crate::domain::duration;
use crate::domain::logs::Level;
use crate::domain::redact::Redactor;
use crate::domain::slo::SloStatus;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use std::collections::BTreeMap;

/// Every alert of every cluster (silenced and inhibited too, whatever the pane shows), grouped
/// and sorted as the pane groups them, with the filter not applied: the report is the record.
/// The pane's own groups when it shows exactly that (a headless snapshot sets it up so, see
/// `show_every_alert`), so 10,000 alerts are not grouped twice.
fn every_alert_grouped(state: &State) -> std::borrow::Cow<'_, [AlertGroup]> {
    use crate::domain::alerts;
    if state.show_silenced && state.alert_matchers == Default::default() {
        return std::borrow::Cow::Borrowed(&state.groups);
    }
    let all: Vec<DedupedAlert> = state
        .deduped
        .values()
        .flatten()
        .map(|a| DedupedAlert {
            flapping: state.flaps.is_flapping(&a.id),
            ..a.clone()
        })
        .collect();
    alerts::sort_groups(alerts::group(all, &state.grouping()), state.alert_sort).into()
}

/// Has the pane show what the report records (every alert, no filter), so the report reads
/// the pane's groups instead of grouping again. For a headless state, before its first poll.
pub fn show_every_alert(state: &mut State) {
    state.show_silenced = true;
    state.alert_filter.clear();
    state.alert_matchers = Default::default();
}

/// Writes the report, pretty-printed, as it is serialised (nothing but the grouping is built
/// first), every string masked by `redactor`.
pub fn write_json<W: std::io::Write>(
    state: &State,
    redactor: &Redactor,
    out: W,
) -> serde_json::Result<()> {
    let groups = every_alert_grouped(state);
    let report = Report {
        state,
        groups: &groups,
        r: redactor,
    };
    serde_json::to_writer_pretty(out, &report)
}

/// The report as a `Value`, secrets known to the process masked (tests and tools that read it
/// in-process).
pub fn state_json(state: &State) -> serde_json::Value {
    let groups = every_alert_grouped(state);
    let redactor = crate::config::secret::known();
    let report = Report {
        state,
        groups: &groups,
        r: &redactor,
    };
    serde_json::to_value(&report).unwrap_or_default()
}

struct Report<'a> {
    state: &'a State,
    groups: &'a [AlertGroup],
    r: &'a Redactor,
}

/// A string from outside (a label, an error, a log line): masked as it is written.
struct M<'a>(&'a str, &'a Redactor);

impl Serialize for M<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.1.masked(self.0))
    }
}

/// Optional text, masked.
fn opt<'a>(v: Option<&'a str>, r: &'a Redactor) -> Option<M<'a>> {
    v.map(|v| M(v, r))
}

/// Strings, masked.
struct Ms<'a, I>(I, &'a Redactor);

impl<'a, I, T> Serialize for Ms<'a, I>
where
    I: IntoIterator<Item = &'a T> + Clone,
    T: AsRef<str> + 'a + ?Sized,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for v in self.0.clone() {
            seq.serialize_element(&M(v.as_ref(), self.1))?;
        }
        seq.end()
    }
}

/// Labels or annotations, names and values masked.
struct MLabels<'a>(&'a LabelSet, &'a Redactor);

impl Serialize for MLabels<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(&M(k, self.1), &M(v, self.1))?;
        }
        map.end()
    }
}

impl Serialize for Report<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (state, r) = (self.state, self.r);
        let mut o = s.serialize_struct("Report", 7)?;
        o.serialize_field("generated_at", &state.now)?;
        o.serialize_field("user", &M(&state.user, r))?;
        o.serialize_field(
            "sources",
            &Each(|| state.sources.iter().map(|h| SourceView { h, state, r })),
        )?;
        let slos = state.slo_order();
        o.serialize_field(
            "slos",
            &Each(|| {
                slos.iter().map(|&i| SloView {
                    row: &state.slos[i],
                    r,
                })
            }),
        )?;
        o.serialize_field(
            "alert_groups",
            &Each(|| self.groups.iter().map(|g| GroupView { g, r })),
        )?;
        o.serialize_field(
            "logs",
            &Each(|| {
                state.logs.iter().map(|l| LogView {
                    timestamp: l.timestamp,
                    source: M(&l.source, r),
                    level: l.level,
                    line: M(&l.line, r),
                })
            }),
        )?;
        o.serialize_field("logs_dropped", &state.logs.dropped())?;
        o.end()
    }
}

/// A list written item by item from the iterator `make` returns, never collected.
struct Each<F>(F);

impl<F, I> Serialize for Each<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

struct SourceView<'a> {
    h: &'a crate::domain::health::SourceHealth,
    state: &'a State,
    r: &'a Redactor,
}

impl Serialize for SourceView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (h, r) = (self.h, self.r);
        let notes = h.notes(self.state.now);
        let error = h.last_error.as_ref().map(|e| e.to_string());
        let mut o = s.serialize_struct("Source", 6)?;
        o.serialize_field("name", &M(&h.id.name, r))?;
        o.serialize_field("kind", h.id.kind.as_str())?;
        o.serialize_field("ok", &h.is_ok())?;
        o.serialize_field("error", &opt(error.as_deref(), r))?;
        o.serialize_field("degraded", &Ms(&notes, r))?;
        o.serialize_field("age_seconds", &h.age_seconds(self.state.now))?;
        o.end()
    }
}

struct SloView<'a> {
    row: &'a super::state::SloRow,
    r: &'a Redactor,
}

impl Serialize for SloView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (row, r) = (self.row, self.r);
        let eval = row.eval.as_ref();
        let burn: BTreeMap<String, Option<f64>> = eval
            .map(|e| {
                e.burn_rates
                    .iter()
                    .map(|(w, b)| (duration::label(*w), *b))
                    .collect()
            })
            .unwrap_or_default();
        let mut o = s.serialize_struct("Slo", 9)?;
        o.serialize_field("name", &M(&row.def.name, r))?;
        o.serialize_field("source", &M(&row.def.source, r))?;
        o.serialize_field("objective", &(row.def.objective * 100.0))?;
        o.serialize_field("period", &duration::label(row.def.period))?;
        o.serialize_field("budget_remaining", &eval.and_then(|e| e.budget_remaining))?;
        o.serialize_field("burn_rates", &burn)?;
        o.serialize_field("status", &eval.map_or(SloStatus::NoData, |e| e.status))?;
        o.serialize_field(
            "time_to_exhaustion_seconds",
            &eval.and_then(|e| e.time_to_exhaustion).map(|d| d.as_secs()),
        )?;
        o.serialize_field("error", &opt(row.error.as_deref(), r))?;
        o.end()
    }
}

struct GroupView<'a> {
    g: &'a AlertGroup,
    r: &'a Redactor,
}

impl Serialize for GroupView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (g, r) = (self.g, self.r);
        let mut o = s.serialize_struct("Group", 8)?;
        o.serialize_field("labels", &MLabels(&LabelSet::from(&g.labels), r))?;
        o.serialize_field("worst_severity", &g.worst)?;
        o.serialize_field("firing", &g.firing)?;
        o.serialize_field("acked", &g.acked)?;
        o.serialize_field("silenced", &g.silenced)?;
        o.serialize_field("inhibited", &g.inhibited)?;
        o.serialize_field("flapping", &g.flapping)?;
        o.serialize_field(
            "alerts",
            &Each(|| g.alerts.iter().map(|a| AlertView { a, r })),
        )?;
        o.end()
    }
}

struct AlertView<'a> {
    a: &'a DedupedAlert,
    r: &'a Redactor,
}

impl Serialize for AlertView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (a, r) = (self.a, self.r);
        let mut o = s.serialize_struct("Alert", 11)?;
        o.serialize_field("cluster", &M(a.cluster(), r))?;
        o.serialize_field("labels", &MLabels(&a.alert.labels, r))?;
        o.serialize_field("annotations", &MLabels(&a.alert.annotations, r))?;
        o.serialize_field("state", a.reading.name())?;
        o.serialize_field("reading", &ReadingView(&a.reading, r))?;
        o.serialize_field("silenced_by", &Ms(&a.alert.silenced_by, r))?;
        o.serialize_field("inhibited_by", &Ms(&a.alert.inhibited_by, r))?;
        o.serialize_field("flapping", &a.flapping)?;
        o.serialize_field("severity", &a.severity)?;
        o.serialize_field("starts_at", &a.alert.starts_at)?;
        o.serialize_field("sources", &Ms(&*a.sources, r))?;
        o.end()
    }
}

/// `AlertReading` as its own `Serialize` writes it (tagged by `state`), its text masked.
struct ReadingView<'a>(&'a AlertReading, &'a Redactor);

impl Serialize for ReadingView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.1;
        let mut o = s.serialize_map(None)?;
        o.serialize_entry("state", self.0.name())?;
        match self.0 {
            AlertReading::Firing | AlertReading::Inhibited => {}
            AlertReading::Acked {
                by,
                comment,
                since,
                until,
                silence_id,
            } => {
                o.serialize_entry("by", &M(by, r))?;
                o.serialize_entry("comment", &M(comment, r))?;
                o.serialize_entry("since", since)?;
                o.serialize_entry("until", until)?;
                o.serialize_entry("silence_id", &M(silence_id, r))?;
            }
            AlertReading::Silenced {
                by,
                comment,
                until,
                silence_id,
            } => {
                o.serialize_entry("by", &M(by, r))?;
                o.serialize_entry("comment", &M(comment, r))?;
                o.serialize_entry("until", until)?;
                o.serialize_entry("silence_id", &M(silence_id, r))?;
            }
        }
        o.end()
    }
}

#[derive(Serialize)]
struct LogView<'a> {
    timestamp: DateTime<Utc>,
    source: M<'a>,
    level: Level,
    line: M<'a>,
}
