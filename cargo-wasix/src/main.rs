//! `cargo wasix`: user command, rustc wrapper and cargo runner in one binary.
fn main() {}
