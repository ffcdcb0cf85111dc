//! dep: polling = "3"
fn main() {
    let poller = polling::Poller::new().expect("Poller::new");
    let mut events = polling::Events::new();
    let n = poller.wait(&mut events, Some(std::time::Duration::from_millis(10))).expect("wait");
    assert_eq!(n, 0);
    println!("ok");
}
