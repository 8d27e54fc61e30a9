//! The TOML config: schema (serde, deny_unknown_fields), defaults, validation, paths.

mod error;
mod locate;
pub mod paths;
pub mod schema;
pub mod secret;
mod sources;
pub(crate) mod validate;
mod validate_logs;

pub use error::{ConfigError, EXIT_CONFIG, line_column};
pub use paths::{
    config_path, default_config_path, demo_state_dir, no_config_message, state_dir, user_themes_dir,
};
pub use schema::*;
pub use sources::SourceRef;

use std::io::Write;
use std::path::{Path, PathBuf};

/// The commented example config; `onwatch init` writes exactly this text.
pub const EXAMPLE: &str = include_str!("../../config.example.toml");

/// Reads, parses and validates the config file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    parse(&text, path)
}

/// Parses and validates config text; `path` is only used to name the file in errors.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    // the spanned document first: syntax errors, and the key positions validation reports
    let doc = toml::de::DeTable::parse(text).map_err(|e| error::from_syntax(path, text, &e))?;
    let config: Config = toml::from_str(text).map_err(|e| error::from_toml(path, text, &e))?;
    let locator = locate::Locator::new(doc);
    validate::validate(&config, path, text, &locator)?;
    Ok(config)
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} already exists; not overwriting it", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
}

/// Writes the example config to `path` (creating its directory), never over an existing file.
pub fn init(path: &Path) -> Result<(), InitError> {
    let io = |e: std::io::Error| InitError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => InitError::Exists(path.to_path_buf()),
            _ => io(e),
        })?;
    file.write_all(EXAMPLE.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}
