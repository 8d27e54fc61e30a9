//! DESIGN §4: the core (`domain/`, `app/`) never imports a terminal, network or runtime crate,
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
