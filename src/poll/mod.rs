//! Pollers: one tokio task per source, publishing the latest snapshot.

pub mod build;
pub mod cluster;
pub mod command;
pub mod elasticsearch;
pub mod file;
pub mod log_build;
pub mod logs;
pub mod loki_tail;
pub mod poller;
pub mod slo;
pub mod slo_discover;
mod slo_target;
pub mod stream;

pub use build::{poll_once_all, spawn_all};
pub use cluster::ClusterFetcher;
pub use logs::LokiFetcher;
pub use poller::{Fetcher, PollerHandle, spawn, spawn_fetcher};
pub use slo::SloFetcher;
