//! dep: nix = { version = "0.30", features = ["process", "fs"] }
fn main() {
    let pid = nix::unistd::getpid();
    assert!(pid.as_raw() > 0);
    println!("ok");
}
