//! The core (`domain/`, `app/`) never imports a terminal, network or runtime crate,
//! and crossterm is used only through ratatui's re-export (one version linked).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(under: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(under),
        &mut files,
    );
    assert!(!files.is_empty(), "no sources under {under}");
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_core_imports_no_terminal_network_or_runtime_crate() {
    for dir in ["src/domain", "src/app"] {
        for (path, text) in sources(dir) {
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for banned in [
                    "crossterm",
                    "tokio",
                    "reqwest",
                    "axum",
                    "std::net",
                    "std::process",
                ] {
                    assert!(
                        !code.contains(banned),
                        "{path}:{}: {banned} in the core: {line}",
                        n + 1
                    );
                }
            }
        }
    }
}

/// A crate named in code: `name::` or `use name` / `extern crate name`, `name` a whole word
/// (`hyper-x` in a key test is not the hyper crate, `tokio_tungstenite` is not `tungstenite`).
fn names_crate(code: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let imports = code.contains("use ") || code.contains("extern crate ");
    code.match_indices(name).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = &code[i + name.len()..];
        before.is_none_or(|c| !ident(c))
            && !after.starts_with(ident)
            && (after.starts_with("::") || imports)
    })
}

#[test]
fn names_crate_finds_paths_and_imports_only() {
    assert!(names_crate("use ratatui::Frame;", "ratatui"));
    assert!(names_crate(
        "    let t = ratatui_textarea::TextArea::default();",
        "ratatui_textarea"
    ));
    assert!(!names_crate(
        "    let t = ratatui_textarea::TextArea::default();",
        "ratatui"
    ));
    assert!(names_crate("use hyper;", "hyper"));
    assert!(!names_crate("    \"hyper-x\"", "hyper"));
    assert!(!names_crate(
        "use tokio_tungstenite::connect;",
        "tungstenite"
    ));
}

#[test]
fn the_core_names_no_widget_terminal_network_runtime_or_desktop_crate() {
    // Cargo's crate names as code spells them (ratatui-textarea is `ratatui_textarea`).
    let banned = [
        "ratatui",
        "ratatui_textarea",
        "tui_textarea",
        "crossterm",
        "tokio",
        "reqwest",
        "axum",
        "hyper",
        "tungstenite",
        "tokio_tungstenite",
        "notify_rust",
    ];
    for dir in ["src/domain", "src/app"] {
        for (path, text) in sources(dir) {
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for name in banned {
                    assert!(
                        !names_crate(code, name),
                        "{path}:{}: {name} in the core: {line}",
                        n + 1
                    );
                }
                // and as Cargo.toml spells them, should one be written in a string
                for name in ["ratatui-textarea", "tui-textarea", "notify-rust"] {
                    assert!(
                        !code.contains(name),
                        "{path}:{}: {name} in the core: {line}",
                        n + 1
                    );
                }
            }
        }
    }
}

/// One job per file: past this, a file is split by what its parts do.
const MAX_LINES: usize = 600;

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = sources("src")
        .into_iter()
        .map(|(path, text)| (path, text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(path, lines)| format!("{path}: {lines} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_shell_layers_import_the_core_contract_not_the_reducer_or_the_screen() {
    for dir in ["src/poll", "src/sources", "src/actions", "src/config"] {
        for (path, text) in sources(dir) {
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for banned in ["crate::app", "crate::ui"] {
                    assert!(
                        !code.contains(banned),
                        "{path}:{}: {banned} outside the shell's composition: {line}",
                        n + 1
                    );
                }
            }
        }
    }
}

#[test]
fn crossterm_only_through_ratatui() {
    for (path, text) in sources("src") {
        for (n, line) in text.lines().enumerate() {
            let uses = line.contains("crossterm::") && !line.contains("ratatui::crossterm");
            assert!(
                !uses || line.trim_start().starts_with("//"),
                "{path}:{}: {line}",
                n + 1
            );
        }
    }
}
