//! The outbox: one JSON file per action not yet seen through, written atomically (temp file,
//! fsync, rename) before the action is sent, removed once it is delivered or given up.

use crate::domain::act::ActionRequest;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Outbox {
    dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
#[error("outbox {path}: {reason}")]
pub struct OutboxError {
    pub path: String,
    pub reason: String,
}

impl Outbox {
    /// Opens (creating) `<state_dir>/outbox`.
    pub fn open(state_dir: &Path) -> Result<Self, OutboxError> {
        let dir = state_dir.join("outbox");
        super::private_fs::create_dir(&dir).map_err(|e| err(&dir, &e))?;
        Ok(Self { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        // ids are made of digits and dashes; anything else is dropped so no id leaves the dir
        let safe: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        self.dir.join(format!("{safe}.json"))
    }

    /// Durably stores the request; after this returns it survives a crash or a restart.
    pub fn put(&self, req: &ActionRequest) -> Result<(), OutboxError> {
        let path = self.path(&req.id);
        let tmp = path.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(req).map_err(|e| OutboxError {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut f = super::private_fs::create(&tmp).map_err(|e| err(&tmp, &e))?;
        f.write_all(&body).map_err(|e| err(&tmp, &e))?;
        f.sync_all().map_err(|e| err(&tmp, &e))?;
        std::fs::rename(&tmp, &path).map_err(|e| err(&path, &e))?;
        // the rename itself is durable only once the directory is synced
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    pub fn remove(&self, id: &str) -> Result<(), OutboxError> {
        let path = self.path(id);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(err(&path, &e)),
        }
    }

    /// Every stored request, oldest first. A file that does not parse is renamed `*.bad` (kept
    /// for a human, never retried) and reported in the second list.
    pub fn load(&self) -> Result<(Vec<ActionRequest>, Vec<String>), OutboxError> {
        let mut out = Vec::new();
        let mut bad = Vec::new();
        let entries = std::fs::read_dir(&self.dir).map_err(|e| err(&self.dir, &e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let parsed = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| {
                    serde_json::from_slice::<ActionRequest>(&b).map_err(|e| e.to_string())
                });
            match parsed {
                Ok(r) => out.push(r),
                Err(reason) => {
                    let _ = std::fs::rename(&path, path.with_extension("bad"));
                    bad.push(format!("{}: {reason}", path.display()));
                }
            }
        }
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok((out, bad))
    }
}

fn err(path: &Path, e: &std::io::Error) -> OutboxError {
    OutboxError {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}
