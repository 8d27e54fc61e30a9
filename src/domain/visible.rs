//! How backend text is made safe and visible on a terminal, one way for every path (log lines
//! at ingest, labels and errors when drawn). Control characters the terminal would obey are
//! shown in caret notation (`^[`, `^?`); C1 controls and invisible format characters
//! (zero-width spaces and joiners, word joiners, the byte-order mark, bidi controls) are shown
//! as `<U+200D>`: they could hide text, reorder it, or take no column while the layout counts
//! one, and an on-call engineer comparing two labels must see that they differ.

use std::borrow::Cow;

/// Characters shown as `<U+XXXX>`: C1 controls and the invisible format characters.
pub fn shown_as_code(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}' // zero-width space, non-joiner, joiner; LRM, RLM
        | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{feff}'              // byte-order mark, zero-width no-break space
        | '\u{061c}'              // Arabic letter mark
    )
}

/// What `c` is drawn as when it is not drawn as itself; `None`: as itself. Tabs are the
/// caller's (ingest expands them to columns; elsewhere they are `^I`).
pub fn replacement(c: char) -> Option<Cow<'static, str>> {
    match c {
        '\x7f' => Some(Cow::Borrowed("^?")),
        c if (c as u32) < 0x20 => {
            let caret = char::from(c as u8 + 0x40);
            Some(Cow::Owned(format!("^{caret}")))
        }
        c if shown_as_code(c) => Some(Cow::Owned(code(c))),
        _ => None,
    }
}

/// `<U+200D>`.
pub fn code(c: char) -> String {
    format!("<U+{:04X}>", c as u32)
}

/// `s` with every character `replacement` names replaced; borrowed when there is none (the
/// common case: drawn labels are asked this every frame).
pub fn visible(s: &str) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() || shown_as_code(c);
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) || !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match replacement(c) {
            Some(r) => out.push_str(&r),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_characters_are_named_not_dropped_or_written() {
        assert_eq!(visible("a\u{200d}b"), "a<U+200D>b");
        assert_eq!(visible("zw\u{200b}sp"), "zw<U+200B>sp");
        assert_eq!(visible("\u{feff}bom"), "<U+FEFF>bom");
        assert_eq!(visible("wj\u{2060}"), "wj<U+2060>");
        assert_eq!(visible("rtl\u{202e}txt"), "rtl<U+202E>txt");
        assert_eq!(visible("iso\u{2067}x\u{2069}"), "iso<U+2067>x<U+2069>");
        assert_eq!(visible("alm\u{061c}"), "alm<U+061C>");
    }

    #[test]
    fn controls_are_carets_or_codes() {
        assert_eq!(visible("a\x1b[2Jb"), "a^[[2Jb");
        assert_eq!(visible("nul\0del\x7f"), "nul^@del^?");
        assert_eq!(visible("tab\tcr\r"), "tab^Icr^M");
        assert_eq!(visible("csi\u{9b}"), "csi<U+009B>");
    }

    #[test]
    fn printable_text_is_borrowed_as_it_is() {
        for s in ["plain", "checkout-api", "日本語", "emoji 🔥", "é", "👩‍"] {
            let shown = visible(s);
            let borrowed = matches!(shown, Cow::Borrowed(_));
            // The last one holds a joiner: it must be named.
            assert_eq!(borrowed, !s.contains('\u{200d}'), "{s:?} -> {shown:?}");
        }
    }

    #[test]
    fn what_is_shown_is_only_printable_and_shown_again_unchanged() {
        let hostile = "x\u{1b}]0;t\u{7}\u{200d}\u{202e}\u{feff}\u{9b}\u{0}y";
        let once = visible(hostile).into_owned();
        assert!(
            !once.chars().any(|c| c.is_control() || shown_as_code(c)),
            "{once:?}"
        );
        assert_eq!(visible(&once), once.as_str());
    }
}
