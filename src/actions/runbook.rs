//! Reading a local runbook for the in-cockpit view: the path was checked lexically by the
//! reducer; here it is resolved (links included) and must still be inside the runbook dir.

use crate::domain::logs::{SanitiseOptions, sanitise};
use std::path::Path;

/// At most this much of a runbook is read.
pub const MAX_BYTES: usize = 1 << 20;

pub fn read(path: &Path, dir: Option<&Path>) -> Result<String, String> {
    let dir = dir.ok_or("no [runbooks] dir configured")?;
    let real = path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let real_dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    if !real.starts_with(&real_dir) {
        return Err(format!("{} is outside the runbook dir", path.display()));
    }
    let bytes = std::fs::read(&real).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes = &bytes[..bytes.len().min(MAX_BYTES)];
    // a runbook is text from outside like any backend's: cleaned line by line at ingest
    Ok(bytes
        .split(|b| *b == b'\n')
        .map(|l| {
            sanitise(
                l.strip_suffix(b"\r").unwrap_or(l),
                SanitiseOptions::default(),
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inside_and_refuses_a_link_out() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("runbooks");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(
            dir.join("Disk.md"),
            "# Disk\r\n- check df \x1b]0;title\x07\x1b[1mbold\n",
        )
        .unwrap();
        std::fs::write(root.path().join("secret.md"), "nope").unwrap();
        std::os::unix::fs::symlink(root.path().join("secret.md"), dir.join("Evil.md")).unwrap();
        assert_eq!(
            read(&dir.join("Disk.md"), Some(&dir)).unwrap(),
            "# Disk\n- check df ^[]0;title^Gbold\n"
        );
        assert!(
            read(&dir.join("Evil.md"), Some(&dir))
                .unwrap_err()
                .contains("outside the runbook dir")
        );
        assert!(read(&dir.join("Missing.md"), Some(&dir)).is_err());
        assert!(read(&dir.join("Disk.md"), None).is_err());
    }
}
