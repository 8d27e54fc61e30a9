//! Tracing goes to a file or nowhere: never to the terminal the cockpit draws on. Each line is
//! masked (`secret::known()`) before it is written: an error logged with its cause must not
//! carry a token the cause echoed.

use crate::config::secret;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

pub struct LogGuard;

/// The log file behind a lock; what tracing hands it is masked first.
struct MaskedFile(Mutex<File>);

struct MaskedWriter<'a>(std::sync::MutexGuard<'a, File>);

impl Write for MaskedWriter<'_> {
    /// tracing writes each event in one call, so a secret never spans two writes.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .write_all(secret::known().mask_bytes(buf).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for MaskedFile {
    type Writer = MaskedWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        MaskedWriter(match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        })
    }
}

pub fn init(path: Option<&Path>) -> std::io::Result<Option<LogGuard>> {
    let Some(path) = path else { return Ok(None) };
    let file = crate::actions::private_fs::open_append(path)?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("onwatch=info"));
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_writer(MaskedFile(Mutex::new(file)))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    Ok(Some(LogGuard))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    #[test]
    fn a_line_with_a_known_secret_is_written_masked() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        std::fs::write(&key, "log-secret-5e6f").unwrap();
        secret::read(&crate::config::SecretRef {
            file: Some(key),
            env: None,
        })
        .unwrap();
        let path = dir.path().join("log");
        let file = File::create(&path).unwrap();
        let sink = MaskedFile(Mutex::new(file));
        sink.make_writer()
            .write_all(b"WARN poll failed: HTTP 401: you sent log-secret-5e6f\n")
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "WARN poll failed: HTTP 401: you sent ***\n");
    }
}
