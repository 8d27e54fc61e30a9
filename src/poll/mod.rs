//! Pollers: one tokio task per source, publishing the latest snapshot.
