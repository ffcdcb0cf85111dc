//! Prints a greeting and its arguments, one per line.
fn main() {
    println!("hello from wasix");
    for (i, a) in std::env::args().enumerate() {
        println!("arg{i}={a}");
    }
}
