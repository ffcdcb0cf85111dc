//! Issue 13: `cargo wasix sysroot pack|install` with the suite's shared sysroot (packed, then
//! installed into a clean cache that builds hello without building std), refusals that leave
//! the installed sysroot usable, and `cargo wasix install --path` with the crate overlays.
//! (Pack and install edge cases on fake entries: `sysroot/src/pack/tests.rs`.)

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;

use super::support::{
    assert_wasix_module, cargo_wasix, fixture, fixture_as, outer_target, output, repo_root, success,
};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn e2e(name: &str) -> PathBuf {
    outer_target().join("e2e").join(name)
}

fn fresh(dir: &Path) {
    if dir.exists() {
        fs::remove_dir_all(dir).expect("remove old dir");
    }
}

fn install(pack: &Path, home: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sysroot", "install", pack.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    output(cargo_wasix(&repo_root(), &args).env("CARGO_WASIX_HOME", home))
}

/// A `cargo wasix build` of hello with `home`'s sysroot in its own target dir; returns stderr
/// after checking that it succeeded and built no std.
fn build_hello(home: &Path) -> String {
    let out = output(
        cargo_wasix(&fixture("hello"), &["build"])
            .env("CARGO_WASIX_HOME", home)
            .env("CARGO_TARGET_DIR", e2e("pack-target")),
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for std_build in ["Preparing", "Building", "WASIX sysroot in"] {
        assert!(!stderr.contains(std_build), "std was built:\n{stderr}");
    }
    assert_wasix_module(
        &e2e("pack-target")
            .join("wasm32-wasmer-wasi")
            .join("debug")
            .join("hello.wasm"),
    );
    stderr
}

/// The sysroot entries (`<commit>-<key>` directories) of a cache root.
fn entries(home: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(home)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    n.rsplit_once('-')
                        .is_some_and(|(_, key)| key.len() == 16 && !n.starts_with("c-sysroot"))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The manifest (first member) of a pack, as JSON.
fn manifest_of(pack: &Path) -> serde_json::Value {
    let file = fs::File::open(pack).expect("open pack");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut first = tar
        .entries()
        .expect("entries")
        .next()
        .expect("member")
        .expect("member");
    let mut bytes = Vec::new();
    first.read_to_end(&mut bytes).expect("read manifest");
    serde_json::from_slice(&bytes).expect("manifest JSON")
}

/// A pack holding only `manifest` (install checks the manifest before any member).
fn pack_with_manifest(path: &Path, manifest: &serde_json::Value) {
    pack_with_members(path, manifest, &[]);
}

/// A pack holding `manifest` and regular files named raw (`..` and all, as an attacker would).
fn pack_with_members(path: &Path, manifest: &serde_json::Value, members: &[&str]) {
    let bytes = serde_json::to_vec(manifest).expect("JSON");
    let file = fs::File::create(path).expect("create");
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    tar.append_data(&mut header, "cargo-wasix-sysroot.json", bytes.as_slice())
        .expect("append");
    for name in members {
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_size(1);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append(&header, &b"x"[..]).expect("append");
    }
    tar.into_inner().expect("tar").finish().expect("gzip");
}

/// Serves the files of `dir` over HTTP/1.0 on a local port (404 for others); returns the base URL.
fn serve(dir: &Path) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let dir = dir.to_owned();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let name = request
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/');
            let _ = match fs::read(dir.join(name)) {
                Ok(body) => stream
                    .write_all(
                        format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())
                            .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(&body)),
                Err(_) => stream.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
            };
        }
    });
    format!("http://{addr}")
}

#[test]
fn packed_sysroot_installs_into_a_clean_cache_and_builds_hello_without_std() {
    let packs = e2e("packs");
    fresh(&packs);
    fs::create_dir_all(&packs).expect("mkdir");
    let pack = packs.join("sysroot.tar.gz");
    // Packs the suite's shared sysroot (`pack` builds it first when no test has yet).
    let packed = output(&mut cargo_wasix(
        &repo_root(),
        &["sysroot", "pack", "--output", pack.to_str().unwrap()],
    ));
    let stderr = text(&packed.stderr);
    assert!(packed.status.success(), "{stderr}");
    assert!(stderr.contains("Packed"), "{stderr}");
    assert!(
        stderr.contains(&format!("cargo wasix sysroot install {}", pack.display())),
        "{stderr}"
    );
    let sidecar = fs::read_to_string(packs.join("sysroot.tar.gz.sha256")).expect("sidecar");
    assert!(sidecar.ends_with("  sysroot.tar.gz\n"), "{sidecar}");

    let home = e2e("pack-home");
    fresh(&home);
    let installed = install(&pack, &home, &[]);
    let stderr = text(&installed.stderr);
    assert!(installed.status.success(), "{stderr}");
    assert!(
        stderr.contains("Verified") && stderr.contains("Installed"),
        "{stderr}"
    );
    // The installed entry is the shared cache's, by name (rustc commit and key).
    let shared = entries(&super::support::shared_home());
    let got = entries(&home);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(shared.contains(&got[0]), "{got:?} not in {shared:?}");
    build_hello(&home);

    // From a URL: downloaded, checked against the `.sha256` served beside it, and kept (same key).
    let url = serve(&packs);
    let out = install(Path::new(&format!("{url}/sysroot.tar.gz")), &home, &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Verified") && stderr.contains("/sysroot.tar.gz.sha256`"),
        "{stderr}"
    );
    assert!(stderr.contains("kept: same key"), "{stderr}");

    // Refused packs: each error names the problem and the installed sysroot stays usable.
    let corrupted = packs.join("corrupted.tar.gz");
    let mut bytes = fs::read(&pack).expect("read pack");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    fs::write(&corrupted, &bytes).expect("write");
    fs::write(packs.join("corrupted.tar.gz.sha256"), &sidecar).expect("write");
    let truncated = packs.join("truncated.tar.gz");
    fs::write(&truncated, &bytes[..middle]).expect("write");
    let mut manifest = manifest_of(&pack);
    manifest["rustc"]["version"] = "1.94.0".into();
    manifest["rustc"]["commit_hash"] = "4a4ef493e3a1488c6e321570238084b38948f6db".into();
    let other_rustc = packs.join("other-rustc.tar.gz");
    pack_with_manifest(&other_rustc, &manifest);
    let traversal = packs.join("traversal.tar.gz");
    let dir = manifest_of(&pack)["entries"][0]["dir"]
        .as_str()
        .expect("entry dir")
        .to_owned();
    pack_with_members(
        &traversal,
        &manifest_of(&pack),
        &[&format!("{dir}/../../evil")],
    );
    let cases: &[(&Path, &[&str])] = &[
        (
            &traversal,
            &[
                "not a usable sysroot pack",
                "has a `..`, `.` or root component",
            ],
        ),
        (&corrupted, &["sha256 mismatch", "corrupted.tar.gz.sha256"]),
        (&truncated, &["no checksum", "not a usable sysroot pack"]),
        (
            &other_rustc,
            &[
                "made for rustc 1.94.0 (commit 4a4ef493e3a1",
                "and this toolchain is rustc",
                "`cargo wasix setup`",
                "`cargo +1.94.0 wasix sysroot install <pack>`",
            ],
        ),
    ];
    for (bad, needles) in cases {
        let out = install(bad, &home, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", bad.display());
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{}: `{needle}` not in\n{stderr}",
                bad.display()
            );
        }
    }
    // `--sha256` beats the sidecar, and a wrong one is refused.
    let wrong = "0".repeat(64);
    let out = install(&pack, &home, &["--sha256", &wrong]);
    assert!(
        text(&out.stderr).contains("--sha256 says 0000"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(entries(&home), got);
    assert!(!home.join("evil").exists() && !e2e("evil").exists());
    let stderr = build_hello(&home);
    assert!(!stderr.contains("Compiling"), "hello rebuilt:\n{stderr}");
}

/// `cargo wasix install --path` installs a `.wasm` into `<root>/bin/` that `run-wasm` runs,
/// and applies the libc overlay (`libc::socket`, `libc::pipe`) as `build` does.
#[test]
fn install_with_path_applies_the_overlays_and_the_wasm_runs() {
    let root = e2e("install-root-pack");
    fresh(&root);
    let root_arg = root.to_str().unwrap();
    for (crate_name, stdout) in [
        ("hello", "Hello, world!\n"),
        ("libc_calls", "pipe: 0\nsocket: ok\n"),
    ] {
        // Own copies and target dir: the other tests build these fixtures at the same time.
        let dir = fixture_as(crate_name, &format!("{crate_name}-install"));
        success(
            cargo_wasix(
                &repo_root(),
                &[
                    "install",
                    "-q",
                    "--path",
                    dir.to_str().unwrap(),
                    "--root",
                    root_arg,
                ],
            )
            .env("CARGO_TARGET_DIR", e2e("install-target")),
        );
        let wasm = root.join("bin").join(format!("{crate_name}.wasm"));
        assert_wasix_module(&wasm);
        let out = output(&mut cargo_wasix(
            &repo_root(),
            &["run-wasm", "--net", wasm.to_str().unwrap()],
        ));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{crate_name}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), stdout, "{crate_name}");
    }
}

/// The commands' help, and arguments refused before anything is read.
#[test]
fn sysroot_commands_have_help_and_check_their_arguments() {
    for sub in ["pack", "install"] {
        let out = output(&mut cargo_wasix(&repo_root(), &["sysroot", sub, "--help"]));
        assert!(out.status.success(), "{sub}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("sha256"),
            "{sub}: {}",
            text(&out.stdout)
        );
    }
    let out = output(&mut cargo_wasix(
        &repo_root(),
        &["sysroot", "install", "x.tar.gz", "--sha256", "abc"],
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`--sha256 abc` is not a sha256"),
        "{}",
        text(&out.stderr)
    );
    let missing = e2e("no-such-pack.tar.gz");
    let out = install(&missing, &e2e("pack-home-unused"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("failed to open") && text(&out.stderr).contains("no-such-pack"),
        "{}",
        text(&out.stderr)
    );
}
