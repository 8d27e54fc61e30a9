//! `build_setup`: the config and the command line become the cockpit's starting `Setup`.
//! The environment is passed in as a function, so no test sets a real variable.

use onwatch::app::{Action, Key};
use onwatch::cli::setup::{self, CliOverrides, build_setup_with};
use onwatch::config::{self, Config, ConfigError};
use onwatch::domain::health::SourceKind;
use std::collections::BTreeMap;
use std::path::Path;

fn example() -> Config {
    config::parse(config::EXAMPLE, Path::new("config.example.toml")).expect("the example is valid")
}

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name: &str| map.get(name).cloned()
}

fn theme_of(config: &Config, o: &CliOverrides, env: &[(&str, &str)]) -> String {
    let s = build_setup_with(config, o, &env_of(env), None).expect("setup");
    s.theme_names[s.theme_index].clone()
}

#[test]
fn maps_sources_slos_and_limits_from_the_example() {
    let c = example();
    let s = build_setup_with(&c, &CliOverrides::default(), &env_of(&[]), None).unwrap();

    let kinds: Vec<SourceKind> = s.sources.iter().map(|id| id.kind).collect();
    let expected: Vec<SourceKind> = c
        .prometheus
        .iter()
        .map(|_| SourceKind::Prometheus)
        .chain(c.alertmanager.iter().map(|_| SourceKind::Alertmanager))
        .chain(c.loki.iter().map(|_| SourceKind::Loki))
        .chain(c.elasticsearch.iter().map(|_| SourceKind::Elasticsearch))
        .chain(c.command.iter().map(|_| SourceKind::Command))
        .chain(c.file.iter().map(|_| SourceKind::File))
        .collect();
    assert_eq!(kinds, expected);
    assert_eq!(s.sources[0].name, c.prometheus[0].name);
    assert_eq!(s.sources.last().unwrap().name, c.file.last().unwrap().name);

    assert_eq!(s.slos.len(), c.slo.len());
    let first = &s.slos[0];
    assert_eq!(first.name, "checkout-availability");
    assert!(
        (first.objective - 0.999).abs() < 1e-12,
        "{}",
        first.objective
    );
    assert_eq!(first.period, std::time::Duration::from_secs(30 * 86_400));
    assert!((s.slos[2].objective - 0.9995).abs() < 1e-12);

    assert_eq!(s.burn_rules, onwatch::domain::slo::default_rules());
    assert_eq!(s.group_by, c.alerts.group_by);
    assert_eq!(s.dedup_labels, c.alerts.dedup_labels);
    assert_eq!(s.log_max_lines, c.logs.max_lines);
    assert_eq!(s.log_max_bytes, c.logs.max_bytes);
    assert_eq!(s.user, "alice");
    assert!(!s.read_only && !s.wall);

    // [keys] refresh = ["R", "ctrl-r", "f5"], runbook = ["r", "ctrl-o"]
    assert_eq!(
        s.keymap.action(&"f5".parse::<Key>().unwrap()),
        Some(Action::Refresh)
    );
    assert_eq!(s.keymap.action(&Key::ctrl('o')), Some(Action::Runbook));
    assert_eq!(s.keymap.action(&Key::char('r')), Some(Action::Runbook));
    assert_eq!(s.keymap.action(&Key::char('o')), Some(Action::CycleSort));
}

#[test]
fn user_falls_back_to_user_then_logname_then_unknown() {
    let mut c = example();
    let o = CliOverrides::default();
    let user = |c: &Config, env: &[(&str, &str)]| {
        build_setup_with(c, &o, &env_of(env), None).unwrap().user
    };
    assert_eq!(user(&c, &[("USER", "bob")]), "alice");
    c.general.user = None;
    assert_eq!(user(&c, &[("USER", "bob"), ("LOGNAME", "carol")]), "bob");
    assert_eq!(user(&c, &[("USER", ""), ("LOGNAME", "carol")]), "carol");
    assert_eq!(user(&c, &[]), "unknown");
}

#[test]
fn theme_from_flag_then_no_color_then_config() {
    let mut c = example();
    let none = CliOverrides::default();
    let builtin: Vec<String> = onwatch::ui::BUILTIN_THEMES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let s = build_setup_with(&c, &none, &env_of(&[]), None).unwrap();
    assert_eq!(s.theme_names, builtin);
    assert_eq!(s.theme_index, 0);

    c.ui.theme = "light".into();
    assert_eq!(theme_of(&c, &none, &[]), "light");
    let flag = CliOverrides {
        theme: Some("high-contrast".into()),
        ..CliOverrides::default()
    };
    assert_eq!(theme_of(&c, &flag, &[]), "high-contrast");
    // NO_COLOR beats the config, not an explicit --theme; an empty NO_COLOR is unset
    assert_eq!(theme_of(&c, &none, &[("NO_COLOR", "1")]), "mono");
    assert_eq!(theme_of(&c, &none, &[("NO_COLOR", "")]), "light");
    assert_eq!(theme_of(&c, &flag, &[("NO_COLOR", "1")]), "high-contrast");
    let no_color = CliOverrides {
        no_color: true,
        ..flag.clone()
    };
    assert_eq!(theme_of(&c, &no_color, &[]), "mono");

    let bad = CliOverrides {
        theme: Some("neon".into()),
        ..CliOverrides::default()
    };
    let e = build_setup_with(&c, &bad, &env_of(&[]), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "config error: unknown theme `neon` (from --theme); available: default, light, high-contrast, colorblind, mono"
    );
}

#[test]
fn user_theme_files_add_themes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("solarized.toml"), "").unwrap();
    std::fs::write(dir.path().join("light.toml"), "").unwrap(); // overrides, not a new name
    std::fs::write(dir.path().join("notes.txt"), "").unwrap();
    let mut c = example();
    c.ui.theme = "solarized".into();
    let s = build_setup_with(&c, &CliOverrides::default(), &env_of(&[]), Some(dir.path())).unwrap();
    assert_eq!(
        s.theme_names,
        [
            "default",
            "light",
            "high-contrast",
            "colorblind",
            "mono",
            "solarized"
        ]
    );
    assert_eq!(s.theme_names[s.theme_index], "solarized");
}

#[test]
fn wall_forces_read_only() {
    let c = example();
    let wall = CliOverrides {
        wall: true,
        ..CliOverrides::default()
    };
    let s = build_setup_with(&c, &wall, &env_of(&[]), None).unwrap();
    assert!(s.wall && s.read_only);
    let ro = CliOverrides {
        read_only: true,
        ..CliOverrides::default()
    };
    let s = build_setup_with(&c, &ro, &env_of(&[]), None).unwrap();
    assert!(!s.wall && s.read_only);
}

#[test]
fn a_clash_in_an_unvalidated_config_is_still_refused() {
    let mut c = example();
    c.keys
        .insert("ack".into(), config::KeyList::One("j".into()));
    c.keys
        .insert("unack".into(), config::KeyList::One("j".into()));
    let e = build_setup_with(&c, &CliOverrides::default(), &env_of(&[]), None).unwrap_err();
    assert_eq!(
        e,
        ConfigError::Setup(
            "[keys]: key 'j' is bound to both 'ack' and 'unack'; change one of them in [keys]"
                .into()
        )
    );
}

#[test]
fn build_setup_reads_the_real_environment() {
    // only reads; USER/LOGNAME may or may not be set here, so only the shape is checked
    let s = setup::build_setup(&example(), &CliOverrides::default()).unwrap();
    assert_eq!(s.user, "alice");
    assert!(s.theme_names.len() >= onwatch::ui::BUILTIN_THEMES.len());
}
