// `sqlx::migrate!` embeds ../migrations at compile time: rebuild this crate
// when a migration is added or changed (cargo does not track the directory).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
