//! Themes: built-ins load, user files override, errors name file and key; colour depth.

use onwatch::ui::color::{indexed_rgb, nearest_16, rgb_to_256};
use onwatch::ui::theme::parse_theme;
use onwatch::ui::{BUILTIN_THEMES, ColorDepth, Role, Theme, ThemeError, detect, load_theme};
use ratatui::style::{Color, Modifier};

#[test]
fn every_builtin_theme_loads_and_sets_every_severity_apart() {
    for name in BUILTIN_THEMES {
        let theme = load_theme(name, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(theme.name, *name);
        let crit = theme.style(Role::SeverityCritical);
        let warn = theme.style(Role::SeverityWarning);
        assert_ne!(crit, warn, "{name}: critical and warning look the same");
        assert_ne!(
            theme.style(Role::Selection),
            theme.style(Role::Fg),
            "{name}: selection invisible"
        );
    }
}

#[test]
fn default_theme_uses_only_the_16_ansi_colours() {
    let theme = load_theme("default", None).unwrap();
    for role in Role::ALL {
        let s = theme.style(*role);
        for c in [s.fg, s.bg].into_iter().flatten() {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "{}: {c:?}",
                role.name()
            );
        }
    }
}

#[test]
fn mono_theme_has_no_colour_and_no_color_depth_gives_mono() {
    let mono = load_theme("mono", None).unwrap();
    assert!(mono.is_colorless());
    assert!(
        mono.style(Role::Selection)
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    for name in BUILTIN_THEMES {
        let t = load_theme(name, None).unwrap().downgraded(ColorDepth::None);
        assert!(t.is_colorless(), "{name}");
        assert_ne!(
            t.style(Role::SeverityCritical),
            t.style(Role::SeverityWarning)
        );
    }
    assert!(!Theme::default().is_colorless());
}

#[test]
fn fallbacks_follow_the_parent_chain() {
    let t = parse_theme(
        "t",
        r#"
        [roles]
        fg = "white"
        "severity.critical" = { fg = "red", bold = true }
        "#,
        "t.toml",
    )
    .unwrap();
    // status.page -> severity.critical
    assert_eq!(t.style(Role::StatusPage).fg, Some(Color::Red));
    assert!(
        t.style(Role::StatusPage)
            .add_modifier
            .contains(Modifier::BOLD)
    );
    // log.error -> severity.critical; severity.warning -> fg
    assert_eq!(t.style(Role::LogError).fg, Some(Color::Red));
    assert_eq!(t.style(Role::SeverityWarning).fg, Some(Color::White));
    // a partial role patches its parent
    let t = parse_theme(
        "t",
        "[roles]\nfg = { fg = \"white\", bg = \"black\" }\n[roles.status]\npage = { bold = true }\n",
        "t.toml",
    )
    .unwrap();
    let page = t.style(Role::StatusPage);
    assert_eq!((page.fg, page.bg), (Some(Color::White), Some(Color::Black)));
    assert!(page.add_modifier.contains(Modifier::BOLD));
}

#[test]
fn palette_names_and_hex_colours() {
    let t = parse_theme(
        "t",
        "[palette]\norange = \"#E69F00\"\n[roles]\n\"severity.warning\" = \"orange\"\nok = 34\n",
        "t.toml",
    )
    .unwrap();
    assert_eq!(
        t.style(Role::SeverityWarning).fg,
        Some(Color::Rgb(0xe6, 0x9f, 0))
    );
    assert_eq!(t.style(Role::Ok).fg, Some(Color::Indexed(34)));
}

#[test]
fn a_user_file_overrides_the_builtin() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("default.toml"),
        "[roles.severity]\ncritical = { fg = \"magenta\", underline = true }\n",
    )
    .unwrap();
    let t = load_theme("default", Some(dir.path())).unwrap();
    assert_eq!(t.style(Role::SeverityCritical).fg, Some(Color::Magenta));
    assert_eq!(t.style(Role::StatusPage).fg, Some(Color::Magenta));
    // Other built-ins are untouched, and a new name is found in the directory.
    let hc = load_theme("high-contrast", Some(dir.path())).unwrap();
    assert_eq!(
        hc,
        load_theme("high-contrast", None).unwrap(),
        "only the file of the same name overrides"
    );
    std::fs::write(dir.path().join("night.toml"), "[roles]\nfg = \"gray\"\n").unwrap();
    assert_eq!(
        load_theme("night", Some(dir.path()))
            .unwrap()
            .style(Role::Fg)
            .fg,
        Some(Color::Gray)
    );
}

#[test]
fn bad_files_give_errors_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, "[roles.severity]\ncritical = { fg = \"rde\" }\n").unwrap();
    let err = load_theme("broken", Some(dir.path())).unwrap_err();
    assert!(matches!(err, ThemeError::Key { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "{}: key 'roles.severity.critical.fg': unknown colour 'rde'",
            path.display()
        )),
        "{msg}"
    );

    std::fs::write(&path, "[roles]\nsevertiy = \"red\"\n").unwrap();
    let msg = load_theme("broken", Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("broken.toml: key 'roles.severtiy': unknown role"),
        "{msg}"
    );

    std::fs::write(&path, "[roles]\nfg = { fg = \"red\", blink = true }\n").unwrap();
    let msg = load_theme("broken", Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("key 'roles.fg.blink': unknown attribute"),
        "{msg}"
    );

    std::fs::write(&path, "[roles\nfg = 1").unwrap();
    let err = load_theme("broken", Some(dir.path())).unwrap_err();
    assert!(matches!(err, ThemeError::Syntax { .. }), "{err:?}");
    assert!(err.to_string().contains("broken.toml"), "{err}");

    std::fs::write(&path, "colour = 1\n").unwrap();
    let msg = load_theme("broken", Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("key 'colour': unknown key"), "{msg}");
}

#[test]
fn unknown_and_unsafe_names_are_refused() {
    let err = load_theme("solarised", None).unwrap_err();
    assert!(
        err.to_string().contains("no theme 'solarised'") && err.to_string().contains("default"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        load_theme("../etc/passwd", Some(dir.path())),
        Err(ThemeError::BadName(_))
    ));
    assert!(matches!(load_theme("", None), Err(ThemeError::BadName(_))));
}

#[test]
fn colour_depth_detection() {
    let cases: &[(Option<&str>, Option<&str>, bool, ColorDepth)] = &[
        (
            Some("truecolor"),
            Some("xterm-256color"),
            false,
            ColorDepth::TrueColor,
        ),
        (Some("24bit"), Some("xterm"), false, ColorDepth::TrueColor),
        (
            Some("truecolor"),
            Some("xterm-256color"),
            true,
            ColorDepth::None,
        ),
        (None, Some("xterm-256color"), false, ColorDepth::Ansi256),
        (None, Some("screen-256color"), false, ColorDepth::Ansi256),
        (None, Some("xterm-direct"), false, ColorDepth::TrueColor),
        (None, Some("xterm"), false, ColorDepth::Ansi16),
        (None, Some("linux"), false, ColorDepth::Ansi16),
        (None, Some("dumb"), false, ColorDepth::None),
        (Some("truecolor"), Some("dumb"), false, ColorDepth::None),
        (None, None, false, ColorDepth::Ansi16),
        (Some(""), Some(""), false, ColorDepth::Ansi16),
    ];
    for (colorterm, term, no_color, want) in cases {
        assert_eq!(
            detect(*colorterm, *term, *no_color),
            *want,
            "COLORTERM={colorterm:?} TERM={term:?} no_color={no_color}"
        );
    }
}

#[test]
fn rgb_to_256_takes_the_nearest_cube_or_grey() {
    assert_eq!(rgb_to_256(255, 0, 0), 196);
    assert_eq!(rgb_to_256(0, 0, 0), 16);
    assert_eq!(rgb_to_256(255, 255, 255), 231);
    assert_eq!(rgb_to_256(128, 128, 128), 244); // grey ramp, exact
    assert_eq!(rgb_to_256(0xe6, 0x9f, 0x00), 178); // Okabe-Ito orange -> #d7af00
    for i in 16..=255u8 {
        let (r, g, b) = indexed_rgb(i);
        assert_eq!(indexed_rgb(rgb_to_256(r, g, b)), (r, g, b), "index {i}");
    }
}

#[test]
fn rgb_and_256_to_16_take_the_nearest_ansi_colour() {
    assert_eq!(nearest_16(0xd5, 0x5e, 0x00), Color::Red); // vermillion
    assert_eq!(nearest_16(0xe6, 0x9f, 0x00), Color::Yellow); // orange
    assert_eq!(nearest_16(0, 0, 0), Color::Black);
    assert_eq!(nearest_16(250, 250, 250), Color::White);
    assert_eq!(
        ColorDepth::Ansi16.apply(Color::Indexed(9)),
        Some(Color::LightRed)
    );
    assert_eq!(
        ColorDepth::Ansi16.apply(Color::Indexed(196)),
        Some(Color::LightRed)
    );
    assert_eq!(ColorDepth::Ansi16.apply(Color::Green), Some(Color::Green));
    assert_eq!(
        ColorDepth::Ansi256.apply(Color::Rgb(255, 0, 0)),
        Some(Color::Indexed(196))
    );
    assert_eq!(ColorDepth::None.apply(Color::Red), None);
}

#[test]
fn downgraded_themes_hold_no_colour_the_terminal_cannot_show() {
    let cb = load_theme("colorblind", None).unwrap();
    assert!(matches!(
        cb.style(Role::SeverityCritical).fg,
        Some(Color::Rgb(..))
    ));
    let colours = |t: &Theme| -> Vec<Color> {
        Role::ALL
            .iter()
            .flat_map(|r| [t.style(*r).fg, t.style(*r).bg])
            .flatten()
            .collect()
    };
    let t256 = cb.downgraded(ColorDepth::Ansi256);
    assert!(colours(&t256).iter().all(|c| !matches!(c, Color::Rgb(..))));
    assert_eq!(
        t256.style(Role::SeverityWarning).fg,
        Some(Color::Indexed(178))
    );
    let t16 = cb.downgraded(ColorDepth::Ansi16);
    assert!(
        colours(&t16)
            .iter()
            .all(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_)))
    );
    assert_eq!(t16.style(Role::SeverityCritical).fg, Some(Color::Red));
    // Attributes survive the downgrade.
    assert!(
        t16.style(Role::SeverityCritical)
            .add_modifier
            .contains(Modifier::BOLD)
    );
    assert_eq!(cb.downgraded(ColorDepth::TrueColor), cb);
}
