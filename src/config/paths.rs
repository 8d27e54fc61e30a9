//! Where the config, the user's themes and the state (outbox, audit, timeline) live.
//! Nothing here creates a directory or writes a default: the user's directories are left alone.

use directories::ProjectDirs;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable naming a config file (below `--config`, above the default).
pub const CONFIG_ENV: &str = "ONWATCH_CONFIG";

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "onwatch")
}

/// `<config dir>/config.toml` (`~/.config/onwatch/config.toml` on Linux), whether or not it exists.
pub fn default_config_path() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The config to load: `--config`, else `$ONWATCH_CONFIG`, else the default path if it exists.
pub fn config_path(cli: Option<&Path>) -> Option<PathBuf> {
    config_path_from(
        cli,
        std::env::var_os(CONFIG_ENV),
        default_config_path().as_deref(),
    )
}

/// `config_path` with the environment and the default passed in (tests cannot safely set env vars).
pub fn config_path_from(
    cli: Option<&Path>,
    env: Option<OsString>,
    default: Option<&Path>,
) -> Option<PathBuf> {
    if let Some(p) = cli {
        return Some(p.to_path_buf());
    }
    if let Some(p) = env.filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    default.filter(|p| p.is_file()).map(Path::to_path_buf)
}

/// The directory for the outbox, the audit log and the timeline.
pub fn state_dir() -> PathBuf {
    match dirs() {
        // state_dir is Linux-only; elsewhere the local data dir plays that role
        Some(d) => d
            .state_dir()
            .unwrap_or_else(|| d.data_local_dir())
            .to_path_buf(),
        None => std::env::temp_dir().join("onwatch"),
    }
}

/// Where `onwatch demo` keeps its outbox, audit log and timeline: apart from a real cockpit's.
pub fn demo_state_dir() -> PathBuf {
    state_dir().join("demo")
}

/// `<config dir>/themes`: `NAME.toml` there adds a theme or overrides the built-in of that name.
pub fn user_themes_dir() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("themes"))
}

/// What to say when there is no config to load.
pub fn no_config_message() -> String {
    let default = default_config_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the platform config directory".to_string());
    format!(
        "onwatch: no config file found (looked for --config, ${CONFIG_ENV} and {default}).\n\
         Run `onwatch demo` to try the cockpit on a simulated incident, or\n\
         `onwatch init` to write a commented example config to {default}, then edit it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_beats_env_beats_existing_default() {
        let dir = tempfile::tempdir().unwrap();
        let default = dir.path().join("config.toml");
        let cli = Path::new("/from/cli.toml");
        let env = || Some(OsString::from("/from/env.toml"));

        assert_eq!(
            config_path_from(Some(cli), env(), Some(&default)),
            Some(cli.to_path_buf())
        );
        assert_eq!(
            config_path_from(None, env(), Some(&default)),
            Some(PathBuf::from("/from/env.toml"))
        );
        // the default only counts when it exists; an empty env var counts as unset
        assert_eq!(
            config_path_from(None, Some(OsString::new()), Some(&default)),
            None
        );
        std::fs::write(&default, "").unwrap();
        assert_eq!(
            config_path_from(None, None, Some(&default)),
            Some(default.clone())
        );
    }

    #[test]
    fn no_config_message_names_demo_and_init() {
        let m = no_config_message();
        assert!(
            m.contains("onwatch demo") && m.contains("onwatch init"),
            "{m}"
        );
    }
}
