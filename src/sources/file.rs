//! Follows a log file like `tail -F`: appended bytes are read on each poll, across rotation
//! (the path now names another file: the old one is read to its end first) and truncation
//! (the file shrank: read again from the start).

use super::lines::{LineSplitter, RawLine};
use std::io::{self, SeekFrom};
use std::path::PathBuf;
use tokio::fs::File;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// Most bytes read in one poll; a burst beyond it waits for the next poll.
const READ_BUDGET: u64 = 4 << 20;
/// On first open, start this far before the end (the pane opens on recent lines).
const INITIAL_TAIL: u64 = 64 << 10;

#[derive(Debug)]
pub struct FileFollower {
    path: PathBuf,
    open: Option<Open>,
    splitter: LineSplitter,
    first: bool,
    /// The first line after starting mid-file is a partial one: dropped.
    skip_partial: bool,
}

#[derive(Debug)]
struct Open {
    file: File,
    id: Option<(u64, u64)>,
    offset: u64,
}

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

impl FileFollower {
    pub fn new(path: impl Into<PathBuf>, cap: usize) -> Self {
        Self {
            path: path.into(),
            open: None,
            splitter: LineSplitter::new(cap),
            first: true,
            skip_partial: false,
        }
    }

    /// The complete lines appended since the last poll. A missing file is an error only while
    /// none was ever open (after a rotation the new file may not exist yet).
    pub async fn poll(&mut self) -> io::Result<Vec<RawLine>> {
        let mut out = Vec::new();
        let meta = match tokio::fs::metadata(&self.path).await {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound && self.open.is_some() => None,
            Err(e) => return Err(e),
        };
        let replaced = match (&self.open, &meta) {
            (Some(o), Some(m)) => o.id.is_some() && o.id != file_id(m),
            _ => false,
        };
        if replaced || meta.is_none() {
            // Rotated: what was written to the old file before the rename is read first.
            if let Some(mut o) = self.open.take() {
                self.read(&mut o, &mut out).await?;
                self.splitter.finish(&mut |l| out.push(l));
                if meta.is_none() {
                    self.open = Some(o); // keep it until a new file appears
                }
            }
        }
        let Some(meta) = meta else {
            return Ok(out);
        };
        if self.open.is_none() {
            let mut file = File::open(&self.path).await?;
            let start = if self.first {
                meta.len().saturating_sub(INITIAL_TAIL)
            } else {
                0
            };
            file.seek(SeekFrom::Start(start)).await?;
            self.skip_partial = start > 0;
            self.open = Some(Open {
                file,
                id: file_id(&meta),
                offset: start,
            });
            self.first = false;
        }
        if let Some(mut o) = self.open.take() {
            if meta.len() < o.offset {
                // Truncated in place (`> file`, copytruncate).
                o.file.seek(SeekFrom::Start(0)).await?;
                o.offset = 0;
                self.splitter.reset();
                self.skip_partial = false;
            }
            self.read(&mut o, &mut out).await?;
            self.open = Some(o);
        }
        Ok(out)
    }

    async fn read(&mut self, o: &mut Open, out: &mut Vec<RawLine>) -> io::Result<()> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut budget = READ_BUDGET;
        while budget > 0 {
            let n = o.file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            o.offset += n as u64;
            budget = budget.saturating_sub(n as u64);
            let skip = &mut self.skip_partial;
            self.splitter.feed(&buf[..n], &mut |l| {
                if std::mem::take(skip) {
                    return;
                }
                out.push(l);
            });
        }
        Ok(())
    }
}
