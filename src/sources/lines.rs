//! Splits a byte stream into lines without ever holding an unbounded one: past `cap` bytes the
//! rest of a line is counted, not kept.

/// One line as read: its first bytes (at most `cap`) and how many more it had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLine {
    pub bytes: Vec<u8>,
    pub missing: usize,
}

#[derive(Debug)]
pub struct LineSplitter {
    cap: usize,
    line: Vec<u8>,
    missing: usize,
}

impl LineSplitter {
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            line: Vec::new(),
            missing: 0,
        }
    }

    /// Feeds bytes; calls `out` with each line completed (without its `\n`, nor the `\r` of a
    /// CRLF ending; a CR elsewhere stays and is shown as `^M`).
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut impl FnMut(RawLine)) {
        while !bytes.is_empty() {
            let nl = bytes.iter().position(|b| *b == b'\n');
            let chunk = &bytes[..nl.unwrap_or(bytes.len())];
            let room = self.cap.saturating_sub(self.line.len());
            let take = chunk.len().min(room);
            self.line.extend_from_slice(&chunk[..take]);
            self.missing += chunk.len() - take;
            match nl {
                Some(i) => {
                    self.emit(out);
                    bytes = &bytes[i + 1..];
                }
                None => break,
            }
        }
    }

    /// The last line when the stream ends without a newline.
    pub fn finish(&mut self, out: &mut impl FnMut(RawLine)) {
        if !self.line.is_empty() || self.missing > 0 {
            self.emit(out);
        }
    }

    /// Drops a partial line (the file it came from was truncated or replaced).
    pub fn reset(&mut self) {
        self.line.clear();
        self.missing = 0;
    }

    fn emit(&mut self, out: &mut impl FnMut(RawLine)) {
        if self.missing == 0 && self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        out(RawLine {
            bytes: std::mem::take(&mut self.line),
            missing: std::mem::take(&mut self.missing),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(cap: usize, chunks: &[&[u8]]) -> Vec<RawLine> {
        let mut s = LineSplitter::new(cap);
        let mut got = Vec::new();
        for c in chunks {
            s.feed(c, &mut |l| got.push(l));
        }
        s.finish(&mut |l| got.push(l));
        got
    }

    #[test]
    fn lines_across_chunks_crlf_and_a_last_line_without_newline() {
        let got = split(100, &[b"ab", b"c\nd\r\ne\rf\n", b"tail"]);
        let texts: Vec<&[u8]> = got.iter().map(|l| l.bytes.as_slice()).collect();
        assert_eq!(texts, [&b"abc"[..], b"d", b"e\rf", b"tail"]);
    }

    #[test]
    fn long_lines_keep_cap_bytes_and_count_the_rest() {
        let got = split(4, &[b"0123456789", b"abc\nxy\n"]);
        assert_eq!(
            got,
            [
                RawLine {
                    bytes: b"0123".to_vec(),
                    missing: 9
                },
                RawLine {
                    bytes: b"xy".to_vec(),
                    missing: 0
                }
            ]
        );
    }
}
