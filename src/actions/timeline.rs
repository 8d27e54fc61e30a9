//! The incident timeline on disk: `<state_dir>/timeline.jsonl`, one `domain::timeline::Entry`
//! per line, appended as things happen and read back for `:timeline` and
//! `onwatch timeline export`.

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

/// Appends entries, creating the file (and its directory) on first use.
pub fn append(path: &Path, entries: &[Entry]) -> std::io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        super::private_fs::create_dir(dir)?;
    }
    let mut file = super::private_fs::open_append(path)?;
    let mut text = String::new();
    for e in entries {
        let line = serde_json::to_string(e).map_err(std::io::Error::other)?;
        text.push_str(&line);
        text.push('\n');
    }
    // One write per batch, so a line is never interleaved with another cockpit's.
    file.write_all(text.as_bytes())
}

/// Every entry of the file, oldest first; a line that does not parse (a torn write, a newer
/// version's event) is skipped and counted, never fatal. No file: nothing happened yet.
pub fn read(path: &Path) -> std::io::Result<(Vec<Entry>, usize)> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
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
    entries.sort_by_key(|e| e.at);
    Ok((entries, skipped))
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
        append(&path, std::slice::from_ref(&note)).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"at\":\"torn\n")
            .unwrap();
        append(&path, std::slice::from_ref(&note)).unwrap();
        let (entries, skipped) = read(&path).unwrap();
        assert_eq!(entries, vec![note.clone(), note]);
        assert_eq!(skipped, 1);
    }
}
