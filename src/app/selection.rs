//! The alerts cursor is an identity, not a row number: a poll, a regroup, a filter or a sort
//! that moves rows keeps the cursor on the same alert or group, so a key never acts on the
//! alert that happened to slide under it. `alert_cursor` is only where that identity is drawn.

use super::state::{AlertRow, Overlay, Pane, State};
use crate::domain::alerts::{AlertGroup, AlertId, DedupedAlert, Labels};

/// What the alerts cursor is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowId {
    /// A group, by its group-by label values.
    Group(Labels),
    Alert(AlertId),
}

/// What an action key acts on: a whole group or one alert, copied from the live state.
#[derive(Clone, Debug)]
pub struct ActionTarget {
    pub alerts: Vec<DedupedAlert>,
    pub is_group: bool,
}

impl State {
    pub fn row_id(&self, row: AlertRow) -> Option<RowId> {
        match row {
            AlertRow::Group(g) => Some(RowId::Group(self.groups.get(g)?.labels.clone())),
            AlertRow::Alert(g, a) => {
                Some(RowId::Alert(self.groups.get(g)?.alerts.get(a)?.id.clone()))
            }
        }
    }

    fn row_is(&self, row: AlertRow, id: &RowId) -> bool {
        match (row, id) {
            (AlertRow::Group(g), RowId::Group(labels)) => self.groups[g].labels == *labels,
            (AlertRow::Alert(g, a), RowId::Alert(id)) => self.groups[g].alerts[a].id == *id,
            _ => false,
        }
    }

    /// Puts the cursor on row `i` and remembers what is there.
    pub fn select_row(&mut self, i: usize) {
        let rows = self.alert_rows();
        if let Some(row) = rows.get(i) {
            self.alert_cursor = i;
            self.alert_selected = self.row_id(*row);
            self.mark_seen();
        }
    }

    /// After the rows changed: the cursor goes back to the selected identity. An alert in a
    /// group that was collapsed is found on its group's row; one that is gone leaves the
    /// cursor on the row that took its place, and the footer says it resolved.
    pub(super) fn reselect(&mut self) {
        let rows = self.alert_rows();
        if rows.is_empty() {
            self.alert_cursor = 0;
            return;
        }
        let Some(selected) = self.alert_selected.clone() else {
            self.select_row(self.alert_cursor.min(rows.len() - 1));
            return;
        };
        if let Some(i) = rows.iter().position(|r| self.row_is(*r, &selected)) {
            self.alert_cursor = i;
            self.mark_seen();
            return;
        }
        if let RowId::Alert(id) = &selected
            && let Some(g) = self
                .groups
                .iter()
                .position(|g| g.alerts.iter().any(|a| a.id == *id))
            && let Some(i) = rows.iter().position(|r| *r == AlertRow::Group(g))
        {
            self.alert_cursor = i;
            self.alert_selected = Some(RowId::Group(self.groups[g].labels.clone()));
            return;
        }
        self.select_row(self.alert_cursor.min(rows.len() - 1));
        if let RowId::Alert(id) = &selected {
            let name = id.labels().get("alertname").unwrap_or("alert");
            let now_on = self.cursor_name();
            let why = if self.present.contains(id) {
                "is hidden"
            } else {
                "resolved"
            };
            self.status = Some(format!("{name} {why}; cursor moved to {now_on}"));
        }
    }

    /// The detail view shows its alert as the last poll has it (acked, silenced, flapping);
    /// one that resolved stays as it was last seen.
    pub(super) fn refresh_detail(&mut self) {
        let Some(Overlay::AlertDetail(shown)) = &self.overlay else {
            return;
        };
        let live = self
            .groups
            .iter()
            .flat_map(|g| &g.alerts)
            .find(|a| a.id == shown.id)
            .cloned();
        if let (Some(a), Some(Overlay::AlertDetail(shown))) = (live, self.overlay.as_mut()) {
            **shown = a;
        }
    }

    /// What the row under the cursor is called, for the footer.
    fn cursor_name(&self) -> String {
        match self.alert_rows().get(self.alert_cursor) {
            Some(AlertRow::Alert(g, a)) => alert_name(&self.groups[*g].alerts[*a]).to_string(),
            Some(AlertRow::Group(g)) => group_name(&self.groups[*g]),
            None => "nothing".into(),
        }
    }

    /// The cursor is on this page (its row, or the row of a group of that one alert): it is
    /// no longer new.
    fn mark_seen(&mut self) {
        let id = match &self.alert_selected {
            Some(RowId::Alert(id)) => id.clone(),
            Some(RowId::Group(labels)) => match self.groups.iter().find(|g| g.labels == *labels) {
                Some(g) if g.alerts.len() == 1 => g.alerts[0].id.clone(),
                _ => return,
            },
            None => return,
        };
        self.pages_seen.insert(id);
    }

    /// Puts the SLO cursor on row `i` of the pane's order and remembers which SLO it is.
    pub fn select_slo_row(&mut self, i: usize) {
        let order = self.slo_order();
        if let Some(row) = order.get(i).and_then(|&r| self.slos.get(r)) {
            self.slo_selected = Some((row.def.source.clone(), row.def.name.clone()));
            self.slo_cursor = i;
        }
    }

    /// After the SLO rows changed: the cursor back on the selected SLO, if it is still shown.
    pub fn reselect_slo(&mut self) {
        let order = self.slo_order();
        let found = self.slo_selected.as_ref().and_then(|(source, name)| {
            order.iter().position(|&r| {
                let d = &self.slos[r].def;
                d.source == *source && d.name == *name
            })
        });
        match found {
            Some(i) => self.slo_cursor = i,
            None => self.select_slo_row(self.slo_cursor.min(order.len().saturating_sub(1))),
        }
    }

    /// How many unacknowledged pages (filtered out or not) the cursor has not been on yet.
    pub fn new_pages(&self) -> usize {
        self.page_worthy
            .iter()
            .filter(|p| !self.pages_seen.contains(&p.id))
            .count()
    }

    /// `N`: the newest unacknowledged page, new or not, selected on its own row (its group
    /// expanded, the filter cleared when it hid it), with the alerts pane focused.
    pub fn select_newest_page(&mut self) {
        let newest = self
            .page_worthy
            .iter()
            .max_by(|a, b| {
                a.starts_at
                    .cmp(&b.starts_at)
                    .then_with(|| b.id.labels().cmp(a.id.labels()))
            })
            .map(|p| p.id.clone());
        let Some(id) = newest else {
            self.status = Some("no unacknowledged page".into());
            return;
        };
        self.overlay = None;
        self.focus = Pane::Alerts;
        let mut note = String::new();
        if !self
            .groups
            .iter()
            .any(|g| g.alerts.iter().any(|a| a.id == id))
        {
            self.alert_filter.clear();
            self.alert_matchers = Default::default();
            self.regroup();
            note = " (filter cleared to show it)".into();
        }
        if let Some(g) = self
            .groups
            .iter()
            .find(|g| g.alerts.iter().any(|a| a.id == id))
        {
            self.expanded.insert(g.key());
        }
        self.alert_selected = Some(RowId::Alert(id.clone()));
        self.reselect();
        let name = id.labels().get("alertname").unwrap_or("alert");
        let left = self.new_pages();
        let more = if left > 0 {
            format!("; {left} more new")
        } else {
            String::new()
        };
        self.status = Some(format!(
            "page: {name} ({}){note}{more}; a to ack",
            id.cluster()
        ));
    }

    /// What the action keys act on: the alert of an open detail view, else the row under the
    /// cursor while the alerts pane has focus.
    pub fn action_target(&self) -> Option<ActionTarget> {
        if let Some(Overlay::AlertDetail(a)) = &self.overlay {
            return Some(ActionTarget {
                alerts: vec![(**a).clone()],
                is_group: false,
            });
        }
        if self.focus != Pane::Alerts {
            return None;
        }
        match self.alert_rows().get(self.alert_cursor)? {
            AlertRow::Group(g) => Some(ActionTarget {
                alerts: self.groups.get(*g)?.alerts.clone(),
                is_group: true,
            }),
            AlertRow::Alert(g, a) => Some(ActionTarget {
                alerts: vec![self.groups.get(*g)?.alerts.get(*a)?.clone()],
                is_group: false,
            }),
        }
    }
}

fn alert_name(a: &DedupedAlert) -> &str {
    a.identity().get("alertname").unwrap_or("alert")
}

fn group_name(g: &AlertGroup) -> String {
    let values: Vec<&str> = g.labels.values().map(String::as_str).collect();
    format!("group {}", values.join(" "))
}
