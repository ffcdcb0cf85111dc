//! dep: num_cpus = "1"
fn main() {
    assert!(num_cpus::get() >= 1);
    println!("ok");
}
