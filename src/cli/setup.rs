//! The one `Setup` the cockpit and `snapshot` start from, composed from a validated config, the
//! command line and the environment. The shell's composition root: config in, core types out.

use crate::app::state::{Setup, WallOptions};
use crate::config::{Config, ConfigError, paths, validate};
use crate::domain::slo::SloDef;
use crate::ui::BUILTIN_THEMES;
use chrono::Offset;
use std::path::Path;

pub use super::log_setup::log_pane;

/// The command-line flags that change the setup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliOverrides {
    pub read_only: bool,
    /// The war-room layout; implies read-only.
    pub wall: bool,
    pub theme: Option<String>,
    pub no_color: bool,
}

pub fn build_setup(config: &Config, overrides: &CliOverrides) -> Result<Setup, ConfigError> {
    let env = |name: &str| std::env::var(name).ok();
    build_setup_with(config, overrides, &env, paths::user_themes_dir().as_deref())
}

/// `build_setup` with the environment and the user themes dir passed in, for tests.
pub fn build_setup_with(
    config: &Config,
    overrides: &CliOverrides,
    env: &dyn Fn(&str) -> Option<String>,
    user_themes: Option<&Path>,
) -> Result<Setup, ConfigError> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    let user = config
        .general
        .user
        .clone()
        .or_else(|| set("USER"))
        .or_else(|| set("LOGNAME"))
        .unwrap_or_else(|| "unknown".to_string());

    let sources = config.sources().map(|s| s.id()).collect();

    let slos = config
        .slo
        .iter()
        .map(|s| SloDef {
            name: s.name.clone(),
            source: s.source.clone(),
            objective: s.objective / 100.0,
            period: s.period,
        })
        .collect();

    let keymap = validate::keymap(&config.keys)
        .map_err(|p| ConfigError::Setup(format!("[keys]: {}", p.message)))?;

    let theme_names = theme_names(user_themes);
    let (wanted, origin) = if overrides.no_color {
        ("mono".to_string(), "--no-color")
    } else if let Some(t) = &overrides.theme {
        (t.clone(), "--theme")
    } else if set("NO_COLOR").is_some() {
        ("mono".to_string(), "NO_COLOR")
    } else if overrides.wall && config.ui.theme == "default" {
        // Read from across a room: the wall defaults to high contrast.
        ("high-contrast".to_string(), "--wall")
    } else {
        (config.ui.theme.clone(), "[ui] theme")
    };
    let theme_index = theme_names
        .iter()
        .position(|n| *n == wanted)
        .ok_or_else(|| {
            let dir = user_themes
                .map(|d| format!(" or a NAME.toml in {}", d.display()))
                .unwrap_or_default();
            ConfigError::Setup(format!(
                "unknown theme `{wanted}` (from {origin}); available: {}{dir}",
                theme_names.join(", ")
            ))
        })?;

    Ok(Setup {
        user,
        read_only: overrides.read_only || overrides.wall,
        wall: overrides.wall,
        keymap,
        sources,
        slos,
        burn_rules: config.burn_rules().map_err(ConfigError::Setup)?,
        group_by: config.alerts.group_by.clone(),
        dedup_labels: config.alerts.dedup_labels.clone(),
        alert_policy: crate::domain::alerts::AlertPolicy {
            severity: config.alerts.severity.clone(),
            ack_prefix: config.alerts.ack_prefix.clone(),
            summary_annotations: config.alerts.summary_annotations.clone(),
        },
        log_max_lines: config.logs.max_lines,
        log_max_bytes: config.logs.max_bytes,
        theme_names,
        theme_index,
        local_offset: chrono::Local::now().offset().fix(),
        wall_options: WallOptions {
            environment: config.wall.environment.clone(),
            color: config.wall.color.clone(),
            rotate: config.wall.rotate,
        },
        flap: config.alerts.flap.to_domain(),
        notify: config.notify.any(),
        notify_min_interval: config.notify.min_interval,
        acts: crate::actions::acts_setup(config, set("SSH_CONNECTION").as_deref()),
        log: log_pane(config),
        banner: None,
    })
}

/// The built-in themes, then each `NAME.toml` of the user themes dir that is not a built-in name
/// (a file named like a built-in overrides it rather than adding a theme), sorted.
pub fn theme_names(user_themes: Option<&Path>) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN_THEMES.iter().map(|s| s.to_string()).collect();
    let mut extra: Vec<String> = user_themes
        .and_then(|d| std::fs::read_dir(d).ok())
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .filter(|n| !names.contains(n))
        .collect();
    extra.sort();
    names.append(&mut extra);
    names
}
