//! Ticket commands. Stub: filled in with the store.
