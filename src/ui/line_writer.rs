//! Writes a `Line` into the buffer exactly as `Buffer::set_line` does, faster for the text
//! panes of many rows are made of: a span of plain one-column characters (ASCII and the few
//! glyphs the panes draw themselves) is one grapheme per character, so it skips grapheme
//! segmentation and width lookups. Any other span goes through `set_stringn` unchanged.

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::Line;

/// One column wide and a grapheme of its own whatever follows, provided what follows is also
/// plain (none of these extends or joins a neighbour).
fn plain(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{2580}'..='\u{259F}' | '–' | '…' | '↳' | '·')
}

/// As `buf.set_line(x, y, line, max_width)`.
pub fn put_line(buf: &mut Buffer, x: u16, y: u16, line: &Line<'_>, max_width: u16) {
    let mut x = x;
    let mut remaining = max_width;
    for span in line {
        if remaining == 0 {
            break;
        }
        let end = put_str(
            buf,
            x,
            y,
            &span.content,
            remaining,
            line.style.patch(span.style),
        );
        remaining = remaining.saturating_sub(end.saturating_sub(x));
        x = end;
    }
}

/// As `buf.set_stringn(x, y, text, max_width, style)`; returns the column after the text.
pub fn put_str(buf: &mut Buffer, x: u16, y: u16, text: &str, max_width: u16, style: Style) -> u16 {
    let area = buf.area;
    let inside = area.left() <= x && x < area.right() && area.top() <= y && y < area.bottom();
    if !inside || !text.chars().all(plain) {
        return buf.set_stringn(x, y, text, max_width as usize, style).0;
    }
    let room = max_width.min(area.right() - x);
    let start = buf.index_of(x, y);
    let mut n = 0u16;
    for (cell, c) in buf.content[start..].iter_mut().zip(text.chars()) {
        if n == room {
            break;
        }
        cell.set_char(c).set_style(style);
        n += 1;
    }
    x + n
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Stylize};
    use ratatui::text::Span;
    use unicode_width::UnicodeWidthChar;

    fn both(line: &Line<'_>, x: u16, max: u16) -> (Buffer, Buffer) {
        let area = Rect::new(2, 1, 12, 3);
        let (mut want, mut got) = (Buffer::empty(area), Buffer::empty(area));
        want.set_line(x, 2, line, max);
        put_line(&mut got, x, 2, line, max);
        (want, got)
    }

    #[test]
    fn plain_characters_are_one_column() {
        for c in (' '..='~')
            .chain('\u{2580}'..='\u{259F}')
            .chain(['–', '…', '↳', '·'])
        {
            assert!(plain(c));
            assert_eq!(c.width(), Some(1), "{c:?}");
        }
    }

    #[test]
    fn writes_what_set_line_writes() {
        let lines = [
            Line::from(vec![
                Span::styled("name ", Style::new().fg(Color::Red)),
                Span::raw(" "),
                Span::styled("██░░", Style::new().bold()),
            ]),
            // Combining marks, wide characters, controls: the slow path.
            Line::from(vec![
                Span::raw("e\u{301}x"),
                Span::raw("日本"),
                Span::raw("a\tb"),
            ]),
            Line::from("a long line that does not fit in the area").on_blue(),
            Line::from(vec![Span::raw("ab"), Span::raw("日"), Span::raw("–…↳·cd")]),
        ];
        for line in &lines {
            for (x, max) in [(2, 12), (3, 5), (2, 0), (9, 40), (13, 3)] {
                let (want, got) = both(line, x, max);
                assert_eq!(got, want, "{line:?} at {x} max {max}");
            }
        }
    }
}
