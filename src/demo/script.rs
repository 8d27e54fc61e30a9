//! The ten-minute script, in scenario seconds from the start of each loop.
//!
//! 0–60 calm; 60–90 checkout errors ramp up; 90–390 the checkout incident (log storm, critical
//! alert, page); 390–420 recovery; 420–600 calm. Before scenario time 0 there is only the steady
//! history, so the first loop starts from a clean 30-day record.

/// Length of one loop of the script.
pub const CYCLE: f64 = 600.0;
pub const INCIDENT_RAMP_START: f64 = 60.0;
pub const INCIDENT_FULL: f64 = 90.0;
pub const INCIDENT_RECOVERY: f64 = 390.0;
pub const INCIDENT_END: f64 = 420.0;
/// The critical alert fires a little after errors climb (its `for:`) and clears after recovery.
pub const CRITICAL_FIRES: f64 = 100.0;
pub const CRITICAL_RESOLVES: f64 = 430.0;
/// The flapping alert fires for the first half of every period.
pub const FLAP_PERIOD: f64 = 100.0;
/// When the slow payments burn began, before the scenario (5 days).
pub const PAYMENTS_BURN_SINCE: f64 = -5.0 * 86_400.0;

/// Position within the current loop, or None before the scenario starts.
pub fn phase(s: f64) -> Option<f64> {
    (s >= 0.0).then(|| s.rem_euclid(CYCLE))
}

/// Start of the loop containing `s` (0 before the scenario).
pub fn cycle_start(s: f64) -> f64 {
    if s < 0.0 {
        0.0
    } else {
        (s / CYCLE).floor() * CYCLE
    }
}

/// How hard the checkout incident hits, 0 (calm) to 1 (full outage of a share of requests).
pub fn incident_intensity(s: f64) -> f64 {
    let Some(p) = phase(s) else { return 0.0 };
    if !(INCIDENT_RAMP_START..INCIDENT_END).contains(&p) {
        0.0
    } else if p < INCIDENT_FULL {
        (p - INCIDENT_RAMP_START) / (INCIDENT_FULL - INCIDENT_RAMP_START)
    } else if p < INCIDENT_RECOVERY {
        1.0
    } else {
        (INCIDENT_END - p) / (INCIDENT_END - INCIDENT_RECOVERY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intensity_follows_the_script_and_loops() {
        assert_eq!(incident_intensity(-10.0), 0.0);
        assert_eq!(incident_intensity(30.0), 0.0);
        assert!((incident_intensity(75.0) - 0.5).abs() < 1e-9);
        assert_eq!(incident_intensity(200.0), 1.0);
        assert_eq!(incident_intensity(200.0 + 3.0 * CYCLE), 1.0);
        assert_eq!(incident_intensity(500.0), 0.0);
        assert_eq!(phase(-1.0), None);
        assert_eq!(cycle_start(1250.0), 1200.0);
    }
}
