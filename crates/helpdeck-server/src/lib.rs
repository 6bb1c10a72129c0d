//! Helpdeck server: accounts, authorisation, push/pull (issue #4; empty until then).
