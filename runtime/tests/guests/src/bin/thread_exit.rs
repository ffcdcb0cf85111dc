//! A spawned thread exits the whole process with code 7 while main is blocked.
fn main() {
    let (_tx, rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(|| {
        println!("thread exiting");
        std::process::exit(7);
    });
    let _ = rx.recv(); // blocks forever unless the process ends
    println!("main must not get here");
}
