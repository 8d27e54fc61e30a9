//! Commands of the binary: cockpit, demo, init, check, snapshot.
