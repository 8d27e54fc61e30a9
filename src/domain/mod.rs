//! Pure logic: no I/O, no terminal, no network, no async runtime.
//! Everything here is deterministic given its inputs and is unit-tested to the bone.

pub mod act;
pub mod alerts;
pub mod duration;
pub mod flap;
pub mod health;
pub mod journald;
pub mod keymap;
pub mod links;
pub mod log_filter;
pub mod log_query;
pub mod logs;
pub mod matchers;
pub mod publish;
pub mod redact;
pub mod sgr;
pub mod silence_changes;
pub mod silence_list;
pub mod silence_spec;
pub mod size;
pub mod sli;
pub mod slo;
pub mod sloth_rules;
pub mod template;
pub mod timeline;
pub mod visible;
