//! Backend clients as the sources build them, each request bounded by the test's timeout.

use onwatch::config::HttpOptions;
use onwatch::sources::alertmanager::AlertmanagerClient;
use onwatch::sources::http::HttpClient;
use onwatch::sources::loki::LokiClient;
use onwatch::sources::prometheus::PrometheusClient;
use std::time::Duration;

/// The HTTP client every backend client wraps: default options, requests bounded by `timeout`.
pub fn http(timeout: Duration) -> HttpClient {
    let opts = HttpOptions {
        timeout: Some(timeout),
        ..Default::default()
    };
    HttpClient::new(&opts, timeout).unwrap()
}

pub fn am_client(url: &str, timeout: Duration) -> AlertmanagerClient {
    AlertmanagerClient::new(url, http(timeout)).unwrap()
}

pub fn prom_client(url: &str, timeout: Duration) -> PrometheusClient {
    PrometheusClient::new(url, http(timeout)).unwrap()
}

pub fn loki_client(url: &str, timeout: Duration) -> LokiClient {
    LokiClient::new(url, http(timeout)).unwrap()
}
