//! The std patch set routes net, pipes, processes, paths, parallelism and try_clone to WASIX:
//! a program using all of them links, and its imports show the WASIX calls std now makes.

use crate::common::{assert_wasix_imports, compile, shared};

const PROGRAM: &str = r#"
use std::io::{Read, Write};
fn main() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    println!("{:?}", listener.local_addr());
    let _ = std::net::TcpStream::connect("127.0.0.1:1");
    let _ = std::net::UdpSocket::bind("0.0.0.0:0");
    let _ = std::net::ToSocketAddrs::to_socket_addrs("localhost:80");
    let (mut r, mut w) = std::io::pipe().unwrap();
    w.write_all(b"x").unwrap();
    drop(w);
    let mut s = String::new();
    r.read_to_string(&mut s).unwrap();
    let out = std::process::Command::new("ls").current_dir("/").output().unwrap();
    println!("{:?}", out.status.code());
    let mut child = std::process::Command::new("sleep").spawn().unwrap();
    let _ = child.kill();
    let _ = child.try_wait();
    println!("{:?}", std::thread::available_parallelism());
    println!("{}", std::process::id());
    println!("{:?}", std::env::temp_dir());
    println!("{:?}", std::env::split_paths("/a:/b").collect::<Vec<_>>());
    println!("{:?}", std::env::join_paths(["/a", "/b"]));
    let f = std::fs::File::open("/").unwrap();
    let _ = f.try_clone();
    std::env::set_current_dir("/tmp").unwrap();
    println!("{:?}", std::env::current_dir());
}
"#;

#[test]
fn std_surface_uses_wasix_calls() {
    let wasm = compile("std_surface", PROGRAM, &[]).unwrap_or_else(|e| panic!("{e}"));
    let imports = assert_wasix_imports(&wasm);
    // std's source paths are remapped like the official std's (`/rustc/<commit>/library`):
    // the cache location does not leak into user binaries.
    let cache = crate::common::cache_root()
        .canonicalize()
        .expect("cache root");
    let cache = cache.to_string_lossy();
    assert!(
        !wasm.windows(cache.len()).any(|w| w == cache.as_bytes()),
        "binary contains the cache path {cache}"
    );
    assert!(
        wasm.windows(7).any(|w| w == b"/rustc/"),
        "std paths are remapped to /rustc/"
    );
    let names: Vec<&str> = imports
        .iter()
        .filter(|(m, _)| m == "wasix_32v1")
        .map(|(_, n)| n.as_str())
        .collect();
    // One WASIX call per std area the patch set enables (names from wasix-abi.md).
    for (area, call) in [
        ("net", "sock_open"),
        ("net", "sock_bind"),
        ("net", "sock_connect"),
        ("dns", "resolve"),
        ("io::pipe", "fd_pipe"),
        ("process spawn", "proc_spawn2"),
        ("process wait", "proc_join"),
        ("process kill", "proc_signal"),
        ("process::id", "proc_id"),
        ("available_parallelism", "thread_parallelism"),
        ("try_clone", "fd_dup"),
        ("set_current_dir", "chdir"),
    ] {
        assert!(
            names.contains(&call),
            "{area}: no `wasix_32v1.{call}` import in {names:?}"
        );
    }
}

#[test]
fn replaced_libc_members_are_gone() {
    let s = shared();
    let libc_a = s
        .prepared
        .sysroot
        .join("lib/rustlib")
        .join(&s.prepared.target_name)
        .join("lib/self-contained/libc.a");
    let members =
        wasix_sysroot::archive::list_members(&s.toolchain.llvm_ar(), &libc_a).expect("list libc.a");
    let replaced = wasix_sysroot::embedded::Inputs::embedded().replaced_members();
    assert!(
        !replaced.is_empty(),
        "libwasix/replaced-libc-members.txt lists members"
    );
    for name in &replaced {
        assert!(
            !members.contains(name),
            "{name} still in {}",
            libc_a.display()
        );
    }
    // The archive still has the rest of wasi-libc (and its symbol index works for linking,
    // which hello world proves).
    assert!(
        members
            .iter()
            .any(|m| m == "printf.c.obj" || m.starts_with("printf")),
        "{}",
        members.len()
    );
}
