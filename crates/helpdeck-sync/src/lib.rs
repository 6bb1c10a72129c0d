//! Helpdeck sync client: push/pull loop, backoff and keyring credentials (issue #4; empty until then).
