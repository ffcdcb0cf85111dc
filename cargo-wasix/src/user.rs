//! User mode: `cargo wasix [+TOOLCHAIN] <command> ...` parsed with clap and dispatched to one
//! command's `execute()`.

use std::ffi::OsString;

use anyhow::Result;
use clap::Parser;

use crate::args::{self, Verbosity};
use crate::cli::{Cli, Command};
use crate::commands;
use crate::shell::Shell;

/// What every command gets: the output shell and the `+TOOLCHAIN` choice.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub shell: Shell,
    /// Global `-v`/`-q` given before the subcommand (forwarded to cargo).
    pub global_verbosity: Verbosity,
    pub toolchain: Option<String>,
}

/// Runs `cargo wasix ...`; `argv` is everything after `wasix`.
pub fn main(argv: Vec<OsString>) -> Result<i32> {
    let argv = argv
        .into_iter()
        .map(|a| {
            a.into_string()
                .map_err(|a| anyhow::anyhow!("argument {a:?} is not valid UTF-8"))
        })
        .collect::<Result<Vec<String>>>()?;
    let (toolchain, rest) = args::split_toolchain(&argv);
    // clap swallows a `--` that directly follows the subcommand (`cargo wasix test -- --nocapture`);
    // cargo must see it, so pass-through arguments are taken from argv as they are.
    let raw_pass_through = pass_through_split(rest);
    // The common case, a cargo command after plain `-v`/`-q` flags, needs no clap: building
    // the whole command tree is a measurable part of a no-op build.
    if let Some(sub_end) = raw_pass_through
        && let Some(global_verbosity) = simple_global_verbosity(&rest[..sub_end - 1])
    {
        let ctx = Ctx {
            shell: Shell::new(global_verbosity),
            global_verbosity,
            toolchain: toolchain.map(str::to_owned),
        };
        return commands::cargo::execute(&rest[sub_end - 1], &rest[sub_end..], &ctx);
    }
    let parse_args = match raw_pass_through {
        Some(sub_end) => &rest[..sub_end],
        None => rest,
    };
    let cli = match Cli::try_parse_from(
        std::iter::once("cargo-wasix".to_owned()).chain(parse_args.iter().cloned()),
    ) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            err.print()?;
            return Ok(err.exit_code());
        }
    };
    let global_verbosity = Verbosity::from_counts(cli.verbose, cli.quiet);
    let ctx = Ctx {
        shell: Shell::new(global_verbosity),
        global_verbosity,
        toolchain: toolchain.map(str::to_owned),
    };
    match cli.command {
        Command::Setup(cmd) => cmd.execute(&ctx),
        Command::Status(cmd) => cmd.execute(&ctx),
        Command::Sysroot(cmd) => cmd.execute(&ctx),
        Command::SelfCmd(cmd) => cmd.execute(&ctx),
        Command::RunWasm(cmd) => cmd.execute(&ctx),
        other => {
            // Every command that is not one of ours above is a cargo pass-through; its
            // arguments come from argv as typed (see `pass_through_split`).
            let (subcommand, _) = other
                .pass_through()
                .expect("all other commands are pass-throughs");
            let user_args = raw_pass_through.map_or(&[][..], |sub_end| &rest[sub_end..]);
            commands::cargo::execute(subcommand, user_args, &ctx)
        }
    }
}

/// If the command is a cargo pass-through, the index just after its name (global `-v`/`-q`
/// flags may come first). Pure.
fn pass_through_split(args: &[String]) -> Option<usize> {
    let sub = args
        .iter()
        .position(|a| !matches!(a.as_str(), "--verbose" | "--quiet") && !is_short_vq(a))?;
    crate::cli::PASS_THROUGH
        .contains(&args[sub].as_str())
        .then_some(sub + 1)
}

/// The verbosity `flags` (the `-v`/`-q` words before a pass-through subcommand) set, as clap
/// would read them; `None` when clap must judge (`--quiet` given twice is its error).
fn simple_global_verbosity(flags: &[String]) -> Option<Verbosity> {
    let (mut verbose, mut quiet) = (0usize, 0usize);
    for flag in flags {
        match flag.as_str() {
            "--verbose" => verbose += 1,
            "--quiet" => quiet += 1,
            short if is_short_vq(short) => {
                verbose += short.matches('v').count();
                quiet += short.matches('q').count();
            }
            _ => return None,
        }
    }
    (quiet <= 1)
        .then(|| Verbosity::from_counts(u8::try_from(verbose).unwrap_or(u8::MAX), quiet == 1))
}

fn is_short_vq(arg: &str) -> bool {
    arg.len() > 1
        && arg.starts_with('-')
        && !arg.starts_with("--")
        && arg[1..].chars().all(|c| c == 'v' || c == 'q')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path reads the global flags as clap does, or leaves them to clap.
    #[test]
    fn global_verbosity_without_clap_matches_clap() {
        let cases: &[&[&str]] = &[
            &[],
            &["-v"],
            &["-vv"],
            &["-v", "--verbose"],
            &["-q"],
            &["--quiet"],
            &["-qv"],
            &["-vq", "-v"],
            &["-q", "-q"],
            &["-qq"],
        ];
        for flags in cases {
            let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
            let argv = std::iter::once("cargo-wasix".to_owned())
                .chain(flags.iter().cloned())
                .chain(std::iter::once("build".to_owned()));
            let clap = Cli::try_parse_from(argv)
                .ok()
                .map(|cli| Verbosity::from_counts(cli.verbose, cli.quiet));
            assert_eq!(simple_global_verbosity(&flags), clap, "{flags:?}");
        }
        assert_eq!(simple_global_verbosity(&["--verbose=2".to_owned()]), None);
    }

    #[test]
    fn pass_through_split_points_after_the_subcommand() {
        let cases: &[(&[&str], Option<usize>)] = &[
            (&["build"], Some(1)),
            (&["test", "--", "--nocapture"], Some(1)),
            (&["-v", "build", "--release"], Some(2)),
            (&["-vv", "--quiet", "run"], Some(3)),
            (&["setup"], None),
            (&["run-wasm", "a.wasm"], None),
            (&["--help"], None),
            (&[], None),
        ];
        for (input, expected) in cases {
            let args: Vec<String> = input.iter().map(|s| s.to_string()).collect();
            assert_eq!(pass_through_split(&args), *expected, "{input:?}");
        }
    }
}
