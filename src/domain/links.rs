//! Which runbook an alert has, and whether it is safe to hand to an opener.
//! Pure: paths are checked lexically here; the executor canonicalises before reading.

use crate::domain::alerts::{GetLabel, Labels};
use std::path::{Component, Path, PathBuf};
use url::Url;

/// A runbook that passed the checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunbookTarget {
    /// An http(s) URL.
    Remote(String),
    /// A markdown file inside the runbook dir.
    Local(PathBuf),
}

impl RunbookTarget {
    /// What an opener receives: the URL, or a `file://` URL for a local file.
    pub fn url(&self) -> String {
        match self {
            RunbookTarget::Remote(u) => u.clone(),
            RunbookTarget::Local(p) => Url::from_file_path(p)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| p.display().to_string()),
        }
    }
}

/// Characters a shell would read specially: refused even though no shell is ever used, so a
/// copy-pasted URL cannot surprise anyone downstream.
const SHELL_META: &[char] = &[
    ';', '|', '&', '$', '`', '<', '>', '(', ')', '\\', '"', '\'', '*', '!', '{', '}', '\n', '\r',
    '\t', ' ',
];

/// The annotations a runbook link is read from by default, first found wins: Prometheus'
/// convention, then Sloth's and other generators'.
pub const RUNBOOK_ANNOTATIONS: &[&str] = &["runbook_url", "runbook", "playbook", "playbook_url"];

pub fn default_runbook_annotations() -> Vec<String> {
    RUNBOOK_ANNOTATIONS
        .iter()
        .map(|s| (*s).to_string())
        .collect()
}

/// The alert's runbook annotation (the first of `keys` that is set and not blank), trimmed,
/// with the key it was found under.
pub fn runbook_annotation_in<'a, 'k>(
    annotations: &'a impl GetLabel,
    keys: &'k [String],
) -> Option<(&'k str, &'a str)> {
    super::alerts::first_set(annotations, keys.iter().map(String::as_str))
}

/// `runbook_annotation_in` with the default keys (a request resumed from the outbox carries
/// the configured one as `runbook_url`, see `act`).
pub fn runbook_annotation(annotations: &Labels) -> Option<&str> {
    super::alerts::first_set(annotations, RUNBOOK_ANNOTATIONS.iter().copied()).map(|(_, v)| v)
}

/// The runbook of an alert: its runbook annotation (the first of `keys`), else
/// `<dir>/<alertname>.md`.
pub fn locate(
    annotations: &impl GetLabel,
    labels: &impl GetLabel,
    dir: Option<&Path>,
    keys: &[String],
) -> Result<RunbookTarget, String> {
    if let Some((_, url)) = runbook_annotation_in(annotations, keys) {
        return check(url, dir);
    }
    let Some(dir) = dir else {
        return Err(format!(
            "no {} annotation and no [runbooks] dir configured",
            keys.join(" or ")
        ));
    };
    let name = labels.get_label("alertname").unwrap_or("");
    if name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\'])
        || name.contains(SHELL_META)
    {
        return Err(format!(
            "refused: alertname {name:?} is not a safe file name"
        ));
    }
    Ok(RunbookTarget::Local(dir.join(format!("{name}.md"))))
}

/// The start of `text`, safe to put in a message.
fn shown(text: &str) -> String {
    text.chars().take(80).filter(|c| !c.is_control()).collect()
}

/// What every URL handed to an opener passes, whatever it is (`what` names it in the refusal):
/// not a flag, no shell metacharacter, space or control character, a URL.
fn parse_checked(text: &str, what: &str) -> Result<Url, String> {
    let shown = shown(text);
    if text.starts_with('-') {
        return Err(format!(
            "refused {what} {shown:?}: looks like a command-line flag"
        ));
    }
    if text.contains(SHELL_META) || text.chars().any(char::is_control) {
        return Err(format!(
            "refused {what} {shown:?}: contains shell metacharacters or spaces"
        ));
    }
    Url::parse(text).map_err(|e| format!("refused {what} {shown:?}: {e}"))
}

fn is_web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())
}

/// A link to the web (a trace URL) for an opener: http or https only, checked as a runbook URL.
pub fn check_web(text: &str, what: &str) -> Result<String, String> {
    let url = parse_checked(text, what)?;
    if !is_web(&url) {
        return Err(format!(
            "refused {what} {:?}: scheme {:?} (only http, https)",
            shown(text),
            url.scheme()
        ));
    }
    Ok(url.to_string())
}

/// Accepts http, https, and file URLs that point inside `dir`; refuses anything else.
pub fn check(text: &str, dir: Option<&Path>) -> Result<RunbookTarget, String> {
    let shown = shown(text);
    let url = parse_checked(text, "runbook")?;
    match url.scheme() {
        _ if is_web(&url) => Ok(RunbookTarget::Remote(url.to_string())),
        "file" => {
            let Some(dir) = dir else {
                return Err(format!(
                    "refused runbook {shown:?}: file URLs need a [runbooks] dir"
                ));
            };
            let path = url
                .to_file_path()
                .map_err(|_| format!("refused runbook {shown:?}: not a local file URL"))?;
            if inside(&path, dir) {
                Ok(RunbookTarget::Local(path))
            } else {
                Err(format!(
                    "refused runbook {shown:?}: outside the runbook dir {}",
                    dir.display()
                ))
            }
        }
        other => Err(format!(
            "refused runbook {shown:?}: scheme {other:?} (only http, https, file)"
        )),
    }
}

/// Lexically inside: no `..`, and under `dir` once both are normalised.
fn inside(path: &Path, dir: &Path) -> bool {
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return false;
    }
    let norm = |p: &Path| -> PathBuf {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    };
    let (p, d) = (norm(path), norm(dir));
    p != d && p.starts_with(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        PathBuf::from("/srv/runbooks")
    }

    #[test]
    fn accepts_http_https_and_file_inside() {
        assert_eq!(
            check("https://wiki.example.com/rb/HighLatency", None),
            Ok(RunbookTarget::Remote(
                "https://wiki.example.com/rb/HighLatency".into()
            ))
        );
        assert!(matches!(
            check("http://x.example/a?b=c", None),
            Ok(RunbookTarget::Remote(_))
        ));
        assert_eq!(
            check("file:///srv/runbooks/disk/Full.md", Some(&dir())),
            Ok(RunbookTarget::Local("/srv/runbooks/disk/Full.md".into()))
        );
    }

    #[test]
    fn refuses_everything_else() {
        let d = dir();
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "ftp://x.example/r",
            "file:///etc/passwd",
            "file:///srv/runbooks/../../etc/passwd",
            "file:///srv/runbooks",
            "--help",
            "-oProxyCommand=evil",
            "https://x.example/$(reboot)",
            "https://x.example/a;rm -rf",
            "https://x.example/a|b",
            "https://x.example/`id`",
            "https://x.example/a b",
            "https://x.example/a\nb",
        ] {
            let r = check(bad, Some(&d));
            assert!(r.is_err(), "{bad:?} was accepted: {r:?}");
            assert!(r.unwrap_err().starts_with("refused runbook"), "{bad:?}");
        }
        assert!(check("file:///srv/runbooks/a.md", None).is_err());
    }

    #[test]
    fn web_links_are_http_or_https_and_pass_the_runbook_checks() {
        assert_eq!(
            check_web("https://tempo.example/trace/4bf9", "trace URL"),
            Ok("https://tempo.example/trace/4bf9".into())
        );
        for bad in [
            "file:///srv/runbooks/a.md",
            "javascript:alert(1)",
            "ftp://x.example/t",
            "-https://x.example",
            "https://x.example/$(reboot)",
            "https://x.example/a b",
            "mailto:oncall@x.example",
        ] {
            let r = check_web(bad, "trace URL");
            assert!(
                r.as_ref()
                    .is_err_and(|e| e.starts_with("refused trace URL")),
                "{bad:?}: {r:?}"
            );
        }
    }

    #[test]
    fn slothes_runbook_annotation_is_read_after_runbook_url() {
        let labels = Labels::new();
        let mut ann = Labels::new();
        ann.insert("runbook".into(), " https://rb.example/sloth ".into());
        assert_eq!(
            locate(&ann, &labels, None, &default_runbook_annotations()),
            Ok(RunbookTarget::Remote("https://rb.example/sloth".into()))
        );
        ann.insert("runbook_url".into(), "https://rb.example/prom".into());
        assert_eq!(
            locate(&ann, &labels, None, &default_runbook_annotations()),
            Ok(RunbookTarget::Remote("https://rb.example/prom".into()))
        );
    }

    #[test]
    fn locate_prefers_annotation_then_dir() {
        let mut ann = Labels::new();
        let mut labels = Labels::new();
        labels.insert("alertname".into(), "DiskFull".into());
        assert_eq!(
            locate(&ann, &labels, Some(&dir()), &default_runbook_annotations()),
            Ok(RunbookTarget::Local("/srv/runbooks/DiskFull.md".into()))
        );
        assert!(locate(&ann, &labels, None, &default_runbook_annotations()).is_err());
        ann.insert("runbook_url".into(), "https://rb.example/disk".into());
        assert_eq!(
            locate(&ann, &labels, None, &default_runbook_annotations()),
            Ok(RunbookTarget::Remote("https://rb.example/disk".into()))
        );
        ann.clear();
        labels.insert("alertname".into(), "../x".into());
        assert!(locate(&ann, &labels, Some(&dir()), &default_runbook_annotations()).is_err());
    }

    #[test]
    fn local_target_becomes_a_file_url() {
        assert_eq!(
            RunbookTarget::Local("/srv/runbooks/A.md".into()).url(),
            "file:///srv/runbooks/A.md"
        );
    }
}
