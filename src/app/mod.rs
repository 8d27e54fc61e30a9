//! The application core: one `State`, one `Msg` type, one reducer `update`. No terminal, no
//! network, no async runtime: `update` describes effects and never performs them.

pub mod acts;
pub mod clock;
pub mod history;
pub mod line_edit;
pub mod log_keys;
pub mod log_pane;
pub mod msg;
pub mod notify;
pub mod report;
pub mod selection;
pub mod state;
pub mod trace;
pub mod update;
pub mod view;

pub use crate::domain::keymap::{Action, Key, KeyCode, Keymap};
pub use clock::{Clock, FixedClock, SystemClock};
pub use msg::{Effect, Msg, Payload, SourceUpdate};
pub use state::State;
pub use update::update;
