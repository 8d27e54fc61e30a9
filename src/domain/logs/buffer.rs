//! The log buffer: bounded by lines and bytes, oldest out first.

use super::{LogLine, StyleSpan};
use std::collections::VecDeque;

/// A ring of log lines bounded by a line count and a byte budget; the oldest are dropped first,
/// and the number dropped is kept so the pane can say so.
#[derive(Clone, Debug)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
    dropped: u64,
}

impl LogBuffer {
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            bytes: 0,
            max_lines: max_lines.max(1),
            max_bytes: max_bytes.max(1),
            dropped: 0,
        }
    }

    /// What a line holds on the heap and in the ring (labels are shared between lines of a
    /// stream, so they are not counted per line).
    fn cost(line: &LogLine) -> usize {
        line.line.len()
            + line.source.len()
            + line.styles.len() * std::mem::size_of::<StyleSpan>()
            + std::mem::size_of::<LogLine>()
    }

    pub fn push(&mut self, line: LogLine) {
        self.bytes += Self::cost(&line);
        self.lines.push_back(line);
        while self.lines.len() > self.max_lines
            || (self.bytes > self.max_bytes && self.lines.len() > 1)
        {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= Self::cost(&old);
                self.dropped += 1;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Counts lines lost before they reached the buffer (a source's window moved past them).
    pub fn add_dropped(&mut self, n: u64) {
        self.dropped += n;
    }

    /// Empties the buffer (a new log view); the dropped count restarts too.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.bytes = 0;
        self.dropped = 0;
    }

    pub fn max_lines(&self) -> usize {
        self.max_lines
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogLine> + ExactSizeIterator {
        self.lines.iter()
    }

    /// The newest `n` lines, oldest first.
    pub fn tail(&self, n: usize) -> impl Iterator<Item = &LogLine> {
        self.lines.iter().skip(self.lines.len().saturating_sub(n))
    }
}
