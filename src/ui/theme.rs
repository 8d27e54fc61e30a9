//! Themes: semantic roles over a palette, with fallbacks; built-ins embedded, user files override.
//!
//! A theme file has an optional `[palette]` of named colours and a `[roles]` table. A role is a
//! colour (its foreground) or a table `{ fg, bg, bold, dim, italic, underline, reverse }`. A role
//! the file leaves out takes its parent's style (`status.page` -> `severity.critical` -> `fg`), and
//! a role given only in part is its parent's style patched with what it gives.

use super::color::ColorDepth;
use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

macro_rules! roles {
    ($( $variant:ident => $name:literal, $parent:expr; )*) => {
        /// What a style means, never which colour it is.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Role {
            $( $variant, )*
        }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$variant),*];

            /// The key in the theme file (`severity.critical`).
            pub fn name(self) -> &'static str {
                match self { $(Role::$variant => $name,)* }
            }

            /// The role this one falls back to.
            pub fn parent(self) -> Option<Role> {
                match self { $(Role::$variant => $parent,)* }
            }
        }
    };
}

roles! {
    Fg => "fg", None;
    Bg => "bg", None;
    Muted => "muted", Some(Role::Fg);
    Border => "border", Some(Role::Muted);
    BorderFocus => "border_focus", Some(Role::Border);
    Title => "title", Some(Role::Fg);
    Selection => "selection", Some(Role::Fg);
    Stale => "stale", Some(Role::Muted);
    Ok => "ok", Some(Role::Fg);
    Error => "error", Some(Role::SeverityCritical);
    Degraded => "degraded", Some(Role::SeverityWarning);
    SeverityCritical => "severity.critical", Some(Role::Fg);
    SeverityWarning => "severity.warning", Some(Role::Fg);
    SeverityInfo => "severity.info", Some(Role::Fg);
    SeverityNone => "severity.none", Some(Role::Muted);
    StatusPage => "status.page", Some(Role::SeverityCritical);
    StatusTicket => "status.ticket", Some(Role::SeverityWarning);
    StatusOk => "status.ok", Some(Role::Ok);
    StatusNoData => "status.no_data", Some(Role::Muted);
    LogError => "log.error", Some(Role::SeverityCritical);
    LogWarn => "log.warn", Some(Role::SeverityWarning);
    LogInfo => "log.info", Some(Role::Fg);
    LogDebug => "log.debug", Some(Role::Muted);
    Match => "match", Some(Role::Selection);
    Header => "header", Some(Role::Fg);
    FooterKey => "footer_key", Some(Role::Title);
    Paused => "paused", Some(Role::SeverityWarning);
}

impl Role {
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.name() == name)
    }
}

/// The themes shipped in the binary, in the order `t` cycles through them.
pub const BUILTIN_THEMES: &[&str] = &["default", "light", "high-contrast", "colorblind", "mono"];

fn builtin_text(name: &str) -> Option<&'static str> {
    Some(match name {
        "default" => include_str!("../../themes/default.toml"),
        "light" => include_str!("../../themes/light.toml"),
        "high-contrast" => include_str!("../../themes/high-contrast.toml"),
        "colorblind" => include_str!("../../themes/colorblind.toml"),
        "mono" => include_str!("../../themes/mono.toml"),
        _ => return None,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("no theme '{name}' (built-in: {}; or a file {name}.toml in the themes directory)", BUILTIN_THEMES.join(", "))]
    Unknown { name: String },
    #[error("theme name '{0}' is not a plain name (use letters, digits, '-' and '_')")]
    BadName(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: key '{key}': {message}")]
    Key {
        file: String,
        key: String,
        message: String,
    },
}

/// A resolved theme: one style per role.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: BTreeMap<Role, Style>,
    /// What the terminal shows (set by `downgraded`): colours from log lines are brought down
    /// to it as the theme's own are.
    depth: ColorDepth,
}

impl Theme {
    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }

    pub fn depth(&self) -> ColorDepth {
        self.depth
    }

    /// The theme as a terminal of this depth can show it; `None` gives attribute-only styles.
    pub fn downgraded(&self, depth: ColorDepth) -> Theme {
        if depth == ColorDepth::None {
            // Colours carry meaning here that plain stripping would lose (selection, matches,
            // severity): take the mono theme's attributes for each role instead.
            let mono = parse_theme("mono", builtin_text("mono").unwrap_or(""), "mono.toml")
                .unwrap_or_else(|_| self.clone());
            let styles = Role::ALL
                .iter()
                .map(|r| (*r, strip_colors(mono.style(*r))))
                .collect();
            return Theme {
                name: self.name.clone(),
                styles,
                depth,
            };
        }
        let map = |c: Option<Color>| c.and_then(|c| depth.apply(c));
        let styles = self
            .styles
            .iter()
            .map(|(r, s)| {
                let mut s = *s;
                s.fg = map(s.fg);
                s.bg = map(s.bg);
                s.underline_color = map(s.underline_color);
                (*r, s)
            })
            .collect();
        Theme {
            name: self.name.clone(),
            styles,
            depth,
        }
    }

    /// True when no role sets any colour (the mono theme, `NO_COLOR`).
    pub fn is_colorless(&self) -> bool {
        let plain = |c: Option<Color>| matches!(c, None | Some(Color::Reset));
        self.styles
            .values()
            .all(|s| plain(s.fg) && plain(s.bg) && plain(s.underline_color))
    }
}

impl Default for Theme {
    /// The built-in default theme (its file is tested to parse); attributes only if it did not.
    fn default() -> Self {
        parse_theme(
            "default",
            builtin_text("default").unwrap_or(""),
            "default.toml",
        )
        .unwrap_or_else(|_| fallback_theme())
    }
}

fn fallback_theme() -> Theme {
    let styles = Role::ALL
        .iter()
        .map(|r| {
            let s = match r {
                Role::Selection | Role::Match => Style::new().add_modifier(Modifier::REVERSED),
                Role::SeverityCritical | Role::StatusPage | Role::Error => {
                    Style::new().add_modifier(Modifier::BOLD)
                }
                Role::Muted | Role::Stale => Style::new().add_modifier(Modifier::DIM),
                _ => Style::new(),
            };
            (*r, s)
        })
        .collect();
    Theme {
        depth: ColorDepth::TrueColor,
        name: "fallback".into(),
        styles,
    }
}

fn strip_colors(mut s: Style) -> Style {
    s.fg = None;
    s.bg = None;
    s.underline_color = None;
    s
}

/// A built-in theme, or the user's file `<user_dir>/<name>.toml` when it exists (it replaces the
/// built-in of the same name).
pub fn load_theme(name: &str, user_dir: Option<&Path>) -> Result<Theme, ThemeError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ThemeError::BadName(name.to_string()));
    }
    if let Some(dir) = user_dir {
        let path = dir.join(format!("{name}.toml"));
        match std::fs::read_to_string(&path) {
            Ok(text) => return parse_theme(name, &text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(ThemeError::Io { path, source }),
        }
    }
    match builtin_text(name) {
        Some(text) => parse_theme(name, text, &format!("{name}.toml (built-in)")),
        None => Err(ThemeError::Unknown {
            name: name.to_string(),
        }),
    }
}

/// Parses a theme file's text; `file` is only used in error messages.
pub fn parse_theme(name: &str, text: &str, file: &str) -> Result<Theme, ThemeError> {
    let value: toml::Table = toml::from_str(text).map_err(|e| ThemeError::Syntax {
        file: file.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    let key_err = |key: &str, message: String| ThemeError::Key {
        file: file.to_string(),
        key: key.to_string(),
        message,
    };
    let mut palette: BTreeMap<String, Color> = BTreeMap::new();
    let mut raw_roles: BTreeMap<Role, (String, toml::Value)> = BTreeMap::new();
    for (key, v) in &value {
        match key.as_str() {
            "description" => {}
            "palette" => {
                let table = v
                    .as_table()
                    .ok_or_else(|| key_err("palette", "expected a table of colours".into()))?;
                for (pname, pv) in table {
                    let key = format!("palette.{pname}");
                    let color = match pv {
                        toml::Value::String(s) => parse_color(s, &BTreeMap::new()),
                        toml::Value::Integer(i) => indexed(*i),
                        _ => Err("expected a colour name, \"#rrggbb\" or 0..255".into()),
                    }
                    .map_err(|m| key_err(&key, m))?;
                    palette.insert(pname.clone(), color);
                }
            }
            "roles" => {
                let table = v
                    .as_table()
                    .ok_or_else(|| key_err("roles", "expected a table of roles".into()))?;
                collect_roles(table, "", &mut raw_roles).map_err(|(k, m)| key_err(&k, m))?;
            }
            other => {
                return Err(key_err(
                    other,
                    "unknown key (expected description, palette, roles)".into(),
                ));
            }
        }
    }
    let mut own: BTreeMap<Role, Style> = BTreeMap::new();
    for (role, (key, v)) in &raw_roles {
        let style = parse_style(v, &palette).map_err(|(sub, m)| {
            let key = if sub.is_empty() {
                key.clone()
            } else {
                format!("{key}.{sub}")
            };
            key_err(&key, m)
        })?;
        own.insert(*role, style);
    }
    let mut styles = BTreeMap::new();
    for role in Role::ALL {
        styles.insert(*role, resolve(*role, &own));
    }
    Ok(Theme {
        depth: ColorDepth::TrueColor,
        name: name.to_string(),
        styles,
    })
}

fn resolve(role: Role, own: &BTreeMap<Role, Style>) -> Style {
    // Parents are declared acyclic in `roles!`; the depth bound is only a guard.
    let mut chain = vec![role];
    let mut r = role;
    while let Some(p) = r.parent() {
        if chain.len() > Role::ALL.len() {
            break;
        }
        chain.push(p);
        r = p;
    }
    chain
        .iter()
        .rev()
        .fold(Style::new(), |acc, r| match own.get(r) {
            Some(s) => acc.patch(*s),
            None => acc,
        })
}

/// Walks `[roles]`, accepting both `"severity.critical" = ...` and `[roles.severity] critical = ...`.
fn collect_roles(
    table: &toml::Table,
    prefix: &str,
    out: &mut BTreeMap<Role, (String, toml::Value)>,
) -> Result<(), (String, String)> {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let key = format!("roles.{path}");
        if let Some(role) = Role::from_name(&path) {
            out.insert(role, (key, v.clone()));
        } else if let Some(t) = v.as_table().filter(|_| {
            Role::ALL
                .iter()
                .any(|r| r.name().starts_with(&format!("{path}.")))
        }) {
            collect_roles(t, &path, out)?;
        } else {
            let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
            return Err((key, format!("unknown role (known: {})", known.join(", "))));
        }
    }
    Ok(())
}

fn parse_style(
    v: &toml::Value,
    palette: &BTreeMap<String, Color>,
) -> Result<Style, (String, String)> {
    match v {
        toml::Value::String(s) => parse_color(s, palette)
            .map(|c| Style::new().fg(c))
            .map_err(|m| (String::new(), m)),
        toml::Value::Integer(i) => indexed(*i)
            .map(|c| Style::new().fg(c))
            .map_err(|m| (String::new(), m)),
        toml::Value::Table(t) => {
            let mut style = Style::new();
            for (k, v) in t {
                let err = |m: String| (k.clone(), m);
                match k.as_str() {
                    "fg" | "bg" => {
                        let c = match v {
                            toml::Value::String(s) => parse_color(s, palette),
                            toml::Value::Integer(i) => indexed(*i),
                            _ => Err("expected a colour".into()),
                        }
                        .map_err(err)?;
                        style = if k == "fg" { style.fg(c) } else { style.bg(c) };
                    }
                    attr => {
                        let m = match attr {
                            "bold" => Modifier::BOLD,
                            "dim" => Modifier::DIM,
                            "italic" => Modifier::ITALIC,
                            "underline" => Modifier::UNDERLINED,
                            "reverse" => Modifier::REVERSED,
                            "crossed_out" => Modifier::CROSSED_OUT,
                            _ => {
                                return Err(err(
                                    "unknown attribute (expected fg, bg, bold, dim, italic, \
                                     underline, reverse, crossed_out)"
                                        .into(),
                                ));
                            }
                        };
                        let on = v
                            .as_bool()
                            .ok_or_else(|| err("expected true or false".into()))?;
                        style = if on {
                            style.add_modifier(m)
                        } else {
                            style.remove_modifier(m)
                        };
                    }
                }
            }
            Ok(style)
        }
        _ => Err((
            String::new(),
            "expected a colour or a table { fg, bg, bold, ... }".into(),
        )),
    }
}

fn indexed(i: i64) -> Result<Color, String> {
    u8::try_from(i)
        .map(Color::Indexed)
        .map_err(|_| format!("colour index {i} is not in 0..255"))
}

/// `red`, `light_blue`, `reset`, `#e69f00`, a 256-colour index as text, or a palette name.
pub fn parse_color(s: &str, palette: &BTreeMap<String, Color>) -> Result<Color, String> {
    if let Some(c) = palette.get(s) {
        return Ok(*c);
    }
    let lower = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    let named = match lower.as_str() {
        "reset" | "default" => Some(Color::Reset),
        "black" => Some(Color::Black),
        "red" => Some(Color::Red),
        "green" => Some(Color::Green),
        "yellow" => Some(Color::Yellow),
        "blue" => Some(Color::Blue),
        "magenta" => Some(Color::Magenta),
        "cyan" => Some(Color::Cyan),
        "gray" | "grey" => Some(Color::Gray),
        "dark_gray" | "dark_grey" | "bright_black" => Some(Color::DarkGray),
        "light_red" | "bright_red" => Some(Color::LightRed),
        "light_green" | "bright_green" => Some(Color::LightGreen),
        "light_yellow" | "bright_yellow" => Some(Color::LightYellow),
        "light_blue" | "bright_blue" => Some(Color::LightBlue),
        "light_magenta" | "bright_magenta" => Some(Color::LightMagenta),
        "light_cyan" | "bright_cyan" => Some(Color::LightCyan),
        "white" | "bright_white" => Some(Color::White),
        _ => None,
    };
    if let Some(c) = named {
        return Ok(c);
    }
    if let Some(hex) = lower.strip_prefix('#')
        && hex.len() == 6
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        return Ok(Color::Rgb(byte(0), byte(2), byte(4)));
    }
    if let Ok(i) = lower.parse::<i64>() {
        return indexed(i);
    }
    Err(format!(
        "unknown colour '{s}' (use an ANSI name such as red or light_blue, \"#rrggbb\", 0..255, \
         or a [palette] name)"
    ))
}
