//! dep: crossbeam-utils = "0.8"
fn main() {
    let p = crossbeam_utils::sync::Parker::new();
    let u = p.unparker().clone();
    let t = std::thread::spawn(move || u.unpark());
    p.park();
    t.join().expect("join");
    println!("ok");
}
