//! dep: getrandom = "0.3"
fn main() {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("fill");
    assert!(buf.iter().any(|&b| b != 0));
    println!("ok");
}
