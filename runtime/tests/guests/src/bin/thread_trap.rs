//! A spawned thread traps (`unreachable`) while main waits for it.
fn main() {
    let h = std::thread::spawn(|| {
        #[cfg(target_family = "wasm")]
        core::arch::wasm32::unreachable();
    });
    let _ = h.join();
    std::thread::sleep(std::time::Duration::from_secs(5));
    println!("main must not get here");
}
