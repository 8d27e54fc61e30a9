//! Real backends for tests: start Prometheus / VictoriaMetrics on loopback with their own temp
//! dirs, wait for readiness, stop them by PID; and the SLO history generator that fills them.
//! Shared by test binaries and benches through `mod support;` (each uses a part of it).

#![allow(dead_code, clippy::unwrap_used)] // helpers shared by several binaries; a failure here is a broken test

pub mod daemon;
pub mod history;
pub mod http;
pub mod prometheus;
pub mod victoria;
