//! Panics with a known message.
fn main() {
    println!("before the panic");
    panic!("guest panic: boom");
}
