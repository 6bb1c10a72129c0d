// Rebuild when a migration changes, so a binary never ships without its migrations.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/client");
}
