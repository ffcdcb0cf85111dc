//! Build benchmark (not a timed test): `cargo wasix build` against plain
//! `cargo build --target wasm32-wasip1` on the same fixture (`tests/hello`, copied), for a warm
//! no-op build and a one-line-change rebuild, plus sysroot preparation cold (empty
//! `CARGO_WASIX_HOME`) and cached. Prints a Markdown table with ratios.
//!
//! `cargo bench -p cargo-wasix --bench build` (set `BENCH_SKIP_COLD=1` to skip the cold build).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 10;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let bench = target.join("bench");
    let project = bench.join("hello");
    let _ = std::fs::remove_dir_all(&project);
    copy_tree(&root.join("tests/hello"), &project);
    let home = target.join("wasix-home");

    let wasix = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-wasix"));
        cmd.arg("wasix").args(args).current_dir(&project);
        cmd.env("CARGO_WASIX_HOME", &home)
            .env("CARGO_TARGET_DIR", bench.join("target-wasix"));
        cmd.env_remove("RUSTC_WRAPPER").env_remove("RUSTFLAGS");
        cmd
    };
    let plain = |args: &[&str]| {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args(args)
            .arg("--target")
            .arg("wasm32-wasip1")
            .current_dir(&project);
        cmd.env("CARGO_TARGET_DIR", bench.join("target-wasip1"));
        cmd.env_remove("RUSTC_WRAPPER").env_remove("RUSTFLAGS");
        cmd
    };

    // Warm up both (sysroot, lock file, first build).
    time(&mut wasix(&["build", "-q"]));
    time(&mut plain(&["build", "-q"]));

    let mut rows = Vec::new();
    let noop_wasix = median(
        (0..RUNS)
            .map(|_| time(&mut wasix(&["build", "-q"])))
            .collect(),
    );
    let noop_plain = median(
        (0..RUNS)
            .map(|_| time(&mut plain(&["build", "-q"])))
            .collect(),
    );
    rows.push(("warm no-op build", noop_wasix, noop_plain));

    let main_rs = project.join("src/main.rs");
    let original = std::fs::read_to_string(&main_rs).expect("read main.rs");
    let change = |i: usize| {
        std::fs::write(
            &main_rs,
            format!("{original}\nconst _CHANGE: usize = {i};\n"),
        )
        .expect("edit main.rs");
    };
    let mut edit_wasix = Vec::new();
    let mut edit_plain = Vec::new();
    for i in 0..RUNS / 2 {
        change(2 * i);
        edit_wasix.push(time(&mut wasix(&["build", "-q"])));
        edit_plain.push(time(&mut plain(&["build", "-q"])));
        change(2 * i + 1);
        edit_plain.push(time(&mut plain(&["build", "-q"])));
        edit_wasix.push(time(&mut wasix(&["build", "-q"])));
    }
    rows.push((
        "one-line change rebuild",
        median(edit_wasix),
        median(edit_plain),
    ));

    println!(
        "| build of tests/hello (median of {RUNS}) | cargo wasix build | cargo build --target wasm32-wasip1 | ratio |"
    );
    println!("|---|---|---|---|");
    for (name, ours, theirs) in &rows {
        println!(
            "| {name} | {} | {} | {:.2} |",
            ms(*ours),
            ms(*theirs),
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    }

    let hit = median((0..5).map(|_| time(&mut wasix(&["setup", "-q"]))).collect());
    println!("\n| sysroot preparation | time |\n|---|---|");
    println!(
        "| cache hit (`cargo wasix setup`, median of 5) | {} |",
        ms(hit)
    );
    if std::env::var_os("BENCH_SKIP_COLD").is_none() {
        let cold_home = bench.join("cold-home");
        let _ = std::fs::remove_dir_all(&cold_home);
        let cold = time(wasix(&["setup", "-q"]).env("CARGO_WASIX_HOME", &cold_home));
        println!(
            "| cold (empty `CARGO_WASIX_HOME`, rust-src copy + patch + std build) | {:.1} s |",
            cold.as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(&cold_home);
    }
}

fn time(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("failed to run {cmd:?}: {e}"));
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_name() == "target" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}
