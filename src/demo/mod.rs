//! The embedded simulator: Prometheus-, Alertmanager- and Loki-compatible APIs on 127.0.0.1.
