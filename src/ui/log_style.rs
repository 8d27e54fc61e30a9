//! A log line's own colours (parsed at ingest) and the filter's matches, drawn as ratatui spans.

use super::color::ColorDepth;
use crate::domain::logs::{AnsiColor, StyleSpan, TextStyle};
use crate::domain::sgr::{BOLD, DIM, ITALIC, REVERSE, UNDERLINE};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use std::ops::Range;

/// The line's style as the terminal can show it: colours brought down to `depth` (none at all
/// for `ColorDepth::None`), attributes kept.
pub fn to_style(s: &TextStyle, depth: ColorDepth) -> Style {
    let color = |c: AnsiColor| {
        depth.apply(match c {
            AnsiColor::Indexed(i) => Color::Indexed(i),
            AnsiColor::Rgb(r, g, b) => Color::Rgb(r, g, b),
        })
    };
    let mut style = Style::new();
    style.fg = s.fg.and_then(color);
    style.bg = s.bg.and_then(color);
    for (bit, m) in [
        (BOLD, Modifier::BOLD),
        (DIM, Modifier::DIM),
        (ITALIC, Modifier::ITALIC),
        (UNDERLINE, Modifier::UNDERLINED),
        (REVERSE, Modifier::REVERSED),
    ] {
        if s.has(bit) {
            style = style.add_modifier(m);
        }
    }
    style
}

/// `text` cut at every edge of its colour spans and of the matches: each piece drawn with the
/// base style, patched by its colour, patched by the match style where it matched.
pub fn spans(
    text: &str,
    styles: &[StyleSpan],
    matches: &[Range<usize>],
    base: Style,
    matched: Style,
    depth: ColorDepth,
) -> Vec<Span<'static>> {
    if styles.is_empty() && matches.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let len = text.len();
    let mut edges: Vec<usize> = vec![0, len];
    for s in styles {
        edges.push((s.start as usize).min(len));
        edges.push((s.end as usize).min(len));
    }
    for m in matches {
        edges.push(m.start.min(len));
        edges.push(m.end.min(len));
    }
    edges.retain(|e| text.is_char_boundary(*e));
    edges.sort_unstable();
    edges.dedup();
    let mut out = Vec::with_capacity(edges.len());
    for w in edges.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut style = base;
        if let Some(s) = styles
            .iter()
            .find(|s| (s.start as usize) <= a && b <= s.end as usize)
        {
            style = style.patch(to_style(&s.style, depth));
        }
        if matches.iter().any(|m| m.start <= a && b <= m.end) {
            style = style.patch(matched);
        }
        out.push(Span::styled(text[a..b].to_string(), style));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red() -> StyleSpan {
        StyleSpan {
            start: 0,
            end: 3,
            style: TextStyle {
                fg: Some(AnsiColor::Rgb(200, 0, 0)),
                bg: None,
                attrs: BOLD,
            },
        }
    }

    #[test]
    fn colours_follow_the_depth_and_attributes_stay() {
        let s = to_style(&red().style, ColorDepth::TrueColor);
        assert_eq!(s.fg, Some(Color::Rgb(200, 0, 0)));
        assert!(s.add_modifier.contains(Modifier::BOLD));
        assert!(matches!(
            to_style(&red().style, ColorDepth::Ansi256).fg,
            Some(Color::Indexed(_))
        ));
        let none = to_style(&red().style, ColorDepth::None);
        assert_eq!(none.fg, None);
        assert!(none.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn pieces_cover_the_text_with_colour_and_match_layered() {
        let matched = Style::new().add_modifier(Modifier::REVERSED);
        let out = spans(
            "ERR boom",
            &[red()],
            std::slice::from_ref(&(2..6)),
            Style::new(),
            matched,
            ColorDepth::TrueColor,
        );
        let text: Vec<&str> = out.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, ["ER", "R", " bo", "om"]);
        assert_eq!(out[0].style.fg, Some(Color::Rgb(200, 0, 0)));
        assert!(!out[0].style.add_modifier.contains(Modifier::REVERSED));
        assert!(out[1].style.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(out[1].style.fg, Some(Color::Rgb(200, 0, 0)));
        assert_eq!(out[2].style.fg, None);
        assert!(!out[3].style.add_modifier.contains(Modifier::REVERSED));
    }
}
