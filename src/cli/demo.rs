//! `onwatch demo`: the simulator, with the cockpit on top or (`--serve`) alone.

use super::{Cli, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, cockpit};
use crate::config::Config;
use crate::demo::{DemoOptions, DemoServer};
use std::path::PathBuf;

pub async fn run(
    cli: &Cli,
    serve: bool,
    write_config: Option<PathBuf>,
    seed: u64,
    speed: f64,
) -> i32 {
    if !(speed.is_finite() && speed > 0.0) {
        eprintln!("onwatch demo: --speed must be a positive number");
        return EXIT_CONFIG;
    }
    let server = match DemoServer::start(DemoOptions {
        seed,
        speed,
        ..DemoOptions::default()
    })
    .await
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onwatch demo: cannot start the simulator: {e:#}");
            return EXIT_FAILURE;
        }
    };
    let config_text = server.config_toml();
    if serve {
        return serve_until_interrupted(server, &config_text, write_config).await;
    }
    let config: Config = match toml::from_str(&config_text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("onwatch demo: the simulator's config does not parse (a bug): {e}");
            return EXIT_FAILURE;
        }
    };
    // The URL first: on a narrow footer the banner is cut before the help key's hint.
    let banner = format!(
        "demo on {}: simulated incident, seed {seed}, speed {speed}x",
        server.prometheus_url
    );
    let code = cockpit::run(cli, config, Some(banner)).await;
    server.shutdown().await;
    code
}

async fn serve_until_interrupted(
    server: DemoServer,
    config_text: &str,
    write_config: Option<PathBuf>,
) -> i32 {
    if let Some(path) = &write_config
        && let Err(e) = std::fs::write(path, config_text)
    {
        eprintln!("onwatch demo: cannot write {}: {e}", path.display());
        server.shutdown().await;
        return EXIT_FAILURE;
    }
    println!("prometheus   {}", server.prometheus_url);
    for (i, url) in server.alertmanager_urls.iter().enumerate() {
        println!("alertmanager {url}   (replica {i})");
    }
    println!("loki         {}", server.loki_url);
    println!("webhook      {}   (escalations)", server.webhook_url);
    if let Some(path) = &write_config {
        println!("config       {}", path.display());
    }
    println!("ready; Ctrl-C to stop");
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onwatch demo: {e}");
            return EXIT_FAILURE;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    server.shutdown().await;
    EXIT_OK
}
