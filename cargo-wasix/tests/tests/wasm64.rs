//! wasm64-wasmer-wasi end to end (issue 11), beyond the fixtures every target runs
//! (`run.rs`'s `both_targets!`): `cargo wasix run --target wasm64-wasmer-wasi` of a std program
//! on libwasix's libc64 (threads, a channel, the environment, files on a mount, a block above
//! 4 GiB, an unwound panic, an exit code), and 6 GiB allocated, written and checksummed.
//!
//! wasm64 has its own cargo-wasix home (`Target::Wasm64.home()`).

use super::support::{Target, fixture, output};

const W64: Target = Target::Wasm64;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn std_program_runs_on_wasm64() {
    let dir = fixture("wasm64_std");
    std::fs::create_dir_all(dir.join("mount")).expect("scratch dir");
    let flags = format!(
        "--max-memory 8G --env WASM64_E2E=on --mapdir /data:{}",
        dir.join("mount").display()
    );
    let run = output(
        W64.cargo_wasix(&dir, &["run", "-q", "--", "/data"])
            .env("CARGO_WASIX_RUNTIME_FLAGS", flags),
    );
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "stderr:\n{stderr}");
    assert_eq!(
        text(&run.stdout),
        "threads: total=2997000 ids=6
channel: [0, 1, 2, 3, 4]
env: Ok(\"on\")
file: \"wasm64 file\\n\" len=12 listed=true removed=true
block ends above 4 GiB: true
caught panic: true
"
    );
    assert!(stderr.contains("expected panic"), "{stderr}");
    super::support::assert_module_of(W64, &W64.wasm_path("debug", "wasm64_std"));
}

/// The bar: a guest allocates, fills and checksums 6 GiB (release build; the default
/// memory limit of 4 GiB is raised with `--max-memory`, and without it the allocation fails
/// cleanly).
#[test]
fn six_gib_filled_and_checksummed() {
    let dir = fixture("wasm64_std");
    let run = output(
        W64.cargo_wasix(&dir, &["run", "-q", "--release", "--", "fill", "6"])
            .env("CARGO_WASIX_RUNTIME_FLAGS", "--max-memory 7G"),
    );
    assert_eq!(run.status.code(), Some(0), "stderr:\n{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout),
        "fill: 6 GiB, 805306368 words, checksum ok, top above 4 GiB: true\n"
    );
    let limited =
        output(&mut W64.cargo_wasix(&dir, &["run", "-q", "--release", "--", "fill", "6"]));
    assert_eq!(
        limited.status.code(),
        Some(2),
        "stderr:\n{}",
        text(&limited.stderr)
    );
    assert_eq!(text(&limited.stdout), "fill: cannot allocate 6 GiB\n");
}
