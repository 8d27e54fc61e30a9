//! The one application state. Changed only by `update`; drawn by `ui::draw` through the
//! read-only helpers in `view`.

use super::msg::ClusterSnapshot;
use crate::domain::act::ActsSetup;
use crate::domain::alerts::{self, AlertGroup, AlertId, DedupedAlert};
use crate::domain::flap::{FlapConfig, FlapTracker};
use crate::domain::health::{SourceHealth, SourceId};
use crate::domain::keymap::Keymap;
use crate::domain::logs::LogBuffer;
use crate::domain::matchers::Filter;
use crate::domain::slo::{BurnRule, SloDef, SloEvaluation, SloOrigin};
use chrono::{DateTime, FixedOffset, Offset, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Slo,
    Alerts,
    Logs,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Slo, Pane::Alerts, Pane::Logs];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Slo => "SLO burn",
            Pane::Alerts => "Alerts",
            Pane::Logs => "Logs",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SloRow {
    pub def: SloDef,
    /// The last good evaluation (kept, dimmed, when a later poll fails).
    pub eval: Option<SloEvaluation>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub origin: SloOrigin,
    /// When `eval` was measured (differs from `fetched_at` once a poll failed for this row).
    pub eval_at: Option<DateTime<Utc>>,
    /// The last measurement behind `eval` (error ratios for the detail view).
    pub measurement: Option<crate::domain::slo::SloMeasurement>,
    /// The exact queries last sent for this SLO.
    pub queries: Vec<String>,
    /// The 1h burn rate over the last day, oldest first (the sparkline).
    pub burn_history: Vec<f64>,
    pub graph_url: Option<String>,
    /// The SLO with `group_by` this row is one group of.
    pub family: Option<String>,
    /// Its own burn-rate rules (a discovered Pyrra SLO); empty: the cockpit's.
    pub rules: Vec<BurnRule>,
}

impl SloRow {
    /// The burn-rate rules its status follows: its own, else the cockpit's.
    pub fn rules_or<'a>(&'a self, cockpit: &'a [BurnRule]) -> &'a [BurnRule] {
        if self.rules.is_empty() {
            cockpit
        } else {
            &self.rules
        }
    }

    pub fn new(def: SloDef, origin: SloOrigin) -> Self {
        SloRow {
            def,
            eval: None,
            fetched_at: None,
            error: None,
            origin,
            eval_at: None,
            measurement: None,
            queries: Vec::new(),
            burn_history: Vec::new(),
            graph_url: None,
            family: None,
            rules: Vec::new(),
        }
    }
}

/// What the cockpit is started with, derived from the config and the command line. The
/// cockpit and `snapshot` build their State from it alike, through `State::new`.
#[derive(Clone, Debug)]
pub struct Setup {
    pub user: String,
    pub read_only: bool,
    pub wall: bool,
    pub keymap: Keymap,
    pub sources: Vec<SourceId>,
    pub slos: Vec<SloDef>,
    pub burn_rules: Vec<BurnRule>,
    pub group_by: Vec<String>,
    pub dedup_labels: Vec<String>,
    pub alert_policy: alerts::AlertPolicy,
    pub log_max_lines: usize,
    pub log_max_bytes: usize,
    pub theme_names: Vec<String>,
    pub theme_index: usize,
    /// The local time zone's offset, read once at start (the header shows UTC and local).
    pub local_offset: FixedOffset,
    pub wall_options: WallOptions,
    pub flap: FlapConfig,
    /// Page notifications on (`[notify]` has a channel), and at most one per this interval.
    pub notify: bool,
    pub notify_min_interval: Duration,
    pub acts: ActsSetup,
    /// The logs pane's views, toggles, alert templates and trace links.
    pub log: LogPane,
    /// Shown in the footer at start (the demo's URLs).
    pub banner: Option<String>,
}

impl Default for Setup {
    fn default() -> Self {
        let notify = super::notify::NotifyState::default();
        Self {
            user: "unknown".into(),
            read_only: false,
            wall: false,
            keymap: Keymap::default(),
            sources: Vec::new(),
            slos: Vec::new(),
            burn_rules: crate::domain::slo::default_rules(),
            group_by: vec!["alertname".into()],
            dedup_labels: vec!["replica".into(), "prometheus_replica".into()],
            alert_policy: alerts::AlertPolicy::default(),
            log_max_lines: 10_000,
            log_max_bytes: 16 << 20,
            theme_names: vec!["default".into()],
            theme_index: 0,
            local_offset: Utc.fix(),
            wall_options: WallOptions::default(),
            flap: FlapConfig::default(),
            notify: notify.enabled,
            notify_min_interval: notify.min_interval,
            acts: ActsSetup::default(),
            log: LogPane::default(),
            banner: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help,
    /// Quit asked while a page is active: `y` quits, anything else stays.
    ConfirmQuit,
    /// The detail view of the selected alert.
    AlertDetail(Box<DedupedAlert>),
    /// The detail view of one SLO: (source, name).
    SloDetail(String, String),
}

/// A line of text being typed (filter or command).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
    /// A note for the incident timeline.
    Note,
}

#[derive(Debug)]
pub struct Input {
    pub kind: InputKind,
    pub edit: super::line_edit::LineEdit,
}

impl Input {
    pub fn text(&self) -> &str {
        self.edit.text()
    }
}

/// The war-room wall's options (from the config's `[wall]` table).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WallOptions {
    /// The environment banner's text, e.g. `PROD`.
    pub environment: Option<String>,
    /// The banner's colour (a colour name or `#rrggbb`); a red frame for prod.
    pub color: Option<String>,
    /// Rotate the wall's lower half between alert groups and logs on this interval.
    pub rotate: Option<Duration>,
}

/// One visible row of the alerts pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertRow {
    Group(usize),
    Alert(usize, usize),
}

#[derive(Debug)]
pub struct State {
    pub now: DateTime<Utc>,
    pub user: String,
    pub read_only: bool,
    pub wall: bool,
    pub keymap: Keymap,
    pub focus: Pane,
    pub overlay: Option<Overlay>,
    /// Lines the open overlay is scrolled down (help, detail views); 0 when one opens.
    pub overlay_scroll: usize,
    pub input: Option<Input>,
    /// The filters and commands entered this session, for ↑/↓ in the input line.
    pub input_history: super::history::InputHistory,
    /// The footer's message: the last action's result.
    pub status: Option<String>,
    pub size: (u16, u16),
    pub theme_names: Vec<String>,
    pub theme_index: usize,
    pub quit: bool,
    pub local_offset: FixedOffset,
    pub wall_options: WallOptions,
    /// Set while `:wall` is on: the read-only flag to restore when it is turned off.
    pub read_only_before_wall: Option<bool>,
    /// Alerts present at the last regroup, with their timeline names, to record in the
    /// timeline when each first fires and when it resolves.
    pub timeline_seen: HashSet<AlertId>,
    /// Ack silences already in the timeline, (cluster, silence id): recorded once.
    pub acks_recorded: HashSet<(String, String)>,
    /// What the last poll of each cluster showed of its silences (the timeline says changes).
    pub silences_seen: BTreeMap<String, HashMap<String, crate::domain::silence_changes::Seen>>,
    /// Timeline entries made by the last message, handed out by `update` as `Effect::Record`.
    pub records: Vec<crate::domain::timeline::Entry>,

    pub sources: Vec<SourceHealth>,

    pub slos: Vec<SloRow>,
    pub burn_rules: Vec<BurnRule>,
    pub slo_cursor: usize,
    /// The SLO the cursor is on, (source, name): rows re-sort as they burn, the cursor does not
    /// move to another SLO with them.
    pub slo_selected: Option<(String, String)>,
    /// `/` in the SLO pane: rows whose name, source or origin contain it (any case).
    pub slo_filter: String,

    /// Last good snapshot per Alertmanager cluster (`set_cluster`).
    pub clusters: BTreeMap<String, Arc<ClusterSnapshot>>,
    /// Per cluster, the alerts of that snapshot deduplicated (once, when it arrived).
    pub deduped: BTreeMap<String, Vec<DedupedAlert>>,
    pub group_by: Vec<String>,
    pub dedup_labels: Vec<String>,
    /// Where severities are read from and which silences are acks.
    pub alert_policy: alerts::AlertPolicy,
    /// Derived from `deduped` on every alert update (filtered, grouped, sorted).
    pub groups: Vec<AlertGroup>,
    pub expanded: BTreeSet<String>,
    pub show_silenced: bool,
    pub alert_filter: String,
    /// `alert_filter` parsed (Alertmanager matchers plus `@state`, `@age`, `@cluster`).
    pub alert_matchers: Filter,
    /// When an `@age` term of the filter next changes what the pane shows: the tick regroups
    /// then (and only then), so an alert crossing the age boundary between polls is not late.
    pub filter_due: Option<DateTime<Utc>>,
    /// Why the filter being typed was refused (shown by the input; the input stays open).
    pub input_error: Option<String>,
    /// Where the selected row is drawn; derived from `alert_selected` after every regroup.
    pub alert_cursor: usize,
    /// What the cursor is on, by identity (`selection`).
    pub alert_selected: Option<super::selection::RowId>,
    /// The order of the groups and their alerts (`o` cycles).
    pub alert_sort: alerts::AlertSort,
    /// Pages the cursor has been on: the header counts the others as new.
    pub pages_seen: HashSet<AlertId>,
    /// Flap detection (`[alerts.flap]`) and each alert identity's sample history.
    pub flap_config: FlapConfig,
    pub flaps: FlapTracker<AlertId>,
    /// The alerts present (firing, silenced or not) in the last snapshots.
    pub present: Vec<AlertId>,
    /// Page-worthy alerts of the last regroup (critical, firing, not flapping), filter or not.
    pub page_worthy: Vec<super::notify::PageCandidate>,
    pub notify: super::notify::NotifyState,

    pub logs: LogBuffer,
    /// Highest log sequence number applied, per source.
    pub log_seq: BTreeMap<String, u64>,
    pub follow: bool,
    /// Lines scrolled up from the bottom while paused.
    pub log_scroll: usize,
    pub log_filter: String,

    /// Ack, un-ack, escalate and runbook: dialogs, views, pending requests.
    pub acts: super::acts::Acts,
    /// The logs pane's views, filter, toggles and alert templates.
    pub log: LogPane,
}

pub use super::log_pane::{AlertTemplate, LogPane, LogView};

impl State {
    pub fn new(setup: Setup, now: DateTime<Utc>) -> Self {
        Self {
            now,
            user: setup.user,
            read_only: setup.read_only || setup.wall,
            wall: setup.wall,
            keymap: setup.keymap,
            focus: Pane::Alerts,
            overlay: None,
            overlay_scroll: 0,
            input: None,
            input_history: Default::default(),
            status: setup.banner,
            size: (80, 24),
            theme_names: setup.theme_names,
            theme_index: setup.theme_index,
            quit: false,
            local_offset: setup.local_offset,
            wall_options: setup.wall_options,
            read_only_before_wall: None,
            timeline_seen: HashSet::new(),
            acks_recorded: HashSet::new(),
            silences_seen: BTreeMap::new(),
            records: Vec::new(),
            sources: setup.sources.into_iter().map(SourceHealth::new).collect(),
            slos: setup
                .slos
                .into_iter()
                .map(|def| SloRow::new(def, SloOrigin::Config))
                .collect(),
            burn_rules: setup.burn_rules,
            slo_cursor: 0,
            slo_selected: None,
            slo_filter: String::new(),
            clusters: BTreeMap::new(),
            deduped: BTreeMap::new(),
            group_by: setup.group_by,
            dedup_labels: setup.dedup_labels,
            alert_policy: setup.alert_policy,
            groups: Vec::new(),
            expanded: BTreeSet::new(),
            show_silenced: false,
            alert_filter: String::new(),
            alert_matchers: Filter::default(),
            filter_due: None,
            input_error: None,
            alert_cursor: 0,
            alert_selected: None,
            alert_sort: alerts::AlertSort::default(),
            pages_seen: HashSet::new(),
            flap_config: setup.flap,
            flaps: FlapTracker::default(),
            present: Vec::new(),
            page_worthy: Vec::new(),
            notify: super::notify::NotifyState {
                enabled: setup.notify,
                min_interval: setup.notify_min_interval,
                ..Default::default()
            },
            logs: LogBuffer::new(setup.log_max_lines, setup.log_max_bytes),
            log_seq: BTreeMap::new(),
            follow: true,
            log_scroll: 0,
            log_filter: String::new(),
            acts: super::acts::Acts::new(setup.acts),
            log: setup.log,
        }
    }

    /// Opens an overlay at its top.
    pub fn open_overlay(&mut self, overlay: Overlay) {
        self.overlay = Some(overlay);
        self.overlay_scroll = 0;
    }

    pub fn health(&self, id: &SourceId) -> Option<&SourceHealth> {
        self.sources.iter().find(|h| &h.id == id)
    }

    /// True while some SLO pages or a critical alert fires unacknowledged: quitting asks first.
    pub fn page_active(&self) -> bool {
        let slo_page = self.slos.iter().any(|r| {
            r.eval
                .as_ref()
                .is_some_and(|e| e.status == crate::domain::slo::SloStatus::Page)
        });
        let crit = self.groups.iter().flat_map(|g| &g.alerts).any(|a| {
            a.severity == alerts::Severity::Critical && a.reading == alerts::AlertReading::Firing
        });
        slo_page || crit
    }

    /// What alerts are grouped by: the configured labels, and the Alertmanager cluster when
    /// there are several, so the same alert from two clusters stays two rows.
    pub fn grouping(&self) -> Vec<String> {
        let mut by = self.group_by.clone();
        if self.clusters.len() > 1 && !by.iter().any(|l| l == alerts::CLUSTER) {
            by.push(alerts::CLUSTER.into());
        }
        by
    }

    /// Takes a cluster's new snapshot. Its alerts are deduplicated here, once per snapshot,
    /// and kept beside it for every regroup, dialog preview and ack settling until the next.
    pub fn set_cluster(&mut self, name: String, snapshot: Arc<ClusterSnapshot>) {
        let previous = self.deduped.remove(&name).unwrap_or_default();
        let deduped = alerts::dedup_since(
            &snapshot.observations,
            &previous,
            &self.dedup_labels,
            |_| snapshot.silences.as_slice(),
            &self.alert_policy,
        );
        self.deduped.insert(name.clone(), deduped);
        self.clusters.insert(name, snapshot);
        self.regroup();
    }

    /// The deduplicated alerts of a cluster's last good snapshot (silenced ones too).
    pub fn cluster_alerts(&self, cluster: &str) -> &[DedupedAlert] {
        self.deduped.get(cluster).map_or(&[], Vec::as_slice)
    }

    /// Recomputes `groups` from the clusters' deduplicated alerts: flap marks, the timeline's
    /// arrivals, the page-worthy list, then the filter and the grouping.
    pub fn regroup(&mut self) {
        let now = self.now;
        let flaps = &self.flaps;
        let all = || self.deduped.values().flatten();
        // Alertmanager hides resolved alerts; an end in the past is a resolution on its way.
        let live = |a: &&DedupedAlert| a.alert.ends_at.is_none_or(|e| e > now);
        self.present.clear();
        self.present
            .extend(all().filter(live).map(|a| a.id.clone()));
        record_arrivals(
            &mut self.timeline_seen,
            &mut self.records,
            all().filter(live),
            now,
        );
        self.page_worthy = all()
            .filter(|a| super::notify::is_page_worthy(a, now) && !flaps.is_flapping(&a.id))
            .filter(|a| !super::view::is_repeat_of_original(self, a))
            .map(|a| super::notify::PageCandidate::from_alert(a, &self.alert_policy))
            .collect();
        let filter = &self.alert_matchers;
        // A filter that names states decides visibility itself.
        let show_all = self.show_silenced || filter.mentions_state();
        let mut due: Option<DateTime<Utc>> = None;
        let shown: Vec<DedupedAlert> = all()
            .filter(|a| {
                show_all || a.reading == alerts::AlertReading::Firing || a.reading.name() == "acked"
            })
            .map(|a| DedupedAlert {
                flapping: flaps.is_flapping(&a.id),
                ..a.clone()
            })
            .filter(|a| {
                if let Some(at) = filter.next_age_change(a, now) {
                    due = Some(due.map_or(at, |d| d.min(at)));
                }
                filter.matches(a, now)
            })
            .collect();
        self.filter_due = due;
        let by = self.grouping();
        self.groups = alerts::sort_groups(alerts::group(shown, &by), self.alert_sort);
        if !self.pages_seen.is_empty() {
            // A page that stopped (acked, resolved) and fires again is new again.
            let live: HashSet<&AlertId> = self.page_worthy.iter().map(|p| &p.id).collect();
            self.pages_seen.retain(|id| live.contains(id));
        }
        self.reselect();
        self.refresh_detail();
    }

    /// Takes a flap sample of every alert identity when one is due (driven by ticks and source
    /// updates with the injected clock). Identities of a cluster that cannot be read are not
    /// sampled: unreachable is not resolved. Regroups when a flag changed.
    pub fn sample_flaps(&mut self) {
        if !self.flaps.is_due(self.now, &self.flap_config) {
            return;
        }
        let stale: BTreeSet<&str> = self
            .sources
            .iter()
            .filter(|h| {
                h.id.kind == crate::domain::health::SourceKind::Alertmanager
                    && (h.last_error.is_some() || h.last_ok.is_none())
            })
            .map(|h| h.id.name.as_str())
            .collect();
        let frozen = |id: &AlertId| stale.contains(id.cluster());
        let changed = self
            .flaps
            .sample(self.now, &self.present, frozen, &self.flap_config);
        if changed {
            self.regroup();
        }
    }
}

/// Timeline: alerts present now and not before fired; those gone resolved.
fn record_arrivals<'a>(
    seen: &mut HashSet<AlertId>,
    records: &mut Vec<crate::domain::timeline::Entry>,
    present: impl Iterator<Item = &'a DedupedAlert>,
    now: DateTime<Utc>,
) {
    use crate::domain::timeline::{Entry, Event, STORM_AT, alert_name, storm_counts};
    let mut now_seen = HashSet::with_capacity(seen.len());
    let mut arrived: BTreeMap<&str, Vec<&DedupedAlert>> = BTreeMap::new();
    for a in present {
        // Known alerts move over as they are; a name is written only for an entry.
        match seen.take(&a.id) {
            Some(id) => {
                now_seen.insert(id);
            }
            None => arrived.entry(a.id.cluster()).or_default().push(a),
        }
    }
    for (cluster, alerts) in arrived {
        let storm = alerts.len() > STORM_AT;
        if storm {
            let (by_severity, by_alert) =
                storm_counts(alerts.iter().map(|a| (a.severity.label(), a.identity())));
            records.push(Entry {
                at: now,
                event: Event::Storm {
                    cluster: cluster.to_string(),
                    fired: alerts.len(),
                    resolved: 0,
                    by_severity,
                    by_alert,
                },
            });
        }
        for a in alerts {
            if !storm {
                records.push(Entry {
                    at: now,
                    event: Event::AlertFiring {
                        alert: alert_name(a.identity()),
                        cluster: cluster.to_string(),
                        severity: a.severity.label().to_string(),
                        labels: a.identity().to_map(),
                    },
                });
            }
            now_seen.insert(a.id.clone());
        }
    }
    // What is left was not seen this time: resolved.
    let mut resolved: BTreeMap<String, Vec<AlertId>> = BTreeMap::new();
    for id in std::mem::replace(seen, now_seen) {
        resolved
            .entry(id.cluster().to_string())
            .or_default()
            .push(id);
    }
    for (cluster, alerts) in resolved {
        if alerts.len() > STORM_AT {
            records.push(Entry {
                at: now,
                event: Event::Storm {
                    cluster,
                    fired: 0,
                    resolved: alerts.len(),
                    // What resolved is known by name only: the alerts are gone.
                    by_severity: BTreeMap::new(),
                    by_alert: BTreeMap::new(),
                },
            });
            continue;
        }
        for id in alerts {
            let cluster = cluster.clone();
            records.push(Entry {
                at: now,
                event: Event::AlertResolved {
                    alert: alert_name(id.labels()),
                    cluster,
                },
            });
        }
    }
}
