//! The command line (clap). `--help` is generated from these doc comments: keep them true.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A full-screen terminal cockpit for on-call engineers: SLO burn, alert groups, log tails, and
/// keys that act. Run `onwatch demo` to try it on the embedded simulator.
#[derive(Clone, Debug, Parser)]
#[command(name = "onwatch", version, about, long_about = None)]
pub struct Cli {
    /// Config file (default: $ONWATCH_CONFIG, else ~/.config/onwatch/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// No action keys: nothing is acknowledged, escalated, silenced or noted from this screen.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Theme: default, light, high-contrast, mono, colorblind, or a user theme's name.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// War-room layout (read-only).
    #[arg(long, global = true)]
    pub wall: bool,
    /// Write diagnostic logs (tracing) to this file; nothing is ever logged to the terminal.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// No colours (also when NO_COLOR is set).
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Debug, Subcommand)]
pub enum Command {
    /// The cockpit against the embedded simulator (Prometheus, two Alertmanagers, Loki and an
    /// escalation webhook on 127.0.0.1), playing a scripted incident.
    Demo {
        /// Run only the simulator, print its URLs, and wait for Ctrl-C.
        #[arg(long)]
        serve: bool,
        /// With --serve: write a config file pointing at the simulator to PATH.
        #[arg(long, value_name = "PATH", requires = "serve")]
        write_config: Option<PathBuf>,
        /// Seed of the scripted incident.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Scenario seconds per real second.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
    },
    /// Write the example config (never overwrites).
    Init {
        /// Where to write it (default: ~/.config/onwatch/config.toml).
        path: Option<PathBuf>,
    },
    /// Validate the config and probe every source (backends, commands, files); non-zero exit on any failure.
    Check,
    /// The incident timeline the cockpit records (alerts fired and resolved, SLO status
    /// changes, acks, escalations, notes typed with `n`).
    Timeline {
        #[command(subcommand)]
        command: TimelineCommand,
    },
    /// Poll every source once and print the screen as text, or the state as JSON. Exit 0 when
    /// every source answered, 2 when some failed.
    Snapshot {
        #[arg(long, value_enum, default_value_t = SnapshotFormat::Text)]
        format: SnapshotFormat,
        /// Screen size for the text format, WIDTHxHEIGHT.
        #[arg(long, default_value = "120x40", value_parser = parse_size)]
        size: (u16, u16),
        /// How long streaming log sources (commands, files, Loki tails) are given to produce
        /// their first lines, e.g. 2s, 500ms.
        #[arg(long, default_value = "2s", value_parser = parse_duration)]
        settle: std::time::Duration,
    },
    /// The configured SLOs as rules for Prometheus or vmalert.
    Slo {
        #[command(subcommand)]
        command: SloCommand,
    },
    /// The silences of every configured Alertmanager cluster, for scripts and runbooks.
    Silence {
        #[command(subcommand)]
        command: SilenceCommand,
    },
}

#[derive(Clone, Debug, Subcommand)]
pub enum SilenceCommand {
    /// Every active and pending silence, one row per silence across the replicas: matchers,
    /// author, comment, start, end, time left and how many alerts it matches now. Exit 0 when
    /// every cluster answered, 2 when some did not.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Also silences that expired in the last 24 hours.
        #[arg(long)]
        expired: bool,
        /// Only this Alertmanager cluster (its `name` in the config).
        #[arg(long)]
        cluster: Option<String>,
    },
    /// Create a silence on every configured cluster (or one), through the outbox and the audit
    /// log as the cockpit's acks go; prints each new silence's id. Exit 0 when every cluster
    /// took it, 1 when one refused it or it was not delivered within --wait (then it stays in
    /// the outbox and the next cockpit started here sends it), 2 when the arguments or the
    /// config are refused (nothing is sent).
    Add {
        /// Matchers as the alert filter writes them: `alertname=DiskFull`, `instance=~"db-.*"`,
        /// `env!=staging`, or one `{...}`.
        #[arg(required = true)]
        matchers: Vec<String>,
        /// Why (required): who looks at the silence later reads it.
        #[arg(long)]
        comment: String,
        /// When it starts: now, +2h, 14:00 (local time, the next one), 2026-12-04 02:00 or
        /// RFC 3339.
        #[arg(long, default_value = "now")]
        start: String,
        /// How long it lasts, e.g. 2h (default 1h); or give --end.
        #[arg(long, value_parser = parse_duration, conflicts_with = "end")]
        duration: Option<std::time::Duration>,
        /// When it ends, in the forms --start takes.
        #[arg(long)]
        end: Option<String>,
        #[command(flatten)]
        act: SilenceActArgs,
    },
    /// Move a silence's end: --for 2h (from now) or --until TIME. Alertmanager may answer with a
    /// new id, which is printed.
    Extend {
        id: String,
        #[arg(long = "for", value_parser = parse_duration, conflicts_with = "until")]
        for_: Option<std::time::Duration>,
        #[arg(long)]
        until: Option<String>,
        /// A new comment (the old one is kept otherwise).
        #[arg(long)]
        comment: Option<String>,
        #[command(flatten)]
        act: SilenceActArgs,
    },
    /// Expire one or more silences by id, wherever they are.
    Expire {
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        act: SilenceActArgs,
    },
}

/// What every acting `silence` command takes.
#[derive(Clone, Debug, clap::Args)]
pub struct SilenceActArgs {
    /// Only this Alertmanager cluster (its `name` in the config); default: every one (`add`),
    /// wherever the silence is (`extend`, `expire`).
    #[arg(long)]
    pub cluster: Option<String>,
    /// How long to wait for delivery before leaving it to the outbox.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub wait: std::time::Duration,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One aligned row per silence.
    Text,
    /// A JSON array, one object per silence.
    Json,
}

#[derive(Clone, Debug, Subcommand)]
pub enum SloCommand {
    /// Print recording and alert rules for the configured SLOs in Sloth's rule names and
    /// labels (or a Sloth spec): loaded in Prometheus, the SLOs are recorded there, and a
    /// [[prometheus]] with discover = true reads them through the recorded series.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Prometheus)]
        format: RulesFormat,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// A Prometheus rule file (groups:), ready for rule_files or vmalert -rule.
    Prometheus,
    /// A Sloth spec (prometheus/v1), one document per service, for `sloth generate`.
    Sloth,
}

#[derive(Clone, Debug, Subcommand)]
pub enum TimelineCommand {
    /// Print the incident timeline as markdown for the postmortem: start, scope, the events,
    /// who acknowledged and escalated what, and the time to acknowledge per alert.
    Export {
        /// How far back, e.g. 6h, 2d.
        #[arg(long, default_value = "6h", value_parser = parse_duration)]
        since: std::time::Duration,
        /// Read the demo's timeline: `onwatch demo` keeps its state in demo/ under the default
        /// state dir, apart from a real cockpit's.
        #[arg(long, conflicts_with = "state_dir")]
        demo: bool,
        /// Read the timeline in this state dir (default: the config's [actions] state_dir, else
        /// the platform state dir, e.g. ~/.local/state/onwatch).
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
    },
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    crate::domain::duration::parse(s)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SnapshotFormat {
    Text,
    Json,
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("size '{s}' must be WIDTHxHEIGHT, e.g. 80x24"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u16>()
            .map_err(|_| format!("size '{s}' must be WIDTHxHEIGHT, e.g. 80x24"))
    };
    let (w, h) = (parse(w)?, parse(h)?);
    if w == 0 || h == 0 {
        return Err(format!("size '{s}' must be at least 1x1"));
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("80x24"), Ok((80, 24)));
        assert!(parse_size("80").is_err());
        assert!(parse_size("0x5").is_err());
    }

    #[test]
    fn timeline_export_reads_one_state_dir() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(["onwatch", "timeline", "export"].iter().chain(args))
        };
        assert!(parse(&["--demo"]).is_ok());
        assert!(parse(&["--state-dir", "/tmp/x"]).is_ok());
        assert!(parse(&["--demo", "--state-dir", "/tmp/x"]).is_err());
    }

    #[test]
    fn write_config_needs_serve() {
        assert!(Cli::try_parse_from(["onwatch", "demo", "--write-config", "x"]).is_err());
        assert!(Cli::try_parse_from(["onwatch", "demo", "--serve", "--write-config", "x"]).is_ok());
    }
}
