//! `onwatch timeline export --since 6h`: the recorded timeline as markdown for the postmortem.

use super::{Cli, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK};
use crate::actions::timeline;
use crate::config;
use std::time::Duration;

pub fn export(cli: &Cli, since: Duration) -> i32 {
    // The config only says where the state dir is; without one the default dir is used.
    let loaded = match config::config_path(cli.config.as_deref()) {
        Some(path) => match config::load(&path) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("onwatch: {e}");
                return EXIT_CONFIG;
            }
        },
        None => None,
    };
    let path = timeline::path_for(loaded.as_ref());
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
    print!(
        "{}",
        crate::domain::timeline::export_markdown(&entries, now - back, now)
    );
    EXIT_OK
}
