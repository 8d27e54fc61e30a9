//! ANSI SGR ("select graphic rendition") sequences read into plain style values, so colours a
//! program printed can be shown without ever writing its escape bytes to the terminal.

use serde::Serialize;

/// A colour as a log line asked for it: one of the 256 indexed colours (0–15 are the ANSI 16)
/// or RGB. The UI brings it down to the terminal's colour depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AnsiColor {
    Indexed(u8),
    Rgb(u8, u8, u8),
}

pub const BOLD: u8 = 1;
pub const DIM: u8 = 2;
pub const ITALIC: u8 = 4;
pub const UNDERLINE: u8 = 8;
pub const REVERSE: u8 = 16;

/// The rendition in force after some SGR sequences; `Default` is the terminal's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct TextStyle {
    pub fg: Option<AnsiColor>,
    pub bg: Option<AnsiColor>,
    /// `BOLD | DIM | ITALIC | UNDERLINE | REVERSE`.
    pub attrs: u8,
}

impl TextStyle {
    pub fn is_plain(&self) -> bool {
        *self == TextStyle::default()
    }

    pub fn has(&self, attr: u8) -> bool {
        self.attrs & attr != 0
    }
}

/// A byte range of a sanitised line drawn with one style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StyleSpan {
    pub start: u32,
    pub end: u32,
    pub style: TextStyle,
}

/// Length in bytes (all ASCII) of a complete SGR sequence `ESC [ params m` at the start of `s`.
pub fn sgr_len(s: &[u8]) -> Option<usize> {
    if s.get(1) != Some(&b'[') {
        return None;
    }
    for (i, b) in s.iter().enumerate().skip(2).take(64) {
        match b {
            b'0'..=b'9' | b';' | b':' => continue,
            b'm' => return Some(i + 1),
            _ => return None,
        }
    }
    None
}

/// Applies the parameters of one SGR sequence (the text between `ESC [` and `m`) to `style`.
/// Unknown parameters are ignored, as terminals do.
pub fn apply(style: &mut TextStyle, params: &str) {
    // `38:2::r:g:b` (colon sub-parameters) is one self-contained group; `38;2;r;g;b` spans
    // several semicolon groups.
    let groups: Vec<&str> = params.split(';').collect();
    let mut i = 0;
    while i < groups.len() {
        let group = groups[i];
        i += 1;
        if group.contains(':') {
            let sub: Vec<u16> = group.split(':').map(num).collect();
            if let (Some(&code), Some(c)) = (sub.first(), colon_color(&sub)) {
                set_color(style, code, c);
            } else if sub.first() == Some(&4) {
                // `4:0` is "no underline", `4:n` an underline style.
                set_attr(style, UNDERLINE, sub.get(1).is_none_or(|&n| n != 0));
            }
            continue;
        }
        let code = num(group);
        match code {
            0 => *style = TextStyle::default(),
            1 => style.attrs |= BOLD,
            2 => style.attrs |= DIM,
            3 => style.attrs |= ITALIC,
            4 => style.attrs |= UNDERLINE,
            7 => style.attrs |= REVERSE,
            22 => style.attrs &= !(BOLD | DIM),
            23 => style.attrs &= !ITALIC,
            24 => style.attrs &= !UNDERLINE,
            27 => style.attrs &= !REVERSE,
            30..=37 => style.fg = Some(AnsiColor::Indexed((code - 30) as u8)),
            39 => style.fg = None,
            40..=47 => style.bg = Some(AnsiColor::Indexed((code - 40) as u8)),
            49 => style.bg = None,
            90..=97 => style.fg = Some(AnsiColor::Indexed((code - 90 + 8) as u8)),
            100..=107 => style.bg = Some(AnsiColor::Indexed((code - 100 + 8) as u8)),
            38 | 48 => {
                let rest: Vec<u16> = groups[i..].iter().take(4).map(|g| num(g)).collect();
                match rest.first() {
                    Some(5) => {
                        if let Some(&n) = rest.get(1) {
                            set_color(style, code, AnsiColor::Indexed(byte(n)));
                        }
                        i += 2;
                    }
                    Some(2) => {
                        if rest.len() >= 4 {
                            let c = AnsiColor::Rgb(byte(rest[1]), byte(rest[2]), byte(rest[3]));
                            set_color(style, code, c);
                        }
                        i += 4;
                    }
                    _ => i += 1,
                }
            }
            _ => {}
        }
    }
}

/// The colour of a colon group `38:5:n`, `38:2:r:g:b` or `38:2:cs:r:g:b`.
fn colon_color(sub: &[u16]) -> Option<AnsiColor> {
    if !matches!(sub.first(), Some(38 | 48)) {
        return None;
    }
    match sub.get(1)? {
        5 => Some(AnsiColor::Indexed(byte(*sub.get(2)?))),
        2 => {
            let rgb = if sub.len() >= 6 {
                &sub[3..6]
            } else {
                sub.get(2..5)?
            };
            Some(AnsiColor::Rgb(byte(rgb[0]), byte(rgb[1]), byte(rgb[2])))
        }
        _ => None,
    }
}

fn set_color(style: &mut TextStyle, code: u16, c: AnsiColor) {
    if code == 38 {
        style.fg = Some(c);
    } else {
        style.bg = Some(c);
    }
}

fn set_attr(style: &mut TextStyle, attr: u8, on: bool) {
    if on {
        style.attrs |= attr;
    } else {
        style.attrs &= !attr;
    }
}

/// An empty or unreadable parameter is 0 (`ESC[m` resets).
fn num(s: &str) -> u16 {
    s.parse().unwrap_or(0)
}

fn byte(n: u16) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(params: &str) -> TextStyle {
        let mut s = TextStyle::default();
        apply(&mut s, params);
        s
    }

    #[test]
    fn basic_bright_256_and_rgb_colours() {
        assert_eq!(after("31").fg, Some(AnsiColor::Indexed(1)));
        assert_eq!(after("44").bg, Some(AnsiColor::Indexed(4)));
        assert_eq!(after("92").fg, Some(AnsiColor::Indexed(10)));
        assert_eq!(after("103").bg, Some(AnsiColor::Indexed(11)));
        assert_eq!(after("38;5;208").fg, Some(AnsiColor::Indexed(208)));
        assert_eq!(after("48;2;10;20;30").bg, Some(AnsiColor::Rgb(10, 20, 30)));
        assert_eq!(after("38:2::1:2:3").fg, Some(AnsiColor::Rgb(1, 2, 3)));
        assert_eq!(after("38:5:99").fg, Some(AnsiColor::Indexed(99)));
        // Parameters after an extended colour still apply.
        let s = after("38;5;1;1;4");
        assert_eq!(s.fg, Some(AnsiColor::Indexed(1)));
        assert!(s.has(BOLD) && s.has(UNDERLINE));
    }

    #[test]
    fn attributes_set_and_reset() {
        let mut s = after("1;2;3;4;7");
        assert_eq!(s.attrs, BOLD | DIM | ITALIC | UNDERLINE | REVERSE);
        apply(&mut s, "22;27");
        assert_eq!(s.attrs, ITALIC | UNDERLINE);
        apply(&mut s, "31");
        apply(&mut s, "");
        assert!(s.is_plain(), "ESC[m resets everything");
        assert!(after("31;39").fg.is_none());
    }

    #[test]
    fn sgr_len_accepts_only_complete_colour_sequences() {
        assert_eq!(sgr_len(b"\x1b[1;31mx"), Some(7));
        assert_eq!(sgr_len(b"\x1b[2J"), None);
        assert_eq!(sgr_len(b"\x1b]0;t\x07"), None);
        assert_eq!(sgr_len(b"\x1b[31"), None);
    }
}
