//! A read-only mount at `/ro` holding `ro.txt`: reads work, every write is EROFS.
use std::fs;

#[path = "../fsraw.rs"]
mod fsraw;
use fsraw::show;

fn main() {
    println!("read={}", fs::read_to_string("/ro/ro.txt").unwrap());
    println!("create={}", show(fs::write("/ro/new.txt", b"x")));
    println!("open_rw={}", show(fs::OpenOptions::new().write(true).open("/ro/ro.txt")));
    println!("append={}", show(fs::OpenOptions::new().append(true).open("/ro/ro.txt")));
    println!("remove={}", show(fs::remove_file("/ro/ro.txt")));
    println!("mkdir={}", show(fs::create_dir("/ro/d")));
    println!("rename={}", show(fs::rename("/ro/ro.txt", "/ro/moved.txt")));
    println!("still={}", fs::read_to_string("/ro/ro.txt").unwrap());
}
