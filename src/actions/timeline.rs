//! The incident timeline on disk: `<state_dir>/timeline.jsonl`, one `domain::timeline::Entry`
//! per line, appended as things happen and read back for `:timeline` and
//! `onwatch timeline export`. It rotates by size (`timeline.1.jsonl` is the newest rotated
//! file) and is read back across every file rotation kept.

use crate::config::Config;
use crate::domain::timeline::Entry;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// Where the timeline lives for this config: `[actions] state_dir`, else the platform state dir.
pub fn path_for(config: Option<&Config>) -> PathBuf {
    path_in(
        &config
            .and_then(|c| c.actions.state_dir.clone())
            .unwrap_or_else(crate::config::state_dir),
    )
}

/// The timeline file of the state dir `dir`.
pub fn path_in(dir: &Path) -> PathBuf {
    dir.join("timeline.jsonl")
}

/// When the file rotates and how many rotated files are kept (`[actions] timeline_max_size`,
/// `timeline_keep`): the timeline never takes more than about `max_bytes * (keep + 1)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rotation {
    pub max_bytes: u64,
    pub keep: usize,
}

impl Default for Rotation {
    fn default() -> Self {
        Self {
            max_bytes: 10 << 20,
            keep: 5,
        }
    }
}

/// `timeline.jsonl` -> `timeline.3.jsonl`.
fn rotated(path: &Path, n: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("timeline");
    path.with_file_name(format!("{stem}.{n}.jsonl"))
}

/// Shifts `timeline.jsonl` to `.1`, `.1` to `.2`…, the oldest beyond `keep` removed.
fn rotate(path: &Path, keep: usize) -> std::io::Result<()> {
    if keep == 0 {
        return std::fs::remove_file(path);
    }
    let _ = std::fs::remove_file(rotated(path, keep));
    for n in (1..keep).rev() {
        match std::fs::rename(rotated(path, n), rotated(path, n + 1)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    std::fs::rename(path, rotated(path, 1))
}

/// Appends entries, creating the file (and its directory) on first use, rotating it first
/// when the batch would take it past `rotation.max_bytes`.
pub fn append(path: &Path, entries: &[Entry], rotation: Rotation) -> std::io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        super::private_fs::create_dir(dir)?;
    }
    let mut text = String::new();
    for e in entries {
        let line = serde_json::to_string(e).map_err(std::io::Error::other)?;
        text.push_str(&line);
        text.push('\n');
    }
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size > 0 && size + text.len() as u64 > rotation.max_bytes {
        rotate(path, rotation.keep)?;
    }
    let mut file = super::private_fs::open_append(path)?;
    // One write per batch, so a line is never interleaved with another cockpit's.
    file.write_all(text.as_bytes())
}

/// Every entry of the file and of its rotated files, oldest first; a line that does not parse
/// (a torn write, a newer version's event) is skipped and counted, never fatal. No file:
/// nothing happened yet.
pub fn read(path: &Path) -> std::io::Result<(Vec<Entry>, usize)> {
    let mut entries = Vec::new();
    let mut skipped = 0;
    // Rotated files are numbered from 1 without gaps; the first missing one ends the list.
    let files = std::iter::once(path.to_path_buf()).chain((1..).map(|n| rotated(path, n)));
    for (n, file) in files.enumerate() {
        match std::fs::File::open(&file) {
            Ok(f) => skipped += read_into(f, &mut entries)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && n > 0 => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    entries.sort_by_key(|e| e.at);
    Ok((entries, skipped))
}

/// The entries of one file; returns how many lines could not be read.
fn read_into(file: std::fs::File, entries: &mut Vec<Entry>) -> std::io::Result<usize> {
    let mut skipped = 0;
    for line in BufReader::new(file).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(&line) {
            Ok(e) => entries.push(e),
            Err(_) => skipped += 1,
        }
    }
    Ok(skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timeline::Event;
    use chrono::{TimeZone, Utc};

    #[test]
    fn appends_and_reads_back_skipping_torn_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/timeline.jsonl");
        assert_eq!(read(&path).unwrap(), (vec![], 0));
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        let note = Entry {
            at,
            event: Event::Note {
                by: "a".into(),
                text: "x".into(),
            },
        };
        append(&path, std::slice::from_ref(&note), Rotation::default()).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"at\":\"torn\n")
            .unwrap();
        append(&path, std::slice::from_ref(&note), Rotation::default()).unwrap();
        let (entries, skipped) = read(&path).unwrap();
        assert_eq!(entries, vec![note.clone(), note]);
        assert_eq!(skipped, 1);
    }

    #[test]
    fn rotates_by_size_keeps_so_many_files_and_reads_across_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("timeline.jsonl");
        let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        let note = |i: i64| Entry {
            at: t0 + chrono::Duration::seconds(i),
            event: Event::Note {
                by: "a".into(),
                text: format!("note {i:04}"),
            },
        };
        let line = serde_json::to_string(&note(0)).unwrap().len() as u64 + 1;
        // Ten lines a file, three rotated files kept: 40 lines at most, the newest ones.
        let rotation = Rotation {
            max_bytes: 10 * line,
            keep: 3,
        };
        for i in 0..100 {
            append(&path, &[note(i)], rotation).unwrap();
        }
        for n in 1..=3 {
            let size = std::fs::metadata(rotated(&path, n)).unwrap().len();
            assert_eq!(size, 10 * line, "timeline.{n}.jsonl is full");
        }
        assert!(!rotated(&path, 4).exists(), "older files are removed");
        assert!(std::fs::metadata(&path).unwrap().len() <= 10 * line);
        let (entries, skipped) = read(&path).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(entries.len(), 40);
        assert_eq!(entries.first(), Some(&note(60)), "oldest kept first");
        assert_eq!(entries.last(), Some(&note(99)));
    }
}
