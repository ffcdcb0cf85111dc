//! A mount at the nested guest path `/a/b/c`: the synthetic `/a` and `/a/b` are listable,
//! read-only directories; the mount itself is writable but cannot be removed.
use std::fs;

#[path = "../fsraw.rs"]
mod fsraw;
use fsraw::show;

fn names(dir: &str) -> String {
    let mut v: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v.join(",")
}

fn main() {
    println!("/={}", names("/"));
    println!("/a={}", names("/a"));
    println!("/a/b={}", names("/a/b"));
    println!("/a/b is_dir={}", fs::metadata("/a/b").unwrap().is_dir());
    println!("f={}", fs::read_to_string("/a/b/c/f.txt").unwrap());
    fs::write("/a/b/c/g.txt", b"g").unwrap();
    println!("/a/b/c={}", names("/a/b/c"));
    println!("write /a/x={}", show(fs::write("/a/x", b"x")));
    println!("mkdir /a/b/new={}", show(fs::create_dir("/a/b/new")));
    println!("rmdir mount={}", show(fs::remove_dir("/a/b/c")));
    println!("missing={}", show(fs::metadata("/a/zzz")));
}
