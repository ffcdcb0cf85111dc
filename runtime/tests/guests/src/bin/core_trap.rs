//! Executes `unreachable` (a wasm trap that is not a Rust panic).
fn main() {
    println!("about to trap");
    #[cfg(target_family = "wasm")]
    core::arch::wasm32::unreachable();
}
