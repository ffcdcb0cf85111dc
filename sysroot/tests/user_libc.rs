//! User crates see WASIX libc items through `patched_libc` + `--config patch.crates-io.libc.path`,
//! also for a libc version newer than the one std pins.

use std::path::Path;

use crate::common::{assert_wasix_imports, options, shared};

/// Newer than std 1.95's pin (0.2.178); the overlay's anchors must hold for it too.
const USER_LIBC: &str = "0.2.191";

#[test]
fn patched_libc_serves_a_user_crate() {
    let s = shared();
    let libc_dir = wasix_sysroot::patched_libc(
        &s.toolchain,
        USER_LIBC,
        &options(),
        &mut wasix_sysroot::progress::Stderr,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        libc_dir.join("src/wasi/wasix.rs").exists(),
        "{}",
        libc_dir.display()
    );
    assert!(
        libc_dir
            .to_string_lossy()
            .contains(&format!("libc/{USER_LIBC}-")),
        "{}",
        libc_dir.display()
    );
    // Cached: the same directory comes back without work.
    let start = std::time::Instant::now();
    let again = wasix_sysroot::patched_libc(
        &s.toolchain,
        USER_LIBC,
        &options(),
        &mut wasix_sysroot::progress::Silent,
    )
    .expect("cached");
    assert_eq!(again, libc_dir);
    assert!(start.elapsed() < std::time::Duration::from_millis(100));

    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasix-sysroot-tests");
    let krate = base.join("user-libc");
    std::fs::create_dir_all(krate.join("src")).expect("mkdir");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"user-libc\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nlibc = \"={USER_LIBC}\"\n\n[workspace]\n"
        ),
    )
    .expect("write manifest");
    std::fs::write(
        krate.join("src/main.rs"),
        "fn main() {
    let mut fds = [0; 2];
    // SAFETY: plain libc calls with valid pointers.
    unsafe {
        let s = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(libc::pipe(fds.as_mut_ptr()) == 0 || s < 0);
    }
    println!(\"{fds:?}\");
}
",
    )
    .expect("write main");
    let target_dir = base.join("user-libc-target");
    let rustflags = format!(
        "--sysroot={} -Zunstable-options",
        s.prepared.sysroot.display()
    );
    let output = s
        .toolchain
        .cargo_command()
        .current_dir(&krate)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags.replace(' ', "\u{1f}"))
        .args([
            "build",
            "--release",
            "--target",
            &s.prepared.target_name,
            "--config",
        ])
        .arg(format!(
            "patch.crates-io.libc.path={:?}",
            libc_dir.display().to_string()
        ))
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let wasm = std::fs::read(
        target_dir
            .join(&s.prepared.target_name)
            .join("release/user-libc.wasm"),
    )
    .expect("read wasm");
    let imports = assert_wasix_imports(&wasm);
    for call in ["sock_open", "fd_pipe"] {
        assert!(
            imports.iter().any(|(m, n)| m == "wasix_32v1" && n == call),
            "no wasix_32v1.{call}: {imports:?}"
        );
    }
}
