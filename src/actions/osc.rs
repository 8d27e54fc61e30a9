//! Terminal escape sequences for runbooks over SSH: an OSC 8 hyperlink and an OSC 52 copy.
//! The text is checked (a runbook URL) before it gets here; control characters are dropped
//! anyway so nothing can end the sequence early.

use std::io::Write;

fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// `ESC ] 8 ;; url ESC \ text ESC ] 8 ;; ESC \`
pub fn osc8(url: &str, text: &str) -> String {
    format!("\x1b]8;;{}\x1b\\{}\x1b]8;;\x1b\\", clean(url), clean(text))
}

/// `ESC ] 52 ; c ; base64 BEL`: the terminal puts the text on the user's clipboard, also
/// across SSH.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(clean(text).as_bytes()))
}

pub fn write_osc52(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

/// Writes the link at a screen position (over the same text ratatui drew there).
pub fn write_osc8_at(
    out: &mut dyn Write,
    x: u16,
    y: u16,
    url: &str,
    text: &str,
) -> std::io::Result<()> {
    write!(
        out,
        "\x1b7\x1b[{};{}H{}\x1b8",
        y + 1,
        x + 1,
        osc8(url, text)
    )?;
    out.flush()
}

/// Standard base64 with padding (one encoder for the clipboard and the redactor).
pub use crate::domain::redact::base64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(
            base64(b"https://rb.example/x"),
            "aHR0cHM6Ly9yYi5leGFtcGxlL3g="
        );
    }

    #[test]
    fn sequences_written() {
        let mut out = Vec::new();
        write_osc52(&mut out, "https://rb.example/x").unwrap();
        assert_eq!(out, b"\x1b]52;c;aHR0cHM6Ly9yYi5leGFtcGxlL3g=\x07");
        let mut out = Vec::new();
        write_osc8_at(&mut out, 4, 2, "https://rb.example/x", "runbook").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\x1b7\x1b[3;5H\x1b]8;;https://rb.example/x\x1b\\runbook\x1b]8;;\x1b\\\x1b8"
        );
        // an escape inside the URL cannot end the sequence early
        assert_eq!(
            osc8("https://a/\x1b\\x", "t"),
            "\x1b]8;;https://a/\\x\x1b\\t\x1b]8;;\x1b\\"
        );
    }
}
