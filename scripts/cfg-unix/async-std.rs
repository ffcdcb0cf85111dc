//! dep: async-std = "1"
fn main() {
    async_std::task::block_on(async {
        async_std::task::sleep(std::time::Duration::from_millis(10)).await;
        let h = async_std::task::spawn(async { 6 * 7 });
        assert_eq!(h.await, 42);
    });
    println!("ok");
}
