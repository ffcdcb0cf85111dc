//! Escape attempts from the mount `/data` (the host test puts `secret.txt` next to it and
//! the symlinks `out-rel -> ../secret.txt` and `out-abs -> <absolute host path>` inside).
use std::fs;

#[path = "../fsraw.rs"]
mod fsraw;
use fsraw::show;

fn main() {
    let attempts = [
        "/data/../secret.txt",
        "/data/../../../../secret.txt",
        "/secret.txt",
        "/etc/passwd",
        "/data/out-rel",
        "/data/out-abs",
        "/data/sub/../../secret.txt",
    ];
    fs::create_dir_all("/data/sub").unwrap();
    for path in attempts {
        println!("read {path}: {}", show(fs::read(path)));
    }
    std::env::set_current_dir("/data/sub").unwrap();
    println!("read ../../secret.txt: {}", show(fs::read("../../secret.txt")));
    let link = "data/evil";
    let target = "/etc/passwd";
    // SAFETY: both strings outlive the call.
    let rc = unsafe { fsraw::p1::path_symlink(target.as_ptr(), target.len(), 3, link.as_ptr(), link.len()) };
    println!("symlink to absolute: {rc}");
    let mut root: Vec<String> = fs::read_dir("/").unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    root.sort();
    println!("root={}", root.join(","));
    println!("write /x: {}", show(fs::write("/x", b"x")));
    println!("mkdir /y: {}", show(fs::create_dir("/y")));
}
