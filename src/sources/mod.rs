//! One client per backend API; serde wire types mapped to domain types.
