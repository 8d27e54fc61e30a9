//! Performs the effects that act on the world (ack, un-ack, extend, silence, expire, escalate,
//! open a runbook): every request goes to a durable outbox in the state dir before it is sent,
//! is retried with backoff until delivered, and is written to the audit log. Results come back
//! as `Msg`s.

pub mod audit;
pub mod escalate;
pub mod executor;
pub mod opener;
pub mod osc;
pub mod outbox;
pub mod private_fs;
pub mod runbook;
pub mod setup;
pub mod target;
pub mod timeline;
pub mod who;

pub use executor::{Executor, ExecutorConfig, RetryPolicy, Target};
pub use setup::{acts_setup, build};
