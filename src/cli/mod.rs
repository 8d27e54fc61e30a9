//! Commands of the binary: the cockpit, demo, init, check, snapshot.

mod args;
mod check;
mod check_local;
mod cockpit;
mod demo;
mod effects;
mod job;
mod log_setup;
mod logging;
pub mod notify;
pub mod setup;
mod silence;
mod silence_act;
mod slo_rules;
mod snapshot;
mod timeline;

pub use args::{
    Cli, Command, ListFormat, RulesFormat, SilenceActArgs, SilenceCommand, SloCommand,
    SnapshotFormat, TimelineCommand,
};

use crate::config::{self, Config, ConfigError};
use setup::CliOverrides;
use std::path::PathBuf;

/// Exit codes: 0 fine, 1 a failure at run time (a probe failed), 2 a config error or some source
/// failed in `snapshot`.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILURE: i32 = 1;
pub const EXIT_CONFIG: i32 = 2;
/// `snapshot`: some source did not answer.
pub const EXIT_PARTIAL: i32 = 2;

pub fn run(cli: Cli) -> i32 {
    let _log_guard = match logging::init(cli.log_file.as_deref()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("onwatch: cannot open log file: {e}");
            return EXIT_CONFIG;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("onwatch: cannot start the runtime: {e}");
            return EXIT_FAILURE;
        }
    };
    match cli.command.clone() {
        None => match load_config(&cli) {
            Ok((config, _)) => runtime.block_on(cockpit::run(&cli, config, None)),
            Err(code) => code,
        },
        Some(Command::Demo {
            serve,
            write_config,
            seed,
            speed,
        }) => runtime.block_on(demo::run(&cli, serve, write_config, seed, speed)),
        Some(Command::Init { path }) => init(path),
        Some(Command::Check) => match load_config(&cli) {
            Ok((config, path)) => runtime.block_on(check::run(&config, &path)),
            Err(code) => code,
        },
        Some(Command::Timeline {
            command:
                TimelineCommand::Export {
                    since,
                    demo,
                    state_dir,
                },
        }) => timeline::export(&cli, since, demo, state_dir),
        Some(Command::Snapshot {
            format,
            size,
            settle,
        }) => match load_config(&cli) {
            Ok((config, _)) => runtime.block_on(snapshot::run(&cli, &config, format, size, settle)),
            Err(code) => code,
        },
        Some(Command::Slo {
            command: SloCommand::Rules { format },
        }) => match load_config(&cli) {
            Ok((config, _)) => slo_rules::print(&config, format),
            Err(code) => code,
        },
        Some(Command::Silence { command }) => match load_config(&cli) {
            Ok((config, _)) => runtime.block_on(silence_act::run(&cli, &config, command)),
            Err(code) => code,
        },
    }
}

fn overrides(cli: &Cli) -> CliOverrides {
    CliOverrides {
        read_only: cli.read_only,
        wall: cli.wall,
        theme: cli.theme.clone(),
        no_color: cli.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    }
}

/// A state for a headless command (`snapshot`, `silence`), from the config as the cockpit
/// builds its own; on failure the error is printed and the exit code returned.
fn headless_state(cli: &Cli, config: &Config) -> Result<crate::app::State, i32> {
    match setup::build_setup(config, &overrides(cli)) {
        Ok(s) => Ok(crate::app::State::new(s, chrono::Utc::now())),
        Err(e) => {
            eprintln!("onwatch: {e}");
            Err(EXIT_CONFIG)
        }
    }
}

/// Finds and loads the config, printing the error and returning the exit code on failure.
fn load_config(cli: &Cli) -> Result<(Config, PathBuf), i32> {
    let Some(path) = config::config_path(cli.config.as_deref()) else {
        eprintln!("{}", config::no_config_message());
        return Err(EXIT_CONFIG);
    };
    match config::load(&path) {
        Ok(c) => Ok((c, path)),
        Err(e) => {
            report_config_error(&e);
            Err(EXIT_CONFIG)
        }
    }
}

fn report_config_error(e: &ConfigError) {
    eprintln!("onwatch: {e}");
}

fn init(path: Option<PathBuf>) -> i32 {
    let given = path.is_some();
    let Some(path) = path.or_else(config::default_config_path) else {
        eprintln!("onwatch init: no config directory on this system; give a PATH");
        return EXIT_FAILURE;
    };
    match config::init(&path) {
        Ok(()) => {
            // The exact next command: a PATH given is not where `check` looks by default.
            let next = if given && Some(&path) != config::default_config_path().as_ref() {
                format!("onwatch --config {} check", path.display())
            } else {
                "onwatch check".to_string()
            };
            println!("wrote {}; edit it, then run `{next}`", path.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("onwatch init: {e}");
            EXIT_FAILURE
        }
    }
}
