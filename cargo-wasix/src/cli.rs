//! The `cargo wasix` command line (clap derive): cargo pass-through subcommands and our own.

use clap::{Args, Parser, Subcommand};

use crate::commands::{
    run_wasm::RunWasm, self_cmd::SelfCommand, setup::Setup, status::Status, sysroot::SysrootCommand,
};

const RUNTIME_FLAGS_HELP: &str = "\
Runtime flags for `run`, `test` and `bench` come from CARGO_WASIX_RUNTIME_FLAGS, written as
for `cargo wasix run-wasm` (shell quoting allowed), for example:

    CARGO_WASIX_RUNTIME_FLAGS=\"--dir data --net --env RUST_LOG=debug\" cargo wasix run

`test` and `bench` mount the package directory as the guest's cwd and a fresh temp dir at
/tmp, and forward RUST_BACKTRACE and RUST_TEST_THREADS (CARGO_WASIX_NO_RUN_DEFAULTS=1 turns
that off). The directory of the built .wasm is mounted read-only at its own path and the
module's path is the guest's argv[0] and current_exe(), so a program can re-run itself and
tests can run the crate's binaries (env!(\"CARGO_BIN_EXE_<name>\")). Guest processes are
limited to 256 at once (--max-procs N). A runner you set yourself in
CARGO_TARGET_WASM32_WASMER_WASI_RUNNER is kept.";

/// Build Rust crates for WASIX (wasm32-wasmer-wasi) with your own stable toolchain, and run
/// them on the bundled runtime.
#[derive(Parser, Debug)]
#[command(
    name = "cargo-wasix",
    bin_name = "cargo wasix",
    version,
    arg_required_else_help = true,
    after_help = "Cargo subcommands take all of cargo's own flags; `cargo wasix +TOOLCHAIN <command>` \
                  uses that rustup toolchain.\nSee `cargo wasix <command> --help` for one command."
)]
pub struct Cli {
    /// Use verbose output (passed on to cargo).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Print nothing but errors (passed on to cargo).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compile the current package for WASIX (`cargo build --target wasm32-wasmer-wasi`).
    Build(PassThrough),
    /// Check the current package for errors without producing wasm.
    Check(PassThrough),
    /// Build and run a binary on the bundled runtime.
    #[command(after_long_help = RUNTIME_FLAGS_HELP)]
    Run(PassThrough),
    /// Build and run the tests inside the bundled runtime.
    #[command(after_long_help = RUNTIME_FLAGS_HELP)]
    Test(PassThrough),
    /// Build and run the benchmarks inside the bundled runtime.
    #[command(after_long_help = RUNTIME_FLAGS_HELP)]
    Bench(PassThrough),
    /// Build the documentation for WASIX.
    Doc(PassThrough),
    /// Run clippy for the WASIX target.
    Clippy(PassThrough),
    /// Apply rustc's suggestions for the WASIX target.
    Fix(PassThrough),
    /// Show the dependency tree as resolved for WASIX.
    Tree(PassThrough),
    /// Compile the package with extra rustc flags.
    Rustc(PassThrough),
    /// Install a binary crate built for WASIX (`.wasm` into cargo's bin directory).
    Install(PassThrough),
    /// Prepare the WASIX sysroot now (otherwise the first build does it).
    Setup(Setup),
    /// Show the toolchain, rust-src, libc and sysroot in use, and whether it is up to date.
    Status(Status),
    /// Share the prepared sysroot: `pack` it into a file, `install` such a file elsewhere.
    Sysroot(SysrootCommand),
    /// Manage cargo-wasix itself.
    #[command(name = "self")]
    SelfCmd(SelfCommand),
    /// Run a .wasm file (WASIX or WASI preview 1) on the bundled runtime.
    RunWasm(Box<RunWasm>),
}

/// Subcommands forwarded to cargo (must match [`Command::pass_through`]).
pub const PASS_THROUGH: &[&str] = &[
    "build", "check", "run", "test", "bench", "doc", "clippy", "fix", "tree", "rustc", "install",
];

/// Arguments forwarded to cargo unchanged (including `--help`, which also shows ours).
#[derive(Args, Debug, Clone)]
#[command(disable_help_flag = true)]
pub struct PassThrough {
    /// Arguments for cargo; after `--`, for the program.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0.., value_name = "CARGO_ARGS")]
    pub args: Vec<String>,
}

impl Command {
    /// The cargo subcommand name for pass-through commands.
    pub fn pass_through(&self) -> Option<(&'static str, &PassThrough)> {
        Some(match self {
            Command::Build(a) => ("build", a),
            Command::Check(a) => ("check", a),
            Command::Run(a) => ("run", a),
            Command::Test(a) => ("test", a),
            Command::Bench(a) => ("bench", a),
            Command::Doc(a) => ("doc", a),
            Command::Clippy(a) => ("clippy", a),
            Command::Fix(a) => ("fix", a),
            Command::Tree(a) => ("tree", a),
            Command::Rustc(a) => ("rustc", a),
            Command::Install(a) => ("install", a),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn pass_through_keeps_every_argument() {
        let cases: &[(&[&str], &str, &[&str])] = &[
            (&["wasix", "build"], "build", &[]),
            (
                &["wasix", "build", "--release", "-v"],
                "build",
                &["--release", "-v"],
            ),
            (&["wasix", "run", "--help"], "run", &["--help"]),
            // (A leading `--` is swallowed by clap; `user.rs` takes pass-through args raw.)
            (
                &["wasix", "test", "--nocapture", "--", "-q"],
                "test",
                &["--nocapture", "--", "-q"],
            ),
            (
                &["wasix", "build", "--target=x", "-p", "a"],
                "build",
                &["--target=x", "-p", "a"],
            ),
        ];
        for (argv, sub, rest) in cases {
            let cli = Cli::try_parse_from(
                std::iter::once("cargo-wasix").chain(argv.iter().skip(1).copied()),
            )
            .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
            let (name, pass) = cli.command.pass_through().expect("pass-through");
            assert_eq!(name, *sub);
            assert_eq!(
                pass.args,
                rest.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{argv:?}"
            );
        }
    }

    #[test]
    fn own_commands_take_verbosity_flags() {
        let cli = Cli::try_parse_from(["cargo-wasix", "setup", "-q"]).unwrap();
        assert!(cli.quiet);
        let cli = Cli::try_parse_from(["cargo-wasix", "status", "-vv"]).unwrap();
        assert_eq!(cli.verbose, 2);
    }

    /// `user.rs` hands clap only the part up to a pass-through subcommand's name; the rest
    /// goes to cargo raw.
    #[test]
    fn global_flags_before_the_subcommand() {
        let cli = Cli::try_parse_from(["cargo-wasix", "-vv", "build"]).unwrap();
        assert_eq!(cli.verbose, 2);
        assert!(!cli.quiet);
        assert!(cli.command.pass_through().unwrap().1.args.is_empty());
    }

    #[test]
    fn pass_through_list_matches_the_enum() {
        for name in PASS_THROUGH {
            let cli = Cli::try_parse_from(["cargo-wasix", name]).unwrap();
            assert_eq!(cli.command.pass_through().map(|(n, _)| n), Some(*name));
        }
        let subcommands: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect();
        let count = subcommands
            .iter()
            .filter(|n| PASS_THROUGH.contains(&n.as_str()))
            .count();
        assert_eq!(count, PASS_THROUGH.len(), "{subcommands:?}");
    }

    #[test]
    fn unknown_subcommand_is_an_error() {
        let err = Cli::try_parse_from(["cargo-wasix", "frobnicate"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}
