//! The SQLite every Helpdeck process links — SQLCipher, on the system's OpenSSL — set up once
//! per process by [`init`], before the first database is opened: the workspace store calls it,
//! and so does the server's database (its SQLite backend is the same library). Large writers
//! leave the write-ahead log's checkpoints to a [`Checkpointer`] (see its module). After a
//! large read, [`release_free_memory`] gives the heap it freed back to the system.
//!
//! Two libraries free shared state from an exit handler, and a connection still working on
//! its own thread at that moment crashes the process on its way out:
//! - OpenSSL frees its ciphers at exit unless told not to: it is initialised here first,
//!   without that handler.
//! - SQLCipher frees its mutexes and its codec state at exit (`sqlcipher_atexit`, registered
//!   when SQLite initialises; it cannot be turned off). sqlx runs each connection on a thread
//!   of its own and closes it there when the connection is dropped: a pool dropped just
//!   before the process exits (with its owner at the end of `main` or of a test) is still
//!   closing, and the process crashed in `sqlite3FreeCodecArg` (once in about 30 runs of a
//!   test binary). [`init`] initialises SQLite and then registers a handler of its own;
//!   exit handlers run in the reverse order of their registration, so it runs before
//!   SQLCipher's and waits until no connection thread is left (at most [`EXIT_WAIT`]).

mod checkpoint;
pub use checkpoint::{Checkpointer, IDLE_CHECKPOINT, WRITER_AUTOCHECKPOINT};

use std::sync::Once;
use std::time::{Duration, Instant};

/// The longest the process waits at exit for its connection threads to finish closing. A
/// close is milliseconds (the last one checkpoints the write-ahead log); a connection still
/// open at exit (a pool never dropped) would keep its thread, and the process goes on after
/// this long.
pub const EXIT_WAIT: Duration = Duration::from_secs(3);

/// What sqlx names a connection's thread (`sqlx-sqlite-worker-N`), as Linux keeps it: a
/// thread's name is cut to 15 bytes.
const WORKER_THREAD_PREFIX: &str = "sqlx-sqlite-wor";

/// Sets up OpenSSL and SQLite for this process and registers the exit handler that lets
/// connections finish closing. Idempotent; cheap after the first call.
#[allow(unsafe_code)]
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        #[cfg(not(target_vendor = "apple"))]
        openssl_sys::init();
        // SAFETY: sqlite3_initialize is thread-safe and idempotent; it registers SQLCipher's
        // exit handler, which must come before ours.
        unsafe {
            libsqlite3_sys::sqlite3_initialize();
        }
        // SAFETY: the handler is a plain function that touches no Rust runtime state that
        // exit tears down (it reads /proc and sleeps).
        unsafe {
            libc::atexit(wait_for_connection_threads);
        }
    });
}

/// Gives the heap that this process has freed back to the operating system, after a
/// large read is done (the SLA monitor's first round over every open ticket, a sync that
/// applied many pages). glibc's malloc keeps freed memory in its per-thread arenas for
/// reuse: an idle app on 100k tickets held 50–60 MB of it (docs/benchmarks.md), freed by
/// C libraries (SQLite's connections among them; a Rust allocator changed nothing).
/// Returns whether anything was given back; elsewhere than glibc, the allocator's own
/// policy stands and this does nothing.
#[allow(unsafe_code)]
pub fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim is thread-safe (it takes each arena's lock in turn) and only
        // returns free pages; no live allocation moves.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

extern "C" fn wait_for_connection_threads() {
    let deadline = Instant::now() + EXIT_WAIT;
    while connection_threads() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// How many of this process's threads are sqlx connection threads.
#[cfg(target_os = "linux")]
fn connection_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| t.ok())
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm"))
                .is_ok_and(|name| name.starts_with(WORKER_THREAD_PREFIX))
        })
        .count()
}

/// How many of this process's threads are sqlx connection threads: not known here (std
/// cannot list a process's threads), so exit does not wait.
#[cfg(not(target_os = "linux"))]
fn connection_threads() -> usize {
    0
}

#[cfg(test)]
mod tests {
    /// Memory freed in the middle of the heap (a live block above it, so glibc cannot simply
    /// shrink the heap's top on `free`) stays in the process until it is given back.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_heap_in_the_middle_is_given_back() {
        let blocks: Vec<Vec<u8>> = (0..1024).map(|i| vec![i as u8; 64 * 1024]).collect();
        let above = vec![1u8; 1024];
        drop(blocks);
        assert!(
            super::release_free_memory(),
            "64 MiB freed below a live block"
        );
        assert_eq!(above[1023], 1);
    }
}
