//! dep: async-io = "2"
//! dep: futures-lite = "2"
fn main() {
    let start = std::time::Instant::now();
    futures_lite::future::block_on(async_io::Timer::after(std::time::Duration::from_millis(20)));
    assert!(start.elapsed() >= std::time::Duration::from_millis(20));
    println!("ok");
}
