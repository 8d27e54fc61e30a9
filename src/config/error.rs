//! Config errors: every one names the file and, when the text is at fault, the line, column and key.
//! Messages never carry a secret: secrets are references, and string values echoed by serde are
//! dropped from type errors (a token pasted inline must not be printed back).

use crate::domain::redact::strip_quoted_strings;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The binary's exit code for any configuration error.
pub const EXIT_CONFIG: i32 = 2;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("config error in {}: cannot read the file: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("config error in {}:{line}:{column}: {message}", path.display())]
    At {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("config error in {}: {message}", path.display())]
    Whole { path: PathBuf, message: String },
    /// Found while combining the config with the command line (e.g. `--theme` names no theme).
    #[error("config error: {0}")]
    Setup(String),
    /// Every problem validation found, in file order, one per line: a config is fixed in one
    /// round, not one error per run.
    #[error("{}", several(.0))]
    Several(Vec<ConfigError>),
}

fn several(errors: &[ConfigError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!("{}\n{} config errors", lines.join("\n"), errors.len())
}

impl ConfigError {
    /// An error about the text at `span` of `source` (a byte range, as the toml crate gives).
    pub(crate) fn at(
        path: &Path,
        source: &str,
        span: Option<Range<usize>>,
        message: String,
    ) -> Self {
        match span {
            Some(span) => {
                let (line, column) = line_column(source, span.start);
                ConfigError::At {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                }
            }
            None => ConfigError::Whole {
                path: path.to_path_buf(),
                message,
            },
        }
    }

    /// The errors it stands for, as a list, in file order (errors about the whole file last).
    pub fn in_file_order(mut errors: Vec<ConfigError>) -> Result<(), ConfigError> {
        errors.sort_by_key(|e| e.line().unwrap_or(usize::MAX));
        errors.dedup();
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(ConfigError::Several(errors)),
        }
    }

    /// The 1-based line, when the error points into the file.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::At { line, .. } => Some(*line),
            ConfigError::Several(errors) => errors.first().and_then(ConfigError::line),
            _ => None,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A TOML syntax error: the parser's message is about the text itself, so no table or key.
pub(crate) fn from_syntax(path: &Path, source: &str, err: &toml::de::Error) -> ConfigError {
    ConfigError::at(
        path,
        source,
        err.span(),
        strip_quoted_strings(err.message()),
    )
}

/// Turns a toml deserialisation error into our message: the table it happened in, the key, and
/// serde's reason without any string value it quoted.
pub(crate) fn from_toml(path: &Path, source: &str, err: &toml::de::Error) -> ConfigError {
    let span = err.span();
    let raw = strip_quoted_strings(err.message());
    let raw = friendlier_types(&raw);
    let message = match &span {
        Some(span) => {
            let table = enclosing_table(source, span.start);
            let place = table.as_deref().unwrap_or("the top level");
            if let Some(rest) = raw.strip_prefix("unknown field `") {
                match rest.split_once('`') {
                    Some((field, tail)) => {
                        let in_place = match &table {
                            Some(t) => format!("in {t}"),
                            None => "at the top level".to_string(),
                        };
                        format!("unknown field `{field}` {in_place}{tail}")
                    }
                    None => format!("{place}: {raw}"),
                }
            } else {
                match key_before(source, span.start) {
                    Some(key) => format!("{place} {key}: {raw}"),
                    None => format!("{place}: {raw}"),
                }
            }
        }
        None => raw,
    };
    ConfigError::at(path, source, span, message)
}

/// The `[table]` or `[[array]]` header governing `offset` (the header itself counts).
fn enclosing_table(source: &str, offset: usize) -> Option<String> {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let line_end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    source[..line_end]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| {
            // drop a trailing comment after the header
            let end = if l.starts_with("[[") {
                l.find("]]").map(|i| i + 2)
            } else {
                l.find(']').map(|i| i + 1)
            };
            end.map_or(l, |e| &l[..e]).to_string()
        })
}

/// The key of `key = value` when `offset` points at (or inside) the value on the same line.
fn key_before(source: &str, offset: usize) -> Option<String> {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = source[line_start..offset].trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let key = before
        .rsplit(|c: char| c == '{' || c == ',' || c.is_whitespace())
        .next()?;
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

fn friendlier_types(message: &str) -> String {
    message
        .replace(
            "struct SecretRef",
            "a table with `file` or `env` (secrets are never written inline)",
        )
        .replace("struct BasicAuth", "a table with `username` and `password`")
        .replace(
            "data did not match any variant of untagged enum KeyList",
            "expected a key or a list of keys",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let s = "a = 1\nbé = 2\n";
        assert_eq!(line_column(s, 0), (1, 1));
        assert_eq!(line_column(s, 6), (2, 1));
        assert_eq!(line_column(s, s.find('2').unwrap()), (2, 6));
    }

    #[test]
    fn finds_table_and_key() {
        let s = "[general]\nuser = 1\n[[slo]] # c\nname = 2\ntls = { ca_file = 3 }\n";
        assert_eq!(enclosing_table(s, 17).as_deref(), Some("[general]"));
        assert_eq!(
            enclosing_table(s, s.find('2').unwrap()).as_deref(),
            Some("[[slo]]")
        );
        assert_eq!(key_before(s, s.find('1').unwrap()).as_deref(), Some("user"));
        assert_eq!(
            key_before(s, s.find('3').unwrap()).as_deref(),
            Some("ca_file")
        );
        assert_eq!(enclosing_table("x = 1", 4), None);
    }
}
