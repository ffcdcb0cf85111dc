//! The optional binaryen `wasm-opt` pass (issue 12, step 6): with `CARGO_WASIX_WASM_OPT=1`
//! (found on `PATH` with the `which` crate) or `=/path/to/wasm-opt`, the rustc wrapper runs it
//! on every module an optimised build links (opt-level other than 0: `--release` and profiles
//! like it; test harnesses excluded), after our own validation, and validates its output again.
//!
//! Opt-in because it buys size, not speed, at a large build-time cost (BENCHMARKS.md).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::args;

/// binaryen flags for each LLVM feature of our target spec.
const ENABLE: &[(&str, &[&str])] = &[
    ("atomics", &["--enable-threads"]),
    (
        "bulk-memory",
        &["--enable-bulk-memory", "--enable-bulk-memory-opt"],
    ),
    ("mutable-globals", &["--enable-mutable-globals"]),
    ("sign-ext", &["--enable-sign-ext"]),
    (
        "nontrapping-fptoint",
        &["--enable-nontrapping-float-to-int"],
    ),
    ("exception-handling", &["--enable-exception-handling"]),
    ("simd128", &["--enable-simd"]),
    ("relaxed-simd", &["--enable-relaxed-simd"]),
    // Not a spec feature: `sysroot_features` adds it for `"arch": "wasm64"`.
    ("memory64", &["--enable-memory64"]),
    ("extended-const", &["--enable-extended-const"]),
    ("wide-arithmetic", &["--enable-wide-arithmetic"]),
];

/// What LLVM's generic CPU (which the spec keeps) emits besides the spec's features; exnref,
/// the exception reference our unwinding uses, is a reference type too.
const GENERIC: &[&str] = &["--enable-reference-types", "--enable-multivalue"];

/// The `CARGO_WASIX_WASM_OPT` value: off (unset, empty, `0`, `false`, `no`, `off`), `1`
/// (`true`, `yes`, `on`: find `wasm-opt` on `PATH`), or a path to a `wasm-opt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Off,
    Find,
    Path(PathBuf),
}

impl Request {
    pub fn parse(value: Option<&OsStr>) -> Request {
        let Some(value) = value else {
            return Request::Off;
        };
        let text = value.to_string_lossy();
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" | "off" => Request::Off,
            "1" | "true" | "yes" | "on" => Request::Find,
            _ => Request::Path(PathBuf::from(value)),
        }
    }
}

/// The `wasm-opt` to run, or `None` when the user did not ask for one; asking for one that
/// cannot be found is an error saying how to get it.
pub fn resolve(request: &Request) -> Result<Option<PathBuf>> {
    let help = "help: wasm-opt comes with binaryen; `npm install binaryen` (version 132 was \
                tested; older ones may not read wasm exceptions) puts it at \
                `node_modules/binaryen/bin/wasm-opt`; put it on PATH or set \
                CARGO_WASIX_WASM_OPT=/path/to/wasm-opt";
    match request {
        Request::Off => Ok(None),
        Request::Find => match which::which("wasm-opt") {
            Ok(path) => Ok(Some(path)),
            Err(_) => bail!(
                "CARGO_WASIX_WASM_OPT asks for wasm-opt, but there is no `wasm-opt` on PATH\n{help}"
            ),
        },
        // Absolute: the wrapper runs it from whatever directory cargo runs rustc in.
        Request::Path(path) => match which::which(path) {
            Ok(found) => Ok(Some(std::path::absolute(&found).unwrap_or(found))),
            Err(_) => bail!(
                "CARGO_WASIX_WASM_OPT names `{}`, which is not an executable file\n{help}",
                path.display()
            ),
        },
    }
}

/// The wasm-opt level for a rustc link, or `None` when this link is not optimised (no
/// opt-level or 0, as in dev builds) or is a test harness.
pub fn level(rustc_args: &[String]) -> Option<&'static str> {
    if args::has_flag(rustc_args, "--test", None) {
        return None;
    }
    match codegen_option(rustc_args, "opt-level")? {
        "1" => Some("-O1"),
        "2" => Some("-O2"),
        "3" => Some("-O3"),
        "s" => Some("-Os"),
        "z" => Some("-Oz"),
        _ => None,
    }
}

/// Whether rustc was told to strip symbols (then wasm-opt drops the name section too;
/// otherwise it keeps it, `-g`, so traps and backtraces stay readable). DWARF is always
/// dropped: binaryen 132 with `-O3 -g` copied every `.debug_*` section byte for byte past
/// its optimisations, so it would describe code that no longer exists.
pub fn strips_symbols(rustc_args: &[String]) -> bool {
    codegen_option(rustc_args, "strip") == Some("symbols")
}

/// The last value of `-C key=value` / `-Ckey=value`.
fn codegen_option<'a>(rustc_args: &'a [String], key: &str) -> Option<&'a str> {
    let mut found = None;
    let mut after_c = false;
    for arg in rustc_args {
        let option = match arg.strip_prefix("-C") {
            Some("") => None,
            Some(rest) => Some(rest),
            None if after_c => Some(arg.as_str()),
            None => None,
        };
        after_c = arg == "-C";
        if let Some((k, v)) = option.and_then(|o| o.split_once('='))
            && k == key
        {
            found = Some(v);
        }
    }
    found
}

/// binaryen's `--enable-*` flags for a spec `features` value (`+atomics,-simd128,...`).
pub fn enable_flags(spec_features: &str) -> Vec<&'static str> {
    let mut flags: Vec<&'static str> = GENERIC.to_vec();
    for feature in spec_features.split(',') {
        let Some(name) = feature.trim().strip_prefix('+') else {
            continue;
        };
        if let Some((_, enable)) = ENABLE.iter().find(|(llvm, _)| *llvm == name) {
            flags.extend(*enable);
        }
    }
    flags
}

/// The `features` of the target spec installed in `sysroot`, with `+memory64` for a wasm64
/// spec (the architecture implies it; binaryen must be told).
pub fn sysroot_features(sysroot: &Path, target: &str) -> Result<String> {
    let path = sysroot.join("lib/rustlib").join(target).join("target.json");
    let text =
        std::fs::read(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
    let spec: serde_json::Value = serde_json::from_slice(&text)
        .with_context(|| format!("failed to parse `{}`", path.display()))?;
    let mut features = spec["features"].as_str().unwrap_or_default().to_owned();
    if spec["arch"] == "wasm64" {
        features.push_str(",+memory64");
    }
    Ok(features)
}

/// Optimises `module` in place: wasm-opt writes beside it, then one rename. DWARF is
/// stripped before the optimisation passes run (see [`strips_symbols`]).
pub fn run(
    wasm_opt: &Path,
    module: &Path,
    level: &str,
    flags: &[&str],
    keep_names: bool,
) -> Result<()> {
    let tmp = module.with_extension("wasm-opt.tmp");
    let mut cmd = Command::new(wasm_opt);
    cmd.arg(module)
        .arg("-o")
        .arg(&tmp)
        .arg("--strip-dwarf")
        .arg(level)
        .args(flags);
    if keep_names {
        cmd.arg("-g");
    }
    let out = cmd
        .output()
        .with_context(|| format!("failed to run `{}`", wasm_opt.display()))?;
    if !out.status.success() {
        let _ = std::fs::remove_file(&tmp);
        bail!(
            "`{}` failed on `{}` ({})\n{}\nhelp: unset CARGO_WASIX_WASM_OPT to build without it",
            wasm_opt.display(),
            module.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    std::fs::rename(&tmp, module)
        .with_context(|| format!("failed to replace `{}`", module.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn request_values() {
        let cases: &[(Option<&str>, Request)] = &[
            (None, Request::Off),
            (Some(""), Request::Off),
            (Some("0"), Request::Off),
            (Some("off"), Request::Off),
            (Some("1"), Request::Find),
            (Some("TRUE"), Request::Find),
            (
                Some("/opt/bin/wasm-opt"),
                Request::Path("/opt/bin/wasm-opt".into()),
            ),
        ];
        for (value, want) in cases {
            assert_eq!(Request::parse(value.map(OsStr::new)), *want, "{value:?}");
        }
    }

    #[test]
    fn missing_wasm_opt_says_how_to_get_it() {
        let msg = resolve(&Request::Path("/nonexistent/wasm-opt".into()))
            .expect_err("missing")
            .to_string();
        assert!(msg.contains("`/nonexistent/wasm-opt`"), "{msg}");
        assert!(msg.contains("npm install binaryen"), "{msg}");
        assert_eq!(resolve(&Request::Off).expect("off"), None);
    }

    #[test]
    fn level_follows_opt_level() {
        let cases = [
            (
                "--crate-name app --crate-type bin -C opt-level=3 -C strip=debuginfo",
                Some("-O3"),
            ),
            (
                "--crate-name app --crate-type bin -Copt-level=s",
                Some("-Os"),
            ),
            (
                "--crate-name app --crate-type bin -C opt-level=z",
                Some("-Oz"),
            ),
            ("--crate-name app --crate-type bin -C opt-level=0", None),
            ("--crate-name app --crate-type bin -C debuginfo=2", None),
            ("--crate-name app --test -C opt-level=3", None),
            // The last one wins, as in rustc.
            ("-C opt-level=0 -C opt-level=2", Some("-O2")),
        ];
        for (line, want) in cases {
            assert_eq!(level(&s(line)), want, "{line}");
        }
    }

    #[test]
    fn names_are_kept_unless_symbols_are_stripped() {
        assert!(!strips_symbols(&s("-C opt-level=3 -C strip=debuginfo")));
        assert!(!strips_symbols(&s("-C opt-level=3")));
        assert!(strips_symbols(&s("-C opt-level=3 -C strip=symbols")));
        assert!(strips_symbols(&s("-Cstrip=symbols")));
    }

    #[test]
    fn enable_flags_follow_the_spec() {
        let flags =
            enable_flags("+atomics,+bulk-memory,+exception-handling,+simd128,-relaxed-simd");
        for want in [
            "--enable-threads",
            "--enable-bulk-memory",
            "--enable-exception-handling",
            "--enable-reference-types",
            "--enable-simd",
        ] {
            assert!(flags.contains(&want), "{want}: {flags:?}");
        }
        assert!(!flags.contains(&"--enable-relaxed-simd"), "{flags:?}");
        let without = enable_flags("+atomics,-simd128,+wide-arithmetic");
        assert!(!without.contains(&"--enable-simd"), "{without:?}");
        assert!(without.contains(&"--enable-wide-arithmetic"), "{without:?}");
        assert!(!without.contains(&"--enable-memory64"), "{without:?}");
    }

    #[test]
    fn a_wasm64_spec_enables_memory64() {
        let dir = tempfile::tempdir().unwrap();
        for (target, arch, memory64) in [
            ("wasm32-wasmer-wasi", "wasm32", false),
            ("wasm64-wasmer-wasi", "wasm64", true),
        ] {
            let spec = dir.path().join("lib/rustlib").join(target);
            std::fs::create_dir_all(&spec).unwrap();
            std::fs::write(
                spec.join("target.json"),
                format!(r#"{{"arch":"{arch}","features":"+atomics"}}"#),
            )
            .unwrap();
            let features = sysroot_features(dir.path(), target).unwrap();
            let flags = enable_flags(&features);
            assert!(flags.contains(&"--enable-threads"), "{target}: {flags:?}");
            assert_eq!(
                flags.contains(&"--enable-memory64"),
                memory64,
                "{target}: {flags:?}"
            );
        }
    }
}
