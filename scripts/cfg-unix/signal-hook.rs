//! dep: signal-hook = "0.3"
fn main() {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGUSR1, flag.clone()).expect("register");
    signal_hook::low_level::raise(signal_hook::consts::SIGUSR1).expect("raise");
    assert!(flag.load(std::sync::atomic::Ordering::SeqCst));
    println!("ok");
}
