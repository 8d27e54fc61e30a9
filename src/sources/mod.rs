//! One client per backend API; serde wire types mapped to domain types.

pub mod alertmanager;
pub mod http;
pub mod loki;
pub mod pagerduty;
pub mod prometheus;
pub mod webhook;
