//! Rebuilds the server when a file under `web/` is added or removed: the
//! embedded front end is read at compile time, and `include_bytes!` alone
//! tracks only the files that already existed.

fn main() {
    println!("cargo:rerun-if-changed=../../web");
}
