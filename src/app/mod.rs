//! The application core: one `State`, one `Msg` type, one reducer `update`. No terminal, no
//! network, no async runtime: `update` describes effects and never performs them.

pub mod action;
pub mod acts;
pub mod clock;
pub mod keymap;
pub mod keys;
pub mod log_keys;
pub mod msg;
pub mod notify;
pub mod report;
pub mod runbook;
pub mod state;
pub mod trace;
pub mod update;

pub use action::Action;
pub use clock::{Clock, FixedClock, SystemClock};
pub use keymap::Keymap;
pub use keys::Key;
pub use msg::{Effect, Msg, Payload, SourceUpdate};
pub use state::State;
pub use update::update;
