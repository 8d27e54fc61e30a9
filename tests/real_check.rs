//! `onwatch check` on every source kind: a real Prometheus and a real VictoriaMetrics (told
//! apart by their own metrics, VictoriaMetrics' missing version said), an Elasticsearch
//! replaying `_search`, commands that start or cannot, files that can be read or not.

#![allow(clippy::unwrap_used)]

mod kit;
mod support;

use axum::Router;
use axum::routing::post;
use kit::binary::{onwatch, run};
use support::prometheus::Prometheus;
use support::victoria::Victoria;

/// The row of the check table naming `name`.
fn row<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("no row for {name}:\n{out}"))
}

#[test]
fn real_check_probes_every_source_kind_and_names_each_backend() {
    let prom = Prometheus::start(None, &[]);
    let vm = Victoria::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A replayed `_search` answer (the shape OpenSearch and Elasticsearch share); it records
    // what it was asked so the size-0 probe is asserted, not assumed.
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
    let seen = asked.clone();
    let es = rt.block_on(kit::serve(Router::new().route(
        "/logs-*/_search",
        post(
            move |axum::Json(body): axum::Json<serde_json::Value>| async move {
                seen.lock().unwrap().push(body);
                axum::Json(serde_json::json!({
                    "timed_out": false,
                    "hits": {"total": {"value": 3, "relation": "eq"}, "hits": []}
                }))
            },
        ),
    )));
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("app.log");
    std::fs::write(&log, "one line\n").unwrap();
    let config = home.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            r#"[general]
timeout = "5s"

[[prometheus]]
name = "prom"
url = "{prom}"

[[prometheus]]
name = "vm"
url = "{vm}"
discover = true

[[elasticsearch]]
name = "search"
url = "{es}"
index = "logs-*"

[[command]]
name = "runs"
argv = ["sleep", "37.25"]

[[command]]
name = "absent"
argv = ["onwatch-no-such-program"]

[[file]]
name = "here"
path = "{here}"

[[file]]
name = "gone"
path = "{gone}"
"#,
            prom = prom.url(),
            vm = vm.url(),
            here = log.display(),
            gone = home.path().join("missing.log").display(),
        ),
    )
    .unwrap();
    let (code, out, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .arg("check"));
    assert_eq!(code, 1, "two probes fail: {out}{err}");
    assert!(row(&out, "prom").contains("  ok  "), "{out}");
    assert!(row(&out, "prom").contains("Prometheus 2."), "{out}");
    let vm_row = row(&out, "vm");
    assert!(
        vm_row.contains("  ok  ") && vm_row.contains("VictoriaMetrics"),
        "{out}"
    );
    assert!(
        vm_row.contains("VictoriaMetrics, version not reported")
            || vm_row.contains("VictoriaMetrics v1."),
        "{out}"
    );
    // Debian's VictoriaMetrics runs without vmalert: discovery would find nothing, and the
    // reason is the one for VictoriaMetrics.
    const VM_HINT: &str = "warning: no rules to discover SLOs from: VictoriaMetrics serves /api/v1/rules only when run with -vmalert.proxyURL";
    assert!(vm_row.contains(VM_HINT), "{out}");
    assert!(
        !row(&out, "prom").contains("warning"),
        "no discovery asked of prom: {out}"
    );
    assert!(
        row(&out, "search").contains("_search answers on logs-*"),
        "{out}"
    );
    assert_eq!(asked.lock().unwrap().len(), 1);
    assert_eq!(asked.lock().unwrap()[0]["size"], 0, "nothing transferred");
    assert!(row(&out, "runs").contains("starts"), "{out}");
    let absent = row(&out, "absent");
    assert!(
        absent.contains("FAILED") && absent.contains("cannot run onwatch-no-such-program"),
        "{out}"
    );
    assert!(row(&out, "here").contains("readable, 9 bytes"), "{out}");
    let gone = row(&out, "gone");
    assert!(
        gone.contains("FAILED") && gone.contains("cannot read"),
        "{out}"
    );
    assert!(out.contains("2 of 7 probes failed"), "{out}");
    // The probed command was stopped with its process group, not left behind.
    let left = std::process::Command::new("pgrep")
        .args(["-f", "^sleep 37.25$"])
        .output()
        .unwrap();
    assert!(left.stdout.is_empty(), "the probed command left running");

    // The cockpit says the same with the source's mark (here through the snapshot).
    let only_vm = home.path().join("vm.toml");
    std::fs::write(
        &only_vm,
        format!(
            "[[prometheus]]\nname = \"vm\"\nurl = \"{}\"\ndiscover = true\n",
            vm.url()
        ),
    )
    .unwrap();
    let (code, out, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(&only_vm)
        .args(["snapshot", "--format", "json"]));
    assert_eq!(code, 0, "it answered: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let degraded = v["sources"][0]["degraded"].to_string();
    assert!(
        degraded.contains(&VM_HINT["warning: ".len()..]),
        "{}",
        v["sources"][0]
    );
}
