//! dep: rand = "0.9"
fn main() {
    let a: u64 = rand::random();
    let b: u64 = rand::random();
    assert_ne!(a, b);
    println!("ok");
}
