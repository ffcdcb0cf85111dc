//! Hello world (and a threaded variant) link against the sysroot with WASIX imports only.

use crate::common::{assert_wasix_imports, compile, options, shared};

#[test]
fn hello_world_links_with_wasix_imports_only() {
    let wasm = compile("hello", "fn main() { println!(\"Hello, world!\"); }\n", &[])
        .unwrap_or_else(|e| panic!("hello world failed to build:\n{e}"));
    let imports = assert_wasix_imports(&wasm);
    assert!(
        imports
            .iter()
            .any(|(m, n)| m == "wasi_snapshot_preview1" && n == "fd_write"),
        "{imports:?}"
    );
}

#[test]
fn threads_link_through_wasi_thread_spawn() {
    let source = "fn main() {
    let h = std::thread::spawn(|| 40 + 2);
    println!(\"{}\", h.join().unwrap());
}
";
    let wasm = compile("threads", source, &[]).unwrap_or_else(|e| panic!("{e}"));
    let imports = assert_wasix_imports(&wasm);
    assert!(
        imports
            .iter()
            .any(|(m, n)| m == "wasi" && n == "thread-spawn"),
        "{imports:?}"
    );
}

#[test]
fn cache_hit_is_fast_and_cached() {
    let s = shared();
    // What a `cargo wasix build` pays on every run: detect the toolchain, then prepare.
    let start = std::time::Instant::now();
    let toolchain = wasix_sysroot::Toolchain::detect().expect("detect");
    let again =
        wasix_sysroot::prepare(&toolchain, &options(), &mut wasix_sysroot::progress::Silent)
            .expect("prepare again");
    let hit = start.elapsed();
    eprintln!(
        "cache hit incl. toolchain detection: {hit:.1?} (first prepare of this run: {:.1?})",
        s.first
    );
    assert_eq!(again.outcome, wasix_sysroot::Outcome::AlreadyCached);
    assert_eq!(again.sysroot, s.prepared.sysroot);
    assert!(
        hit < std::time::Duration::from_millis(300),
        "cache hit took {hit:?}"
    );
    let target = again.sysroot.join("lib/rustlib").join(&again.target_name);
    for file in [
        "target.json",
        "lib/self-contained/libc.a",
        "lib/self-contained/crt1-command.o",
    ] {
        assert!(target.join(file).exists(), "{file} installed");
    }
}
