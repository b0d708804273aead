// `sqlx::migrate!` embeds the migration folders at compile time; a new migration file must
// rebuild the crate even on stable Rust, where the macro cannot track the folder itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
