//! `[alerts]`, `[alerts.flap]` and `[alerts.severity]`: thresholds that must make sense together,
//! and reading rules that cannot be read two ways.

use super::{Checked, Ctx, positive};
use crate::config::locate::Seg;
use crate::config::schema::Config;

pub(super) fn alert_flaps(cx: &Ctx<'_>, config: &Config) -> Checked {
    let f = &config.alerts.flap;
    let at = |k| [Seg::Key("alerts"), Seg::Key("flap"), Seg::Key(k)];
    positive(
        cx,
        &at("sample_period"),
        "[alerts.flap]",
        "sample_period",
        f.sample_period,
    )?;
    if !(f.high_threshold > 0.0 && f.high_threshold <= 100.0) {
        return Err(cx.err(
            &at("high_threshold"),
            "[alerts.flap]",
            "high_threshold must be a percent in (0, 100]",
        ));
    }
    if !(f.low_threshold > 0.0 && f.low_threshold < f.high_threshold) {
        return Err(cx.err(
            &at("low_threshold"),
            "[alerts.flap]",
            "low_threshold must be above 0 and below high_threshold",
        ));
    }
    Ok(())
}

pub(super) fn alert_reading(cx: &Ctx<'_>, config: &Config) -> Checked {
    let a = &config.alerts;
    if a.ack_prefix.trim().is_empty() {
        return Err(cx.err(
            &[Seg::Key("alerts"), Seg::Key("ack_prefix")],
            "[alerts]",
            "ack_prefix must not be empty: every silence would read as an ack",
        ));
    }
    let at = |k| [Seg::Key("alerts"), Seg::Key("severity"), Seg::Key(k)];
    if a.severity.labels.is_empty() {
        return Err(cx.err(
            &at("labels"),
            "[alerts.severity]",
            "labels must name at least one label (\"severity\")",
        ));
    }
    if let Some(why) = a.severity.ambiguous() {
        return Err(cx.err(&at("critical"), "[alerts.severity]", why));
    }
    Ok(())
}
