//! The TOML config: schema (serde, deny_unknown_fields), defaults, validation, paths.

pub mod schema;
pub mod secret;

pub use schema::*;
