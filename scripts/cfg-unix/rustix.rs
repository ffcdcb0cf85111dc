//! dep: rustix = { version = "1", features = ["fs", "time"] }
fn main() {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    assert!(t.tv_sec >= 0);
    println!("ok");
}
