//! The config `onwatch demo` runs with, pointing at the simulator's URLs.

use super::server::DemoServer;
use super::slos::SLOS;

/// The Loki query the logs pane tails: every demo stream.
pub const LOKI_QUERY: &str = r#"{cluster="demo"}"#;

/// A TOML basic string, escaped by the toml crate (URLs and queries contain quotes).
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `e` on any demo alert: first the tier-2 pager (the alert re-posted with `escalated="true"`,
/// which the simulated Alertmanager routes to `tier2-pager`), then the incident channel (a
/// webhook the simulator records). The outbox, audit log and timeline of the demo stay in their
/// own state dir, apart from a real cockpit's.
fn escalation(server: &DemoServer) -> String {
    let body = r#"{"text": "{{user}} escalated {{alertname}} ({{cluster}}): {{note}}", "severity": "{{severity}}"}"#;
    format!(
        "\n[actions]\nstate_dir = {}\n\n\
         [[escalation]]\nname = \"demo\"\n\n\
         [[escalation.targets]]\ntype = \"alertmanager\"\nname = \"tier-2 pager\"\nlabels = {{ escalated = \"true\" }}\n\n\
         [[escalation.targets]]\ntype = \"webhook\"\nname = \"incident channel\"\nurl = {}\nbody = {}\n",
        q(&crate::config::demo_state_dir().display().to_string()),
        q(&server.webhook_url),
        q(body),
    )
}

pub fn render(server: &DemoServer) -> String {
    let mut out = String::new();
    out.push_str(
        "# Written by onwatch demo: every source is the embedded simulator on 127.0.0.1.\n\n",
    );
    out.push_str("[general]\nrefresh = \"5s\"\ntimeout = \"10s\"\n\n");
    out.push_str(&format!(
        "[[prometheus]]\nname = \"demo\"\nurl = {}\n\n",
        q(&server.prometheus_url)
    ));
    let urls: Vec<String> = server.alertmanager_urls.iter().map(|u| q(u)).collect();
    out.push_str(&format!(
        "[[alertmanager]]\nname = \"demo\"\nurls = [{}]\n\n",
        urls.join(", ")
    ));
    out.push_str(&format!(
        "[[loki]]\nname = \"demo\"\nurl = {}\nquery = {}\n",
        q(&server.loki_url),
        q(LOKI_QUERY)
    ));
    out.push_str(&escalation(server));
    for slo in &SLOS {
        out.push_str(&format!(
            "\n# {}\n[[slo]]\nname = {}\nsource = \"demo\"\nobjective = {:?}\nperiod = \"30d\"\nerror_query = {}\ntotal_query = {}\n",
            slo.description,
            q(slo.name),
            slo.objective,
            q(&slo.error_query()),
            q(&slo.total_query()),
        ));
    }
    out
}
