//! dep: hostname = "0.4"
fn main() {
    let h = hostname::get().expect("hostname");
    assert!(!h.is_empty());
    println!("ok");
}
