//! Benchmark workspaces are encrypted like every workspace, with a key kept beside them in
//! the benchmark data dir (a benchmark machine needs no keyring, and its data is made up):
//! SQLCipher's cost is measured, not skipped.

use std::path::Path;

use helpdeck_store::StoreKey;

/// The key of the benchmark workspace in `dir` (made the first time).
pub fn bench_key(dir: &Path) -> std::io::Result<StoreKey> {
    let path = dir.join("bench.key");
    if let Ok(text) = std::fs::read_to_string(&path)
        && let Some(k) = StoreKey::from_hex(&text)
    {
        return Ok(k);
    }
    std::fs::create_dir_all(dir)?;
    let key = StoreKey::random();
    std::fs::write(&path, key.to_hex().as_str())?;
    Ok(key)
}
