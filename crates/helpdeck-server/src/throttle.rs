//! Sign-in throttling (issue 14). Failed sign-ins are counted in the database, so every
//! server process on one PostgreSQL counts the same ones, and three limits are checked before
//! any password work (a refused attempt costs no argon2 hash):
//!
//! - **per client address**: [`ADDRESS_FAILURES`] failures within [`WINDOW`], whatever the
//!   emails — one machine trying many accounts stops early. Only failures count: an office
//!   behind one address signing in at nine is never slowed;
//! - **per account and address**: [`PAIR_FAILURES`] failures stop that address for that
//!   account. An attacker elsewhere cannot lock the owner out: the owner signs in from their
//!   own address;
//! - **per account** from anywhere: [`ACCOUNT_FAILURES`] failures stop guessing spread over
//!   many addresses.
//!
//! Keys are SHA-256 digests (the table never holds an email or an address), and rows older
//! than the window are deleted, so the table holds at most one window of failures and the
//! process keeps nothing in memory. Behind a reverse proxy every client has the proxy's
//! address: rate-limit there as well (docs/security.md).

use std::net::IpAddr;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::db::{Db, now_ms};
use crate::error::{Result, ServerError};

/// Failed sign-ins from one address within [`WINDOW`], all accounts together.
pub const ADDRESS_FAILURES: i64 = 20;
/// Failed sign-ins of one account from one address within [`WINDOW`].
pub const PAIR_FAILURES: i64 = 5;
/// Failed sign-ins of one account from all addresses within [`WINDOW`].
pub const ACCOUNT_FAILURES: i64 = 50;
/// How long failures count.
pub const WINDOW: Duration = Duration::from_secs(300);

fn key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

fn too_many(message: String, retry: Duration) -> ServerError {
    let secs = retry.as_secs().max(1);
    ServerError::TooManyRequests {
        message: format!("{message}; try again in {secs} s"),
        retry_after_s: secs,
    }
}

/// Refuses when the account failed too often from this address, or from anywhere.
pub async fn check_failures(db: &Db, email: &str, addr: IpAddr) -> Result<()> {
    let since = now_ms() - WINDOW.as_millis() as i64;
    let address = key(&["address", &addr.to_string()]);
    let pair = key(&["pair", email, &addr.to_string()]);
    let account = key(&["account", email]);
    let counts: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT key, count(*), min(at) FROM login_failures WHERE key IN ($1, $2, $3) \
             AND at > $4 GROUP BY key",
    )
    .bind(&address)
    .bind(&pair)
    .bind(&account)
    .bind(since)
    .fetch_all(&db.pool)
    .await?;
    for (k, n, first) in counts {
        let retry = Duration::from_millis((first - since).max(1000) as u64);
        if k == address && n >= ADDRESS_FAILURES {
            return Err(too_many(
                "too many failed sign-ins from your address".into(),
                retry,
            ));
        }
        if k == pair && n >= PAIR_FAILURES {
            return Err(too_many(
                format!("too many failed sign-ins for {email} from your address"),
                retry,
            ));
        }
        if k == account && n >= ACCOUNT_FAILURES {
            return Err(too_many(
                format!("too many failed sign-ins for {email}"),
                retry,
            ));
        }
    }
    Ok(())
}

/// Counts a failed sign-in (and forgets failures older than the window).
pub async fn failed(db: &Db, email: &str, addr: IpAddr) -> Result<()> {
    let now = now_ms();
    sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $4), ($2, $4), ($3, $4)")
        .bind(key(&["address", &addr.to_string()]))
        .bind(key(&["pair", email, &addr.to_string()]))
        .bind(key(&["account", email]))
        .bind(now)
        .execute(&db.pool)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at <= $1")
        .bind(now - WINDOW.as_millis() as i64)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// A sign-in succeeded: this address's failures for the account are forgotten.
pub async fn succeeded(db: &Db, email: &str, addr: IpAddr) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(key(&["pair", email, &addr.to_string()]))
        .execute(&db.pool)
        .await?;
    Ok(())
}
