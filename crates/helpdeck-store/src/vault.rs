//! Encryption at rest: a stolen laptop's data dir holds no readable ticket text.
//!
//! - The database is a SQLCipher file (AES-256 pages, HMAC per page) opened with a random
//!   256-bit key (a raw key: no passphrase derivation on every open).
//! - The key lives in the OS keyring (Secret Service, Keychain, Credential Manager) under
//!   `store-key:<id>`; the data dir holds only the id ([`KEY_ID_FILE`]), never the key.
//! - Attachment files and thumbnails are sealed with XChaCha20-Poly1305 under the same key,
//!   bound to their content address (a file cannot be swapped for another).
//! - A workspace made before encryption is encrypted in place the first time it is opened.
//! - Without its key, a workspace does not open and the error says how to recover: restore
//!   a backup with its passphrase, or sign in again to re-sync from the server.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};

/// Keyring service name of every Helpdeck secret (workspace keys and sign-in tokens).
pub const KEYRING_SERVICE: &str = "dev.helpdeck.desktop";

/// The file in a data dir that names the workspace's key in the keyring (not a secret).
pub const KEY_ID_FILE: &str = "helpdeck.keyid";

/// The first bytes of a plain (unencrypted) SQLite file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The first bytes of a sealed file (attachment, thumbnail).
const SEALED_MAGIC: &[u8; 8] = b"HDSEAL01";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// A workspace's 256-bit key. Its bytes are wiped when the last copy is dropped and never
/// printed.
#[derive(Clone)]
pub struct StoreKey(Arc<Zeroizing<[u8; 32]>>);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

impl StoreKey {
    /// A fresh random key (the OS's CSPRNG).
    pub fn random() -> StoreKey {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(&mut k[..]);
        StoreKey(Arc::new(k))
    }

    /// The key from its 64 hex digits (as the keyring keeps it).
    pub fn from_hex(text: &str) -> Option<StoreKey> {
        let mut k = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), &mut k[..]).ok()?;
        Some(StoreKey(Arc::new(k)))
    }

    /// The key as 64 hex digits (for the keyring; never printed).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(&self.0[..]))
    }

    /// SQLCipher's raw-key form, `x'…'`, for `PRAGMA key` and `ATTACH … KEY`.
    pub(crate) fn raw_key(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", self.to_hex().as_str()))
    }

    /// The value of `PRAGMA key` that opens a database with this key (the raw key, quoted).
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"{}\"", self.raw_key().as_str()))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new_from_slice(&self.0[..]).expect("a key is 32 bytes")
    }

    /// Seals `plain`, bound to `label` (the file's content address).
    pub(crate) fn seal(&self, label: &str, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: label.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any length this store writes");
        let mut out = Vec::with_capacity(SEALED_MAGIC.len() + NONCE_LEN + sealed.len());
        out.extend_from_slice(SEALED_MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`seal`](Self::seal) made. A file from before encryption (no seal) is
    /// returned as it is; a file sealed under another key or label, or altered, is an error.
    pub(crate) fn unseal(&self, label: &str, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
        if !is_sealed(&bytes) {
            return Ok(bytes);
        }
        let body = &bytes[SEALED_MAGIC.len()..];
        if body.len() < NONCE_LEN + TAG_LEN {
            return Err("the file is cut short".into());
        }
        let (nonce, sealed) = body.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce's length");
        self.cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| "the file does not open with this workspace's key (altered or from another workspace)".into())
    }
}

fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(SEALED_MAGIC)
}

/// Where a workspace's key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// The OS keyring: what the app and the CLI use.
    OsKeyring,
    /// A key the caller holds (benchmarks, the store's own tests, a restore in progress).
    /// It is not written to the keyring.
    Given(StoreKey),
}

/// Keys already unlocked in this process, by key id: a process opens its workspace many
/// times (jobs, monitor, sync) and asks the keyring once.
static UNLOCKED: LazyLock<Mutex<HashMap<Uuid, StoreKey>>> = LazyLock::new(Default::default);

fn keyring_account(id: Uuid) -> String {
    format!("store-key:{id}")
}

fn key_id_path(dir: &Path) -> PathBuf {
    dir.join(KEY_ID_FILE)
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

/// Sets up the SQLite this process links (SQLCipher on OpenSSL) before the first database is
/// opened: OpenSSL without its exit handler, and an exit handler of Helpdeck's own that lets
/// connections finish closing before SQLCipher frees its state (see `helpdeck_sqlite`).
/// Each binary calls it first thing; opening a workspace calls it too.
pub fn init_crypto() {
    helpdeck_sqlite::init();
}

/// SQLCipher writes its own error lines to stderr (a wrong key, a wrong passphrase); the
/// errors reach the user once, as Helpdeck's own message. Process-wide, set once.
pub(crate) async fn quiet_sqlcipher() {
    init_crypto();
    static QUIET: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    QUIET
        .get_or_init(|| async {
            use sqlx::{ConnectOptions, Connection};
            if let Ok(mut c) = sqlx::sqlite::SqliteConnectOptions::new()
                .in_memory(true)
                .connect()
                .await
            {
                let _ = sqlx::query("PRAGMA cipher_log_level = NONE")
                    .execute(&mut c)
                    .await;
                let _ = c.close().await;
            }
        })
        .await;
}

/// The id of the key of the workspace in `dir`, if it has one.
pub fn key_id(dir: &Path) -> Result<Option<Uuid>> {
    let path = key_id_path(dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().parse().map(Some).map_err(|_| StoreError::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(
                "this file must hold the id of the workspace's key; it is damaged",
            ),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path, e)),
    }
}

/// Is the SQLite file at `db` a plain (unencrypted) one? An empty file counts as plain.
pub(crate) fn is_plain_sqlite(db: &Path) -> Result<bool> {
    let mut f = std::fs::File::open(db).map_err(|e| io(db, e))?;
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]).map_err(|e| io(db, e))? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n == 0 || &head[..n] == SQLITE_HEADER)
}

/// A new key for the workspace in `dir`: kept where `source` says, then named in the data
/// dir. (Keyring first: a crash between the two leaves an unused keyring entry, never a
/// workspace whose key was not saved.)
pub(crate) async fn new_key(dir: &Path, source: &KeySource) -> Result<StoreKey> {
    let id = Uuid::now_v7();
    let key = match source {
        KeySource::Given(k) => k.clone(),
        KeySource::OsKeyring => {
            let key = StoreKey::random();
            secret_set(&keyring_account(id), key.to_hex().as_str()).await?;
            key
        }
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    // The data dir is the user's alone (other accounts on the machine see nothing).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| io(dir, e))?;
    }
    let path = key_id_path(dir);
    let tmp = dir.join(format!(".{KEY_ID_FILE}.{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(format!("{id}\n").as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| io(&tmp, e))?;
    }
    std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
    UNLOCKED.lock().expect("key cache").insert(id, key.clone());
    Ok(key)
}

/// The key of the (encrypted) workspace in `dir`.
pub(crate) async fn unlock(dir: &Path, source: &KeySource) -> Result<StoreKey> {
    let Some(id) = key_id(dir)? else {
        return Err(StoreError::KeyMissing(dir.display().to_string()));
    };
    if let Some(k) = UNLOCKED.lock().expect("key cache").get(&id) {
        return Ok(k.clone());
    }
    let key = match source {
        KeySource::Given(k) => k.clone(),
        KeySource::OsKeyring => match kernel_cache::get(id) {
            Some(k) => k,
            None => {
                let key = match secret_get(&keyring_account(id)).await? {
                    Some(hex) => StoreKey::from_hex(&hex).ok_or_else(|| {
                        StoreError::Keyring(format!(
                            "the keyring entry {} of this workspace is not a key; it was altered",
                            keyring_account(id)
                        ))
                    })?,
                    None => return Err(StoreError::KeyMissing(dir.display().to_string())),
                };
                kernel_cache::put(id, &key);
                key
            }
        },
    };
    UNLOCKED.lock().expect("key cache").insert(id, key.clone());
    Ok(key)
}

/// The `PRAGMA key` value that opens the workspace database in `dir`, its key found as
/// `Store::open` finds it (this process's cache, the kernel's copy, the OS keyring): for a
/// tool that opens the file with a connection of its own (the CLI-read benchmark's floor).
pub async fn key_pragma(dir: &Path) -> Result<Zeroizing<String>> {
    let key = unlock(dir, &KeySource::OsKeyring).await?;
    Ok(key.pragma_value())
}

/// Removes the key of the workspace in `dir` from the keyring (the workspace is being
/// deleted: an unfinished connection, a replaced replica). Its files become unreadable.
pub async fn forget_key(dir: &Path) -> Result<()> {
    if let Some(id) = key_id(dir)? {
        UNLOCKED.lock().expect("key cache").remove(&id);
        kernel_cache::forget(id);
        secret_delete(&keyring_account(id)).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A short-lived copy of workspace keys in the kernel
// ---------------------------------------------------------------------------------------

/// Each workspace key fetched from the Secret Service is also kept, for [`kernel_cache::TTL`]
/// after its last use, in the Linux kernel's user keyring: a CLI command is a new process, and
/// asking the Secret Service (a D-Bus connection and a Diffie-Hellman session on both sides)
/// cost ~11 ms of a 21 ms `helpdeck ticket show`. Reading the kernel's copy is one system call.
///
/// Who can read it: processes of the same user — who can also ask the unlocked Secret
/// Service. The copy belongs to the D-Bus session it came from (its name carries a hash of
/// the session bus address): another login session, or a test's private session with a
/// keyring of its own, asks its own Secret Service. It expires 15 minutes after its last use,
/// is removed with the workspace's key ([`forget_key`]), and never outlives a reboot. Where
/// the kernel refuses (no keyutils, a container's seccomp filter), Helpdeck just asks the
/// Secret Service each time.
mod kernel_cache {
    use super::StoreKey;
    use uuid::Uuid;

    /// Seconds a copy lives after its last use.
    pub const TTL: usize = 15 * 60;

    /// The copy's name: the key's id and the session it belongs to.
    pub fn name(id: Uuid, bus: &str) -> String {
        use sha2::Digest;
        let session = sha2::Sha256::digest(bus.as_bytes());
        format!("helpdeck:store-key:{id}:{}", hex::encode(&session[..8]))
    }

    fn session_bus() -> Option<String> {
        std::env::var("DBUS_SESSION_BUS_ADDRESS")
            .ok()
            .filter(|b| !b.is_empty())
    }

    pub fn get(id: Uuid) -> Option<StoreKey> {
        get_in(id, &session_bus()?)
    }

    pub fn put(id: Uuid, key: &StoreKey) {
        if let Some(bus) = session_bus() {
            put_in(id, &bus, key);
        }
    }

    pub fn forget(id: Uuid) {
        if let Some(bus) = session_bus() {
            forget_in(id, &bus);
        }
    }

    #[cfg(target_os = "linux")]
    pub fn get_in(id: Uuid, bus: &str) -> Option<StoreKey> {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        let ring = KeyRing::from_special_id(KeyRingIdentifier::User, false).ok()?;
        let found = ring.search(&name(id, bus)).ok()?;
        let mut buf = zeroize::Zeroizing::new([0u8; 128]);
        let n = found.read(&mut *buf).ok()?;
        let key = StoreKey::from_hex(std::str::from_utf8(buf.get(..n)?).ok()?)?;
        // Used again: another TTL from now.
        let _ = found.set_timeout(TTL);
        Some(key)
    }

    #[cfg(target_os = "linux")]
    pub fn put_in(id: Uuid, bus: &str, key: &StoreKey) {
        use linux_keyutils::{KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission};
        let added = KeyRing::from_special_id(KeyRingIdentifier::User, false)
            .and_then(|ring| ring.add_key(&name(id, bus), key.to_hex().as_bytes()))
            .and_then(|k| {
                // Readable by this user's processes (the kernel's default lets them only see
                // that it exists); nobody else's.
                let mine = || {
                    Permission::VIEW
                        | Permission::READ
                        | Permission::SEARCH
                        | Permission::WRITE
                        | Permission::SETATTR
                };
                k.set_perms(
                    KeyPermissionsBuilder::builder()
                        .posessor(mine())
                        .user(mine())
                        .build(),
                )?;
                k.set_timeout(TTL)
            });
        if let Err(e) = added {
            tracing::debug!(error = ?e, "the kernel keyring keeps no copy of the workspace key");
        }
    }

    #[cfg(target_os = "linux")]
    pub fn forget_in(id: Uuid, bus: &str) {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        if let Ok(found) = KeyRing::from_special_id(KeyRingIdentifier::User, false)
            .and_then(|ring| ring.search(&name(id, bus)))
        {
            let _ = found.invalidate();
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn get_in(_: Uuid, _: &str) -> Option<StoreKey> {
        None
    }

    #[cfg(not(target_os = "linux"))]
    pub fn put_in(_: Uuid, _: &str, _: &StoreKey) {}

    #[cfg(not(target_os = "linux"))]
    pub fn forget_in(_: Uuid, _: &str) {}
}

// ---------------------------------------------------------------------------------------
// Sealed files
// ---------------------------------------------------------------------------------------

/// Reads a sealed file (or a plain one from before encryption).
pub(crate) fn read_sealed(key: &StoreKey, label: &str, path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    key.unseal(label, bytes).map_err(|m| {
        io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, m),
        )
    })
}

/// Writes `plain` sealed to `path`, whole then renamed (a reader never sees half a file).
pub(crate) fn write_sealed(key: &StoreKey, label: &str, path: &Path, plain: &[u8]) -> Result<()> {
    let dir = path.parent().expect("a file path has a parent");
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let tmp = dir.join(format!(
        ".{}.{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        Uuid::now_v7().simple()
    ));
    let sealed = key.seal(label, plain);
    {
        let mut f = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(&sealed)
            .and_then(|()| f.sync_data())
            .map_err(|e| io(&tmp, e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

/// A download in progress is a run of sealed frames, one per chunk received:
/// `[u32 LE length][sealed chunk]`. The plain bytes received so far, and the file cut back
/// to its last whole frame (a crash may leave half of one).
pub(crate) fn partial_frames(key: &StoreKey, label: &str, path: &Path) -> Result<Vec<u8>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(path, e)),
    };
    let mut plain = Vec::new();
    let mut at = 0usize;
    while at + 4 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let Some(frame) = bytes.get(at + 4..at + 4 + len) else {
            break;
        };
        match key.unseal(label, frame.to_vec()) {
            Ok(p) if is_sealed(frame) => plain.extend_from_slice(&p),
            _ => break,
        }
        at += 4 + len;
    }
    if at != bytes.len() {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        f.set_len(at as u64).map_err(|e| io(path, e))?;
    }
    Ok(plain)
}

/// Appends one sealed frame to a download in progress.
pub(crate) fn append_frame(key: &StoreKey, label: &str, path: &Path, chunk: &[u8]) -> Result<()> {
    let dir = path.parent().expect("a file path has a parent");
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let sealed = key.seal(label, chunk);
    let mut frame = Vec::with_capacity(4 + sealed.len());
    frame.extend_from_slice(&(sealed.len() as u32).to_le_bytes());
    frame.extend_from_slice(&sealed);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| io(path, e))?;
    f.write_all(&frame)
        .and_then(|()| f.sync_data())
        .map_err(|e| io(path, e))
}

/// Seals, in place, every file under `root` not sealed yet; `label_of` names each file's
/// label from its name (`None`: leave it). Used once, when a workspace from before
/// encryption is encrypted.
pub(crate) fn seal_tree(
    key: &StoreKey,
    root: &Path,
    label_of: &dyn Fn(&str) -> Option<String>,
) -> Result<usize> {
    let mut sealed = 0;
    let Ok(entries) = std::fs::read_dir(root) else {
        return Ok(0);
    };
    for entry in entries {
        let entry = entry.map_err(|e| io(root, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| io(&path, e))?;
        if kind.is_dir() {
            sealed += seal_tree(key, &path, label_of)?;
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(label) = label_of(&name) else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
        if is_sealed(&bytes) {
            continue;
        }
        write_sealed(key, &label, &path, &bytes)?;
        sealed += 1;
    }
    Ok(sealed)
}

// ---------------------------------------------------------------------------------------
// The OS keyring (the one place Helpdeck talks to it)
// ---------------------------------------------------------------------------------------

fn keyring_error(e: keyring::Error) -> StoreError {
    match e {
        keyring::Error::NoDefaultStore
        | keyring::Error::PlatformFailure(_)
        | keyring::Error::NoStorageAccess(_) => StoreError::Keyring(format!(
            "no OS keyring is available ({e}); on Linux run a Secret Service such as gnome-keyring or KeePassXC and unlock it"
        )),
        other => StoreError::Keyring(format!("keyring error: {other}")),
    }
}

/// How long Helpdeck waits for the keyring to answer: long enough for a person to type the
/// password of an unlock prompt, short enough that a Secret Service which took a call and
/// never answers (seen once on a CI machine) ends in an error, not a process waiting forever.
const KEYRING_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    match tokio::time::timeout(KEYRING_WAIT, tokio::task::spawn_blocking(f)).await {
        Ok(done) => done.map_err(|e| StoreError::Keyring(format!("keyring task failed: {e}")))?,
        Err(_) => Err(StoreError::Keyring(format!(
            "the OS keyring did not answer within {} s; if it asks to be unlocked, unlock it and try again",
            KEYRING_WAIT.as_secs()
        ))),
    }
}

/// Keeps `secret` in the keyring under `account`.
pub async fn secret_set(account: &str, secret: &str) -> Result<()> {
    let (account, secret) = (account.to_string(), Zeroizing::new(secret.to_string()));
    blocking(move || {
        keyring::Entry::new(KEYRING_SERVICE, &account)
            .and_then(|e| e.set_password(&secret))
            .map_err(keyring_error)
    })
    .await
}

/// The secret the keyring keeps under `account`; `None` when there is none.
pub async fn secret_get(account: &str) -> Result<Option<String>> {
    let account = account.to_string();
    blocking(move || {
        match keyring::Entry::new(KEYRING_SERVICE, &account).and_then(|e| e.get_password()) {
            Ok(t) => Ok(Some(t)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    })
    .await
}

/// Deletes the secret under `account`; deleting a missing one is fine.
pub async fn secret_delete(account: &str) -> Result<()> {
    let account = account.to_string();
    blocking(move || {
        match keyring::Entry::new(KEYRING_SERVICE, &account).and_then(|e| e.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_copy_of_a_key_belongs_to_its_session_and_goes_with_the_key() {
        #[cfg(target_os = "linux")]
        if linux_keyutils::KeyRing::from_special_id(linux_keyutils::KeyRingIdentifier::User, false)
            .is_err()
        {
            eprintln!("NOT TESTED: this kernel (or its seccomp filter) refuses keyutils");
            return;
        }
        let id = Uuid::now_v7();
        let key = StoreKey::random();
        let bus = format!("unix:path=/tmp/helpdeck-test-bus-{id}");
        assert!(kernel_cache::get_in(id, &bus).is_none());
        kernel_cache::put_in(id, &bus, &key);
        let cached = kernel_cache::get_in(id, &bus);
        if cfg!(target_os = "linux") {
            assert_eq!(
                cached.map(|k| k.to_hex().to_string()),
                Some(key.to_hex().to_string())
            );
        }
        // Another session (another login, a test's own keyring) does not see it.
        assert!(kernel_cache::get_in(id, "unix:path=/tmp/another-bus").is_none());
        kernel_cache::forget_in(id, &bus);
        assert!(kernel_cache::get_in(id, &bus).is_none());
    }

    #[test]
    fn sealed_bytes_open_only_with_their_key_and_label() {
        let key = StoreKey::random();
        let sealed = key.seal("abc", b"printer on floor 3");
        assert!(!sealed.windows(7).any(|w| w == b"printer"));
        assert_eq!(
            key.unseal("abc", sealed.clone()).unwrap(),
            b"printer on floor 3"
        );
        assert!(key.unseal("abd", sealed.clone()).is_err());
        assert!(StoreKey::random().unseal("abc", sealed.clone()).is_err());
        let mut flipped = sealed;
        *flipped.last_mut().unwrap() ^= 1;
        assert!(key.unseal("abc", flipped).is_err());
        // A file from before encryption reads as it is.
        assert_eq!(key.unseal("abc", b"plain".to_vec()).unwrap(), b"plain");
    }

    #[test]
    fn a_download_resumes_from_its_last_whole_frame() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("partial");
        let key = StoreKey::random();
        append_frame(&key, "f", &p, b"hello ").unwrap();
        append_frame(&key, "f", &p, b"world").unwrap();
        let whole = std::fs::metadata(&p).unwrap().len();
        // A crash in the middle of a third frame.
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&[40, 0, 0, 0, 1, 2, 3]).unwrap();
        assert_eq!(partial_frames(&key, "f", &p).unwrap(), b"hello world");
        assert_eq!(std::fs::metadata(&p).unwrap().len(), whole);
        assert!(
            partial_frames(&key, "f", &dir.path().join("none"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn keys_round_trip_through_hex_and_never_print() {
        let key = StoreKey::random();
        let again = StoreKey::from_hex(&key.to_hex()).unwrap();
        assert_eq!(key.0[..], again.0[..]);
        assert_eq!(format!("{key:?}"), "StoreKey(…)");
        assert!(StoreKey::from_hex("zz").is_none());
        assert!(key.raw_key().starts_with("x'") && key.raw_key().len() == 67);
    }
}
