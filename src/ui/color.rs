//! Colour depth: what the terminal can show, and RGB brought down to what it can.

use ratatui::style::Color;

/// How many colours the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
    /// `NO_COLOR`, `--no-color` or a dumb terminal: attributes only.
    None,
}

/// From `COLORTERM`, `TERM` and `NO_COLOR`/`--no-color`, without querying the terminal (a query can
/// hang over a slow SSH link).
pub fn detect(colorterm: Option<&str>, term: Option<&str>, no_color: bool) -> ColorDepth {
    if no_color {
        return ColorDepth::None;
    }
    let colorterm = colorterm.unwrap_or("").trim().to_ascii_lowercase();
    let term = term.unwrap_or("").trim().to_ascii_lowercase();
    if term == "dumb" {
        return ColorDepth::None;
    }
    if colorterm == "truecolor" || colorterm == "24bit" || term.ends_with("-direct") {
        return ColorDepth::TrueColor;
    }
    if term.contains("256color") {
        return ColorDepth::Ansi256;
    }
    ColorDepth::Ansi16
}

impl ColorDepth {
    /// The colour as this depth can show it (`None` for no colour at all).
    pub fn apply(self, color: Color) -> Option<Color> {
        match self {
            ColorDepth::TrueColor => Some(color),
            ColorDepth::Ansi256 => Some(match color {
                Color::Rgb(r, g, b) => Color::Indexed(rgb_to_256(r, g, b)),
                c => c,
            }),
            ColorDepth::Ansi16 => Some(match color {
                Color::Rgb(r, g, b) => nearest_16(r, g, b),
                Color::Indexed(i) if i < 16 => ANSI16[i as usize].0,
                Color::Indexed(i) => {
                    let (r, g, b) = indexed_rgb(i);
                    nearest_16(r, g, b)
                }
                c => c,
            }),
            ColorDepth::None => None,
        }
    }
}

/// The 16 ANSI colours with xterm's default values (what most terminals start from).
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn dist2(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs();
    d(a.0, b.0).pow(2) + d(a.1, b.1).pow(2) + d(a.2, b.2).pow(2)
}

/// The nearest of the 240 fixed xterm colours (16..=255). The first 16 are left out on purpose:
/// users redefine them, so they are no reliable target for a precise RGB value.
pub fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| {
        (0..6)
            .min_by_key(|&i| (i32::from(CUBE[i]) - i32::from(v)).unsigned_abs())
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube_index = 16 + 36 * ri + 6 * gi + bi;
    let cube_rgb = (CUBE[ri], CUBE[gi], CUBE[bi]);
    let avg = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let gray_step = (avg.saturating_sub(8) / 10).min(23) as u8;
    let gray_value = 8 + 10 * gray_step;
    let gray_index = 232 + gray_step;
    let target = (r, g, b);
    if dist2(target, (gray_value, gray_value, gray_value)) < dist2(target, cube_rgb) {
        gray_index
    } else {
        cube_index as u8
    }
}

/// The RGB value of an xterm 256-colour index.
pub fn indexed_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI16[i as usize].1,
        16..=231 => {
            let n = (i - 16) as usize;
            (CUBE[n / 36], CUBE[(n / 6) % 6], CUBE[n % 6])
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

/// The nearest of the 16 ANSI colours.
pub fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, rgb)| dist2(*rgb, (r, g, b)))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}
