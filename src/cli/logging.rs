//! Tracing goes to a file or nowhere: never to the terminal the cockpit draws on.

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

pub struct LogGuard;

pub fn init(path: Option<&Path>) -> std::io::Result<Option<LogGuard>> {
    let Some(path) = path else { return Ok(None) };
    let file = File::options().create(true).append(true).open(path)?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("onwatch=info"));
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    Ok(Some(LogGuard))
}
