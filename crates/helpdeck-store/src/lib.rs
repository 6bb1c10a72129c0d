//! Helpdeck local store.
