//! Doctests for the WASIX target (issue 8, step 8), run by us instead of rustdoc.
//!
//! rustdoc 1.95 panics when it runs doctests for a target that is not built into rustc
//! (`Target::expect_builtin` in `add_exe_suffix`). It can still *list* them:
//! `rustdoc -Zunstable-options --output-format=doctest` prints every doctest as JSON with the
//! code rustdoc itself would compile (crate attributes, `extern crate`, the `fn main` wrapper).
//! So for cargo's doctest run (`rustdoc --test ... --target wasm32-wasmer-wasi`, or wasm64) we list the
//! doctests with the same arguments, compile each with rustc for the target (the crate under
//! test and its dependencies from cargo's `--extern`/`-L`), run it on the bundled runtime
//! through our runner (package dir as cwd, as for `cargo wasix test`), and print libtest's
//! format so cargo and people read the result as usual. `ignore`, `no_run`, `compile_fail`
//! and `should_panic` mean what rustdoc says they mean.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::target::Wasix;
use crate::{args, env};

/// What `--output-format=doctest` prints (format version 2; only the fields we use).
#[derive(Debug, Deserialize)]
struct Listing {
    format_version: u32,
    doctests: Vec<Doctest>,
}

#[derive(Debug, Deserialize)]
struct Doctest {
    name: String,
    doctest_attributes: Attributes,
    /// `None` when rustdoc would not compile it (`ignore`d blocks among them).
    doctest_code: Option<Code>,
    /// The block as written (hidden `# ` lines included).
    #[serde(default)]
    original_code: String,
}

#[derive(Debug, Deserialize)]
struct Attributes {
    should_panic: bool,
    no_run: bool,
    /// `"None"`, `"All"` or `{"Some": [targets]}`.
    ignore: serde_json::Value,
    rust: bool,
    compile_fail: bool,
    /// The doctest is a crate of `#[test]` functions run by libtest (`rustc --test`).
    test_harness: bool,
    edition: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Code {
    crate_level: String,
    code: String,
    wrapper: Option<Wrapper>,
}

#[derive(Debug, Deserialize)]
struct Wrapper {
    before: String,
    after: String,
}

/// The rustdoc arguments that only matter to rustdoc's own test runner (with a value).
const RUN_ONLY_FLAGS: &[&str] = &[
    "--test-run-directory",
    "--test-runtool",
    "--test-runtool-arg",
    "--test-args",
    "--persist-doctests",
    "--test-builder",
    "--test-builder-wrapper",
];

/// Runs the doctests of one crate (`args` are rustdoc's, as cargo gave them) and returns the
/// exit code (0 all passed, 101 some failed, as libtest).
pub fn run(rustdoc: &OsString, args: &[String], sysroot: &OsString) -> Result<i32> {
    let listing = list(rustdoc, args, sysroot)?;
    let filter = Filter::from_test_args(&args::flag_values(args, "--test-args"));
    let run_dir = args::flag_values(args, "--test-run-directory")
        .last()
        .map(PathBuf::from);
    let work = tempfile::Builder::new()
        .prefix("cargo-wasix-doctest-")
        .tempdir()
        .context("failed to create a directory for the doctests")?;
    let compile_args = compile_args(args);
    let default_edition = args::flag_values(args, "--edition")
        .last()
        .copied()
        .unwrap_or("2015")
        .to_owned();

    let tests: Vec<&Doctest> = listing
        .doctests
        .iter()
        .filter(|t| t.doctest_attributes.rust && filter.selects(&t.name))
        .collect();
    let start = Instant::now();
    println!("\nrunning {} tests", tests.len());
    let ctx = Ctx {
        rustc: rustc_beside(rustdoc),
        sysroot,
        compile_args: &compile_args,
        default_edition: &default_edition,
        work: work.path(),
        run_dir: run_dir.as_deref(),
    };
    let outcomes = in_parallel(&tests, |i, test| ctx.run_one(i, test, &filter));
    let mut failures = Vec::new();
    let (mut passed, mut ignored) = (0, 0);
    for (test, outcome) in tests.iter().zip(&outcomes) {
        let word = match outcome {
            Outcome::Passed => {
                passed += 1;
                "ok"
            }
            Outcome::Ignored => {
                ignored += 1;
                "ignored"
            }
            Outcome::Failed(why) => {
                failures.push((test.name.as_str(), why.as_str()));
                "FAILED"
            }
        };
        println!("test {} ... {word}", test.name);
    }
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, why) in &failures {
            println!("---- {name} stdout ----\n{why}\n");
        }
        println!("failures:");
        for (name, _) in &failures {
            println!("    {name}");
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed; {ignored} ignored; 0 measured; {} filtered out; finished in {:.2}s\n",
        if failures.is_empty() { "ok" } else { "FAILED" },
        failures.len(),
        listing.doctests.len() - tests.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(if failures.is_empty() { 0 } else { 101 })
}

/// The rustc of the same toolchain as `rustdoc` (its sibling when it is a path).
fn rustc_beside(rustdoc: &OsString) -> OsString {
    let path = Path::new(rustdoc);
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir
            .join(format!("rustc{}", std::env::consts::EXE_SUFFIX))
            .into_os_string(),
        None => "rustc".into(),
    }
}

/// Lists the doctests: rustdoc with the same crate arguments and `--output-format=doctest`.
fn list(rustdoc: &OsString, args: &[String], sysroot: &OsString) -> Result<Listing> {
    let mut cmd = Command::new(rustdoc);
    cmd.args(without(args, &["--test"], RUN_ONLY_FLAGS))
        .args(["-Zunstable-options", "--output-format=doctest"])
        .arg("--sysroot")
        .arg(sysroot)
        .env("RUSTC_BOOTSTRAP", "1");
    let out = cmd
        .output()
        .context("failed to run rustdoc to list the doctests")?;
    if !out.status.success() {
        bail!(
            "rustdoc could not list the doctests ({})\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let listing: Listing = serde_json::from_slice(&out.stdout)
        .context("rustdoc's doctest listing is not in the format this cargo-wasix reads")?;
    if listing.format_version != 2 {
        bail!(
            "rustdoc lists doctests in format {}, this cargo-wasix reads format 2\nhelp: update cargo-wasix",
            listing.format_version
        );
    }
    Ok(listing)
}

/// The rustc arguments shared by every doctest of the crate: what cargo gave rustdoc for
/// finding and configuring crates (`--extern`, `-L`, `--cfg`, `-C`, `--check-cfg`, `-Z`).
fn compile_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        for flag in [
            "--extern",
            "-L",
            "--cfg",
            "-C",
            "--check-cfg",
            "-Z",
            "--cap-lints",
        ] {
            if arg == flag {
                if let Some(value) = iter.next() {
                    out.push(arg.clone());
                    out.push(value.clone());
                }
            } else if arg.starts_with(flag) && arg.len() > flag.len() {
                // `-Cfoo=bar`, `--extern=x=y`, `-Ldependency=...`
                out.push(arg.clone());
            }
        }
    }
    out
}

/// `args` without the flags in `bare` and without the flags in `valued` and their values.
fn without(args: &[String], bare: &[&str], valued: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if bare.contains(&arg.as_str()) {
            continue;
        }
        if valued.contains(&arg.as_str()) {
            iter.next();
            continue;
        }
        if valued.iter().any(|f| arg.starts_with(&format!("{f}="))) {
            continue;
        }
        out.push(arg.clone());
    }
    out
}

/// libtest's name filters as cargo passes them to rustdoc (`--test-args`).
#[derive(Debug, Default)]
struct Filter {
    names: Vec<String>,
    skip: Vec<String>,
    exact: bool,
    ignored_only: bool,
    include_ignored: bool,
}

/// libtest options whose value is the next word (`--test-threads 8`): the value is not a
/// name filter.
const VALUE_OPTIONS: &[&str] = &[
    "--test-threads",
    "--format",
    "--color",
    "--logfile",
    "--shuffle-seed",
    "-Z",
];

impl Filter {
    fn from_test_args(values: &[&str]) -> Self {
        let mut f = Filter::default();
        let mut words = values.iter().flat_map(|v| v.split_whitespace());
        while let Some(word) = words.next() {
            match word {
                "--exact" => f.exact = true,
                "--ignored" => f.ignored_only = true,
                "--include-ignored" => f.include_ignored = true,
                "--skip" => f.skip.extend(words.next().map(str::to_owned)),
                w if w.starts_with("--skip=") => f.skip.push(w["--skip=".len()..].to_owned()),
                w if VALUE_OPTIONS.contains(&w) => {
                    words.next();
                }
                w if w.starts_with('-') => {}
                w => f.names.push(w.to_owned()),
            }
        }
        f
    }

    fn selects(&self, name: &str) -> bool {
        let matches = |n: &String| {
            if self.exact {
                name == n
            } else {
                name.contains(n.as_str())
            }
        };
        (self.names.is_empty() || self.names.iter().any(matches)) && !self.skip.iter().any(matches)
    }
}

enum Outcome {
    Passed,
    Ignored,
    Failed(String),
}

struct Ctx<'a> {
    rustc: OsString,
    sysroot: &'a OsString,
    compile_args: &'a [String],
    default_edition: &'a str,
    work: &'a Path,
    run_dir: Option<&'a Path>,
}

impl Ctx<'_> {
    fn run_one(&self, index: usize, test: &Doctest, filter: &Filter) -> Outcome {
        let attrs = &test.doctest_attributes;
        let ignored = attrs.ignore != serde_json::Value::String("None".into());
        if (ignored && !filter.include_ignored && !filter.ignored_only)
            || (!ignored && filter.ignored_only)
        {
            return Outcome::Ignored;
        }
        let source = self.work.join(format!("doctest_{index}.rs"));
        let wasm = self.work.join(format!("doctest_{index}.wasm"));
        let text = match &test.doctest_code {
            Some(code) => match &code.wrapper {
                Some(w) => format!("{}{}{}{}", code.crate_level, w.before, code.code, w.after),
                None => format!("{}{}", code.crate_level, code.code),
            },
            // rustdoc lists no code for `ignore` blocks; `--include-ignored` runs them anyway.
            None => program_from_original(&test.original_code),
        };
        if let Err(e) = std::fs::write(&source, text) {
            return Outcome::Failed(format!("failed to write `{}`: {e}", source.display()));
        }
        let edition = attrs.edition.as_deref().unwrap_or(self.default_edition);
        let compiled = match self.compile(&source, &wasm, edition, attrs.test_harness) {
            Ok(out) => out,
            Err(e) => return Outcome::Failed(format!("{e:#}")),
        };
        match (compiled.status.success(), attrs.compile_fail) {
            (true, true) => {
                return Outcome::Failed(
                    "test compiled successfully, but it's marked `compile_fail`".into(),
                );
            }
            (false, true) => return Outcome::Passed,
            (false, false) => {
                return Outcome::Failed(format!(
                    "Couldn't compile the test.\n{}",
                    String::from_utf8_lossy(&compiled.stderr)
                ));
            }
            (true, false) => {}
        }
        if attrs.no_run {
            return Outcome::Passed;
        }
        let ran = match self.execute(&wasm) {
            Ok(out) => out,
            Err(e) => return Outcome::Failed(format!("{e:#}")),
        };
        let report = || {
            format!(
                "Test executable failed ({}).\n\nstdout:\n{}\nstderr:\n{}",
                ran.status,
                String::from_utf8_lossy(&ran.stdout),
                String::from_utf8_lossy(&ran.stderr)
            )
        };
        match (ran.status.success(), attrs.should_panic) {
            (true, false) | (false, true) => Outcome::Passed,
            (true, true) => {
                Outcome::Failed("Test executable succeeded, but it's marked `should_panic`.".into())
            }
            (false, false) => Outcome::Failed(report()),
        }
    }

    fn compile(&self, source: &Path, wasm: &Path, edition: &str, harness: bool) -> Result<Output> {
        let mut cmd = Command::new(&self.rustc);
        cmd.arg(source)
            .args(if harness {
                &["--test"][..]
            } else {
                &["--crate-type", "bin"][..]
            })
            .args(["--crate-name", "rust_out", "--edition", edition])
            .args(["--target", Wasix::of_this_run().triple()])
            .args(["--cap-lints", "allow", "-o"])
            .arg(wasm)
            .args(self.compile_args)
            .arg("--sysroot")
            .arg(self.sysroot)
            .arg("-Zunstable-options")
            .env("RUSTC_BOOTSTRAP", "1");
        cmd.output().context("failed to run rustc for a doctest")
    }

    fn execute(&self, wasm: &Path) -> Result<Output> {
        let me = std::env::current_exe().context("failed to find the cargo-wasix binary")?;
        let mut cmd = Command::new(me);
        cmd.arg(env::RUNNER_ARG).arg(wasm);
        if let Some(dir) = self.run_dir {
            cmd.current_dir(dir);
        }
        cmd.output()
            .context("failed to run a doctest on the runtime")
    }
}

/// A doctest program from the block as written, as rustdoc builds one: hidden `# ` lines
/// shown, the body wrapped in `fn main` unless it has one.
fn program_from_original(original: &str) -> String {
    let body: String = original
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed == "#" {
                ""
            } else if let Some(rest) = trimmed.strip_prefix("# ") {
                rest
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    if body.contains("fn main") {
        format!("#![allow(unused)]\n{body}\n")
    } else {
        format!("#![allow(unused)]\nfn main() {{\n{body}\n}}\n")
    }
}

/// Maps `f` over `items` on up to `available_parallelism` threads, keeping the order.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(i, item)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn run_flags_are_dropped_for_listing() {
        let args = s(
            "--edition=2021 --crate-name dt --test src/lib.rs --test-run-directory /p \
                      --target W --test-runtool /x --test-runtool-arg __runner --test-args=foo -L d=/a",
        );
        assert_eq!(
            without(&args, &["--test"], RUN_ONLY_FLAGS),
            s("--edition=2021 --crate-name dt src/lib.rs --target W -L d=/a")
        );
    }

    #[test]
    fn compile_args_keep_crate_lookup_and_config() {
        let args = s(
            "--edition=2021 --crate-name dt --test src/lib.rs --extern dt=/t/libdt.rlib \
                      -L dependency=/t/deps -Ldependency=/u -C embed-bitcode=no --cfg feature=\"x\" \
                      --check-cfg cfg(docsrs) --target W --error-format human",
        );
        assert_eq!(
            compile_args(&args),
            s(
                "--extern dt=/t/libdt.rlib -L dependency=/t/deps -Ldependency=/u -C embed-bitcode=no \
               --cfg feature=\"x\" --check-cfg cfg(docsrs)"
            )
        );
    }

    #[test]
    fn filters() {
        let f = Filter::from_test_args(&["two --exact"]);
        assert!(f.exact && f.selects("two") && !f.selects("src/lib.rs - two (line 1)"));
        let f = Filter::from_test_args(&["two"]);
        assert!(f.selects("src/lib.rs - two (line 1)") && !f.selects("src/lib.rs - one (line 9)"));
        let f = Filter::from_test_args(&["--include-ignored"]);
        assert!(f.include_ignored && f.selects("anything"));
        // An option's value is not a filter; `--skip` removes what it names.
        for args in [
            &["--test-threads 8"][..],
            &["--test-threads=8"],
            &["--format", "terse", "--color", "never"],
        ] {
            let f = Filter::from_test_args(args);
            assert!(f.selects("src/lib.rs - one (line 9)"), "{args:?}");
        }
        let f = Filter::from_test_args(&["--skip two"]);
        assert!(!f.selects("src/lib.rs - two (line 1)") && f.selects("src/lib.rs - one (line 9)"));
        let f = Filter::from_test_args(&["src/lib.rs --skip=two"]);
        assert!(!f.selects("src/lib.rs - two (line 1)") && f.selects("src/lib.rs - one (line 9)"));
    }

    #[test]
    fn ignored_blocks_become_programs_as_rustdoc_builds_them() {
        let cases = [
            (
                "let x = 1;\n# let y = 2;\n#\nassert!(x < y);",
                "#![allow(unused)]\nfn main() {\nlet x = 1;\nlet y = 2;\n\nassert!(x < y);\n}\n",
            ),
            (
                "# fn main() {\nlet x = 1;\n# }",
                "#![allow(unused)]\nfn main() {\nlet x = 1;\n}\n",
            ),
            (
                "#[derive(Debug)] struct A;",
                "#![allow(unused)]\nfn main() {\n#[derive(Debug)] struct A;\n}\n",
            ),
        ];
        for (original, program) in cases {
            assert_eq!(program_from_original(original), program, "{original:?}");
        }
    }

    #[test]
    fn listing_parses_rustdoc_format_2() {
        let json = r##"{"format_version":2,"doctests":[{"file":"src/lib.rs","line":1,
            "doctest_attributes":{"original":"","should_panic":false,"no_run":false,"ignore":"None",
            "rust":true,"test_harness":false,"compile_fail":false,"standalone_crate":false,
            "error_codes":[],"edition":null,"added_css_classes":[],"unknown":[]},
            "original_code":"x","doctest_code":{"crate_level":"#![allow(unused)]\n","code":"x",
            "wrapper":{"before":"fn main() {\n","after":"\n}","returns_result":false}},
            "name":"src/lib.rs - two (line 1)"}]}"##;
        let listing: Listing = serde_json::from_str(json).expect("parses");
        assert_eq!(listing.doctests.len(), 1);
        let t = &listing.doctests[0];
        assert_eq!(t.name, "src/lib.rs - two (line 1)");
        assert_eq!(
            t.doctest_attributes.ignore,
            serde_json::Value::String("None".into())
        );
        assert!(t.doctest_code.as_ref().is_some_and(|c| c.wrapper.is_some()));
    }
}
