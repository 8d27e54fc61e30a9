//! Where each part of the screen goes, chosen from the terminal size.

use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the cockpit shows "terminal too small" instead of unreadable panes.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// From this size on, SLO and alerts sit side by side above the logs.
pub const WIDE_WIDTH: u16 = 140;
pub const WIDE_HEIGHT: u16 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub slo: Rect,
    pub alerts: Rect,
    pub logs: Rect,
    pub footer: Rect,
}

/// The areas for a screen of this size, or `None` when it is below the minimum.
pub fn areas(area: Rect, slo_rows: usize) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    // Borders and the column header take 3 rows around the SLO rows.
    let slo_need = u16::try_from(slo_rows.max(1) + 3).unwrap_or(u16::MAX);
    let (slo, alerts, logs) = if area.width >= WIDE_WIDTH && area.height >= WIDE_HEIGHT {
        let top_h = (body.height * 2 / 5)
            .max(slo_need)
            .min(body.height.saturating_sub(8));
        let [top, logs] =
            Layout::vertical([Constraint::Length(top_h), Constraint::Fill(1)]).areas(body);
        let slo_w = (area.width / 2).min(100);
        let [slo, alerts] =
            Layout::horizontal([Constraint::Length(slo_w), Constraint::Fill(1)]).areas(top);
        (slo, alerts, logs)
    } else {
        let slo_h = slo_need.min(body.height * 2 / 5).max(4);
        let [slo, alerts, logs] = Layout::vertical([
            Constraint::Length(slo_h),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ])
        .areas(body);
        (slo, alerts, logs)
    };
    Some(Areas {
        header,
        slo,
        alerts,
        logs,
        footer,
    })
}

/// First visible row so that `cursor` stays in view of `height` rows.
pub fn scroll_offset(cursor: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    cursor.saturating_sub(height - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_stacks_and_wide_puts_slo_beside_alerts() {
        let a = areas(Rect::new(0, 0, 80, 24), 3).unwrap();
        assert_eq!(a.slo.width, 80);
        assert!(a.slo.y < a.alerts.y && a.alerts.y < a.logs.y);
        assert_eq!(a.slo.height, 6);
        let w = areas(Rect::new(0, 0, 200, 50), 3).unwrap();
        assert_eq!(w.slo.y, w.alerts.y);
        assert!(w.slo.x < w.alerts.x);
        assert!(w.logs.y > w.slo.y && w.logs.width == 200);
        assert!(areas(Rect::new(0, 0, 59, 24), 3).is_none());
        assert!(areas(Rect::new(0, 0, 80, 15), 3).is_none());
    }

    #[test]
    fn scroll_keeps_cursor_visible() {
        assert_eq!(scroll_offset(0, 5), 0);
        assert_eq!(scroll_offset(4, 5), 0);
        assert_eq!(scroll_offset(7, 5), 3);
        assert_eq!(scroll_offset(3, 0), 0);
    }
}
