//! `onwatch timeline export --since 6h`: the recorded timeline as markdown for the postmortem.

use super::{Cli, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK};
use crate::actions::timeline;
use crate::config;
use std::path::PathBuf;
use std::time::Duration;

/// Prints the markdown of the last `since`, read from the demo's state dir (`demo`), from
/// `state_dir`, else from the config's. With nothing to show it says which file it read.
pub fn export(cli: &Cli, since: Duration, demo: bool, state_dir: Option<PathBuf>) -> i32 {
    let path = match (demo, state_dir) {
        (true, _) => timeline::path_in(&config::demo_state_dir()),
        (false, Some(dir)) => timeline::path_in(&dir),
        (false, None) => match configured_path(cli) {
            Ok(p) => p,
            Err(code) => return code,
        },
    };
    let (entries, skipped) = match timeline::read(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("onwatch timeline: cannot read {}: {e}", path.display());
            return EXIT_FAILURE;
        }
    };
    if skipped > 0 {
        eprintln!(
            "onwatch timeline: skipped {skipped} unreadable lines of {}",
            path.display()
        );
    }
    let now = chrono::Utc::now();
    let Ok(back) = chrono::Duration::from_std(since) else {
        eprintln!("onwatch timeline: --since is too long");
        return EXIT_CONFIG;
    };
    let from = now - back;
    print!(
        "{}",
        crate::domain::timeline::export_markdown(&entries, from, now)
    );
    if !entries.iter().any(|e| e.at >= from && e.at <= now) {
        // An empty export must not look like a quiet night when it read the wrong file.
        let window = crate::domain::duration::label(since);
        if path.is_file() {
            eprintln!(
                "onwatch timeline: no events in the last {window} in {} ({} in all)",
                path.display(),
                entries.len()
            );
        } else {
            let demo_hint = if demo {
                ""
            } else {
                " (the demo's timeline is read with --demo)"
            };
            eprintln!(
                "onwatch timeline: {} does not exist: nothing was recorded there{demo_hint}",
                path.display()
            );
        }
    }
    EXIT_OK
}

/// The timeline of the config's state dir; the config only says where that is, and without
/// one the default dir is used.
fn configured_path(cli: &Cli) -> Result<PathBuf, i32> {
    let loaded = match config::config_path(cli.config.as_deref()) {
        Some(path) => match config::load(&path) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("onwatch: {e}");
                return Err(EXIT_CONFIG);
            }
        },
        None => None,
    };
    Ok(timeline::path_for(loaded.as_ref()))
}
