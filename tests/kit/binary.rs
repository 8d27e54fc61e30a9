//! The real executable, run as a user would, with its own home so nothing of the machine's
//! config or state is read.

use std::path::Path;
use std::process::{Command, Output};

/// `onwatch` with HOME and the XDG dirs under `home`, `$USER` tester, no inherited config.
pub fn onwatch(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onwatch"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("USER", "tester")
        .env_remove("ONWATCH_CONFIG")
        .env_remove("NO_COLOR");
    cmd
}

/// Runs to the end: exit code, stdout, stderr.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}
