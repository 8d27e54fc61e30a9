//! The last pass before a frame reaches the terminal: cells that spell a known secret (or a
//! credential after an echoed `Authorization:`) are overwritten with `*`, one per cell, so the
//! layout stays as drawn. Errors are masked where they are made; this catches what arrived by
//! another way (a log line, a label).

use crate::domain::redact::Redactor;
use ratatui::buffer::Buffer;

pub fn mask_buffer(buffer: &mut Buffer, redactor: &Redactor) {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        let mut text = String::new();
        // where each cell's symbol starts in `text`
        let mut starts = Vec::with_capacity(usize::from(area.width));
        for x in area.left()..area.right() {
            starts.push((text.len(), x));
            if let Some(cell) = buffer.cell((x, y)) {
                text.push_str(cell.symbol());
            }
        }
        for range in redactor.find(&text) {
            for &(offset, x) in &starts {
                if range.contains(&offset)
                    && let Some(cell) = buffer.cell_mut((x, y))
                {
                    cell.set_symbol("*");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn cells_of_a_secret_become_stars_and_the_rest_stays() {
        let mut r = Redactor::new();
        r.add_secret("hunter2");
        let mut b = Buffer::empty(Rect::new(0, 0, 40, 2));
        b.set_string(0, 0, "ok hunter2 ok", Style::default());
        b.set_string(0, 1, "é Authorization: Bearer zz", Style::default());
        mask_buffer(&mut b, &r);
        let row = |y: u16| (0..40).map(|x| b[(x, y)].symbol()).collect::<String>();
        assert_eq!(row(0).trim_end(), "ok ******* ok");
        assert_eq!(row(1).trim_end(), "é Authorization: Bearer **");
    }
}
