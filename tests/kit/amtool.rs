//! amtool, the oracle of the silence tests: run against a replica, its JSON read back.

use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

/// `amtool --alertmanager.url=URL ARGS`, its stdout trimmed; a failed run fails the test.
pub fn run(url: &str, args: &[&str]) -> String {
    let out = Command::new("amtool")
        .arg(format!("--alertmanager.url={url}"))
        .args(args)
        .output()
        .expect("amtool is installed with prometheus-alertmanager");
    assert!(
        out.status.success(),
        "amtool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The silences amtool shows (`silence query -o json`; `--expired` for the expired ones), by id.
pub fn silences(url: &str, expired: bool) -> BTreeMap<String, Value> {
    let mut args = vec!["silence", "query", "-o", "json"];
    if expired {
        args.push("--expired");
    }
    let list: Vec<Value> = serde_json::from_str(&run(url, &args)).unwrap();
    list.into_iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s))
        .collect()
}

/// Matchers as (name, value, regex, equal), sorted; `regex` and `equal` name the flags (amtool
/// writes `isRegex`, onwatch `is_regex`; an absent `isEqual` is Alertmanager's default, true).
pub fn matchers_of(v: &Value, regex: &str, equal: &str) -> Vec<(String, String, bool, bool)> {
    let mut out: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["value"].as_str().unwrap().to_string(),
                m[regex].as_bool().unwrap(),
                m[equal].as_bool().unwrap_or(true),
            )
        })
        .collect();
    out.sort();
    out
}
