//! Exposes the host triple to the integration tests (`env!("TARGET_TRIPLE")`).
fn main() {
    println!(
        "cargo::rustc-env=TARGET_TRIPLE={}",
        std::env::var("TARGET").unwrap_or_default()
    );
    println!("cargo::rerun-if-changed=build.rs");
}
