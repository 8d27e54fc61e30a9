//! State files are the operator's: the audit log, the timeline and the outbox hold comments,
//! alert labels and SSH client addresses. They are created 0600 in directories created 0700,
//! and ones left readable by others (an older version, a umask of 022) are tightened at start.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` and any missing parents, the ones it creates 0700.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    b.mode(0o700);
    b.create(dir)
}

/// Opens `path` for appending, creating it 0600.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    o.mode(0o600);
    o.open(path)
}

/// Creates (or truncates) `path` for writing, creating it 0600.
pub fn create(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).write(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    o.open(path)
}

/// Removes group and other access from `state_dir`, onwatch's files in it (the audit log,
/// the timeline and its rotations) and everything in its `outbox`; returns what it changed,
/// for one line in the log. Other files a shared state dir holds are left as they are.
/// Errors are skipped: a file that cannot be tightened is still used (and the operator sees
/// its mode with `ls`).
pub fn tighten(state_dir: &Path) -> Vec<PathBuf> {
    let mut changed = Vec::new();
    let outbox = state_dir.join("outbox");
    for (dir, ours) in [
        (state_dir, is_state_file as fn(&str) -> bool),
        (outbox.as_path(), |_: &str| true),
    ] {
        if restrict(dir, 0o700) {
            changed.push(dir.to_path_buf());
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if ours(name) && path.is_file() && restrict(&path, 0o600) {
                changed.push(path);
            }
        }
    }
    changed
}

/// `audit.jsonl`, `timeline.jsonl`, `timeline.3.jsonl`.
fn is_state_file(name: &str) -> bool {
    name == "audit.jsonl" || (name.starts_with("timeline") && name.ends_with(".jsonl"))
}

/// Sets `mode` when the path gives any access to group or others; true when it did.
#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if meta.file_type().is_symlink() || meta.permissions().mode() & 0o077 == 0 {
        return false;
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).is_ok()
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> bool {
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).map_or(0, |m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn new_state_is_private_whatever_the_umask() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        let log = dir.join("audit.jsonl");
        open_append(&log).unwrap();
        assert_eq!(mode(&log), 0o600);
        let out = dir.join("x.json");
        create(&out).unwrap();
        assert_eq!(mode(&out), 0o600);
    }

    #[test]
    fn readable_state_is_tightened_once_and_said() {
        let root = tempfile::tempdir().unwrap();
        let state = root.path().join("state");
        std::fs::create_dir_all(state.join("outbox")).unwrap();
        let audit = state.join("audit.jsonl");
        let pending = state.join("outbox/1.json");
        std::fs::write(&audit, "{}\n").unwrap();
        std::fs::write(&pending, "{}").unwrap();
        for p in [&state, &state.join("outbox")] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        for p in [&audit, &pending] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let script = state.join("notify.sh");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let changed = tighten(&state);
        assert_eq!(changed.len(), 4, "{changed:?}");
        assert_eq!(
            mode(&script),
            0o755,
            "a file onwatch did not write is left alone"
        );
        assert_eq!(mode(&state), 0o700);
        assert_eq!(mode(&state.join("outbox")), 0o700);
        assert_eq!(mode(&audit), 0o600);
        assert_eq!(mode(&pending), 0o600);
        assert!(
            tighten(&state).is_empty(),
            "nothing left to say the second time"
        );
        assert!(tighten(&root.path().join("missing")).is_empty());
    }
}
