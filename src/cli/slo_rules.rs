//! `onwatch slo rules [--format prometheus|sloth]`: the configured SLOs as rules, printed to
//! stdout; SLOs it cannot write (a `group_by` SLO: Sloth's rules have no groups) are named on
//! stderr.

use super::{EXIT_CONFIG, EXIT_OK, RulesFormat};
use crate::config::Config;
use crate::domain::sloth_rules::{SloRules, prometheus_rules, sloth_spec};

pub fn print(config: &Config, format: RulesFormat) -> i32 {
    let burn = match config.burn_rules() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("onwatch slo rules: {e}");
            return EXIT_CONFIG;
        }
    };
    let queries: Vec<(&str, String, String, f64, std::time::Duration)> = config
        .slo
        .iter()
        .filter_map(|s| {
            if !s.group_by.is_empty() {
                eprintln!(
                    "onwatch slo rules: {}: left out, it has group_by (Sloth's rules are one series per SLO)",
                    s.name
                );
                return None;
            }
            // Validation has refused an SLO without a usable SLI; none reaches here.
            let (error, total) = s.queries().ok()?;
            Some((s.name.as_str(), error, total, s.objective / 100.0, s.period))
        })
        .collect();
    if queries.is_empty() {
        eprintln!("onwatch slo rules: no [[slo]] to write rules for");
        return super::EXIT_FAILURE;
    }
    let slos: Vec<SloRules<'_>> = queries
        .iter()
        .map(|(name, error, total, objective, period)| SloRules {
            name,
            objective: *objective,
            period: *period,
            error_query: error,
            total_query: total,
        })
        .collect();
    match format {
        RulesFormat::Prometheus => print!("{}", prometheus_rules(&slos, &burn)),
        RulesFormat::Sloth => print!("{}", sloth_spec(&slos)),
    }
    EXIT_OK
}
