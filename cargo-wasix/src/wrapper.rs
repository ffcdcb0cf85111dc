//! Rustc-wrapper mode: cargo runs `cargo-wasix <rustc> <args...>` because the user command set
//! `RUSTC_WRAPPER` to us and `CARGO_WASIX_SYSROOT` to the prepared sysroot.
//!
//! Compiles for this run's WASIX target (`--target wasm32-wasmer-wasi`, or `wasm64-wasmer-wasi`
//! when the user command says so: `target.rs`), including cargo's `--print` probes, get
//! `-Zunstable-options` and `RUSTC_BOOTSTRAP=1`, for that rustc only: custom target specs are
//! unstable, and the flag must not leak into host compiles (build scripts, proc-macros), which
//! run exactly as cargo asked (cargo-miri's `is_target_crate`). The rustc cargo names is the
//! toolchain directory's (`delivery.rs`), which finds the target in its default sysroot; only
//! where none could be made do target compiles also get `--sysroot <prepared>`.
//! A user's own `RUSTC_WRAPPER` (sccache, ...) is chained in front of rustc.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::target::Wasix;
use crate::{args, env, exec, validate, wasm_opt};

/// Runs one rustc invocation for cargo and returns its exit code.
pub fn main(argv: Vec<OsString>) -> Result<i32> {
    let Some((rustc, rest)) = argv.split_first() else {
        bail!(
            "rustc-wrapper mode was called without the rustc to run\nhelp: this mode is for cargo; run `cargo wasix build` instead"
        );
    };
    let sysroot =
        std::env::var_os(env::SYSROOT).context("rustc-wrapper mode without CARGO_WASIX_SYSROOT")?;
    let text_args: Vec<String> = rest
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();

    let mut cmd = match std::env::var_os(env::CHAINED_WRAPPER).filter(|w| !w.is_empty()) {
        Some(chained) => {
            let mut cmd = Command::new(chained);
            cmd.arg(rustc);
            cmd
        }
        None => Command::new(rustc),
    };
    let utf8 = rest.iter().all(|a| a.to_str().is_some());
    if utf8 && is_target_compile(&text_args) {
        cmd.args(incremental_per_sysroot(&text_args, &sysroot));
    } else {
        cmd.args(rest);
    }
    if let Some(overlays) = std::env::var_os(env::OVERLAYS_DIR)
        && is_overlay_crate(&text_args, Path::new(&overlays))
    {
        cmd.args(["--cap-lints", "allow"]);
    }
    // Our own variables are for us, not for rustc or a chained wrapper: a compiler cache
    // hashes every `CARGO_*` variable, and paths like `CARGO_WASIX_HOME` differ per machine.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with(env::PREFIX) {
            cmd.env_remove(key);
        }
    }
    // Only the toolchain directory's own rustc finds the target without `--sysroot`; a
    // workspace wrapper cargo puts in front of it (`clippy-driver` under `cargo clippy`) has
    // its own default sysroot, the user's toolchain.
    let own_rustc = Path::new(rustc).starts_with(&sysroot);
    let pass_sysroot = std::env::var_os(env::SYSROOT_FLAG).is_some() || !own_rustc;
    if !pass_sysroot {
        prefer_own_libraries(&mut cmd, Path::new(&sysroot));
    }
    add_target_flags(&mut cmd, &text_args, &sysroot, pass_sysroot);
    // The sysroot's identity, for target compiles only: a compile cache keys on it, so a
    // changed sysroot misses while host compiles keep hitting across sysroots.
    if is_target_compile(&text_args)
        && let Some(digest) = std::env::var_os(env::SYSROOT_DIGEST)
    {
        cmd.env(env::SYSROOT_DIGEST, digest);
    }

    if args::is_version_query(&text_args) {
        return version_query(cmd, &sysroot);
    }
    let outputs = if utf8 {
        validate::linked_outputs(&text_args)
    } else {
        Vec::new()
    };
    if outputs.is_empty() {
        return exec::exec(cmd);
    }
    add_c_link_lib(&mut cmd, &text_args);
    // A link: wait for it and validate what it wrote before cargo uses it.
    let code = exec::run(&mut cmd)?;
    if code == 0 {
        outputs.iter().try_for_each(|path| check_linked(path))?;
        optimize_linked(&text_args, &outputs, Path::new(&sysroot))?;
    }
    Ok(code)
}

/// The C sysroot's setjmp runtime (`CARGO_WASIX_C_LINK_LIB`) for a link of the WASIX target.
/// wasm-ld resolves archive members in any order, so its place on the command line does not
/// matter, and a module that never calls setjmp takes nothing from it.
fn add_c_link_lib(cmd: &mut Command, args: &[String]) {
    if is_target_compile(args)
        && let Some(lib) = std::env::var_os(env::C_LINK_LIB).filter(|l| !l.is_empty())
    {
        let mut arg = std::ffi::OsString::from("link-arg=");
        arg.push(lib);
        cmd.arg("-C").arg(arg);
    }
}

/// Runs wasm-opt on the validated modules of an optimised link when the user asked for it
/// (`CARGO_WASIX_WASM_OPT`), with the features of the sysroot's target spec, and validates its
/// output too.
fn optimize_linked(args: &[String], outputs: &[std::path::PathBuf], sysroot: &Path) -> Result<()> {
    let Some(tool) = std::env::var_os(env::WASM_OPT_RESOLVED).filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    let Some(level) = wasm_opt::level(args) else {
        return Ok(());
    };
    let features = wasm_opt::sysroot_features(sysroot, Wasix::of_this_run().triple())?;
    let flags = wasm_opt::enable_flags(&features);
    let keep_names = !wasm_opt::strips_symbols(args);
    for path in outputs.iter().filter(|p| p.is_file()) {
        wasm_opt::run(Path::new(&tool), path, level, &flags, keep_names)?;
        check_linked(path)?;
    }
    Ok(())
}

/// Whether rustc compiles a crate from a patched copy under `overlays` without its own
/// `--cap-lints` (cargo gives registry crates `--cap-lints allow`; our copies are `[patch]`
/// paths, so we do it).
fn is_overlay_crate(args: &[String], overlays: &Path) -> bool {
    !args
        .iter()
        .any(|a| a == "--cap-lints" || a.starts_with("--cap-lints="))
        && args.iter().any(|a| {
            !a.starts_with('-') && a.ends_with(".rs") && Path::new(a).starts_with(overlays)
        })
}

/// Validates one linked module (a file rustc did not write, e.g. under unusual `--emit`
/// spellings, is left alone).
fn check_linked(path: &Path) -> Result<()> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("failed to read `{}`", path.display())),
    };
    validate::check(&bytes).map_err(|invalid| {
        anyhow::anyhow!(
            "the linker produced an invalid WebAssembly module `{}`\n  {invalid}\n\
             note: this is a bug in the cargo-wasix toolchain, not in your code; please report it \
             with the crate and the profile settings (`lto`, `opt-level`, ...) that produced it",
            path.display()
        )
    })
}

/// Rustdoc mode: the same flags for rustdoc runs of the WASIX target (`cargo doc`, doctests);
/// `argv` is what follows `__rustdoc`.
pub fn rustdoc_main(argv: Vec<OsString>) -> Result<i32> {
    let rustdoc = std::env::var_os(env::REAL_RUSTDOC)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "rustdoc".into());
    let text_args: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let sysroot = std::env::var_os(env::SYSROOT);
    if let Some(sysroot) = &sysroot
        && is_wasix_doctest_run(&text_args)
    {
        // rustdoc 1.95 panics (`Target::expect_builtin` in `add_exe_suffix`) when it runs
        // doctests for a target that is not built into rustc: we run them (doctest.rs).
        return crate::doctest::run(&rustdoc, &text_args, sysroot);
    }
    let mut cmd = Command::new(rustdoc);
    cmd.args(&argv);
    if let Some(sysroot) = &sysroot {
        // rustdoc is the user's own, whose default sysroot lacks our target.
        add_target_flags(&mut cmd, &text_args, sysroot, true);
    }
    exec::exec(cmd)
}

/// The rustc arguments with cargo's `-C incremental=DIR` moved to `DIR/<sysroot>`.
///
/// The target spec is found by name, so rustc cannot tell that a new sysroot (new spec, new
/// std) came with an upgrade of cargo-wasix; an incremental cache written against the old one
/// then crashes rustc (`required_panic_strategy`). One incremental directory per sysroot makes
/// that impossible; stale ones are cargo's usual garbage under `target/`.
fn incremental_per_sysroot(args: &[String], sysroot: &std::ffi::OsStr) -> Vec<String> {
    let tag = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        sysroot.hash(&mut hasher);
        format!("wasix-{:016x}", hasher.finish())
    };
    let mut out = Vec::with_capacity(args.len());
    let mut after_c = false;
    for arg in args {
        let rewritten = match (after_c, arg.strip_prefix("-Cincremental=")) {
            (_, Some(dir)) => format!("-Cincremental={dir}/{tag}"),
            (true, None) => match arg.strip_prefix("incremental=") {
                Some(dir) => format!("incremental={dir}/{tag}"),
                None => arg.clone(),
            },
            (false, None) => arg.clone(),
        };
        after_c = arg == "-C";
        out.push(rewritten);
    }
    out
}

/// Whether cargo asked rustdoc to run the doctests (`--test`) of a crate built for WASIX.
fn is_wasix_doctest_run(args: &[String]) -> bool {
    args.iter().any(|a| a == "--test") && is_target_compile(args)
}

/// Puts the toolchain directory's `lib/` first in `LD_LIBRARY_PATH`: a rustup proxy sets it to
/// the user's toolchain `lib/`, which beats the binary's `$ORIGIN/../lib` run path, and rustc
/// then takes its default sysroot from *that* driver (measured: "could not find specification
/// for target"). Our `lib/` holds the same libraries, linked. macOS (rustup sets only
/// `DYLD_FALLBACK_LIBRARY_PATH`, consulted after the run path) and Windows need nothing.
fn prefer_own_libraries(cmd: &mut Command, toolchain_dir: &Path) {
    if cfg!(any(target_os = "macos", not(unix))) {
        return;
    }
    let own = toolchain_dir.join("lib");
    let mut paths = vec![own.clone()];
    if let Some(existing) = std::env::var_os("LD_LIBRARY_PATH") {
        paths.extend(std::env::split_paths(&existing).filter(|p| *p != own));
    }
    if let Ok(joined) = std::env::join_paths(paths) {
        cmd.env("LD_LIBRARY_PATH", joined);
    }
}

/// Whether cargo asked for a compile (or probe) of this run's WASIX target.
fn is_target_compile(args: &[String]) -> bool {
    args::rustc_target(args).and_then(Wasix::from_flag) == Some(Wasix::of_this_run())
}

/// `-Zunstable-options` (with `--sysroot <sysroot>` before it when `pass_sysroot`) and
/// `RUSTC_BOOTSTRAP=1`, only when compiling for the WASIX target.
fn add_target_flags(
    cmd: &mut Command,
    args: &[String],
    sysroot: &std::ffi::OsStr,
    pass_sysroot: bool,
) {
    if is_target_compile(args) {
        if pass_sysroot {
            cmd.arg("--sysroot").arg(sysroot);
        }
        cmd.arg("-Zunstable-options");
        cmd.env("RUSTC_BOOTSTRAP", "1");
    }
}

/// `rustc -vV` with one more line naming the sysroot (and one naming the wasm-opt in use).
/// Cargo hashes this output into every unit's fingerprint, so a different sysroot (new patch
/// set, new libwasix, other target features) rebuilds the user's crates instead of linking
/// stale rlibs against a new std, and turning wasm-opt on or off relinks the modules.
fn version_query(mut cmd: Command, sysroot: &std::ffi::OsStr) -> Result<i32> {
    let output = cmd.output().context("failed to run rustc -vV")?;
    let mut stdout = output.stdout;
    if output.status.success() {
        stdout.extend_from_slice(
            format!("cargo-wasix-sysroot: {}\n", sysroot.to_string_lossy()).as_bytes(),
        );
        if let Some(tool) = std::env::var_os(env::WASM_OPT_RESOLVED).filter(|t| !t.is_empty()) {
            stdout.extend_from_slice(
                format!("cargo-wasix-wasm-opt: {}\n", tool.to_string_lossy()).as_bytes(),
            );
        }
    }
    use std::io::Write;
    std::io::stdout()
        .write_all(&stdout)
        .context("failed to write rustc's version")?;
    std::io::stderr()
        .write_all(&output.stderr)
        .context("failed to write rustc's errors")?;
    Ok(output.status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_dir_is_per_sysroot() {
        let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        let a = std::ffi::OsStr::new("/cache/a/sysroot");
        let b = std::ffi::OsStr::new("/cache/b/sysroot");
        let args = s(&[
            "--crate-name",
            "x",
            "-C",
            "incremental=/t/debug/incremental",
            "-C",
            "opt-level=0",
        ]);
        let on_a = incremental_per_sysroot(&args, a);
        let on_b = incremental_per_sysroot(&args, b);
        assert!(
            on_a[3].starts_with("incremental=/t/debug/incremental/wasix-"),
            "{on_a:?}"
        );
        assert_ne!(on_a[3], on_b[3]);
        assert_eq!(
            on_a,
            incremental_per_sysroot(&args, a),
            "stable for one sysroot"
        );
        assert_eq!(on_a[5], "opt-level=0");
        let joined = incremental_per_sysroot(&s(&["-Cincremental=/t/inc"]), a);
        assert!(
            joined[0].starts_with("-Cincremental=/t/inc/wasix-"),
            "{joined:?}"
        );
        // Without incremental compilation nothing changes.
        let plain = s(&["--crate-name", "x", "-C", "debuginfo=2"]);
        assert_eq!(incremental_per_sysroot(&plain, a), plain);
    }

    #[test]
    fn overlay_crates_get_their_lints_capped() {
        let dir = Path::new("/c/overlays");
        let cases: &[(&str, bool)] = &[
            (
                "--crate-name libc /c/overlays/libc/0.2.158-k/src/lib.rs --edition 2015",
                true,
            ),
            (
                "--crate-name build_script_build /c/overlays/libc/0.2.158-k/build.rs",
                true,
            ),
            (
                "--crate-name libc /c/overlays/libc/0.2.158-k/src/lib.rs --cap-lints warn",
                false,
            ),
            ("--crate-name app src/main.rs", false),
            (
                "--crate-name libc /home/u/.cargo/registry/src/libc/src/lib.rs",
                false,
            ),
            ("--crate-name x /c/overlays-other/x/src/lib.rs", false),
        ];
        for (line, expected) in cases {
            let args: Vec<String> = line.split(' ').map(str::to_owned).collect();
            assert_eq!(is_overlay_crate(&args, dir), *expected, "{line}");
        }
    }

    #[test]
    fn only_wasix_doctest_runs_are_taken_over() {
        let cases: &[(&[&str], bool)] = &[
            (&["--test", "src/lib.rs", "--target", env::TARGET], true),
            (
                &["--test", "src/lib.rs", "--target=wasm32-wasmer-wasi"],
                true,
            ),
            (&["--test", "src/lib.rs"], false),
            (
                &[
                    "--test",
                    "src/lib.rs",
                    "--target",
                    "x86_64-unknown-linux-gnu",
                ],
                false,
            ),
            (&["src/lib.rs", "--target", env::TARGET, "-o", "doc"], false),
        ];
        for (args, expected) in cases {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            assert_eq!(is_wasix_doctest_run(&args), *expected, "{args:?}");
        }
    }
}
