//! One client per backend API; serde wire types mapped to domain types.

pub mod alertmanager;
mod am_alert;
pub mod command;
pub mod elasticsearch;
pub mod file;
pub mod http;
pub mod json_items;
pub mod lenient;
pub mod lines;
pub mod loki;
pub mod loki_tail;
pub mod pagerduty;
pub mod prometheus;
pub mod tls;
pub mod webhook;
