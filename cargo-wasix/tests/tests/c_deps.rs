//! C and C++ dependencies through `cc` (issue 10): a tiny C/C++ crate and real crates with C
//! inside (zstd, SQLite, zlib, ring) built and run; with no clang on `PATH`, a crate with C
//! stops with one error before cargo starts while a Rust-only crate still builds.
//!
//! The build tests need clang with the WebAssembly backend and wasi-libc's headers (CI
//! installs them, `.ci/run`); without them they say so and pass, unless
//! `CARGO_WASIX_REQUIRE_C=1` makes a missing toolchain a failure. setjmp/longjmp need clang
//! 20+ (`CARGO_WASIX_REQUIRE_SJLJ=1` makes its absence a failure).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::{cargo_wasix, fixture, outer_target, output, success};

/// Whether this machine has the C toolchain (asks `cargo wasix status`, like a user would).
fn c_toolchain_present() -> bool {
    let status = success(&mut cargo_wasix(&super::support::repo_root(), &["status"]));
    let present = status.lines().any(|l| l.starts_with("c compiler:"))
        && !status.lines().any(|l| l.starts_with("c missing:"));
    if !present {
        assert!(
            std::env::var("CARGO_WASIX_REQUIRE_C").as_deref() != Ok("1"),
            "CARGO_WASIX_REQUIRE_C=1 but no C toolchain:\n{status}"
        );
        eprintln!("skipped: no C toolchain for wasm32 on this machine:\n{status}");
    }
    present
}

/// The build scripts' variables of a user's environment must not leak into these runs.
fn clean_c_env(cmd: &mut Command) -> &mut Command {
    for var in [
        "CC_wasm32_wasmer_wasi",
        "CC_wasm32-wasmer-wasi",
        "CXX_wasm32_wasmer_wasi",
        "AR_wasm32_wasmer_wasi",
        "CFLAGS_wasm32_wasmer_wasi",
        "CXXFLAGS_wasm32_wasmer_wasi",
        "WASI_SDK_PATH",
        "WASI_SYSROOT",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn c_and_cpp_through_cc_with_wasix_headers() {
    if !c_toolchain_present() {
        return;
    }
    let dir = fixture("c_basic");
    let out = success(
        clean_c_env(&mut cargo_wasix(&dir, &["run", "-q"]))
            .env("CARGO_WASIX_RUNTIME_FLAGS", "--net"),
    );
    assert_eq!(
        out,
        "format: 7 squared is 49 (odd)\n\
         pipe: hello from C through a pipe (27 bytes)\n\
         socket: SO_TYPE = 1\n\
         threads: 4000\n\
         getpid > 0: 1\n\
         c++: 37\n"
    );
}

#[test]
fn zstd_zlib_ring_and_sqlite_on_a_mounted_dir() {
    if !c_toolchain_present() {
        return;
    }
    let dir = fixture("c_crates");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let mount = format!("--volume {}:/data", data.display());
    let out = success(
        clean_c_env(&mut cargo_wasix(
            &dir,
            &["run", "-q", "--bin", "c_crates", "--", "/data"],
        ))
        .env("CARGO_WASIX_RUNTIME_FLAGS", &mount),
    );
    assert_eq!(
        out,
        "zstd: 10000 bytes, smaller: true, round trip: true\n\
         zlib 1.4: smaller: true, round trip: true\n\
         ring sha256(abc): ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n\
         ring hmac-sha256: 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843\n\
         ring hmac verify: true\n\
         sqlite reopened: apple, banana, cherry\n\
         sqlite second writer busy while the first holds the lock: true\n\
         sqlite rows after both writers: 5\n"
    );
    // The database really is a file in the mounted host directory.
    assert!(data.join("c_crates.db").is_file());
}

/// The major version of the clang `cargo wasix status` reports (`c compiler: PATH (… version N.…)`).
fn status_clang_major() -> Option<u32> {
    let status = success(&mut cargo_wasix(&super::support::repo_root(), &["status"]));
    let line = status.lines().find(|l| l.starts_with("c compiler:"))?;
    let version = line.split("version ").nth(1)?;
    version.split('.').next()?.trim().parse().ok()
}

#[test]
fn setjmp_longjmp_in_c_and_lua_errors_caught_by_rust() {
    if !c_toolchain_present() {
        return;
    }
    match status_clang_major() {
        Some(major) if major >= 20 => {}
        other => {
            assert!(
                std::env::var("CARGO_WASIX_REQUIRE_SJLJ").as_deref() != Ok("1"),
                "CARGO_WASIX_REQUIRE_SJLJ=1 but setjmp needs clang 20+, found {other:?}"
            );
            eprintln!("skipped: setjmp/longjmp need clang 20 or newer, found {other:?}");
            return;
        }
    }
    let dir = fixture("c_sjlj");
    let out = success(clean_c_env(&mut cargo_wasix(&dir, &["run", "-q"])));
    assert_eq!(
        out,
        "depth: 305 105\n\
         through a setjmp frame: 7\n\
         nested: 123\n\
         1000 jumps: 0\n\
         in a thread: 205\n\
         rust caught: runtime error: [string \"script\"]:1: boom from lua\n\
         rust callback: 42\n\
         pcall: ok=false code=7 rust error=runtime error: rust says no\n\
         lua pcalls: 1000\n"
    );
}

#[test]
fn setjmp_with_a_clang_too_old_says_why() {
    let Ok(clang19) = which::which("clang-19") else {
        eprintln!("skipped: no clang-19 to check the refusal with");
        return;
    };
    if !c_toolchain_present() {
        return;
    }
    let dir = fixture("c_sjlj");
    let target = outer_target().join("e2e").join("sjlj-clang19-target");
    let out = output(
        clean_c_env(&mut cargo_wasix(&dir, &["build", "-q"]))
            .env("CC_wasm32_wasmer_wasi", &clang19)
            .env("CARGO_TARGET_DIR", &target),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(
        stderr.contains("setjmp/longjmp on wasm32-wasmer-wasi need clang 20 or newer"),
        "stderr:\n{stderr}"
    );
}

/// A `PATH` with cargo and rustc but no clang: the toolchain's own `bin/`.
fn path_without_clang() -> PathBuf {
    let cargo = std::env::var_os("CARGO").expect("cargo test sets CARGO");
    let bin = Path::new(&cargo)
        .parent()
        .expect("cargo has a directory")
        .to_owned();
    assert!(!bin.join("clang").exists(), "{} has a clang", bin.display());
    bin
}

#[test]
fn no_clang_is_one_clear_error_before_cargo_starts() {
    let dir = fixture("c_basic");
    let target = outer_target().join("e2e").join("no-clang-target");
    let _ = std::fs::remove_dir_all(&target);
    let out = output(
        clean_c_env(&mut cargo_wasix(&dir, &["build"]))
            .env("PATH", path_without_clang())
            .env("CARGO_TARGET_DIR", &target),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "stderr:\n{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "stderr:\n{stderr}");
    for needle in [
        "building C code for wasm32-wasmer-wasi needs clang with the WebAssembly backend",
        "c_basic 0.1.0",
        "sudo apt-get install clang-19 lld-19 llvm-19 wasi-libc libc++-19-dev-wasm32",
        "brew install llvm",
        "WASI_SDK_PATH",
        "CC_wasm32_wasmer_wasi",
    ] {
        assert!(stderr.contains(needle), "{needle:?} missing in:\n{stderr}");
    }
    // Cargo never ran: nothing was compiled for the target.
    assert!(!target.join("wasm32-wasmer-wasi").exists());
}

#[test]
fn rust_only_crates_need_no_c_compiler() {
    let dir = fixture("hello");
    let out = output(
        clean_c_env(&mut cargo_wasix(&dir, &["build", "-q"])).env("PATH", path_without_clang()),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
