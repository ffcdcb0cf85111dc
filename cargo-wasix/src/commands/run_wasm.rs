//! `cargo wasix run-wasm FILE.wasm [runtime flags] [-- args]`: run any WASIX or WASI preview 1
//! module on the bundled runtime, also ones built by other toolchains.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use wasix_runtime::CacheMode;

use crate::runtime_flags::{RunRequest, RuntimeFlags};
use crate::user::Ctx;

/// Run a .wasm file on the bundled runtime.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  cargo wasix run-wasm app.wasm -- --port 8080\n  cargo wasix run-wasm --dir data --net app.wasm"
)]
pub struct RunWasm {
    /// The module to run.
    #[arg(value_name = "FILE.wasm")]
    pub file: PathBuf,

    #[command(flatten)]
    pub flags: RuntimeFlags,

    /// Arguments for the program (everything after `--`).
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

impl RunWasm {
    pub fn execute(self, _ctx: &Ctx) -> Result<i32> {
        let request = RunRequest {
            module: self.file,
            args: self.args,
            cache: match crate::prepare::module_cache_dir() {
                Some(dir) => CacheMode::Dir(dir),
                None => CacheMode::Disabled,
            },
            default_mounts: Vec::new(),
            default_env: Vec::new(),
            default_cwd: None,
            exe: None,
        };
        let options = self
            .flags
            .into_options(request, |name| std::env::var(name).ok())?;
        Ok(wasix_runtime::run(options)?)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        run: RunWasm,
    }

    #[test]
    fn flags_before_and_after_the_file() {
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            (&["a.wasm"], &[], &[]),
            (
                &["a.wasm", "--", "x", "--dir", "y"],
                &[],
                &["x", "--dir", "y"],
            ),
            (&["--dir", "d", "a.wasm", "--", "x"], &["d"], &["x"]),
            (&["a.wasm", "--dir", "d", "--net"], &["d"], &[]),
        ];
        for (argv, dirs, args) in cases {
            let parsed =
                Wrapper::try_parse_from(std::iter::once("run-wasm").chain(argv.iter().copied()))
                    .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
            assert_eq!(parsed.run.file, PathBuf::from("a.wasm"));
            assert_eq!(
                parsed.run.flags.dirs,
                dirs.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{argv:?}"
            );
            assert_eq!(
                parsed.run.args,
                args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{argv:?}"
            );
        }
    }

    #[test]
    fn guest_arguments_need_the_separator() {
        assert!(Wrapper::try_parse_from(["run-wasm", "a.wasm", "extra"]).is_err());
    }
}
