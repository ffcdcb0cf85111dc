//! The working directory: std's `set_current_dir` (wasi-libc's own emulation) with relative
//! paths, and the WASIX `chdir`/`getcwd` imports of the runtime.
use std::fs;

#[path = "../fsraw.rs"]
mod fsraw;
use fsraw::{chdir, getcwd, show};

fn main() {
    // The runtime's cwd (from --cwd, default "/").
    let (rc, _, cwd) = getcwd(256);
    println!("initial rc={rc} cwd={cwd}");

    // wasi-libc's emulated cwd: relative paths resolved by libc, sent relative to fd 3.
    fs::create_dir_all("/data/sub").unwrap();
    std::env::set_current_dir("/data").unwrap();
    fs::write("rel.txt", b"relative").unwrap();
    println!("abs={}", fs::read_to_string("/data/rel.txt").unwrap());
    std::env::set_current_dir("sub").unwrap();
    println!("std_cwd={}", std::env::current_dir().unwrap().display());
    println!("up={}", fs::read_to_string("../rel.txt").unwrap());
    println!("set_missing={}", show(std::env::set_current_dir("/nope")));

    // The WASIX calls.
    println!("chdir_sub={}", chdir("/data/sub"));
    println!("cwd={}", getcwd(256).2);
    println!("chdir_up={}", chdir(".."));
    println!("cwd={}", getcwd(256).2);
    println!("chdir_rel={}", chdir("sub/."));
    println!("cwd={}", getcwd(256).2);
    println!("chdir_file={}", chdir("/data/rel.txt"));
    println!("chdir_missing={}", chdir("/data/none"));
    println!("chdir_escape={}", chdir("../../../.."));
    println!("cwd={}", getcwd(256).2);
    chdir("/data/sub");
    let (rc, len, _) = getcwd(4);
    println!("small rc={rc} needed={len}");
    let (rc, len, s) = getcwd(len);
    println!("exact rc={rc} len={len} cwd={s}");
}
