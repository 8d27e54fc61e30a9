//! Secrets (tokens, passwords, routing keys) come from a file or an environment variable and are
//! never printed: `Secret`'s Debug and Display show `***`, and errors name only where it was looked for.

use super::schema::SecretRef;
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for the one place that needs it (an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a secret needs exactly one of `file` or `env`")]
    NeitherOrBoth,
    #[error("cannot read secret file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("environment variable {0} is not set")]
    EnvMissing(String),
    #[error("secret from {0} is empty")]
    Empty(String),
}

/// Reads a secret; trailing newlines of a file are dropped.
pub fn read(r: &SecretRef) -> Result<Secret, SecretError> {
    let (value, origin) = match (&r.file, &r.env) {
        (Some(path), None) => {
            let text = std::fs::read_to_string(path).map_err(|e| SecretError::File {
                path: path.display().to_string(),
                reason: e.kind().to_string(),
            })?;
            (text, path.display().to_string())
        }
        (None, Some(var)) => (
            std::env::var(var).map_err(|_| SecretError::EnvMissing(var.clone()))?,
            format!("${var}"),
        ),
        _ => return Err(SecretError::NeitherOrBoth),
    };
    let value = value.trim_end_matches(['\n', '\r']).to_string();
    if value.is_empty() {
        return Err(SecretError::Empty(origin));
    }
    Ok(Secret(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_file_and_never_prints_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cr3t\n").unwrap();
        let s = read(&SecretRef {
            file: Some(path),
            env: None,
        })
        .unwrap();
        assert_eq!(s.expose(), "s3cr3t");
        assert!(!format!("{s:?} {s}").contains("s3cr3t"));
    }

    #[test]
    fn errors_name_the_place_not_the_value() {
        let e = read(&SecretRef {
            file: None,
            env: Some("ONWATCH_TEST_SURELY_UNSET".into()),
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "environment variable ONWATCH_TEST_SURELY_UNSET is not set"
        );
        assert_eq!(
            read(&SecretRef {
                file: None,
                env: None
            })
            .unwrap_err(),
            SecretError::NeitherOrBoth
        );
    }
}
