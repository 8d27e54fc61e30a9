//! onwatch: a full-screen terminal cockpit for on-call engineers.
//!
//! Data flows one way: wire JSON -> `sources` -> domain types -> `poll` snapshot -> `app::Msg` ->
//! `app::update` -> `app::State` -> `ui::draw`. The README's Architecture section names each module's job.

pub mod actions;
pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod poll;
pub mod sources;
pub mod ui;
