//! dep: ctrlc = "3"
fn main() {
    ctrlc::set_handler(|| {}).expect("set_handler");
    println!("ok");
}
