//! `onwatch check` on every source kind: a real Prometheus and a real VictoriaMetrics (told
//! apart by their own metrics, VictoriaMetrics' missing version said), an Elasticsearch
//! replaying `_search`, commands that start or cannot, files that can be read or not; and a
//! VictoriaMetrics that serves vmalert's rules (proxied) or none (the warning for its kind).

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

/// VictoriaMetrics run as the ecosystem runs it, with vmalert evaluating Sloth's rules and
/// `-vmalert.proxyURL` pointing at it: discovery through VictoriaMetrics' own URL finds the
/// SLO, and `check` has no warning for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_victoria_metrics_with_vmalert_proxied_serves_the_rules_discovery_reads() {
    let (vm_port, vmalert_port) = (support::daemon::free_port(), support::daemon::free_port());
    let vm = Victoria::start_on(
        vm_port,
        &[format!("-vmalert.proxyURL=http://127.0.0.1:{vmalert_port}")],
    );
    let rules = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sloth-getting-started.rules.yml");
    let _vmalert = support::victoria::VmAlert::start_on(vmalert_port, &vm.url(), &rules);
    let c = kit::prom_client(&vm.url(), std::time::Duration::from_secs(10));
    let found = onwatch::poll::slo_discover::discover(&c.rules().await.unwrap());
    let names: Vec<&str> = found.iter().map(|d| d.def.name.as_str()).collect();
    assert_eq!(names, ["myservice/requests-availability"]);

    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[[prometheus]]\nname = \"vm\"\nurl = \"{}\"\ndiscover = true\n",
            vm.url()
        ),
    )
    .unwrap();
    let (code, out, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .arg("check"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(!row(&out, "vm").contains("warning"), "{out}");
}
