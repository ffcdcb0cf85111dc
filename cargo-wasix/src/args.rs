//! Pure argument handling: find the user's flags in a cargo or rustc command line, and build
//! the command lines we hand to cargo. No I/O here; everything is table-tested below.
//!
//! Rule for cargo command lines (as in cargo-miri's `phases.rs`): our flags go right after the
//! subcommand and before the user's, the user's are forwarded verbatim, and nothing after a
//! bare `--` is ever interpreted (it belongs to the program or test harness).

use crate::target::Wasix;

/// How chatty we are; mirrors cargo's `-q` / `-v` / `-vv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
    VeryVerbose,
}

impl Verbosity {
    /// Combines the `-v` count and `-q` flag the way cargo does (`-q` wins over nothing, `-v`
    /// over `-q`; cargo itself refuses both, and will say so).
    pub fn from_counts(verbose: u8, quiet: bool) -> Self {
        match (verbose, quiet) {
            (0, true) => Verbosity::Quiet,
            (0, false) => Verbosity::Normal,
            (1, _) => Verbosity::Verbose,
            _ => Verbosity::VeryVerbose,
        }
    }

    /// The stronger of two settings (the one from before the subcommand and the one after).
    pub fn merge(self, other: Self) -> Self {
        match (self, other) {
            (Verbosity::Normal, o) => o,
            (s, Verbosity::Normal) => s,
            (s, o) => s.max(o),
        }
    }
}

/// Splits a leading `+toolchain` (rustup's syntax) from the rest of the arguments.
pub fn split_toolchain(args: &[String]) -> (Option<&str>, &[String]) {
    match args.first() {
        Some(first) if first.starts_with('+') && first.len() > 1 => (Some(&first[1..]), &args[1..]),
        _ => (None, args),
    }
}

/// The arguments before a bare `--` (the part cargo interprets).
fn before_double_dash(args: &[String]) -> &[String] {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    &args[..end]
}

/// Every value of a long flag that takes a value, in both `--flag value` and `--flag=value`
/// spellings, stopping at `--`.
pub fn flag_values<'a>(args: &'a [String], flag: &str) -> Vec<&'a str> {
    let args = before_double_dash(args);
    let mut values = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == flag {
            if let Some(value) = iter.next() {
                values.push(value.as_str());
            }
        } else if let Some(value) = arg
            .strip_prefix(flag)
            .and_then(|rest| rest.strip_prefix('='))
        {
            values.push(value);
        }
    }
    values
}

/// Whether a flag without value (e.g. `--help`, `--release`) is present before `--`.
pub fn has_flag(args: &[String], long: &str, short: Option<char>) -> bool {
    before_double_dash(args).iter().any(|arg| {
        arg == long
            || short.is_some_and(|s| {
                arg.len() == 2 && arg.starts_with('-') && arg.ends_with(s) && !arg.starts_with("--")
            })
    })
}

/// Reads cargo's `-q`/`--quiet`, `-v`/`-vv`/`--verbose` from user arguments (before `--`).
/// Short clusters made only of `v` and `q` letters count too (`-vv`, `-vq`).
pub fn verbosity(args: &[String]) -> Verbosity {
    let mut verbose = 0u8;
    let mut quiet = false;
    for arg in before_double_dash(args) {
        match arg.as_str() {
            "--verbose" => verbose = verbose.saturating_add(1),
            "--quiet" => quiet = true,
            short
                if short.starts_with('-')
                    && !short.starts_with("--")
                    && short.len() > 1
                    && short[1..].chars().all(|c| c == 'v' || c == 'q') =>
            {
                for c in short[1..].chars() {
                    if c == 'v' {
                        verbose = verbose.saturating_add(1);
                    } else {
                        quiet = true;
                    }
                }
            }
            _ => {}
        }
    }
    Verbosity::from_counts(verbose, quiet)
}

/// What the user asked for with `--target` (or, without one, with `CARGO_BUILD_TARGET` or the
/// configuration's `build.target`), decided before we touch anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetChoice {
    /// No `--target`, and no configured default naming one of ours: we add
    /// `--target wasm32-wasmer-wasi`.
    Default,
    /// One of our targets, possibly among foreign ones, from the flags or the configured
    /// default: prepare its sysroot, add nothing.
    Explicit(Wasix),
    /// The user named only other targets with `--target`: plain cargo pass-through, no
    /// sysroot needed.
    Foreign,
    /// Both of our targets in one run: refused (one sysroot per run).
    Both,
}

/// Classifies the user's `--target` flags (cargo accepts several); without any, the
/// `configured` default targets (a configured foreign target is overridden, as before
/// `cargo wasix` took a configured default).
pub fn target_choice(args: &[String], configured: &[String]) -> TargetChoice {
    let flags = flag_values(args, "--target");
    let named: Vec<&str> = if flags.is_empty() {
        configured.iter().map(String::as_str).collect()
    } else {
        flags.clone()
    };
    let ours: Vec<Wasix> = Wasix::ALL
        .into_iter()
        .filter(|w| named.iter().any(|t| Wasix::from_flag(t) == Some(*w)))
        .collect();
    match ours[..] {
        [] if flags.is_empty() => TargetChoice::Default,
        [] => TargetChoice::Foreign,
        [one] => TargetChoice::Explicit(one),
        _ => TargetChoice::Both,
    }
}

/// The full cargo argument list: the subcommand, then ours, then the user's untouched.
pub fn cargo_command_line(subcommand: &str, ours: &[String], user: &[String]) -> Vec<String> {
    let mut line = Vec::with_capacity(1 + ours.len() + user.len());
    line.push(subcommand.to_owned());
    line.extend(ours.iter().cloned());
    line.extend(user.iter().cloned());
    line
}

/// The `--config` values that point cargo's `[patch.crates-io]` entry `key` at a patched copy
/// (`package` when the key is not the crate's name). TOML basic-string escaping keeps
/// backslashes and quotes in paths intact.
pub fn patch_config(key: &str, package: Option<&str>, path: &std::path::Path) -> Vec<String> {
    let escaped = path
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let mut values = vec![format!("patch.crates-io.{key}.path=\"{escaped}\"")];
    if let Some(package) = package {
        values.push(format!("patch.crates-io.{key}.package=\"{package}\""));
    }
    values
}

/// The `--target` a rustc invocation compiles for, if any (cargo passes it only for target
/// units; build scripts and proc-macros have none when `--target` was given to cargo).
pub fn rustc_target(args: &[String]) -> Option<&str> {
    flag_values(args, "--target").last().copied()
}

/// Whether a rustc invocation is cargo's version query (`rustc -vV`), whose output keys
/// cargo's fingerprints.
pub fn is_version_query(args: &[String]) -> bool {
    matches!(args, [a] if a == "-vV")
        || matches!(args, [a, b] if (a == "-V" && b == "-v") || (a == "-v" && b == "-V"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn toolchain_split() {
        let cases: &[(&[&str], Option<&str>, &[&str])] = &[
            (&["+nightly", "build"], Some("nightly"), &["build"]),
            (&["build", "+nightly"], None, &["build", "+nightly"]),
            (&["+", "build"], None, &["+", "build"]),
            (&[], None, &[]),
        ];
        for (input, toolchain, rest) in cases {
            let args = s(input);
            let (got_toolchain, got_rest) = split_toolchain(&args);
            assert_eq!(got_toolchain, *toolchain, "input {input:?}");
            assert_eq!(got_rest, s(rest).as_slice(), "input {input:?}");
        }
    }

    #[test]
    fn target_detection() {
        let cases: &[(&[&str], TargetChoice)] = &[
            (&[], TargetChoice::Default),
            (&["--release"], TargetChoice::Default),
            (
                &["--target", "wasm32-wasmer-wasi"],
                TargetChoice::Explicit(Wasix::Wasm32),
            ),
            (
                &["--target=wasm32-wasmer-wasi"],
                TargetChoice::Explicit(Wasix::Wasm32),
            ),
            (
                &["--target", "x86_64-unknown-linux-gnu"],
                TargetChoice::Foreign,
            ),
            (
                &[
                    "--target=x86_64-unknown-linux-gnu",
                    "--target",
                    "wasm32-wasmer-wasi",
                ],
                TargetChoice::Explicit(Wasix::Wasm32),
            ),
            (
                &["--target", "wasm64-wasmer-wasi"],
                TargetChoice::Explicit(Wasix::Wasm64),
            ),
            (
                &["--target=specs/wasm64-wasmer-wasi.json"],
                TargetChoice::Explicit(Wasix::Wasm64),
            ),
            (
                &[
                    "--target",
                    "wasm32-wasmer-wasi",
                    "--target",
                    "wasm64-wasmer-wasi",
                ],
                TargetChoice::Both,
            ),
            // Everything after `--` belongs to the program.
            (
                &["--", "--target", "x86_64-unknown-linux-gnu"],
                TargetChoice::Default,
            ),
            // `--target-dir` is another flag.
            (&["--target-dir", "out"], TargetChoice::Default),
            (&["--target-dir=out"], TargetChoice::Default),
        ];
        for (input, expected) in cases {
            assert_eq!(target_choice(&s(input), &[]), *expected, "input {input:?}");
        }
        // Without `--target`, a configured default naming one of ours is the target; flags
        // win over it; a configured foreign default is overridden (we add ours).
        let configured: &[(&[&str], &[&str], TargetChoice)] = &[
            (
                &[],
                &["wasm64-wasmer-wasi"],
                TargetChoice::Explicit(Wasix::Wasm64),
            ),
            (
                &[],
                &["wasm32-wasmer-wasi"],
                TargetChoice::Explicit(Wasix::Wasm32),
            ),
            (&[], &["x86_64-unknown-linux-gnu"], TargetChoice::Default),
            (
                &["--target", "wasm32-wasmer-wasi"],
                &["wasm64-wasmer-wasi"],
                TargetChoice::Explicit(Wasix::Wasm32),
            ),
            (
                &["--target", "x86_64-unknown-linux-gnu"],
                &["wasm64-wasmer-wasi"],
                TargetChoice::Foreign,
            ),
            (
                &[],
                &["wasm32-wasmer-wasi", "wasm64-wasmer-wasi"],
                TargetChoice::Both,
            ),
        ];
        for (input, default, expected) in configured {
            assert_eq!(
                target_choice(&s(input), &s(default)),
                *expected,
                "input {input:?}, configured {default:?}"
            );
        }
    }

    #[test]
    fn verbosity_flags() {
        let cases: &[(&[&str], Verbosity)] = &[
            (&[], Verbosity::Normal),
            (&["-q"], Verbosity::Quiet),
            (&["--quiet"], Verbosity::Quiet),
            (&["-v"], Verbosity::Verbose),
            (&["--verbose"], Verbosity::Verbose),
            (&["-vv"], Verbosity::VeryVerbose),
            (&["-v", "--verbose"], Verbosity::VeryVerbose),
            (&["-p", "foo", "--release"], Verbosity::Normal),
            // Not a verbosity flag: a different short flag, and a guest argument.
            (&["-vx"], Verbosity::Normal),
            (&["--", "-v"], Verbosity::Normal),
        ];
        for (input, expected) in cases {
            assert_eq!(verbosity(&s(input)), *expected, "input {input:?}");
        }
    }

    #[test]
    fn verbosity_merge() {
        let cases = [
            (Verbosity::Normal, Verbosity::Quiet, Verbosity::Quiet),
            (Verbosity::Verbose, Verbosity::Normal, Verbosity::Verbose),
            (Verbosity::Quiet, Verbosity::Verbose, Verbosity::Verbose),
            (Verbosity::Normal, Verbosity::Normal, Verbosity::Normal),
        ];
        for (a, b, expected) in cases {
            assert_eq!(a.merge(b), expected, "{a:?} + {b:?}");
        }
    }

    #[test]
    fn help_flag() {
        let cases: &[(&[&str], bool)] = &[
            (&["--help"], true),
            (&["-h"], true),
            (&["--release", "-h"], true),
            (&["--", "--help"], false),
            (&["--hello"], false),
            (&["-hv"], false),
        ];
        for (input, expected) in cases {
            assert_eq!(
                has_flag(&s(input), "--help", Some('h')),
                *expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn command_line_puts_ours_first() {
        // (subcommand, ours, user, expected)
        type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);
        let cases: &[Case] = &[
            (
                "build",
                &["--target", "t"],
                &[],
                &["build", "--target", "t"],
            ),
            (
                "run",
                &["--target", "t"],
                &["--release", "--", "--target", "x"],
                &["run", "--target", "t", "--release", "--", "--target", "x"],
            ),
            (
                "test",
                &[],
                &["--message-format", "json"],
                &["test", "--message-format", "json"],
            ),
        ];
        for (sub, ours, user, expected) in cases {
            assert_eq!(
                cargo_command_line(sub, &s(ours), &s(user)),
                s(expected),
                "{sub} {ours:?} {user:?}"
            );
        }
    }

    #[test]
    fn flag_value_spellings() {
        let cases: &[(&[&str], &str, &[&str])] = &[
            (
                &["--manifest-path", "a/Cargo.toml"],
                "--manifest-path",
                &["a/Cargo.toml"],
            ),
            (
                &["--manifest-path=a/Cargo.toml"],
                "--manifest-path",
                &["a/Cargo.toml"],
            ),
            (&["--manifest-path"], "--manifest-path", &[]),
            (&["--target", "a", "--target=b"], "--target", &["a", "b"]),
        ];
        for (input, flag, expected) in cases {
            assert_eq!(
                flag_values(&s(input), flag),
                expected.to_vec(),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn rustc_invocations() {
        let cases: &[(&[&str], Option<&str>, bool)] = &[
            (&["-vV"], None, true),
            (&["-V", "-v"], None, true),
            (
                &["--crate-name", "build_script_build", "build.rs"],
                None,
                false,
            ),
            (
                &["--crate-name", "hello", "--target", "wasm32-wasmer-wasi"],
                Some("wasm32-wasmer-wasi"),
                false,
            ),
            (
                &["-", "--print=cfg", "--target=wasm32-wasmer-wasi"],
                Some("wasm32-wasmer-wasi"),
                false,
            ),
        ];
        for (input, target, version) in cases {
            let args = s(input);
            assert_eq!(rustc_target(&args), *target, "input {input:?}");
            assert_eq!(is_version_query(&args), *version, "input {input:?}");
        }
    }

    #[test]
    fn patch_config_escapes_paths() {
        let cases = [
            (
                "/home/u/.cache/libc",
                r#"patch.crates-io.libc.path="/home/u/.cache/libc""#,
            ),
            (
                r#"/odd "dir"\x"#,
                r#"patch.crates-io.libc.path="/odd \"dir\"\\x""#,
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(
                patch_config("libc", None, std::path::Path::new(path)),
                [expected]
            );
        }
        assert_eq!(
            patch_config("libc-wasix-0_2_1", Some("libc"), std::path::Path::new("/p")),
            [
                r#"patch.crates-io.libc-wasix-0_2_1.path="/p""#,
                r#"patch.crates-io.libc-wasix-0_2_1.package="libc""#
            ]
        );
    }
}
