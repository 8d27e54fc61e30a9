//! Secrets (tokens, passwords, routing keys) come from a file or an environment variable and are
//! never printed: `Secret`'s Debug and Display show `***`, and errors name only where it was looked for.
//!
//! Every value read here is also remembered, with the credentials found in configured URLs and
//! header values, in one process-wide `Redactor` (`known()`): each secret enters the process
//! through this module, so the set is complete by construction, and every text that leaves it
//! (error messages, the screen, `snapshot`, `check`, the log file, the audit log) is masked
//! with it.

use super::schema::{BasicAuth, SecretRef};
use crate::domain::redact::{self, Redactor};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

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
    remember(|r| r.add_secret(&value));
    Ok(Secret(value))
}

/// Reads a basic-auth password; `user:password` is remembered in the forms it is sent in.
pub fn read_basic(b: &BasicAuth) -> Result<Secret, SecretError> {
    let password = read(&b.password)?;
    remember(|r| r.add_credentials(&b.username, password.expose()));
    Ok(password)
}

static KNOWN: RwLock<Option<Arc<Redactor>>> = RwLock::new(None);

/// Every secret read so far, for masking.
pub fn known() -> Arc<Redactor> {
    match KNOWN.read() {
        Ok(guard) => guard.clone().unwrap_or_default(),
        // a writer panicked mid-update: what it left is still a valid set
        Err(poisoned) => poisoned.into_inner().clone().unwrap_or_default(),
    }
}

/// `text` with every known secret masked.
pub fn mask(text: &str) -> String {
    known().mask(text)
}

fn remember(add: impl FnOnce(&mut Redactor)) {
    let mut guard = match KNOWN.write() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let mut next = guard.as_deref().cloned().unwrap_or_default();
    add(&mut next);
    *guard = Some(Arc::new(next));
}

/// Configured header values that are long enough to be credentials (tenant tokens, API keys).
pub fn remember_headers(headers: &BTreeMap<String, String>) {
    if headers.is_empty() {
        return;
    }
    remember(|r| {
        for (name, value) in headers {
            r.add_header_value(name, value);
        }
    });
}

/// The credentials a URL carries: `user:password@` (sent as basic auth), query values, and
/// long mixed letter-and-digit path segments (webhook URLs put their token there).
pub fn remember_url(url: &url::Url) {
    let user = redact::percent_decode(url.username());
    let password = url.password().map(redact::percent_decode);
    let queries: Vec<String> = url
        .query_pairs()
        .map(|(_, v)| v.into_owned())
        .filter(|v| v.chars().count() >= redact::MIN_HEADER_VALUE)
        .collect();
    let tokens: Vec<String> = url
        .path_segments()
        .into_iter()
        .flatten()
        .filter(|s| looks_like_token(s))
        .map(redact::percent_decode)
        .collect();
    if password.is_none() && queries.is_empty() && tokens.is_empty() {
        return;
    }
    remember(|r| {
        if let Some(p) = &password {
            r.add_credentials(&user, p);
        }
        for v in queries.iter().chain(&tokens) {
            r.add_secret(v);
        }
    });
}

fn looks_like_token(segment: &str) -> bool {
    segment.len() >= 20
        && segment.bytes().any(|b| b.is_ascii_digit())
        && segment.bytes().any(|b| b.is_ascii_alphabetic())
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
        // once read, it is masked wherever it shows up
        assert_eq!(mask("got s3cr3t back"), "got *** back");
    }

    #[test]
    fn basic_auth_and_url_credentials_are_remembered_in_every_form() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "pa55-basic").unwrap();
        let b = BasicAuth {
            username: "ops".into(),
            password: SecretRef {
                file: Some(path),
                env: None,
            },
        };
        read_basic(&b).unwrap();
        let b64 = redact::base64(b"ops:pa55-basic");
        assert_eq!(mask(&format!("Basic-echo {b64}")), "Basic-echo ***");
        let url = url::Url::parse(
            "https://hook:w%40bpass@hooks.example/services/T0123/B0123/abcDEF0123456789xyzQ?sig=0123456789ab&v=2",
        )
        .unwrap();
        remember_url(&url);
        let echoed = "w@bpass abcDEF0123456789xyzQ 0123456789ab services v=2";
        assert_eq!(mask(echoed), "*** *** *** services v=2");
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
