//! Text rules for full-text search, shared by indexing and querying.
//! Stub: filled in with the store.
