//! The runtime flags shared by `cargo wasix run-wasm` and the cargo runner
//! (`CARGO_WASIX_RUNTIME_FLAGS`), and their translation into the runtime's `RunOptions`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use wasix_runtime::{CacheMode, Mount, NetPolicy, RunOptions, limits};

/// Sandbox and runtime options. Defaults are closed: no host directory, no host environment,
/// no network.
#[derive(Args, Debug, Default, Clone, PartialEq, Eq)]
pub struct RuntimeFlags {
    /// Make host directory HOST visible at the same path in the guest.
    #[arg(long = "dir", value_name = "HOST")]
    pub dirs: Vec<String>,

    /// Make host directory HOST visible at guest path GUEST.
    #[arg(long = "mapdir", value_name = "GUEST:HOST")]
    pub mapdirs: Vec<String>,

    /// Make host directory HOST visible at guest path GUEST (Docker's order).
    #[arg(long = "volume", value_name = "HOST:GUEST")]
    pub volumes: Vec<String>,

    /// The guest's working directory (an absolute guest path; default `/`).
    #[arg(long, value_name = "GUEST")]
    pub cwd: Option<String>,

    /// Set a guest environment variable.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,

    /// Pass a host environment variable into the guest (if it is set).
    #[arg(long = "forward-env", value_name = "NAME")]
    pub forward_env: Vec<String>,

    /// Allow networking: everything with a bare `--net`, or only what RULES allow.
    #[arg(long, value_name = "RULES", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub net: Option<String>,

    /// Do not use the compiled-module cache (compile every time).
    #[arg(long)]
    pub no_cache: bool,

    /// Log every syscall with its arguments and result to stderr.
    #[arg(long)]
    pub trace: bool,

    /// Most guest processes at once, the first included (spawning more fails with EAGAIN);
    /// default 256.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub max_procs: Option<u32>,

    /// End the run after SECONDS of wall-clock time, with exit code 124 (default: no limit).
    #[arg(long, value_name = "SECONDS", value_parser = parse_time_limit)]
    pub time_limit: Option<std::time::Duration>,

    /// Most linear memory per process, e.g. `512M`, `4G` (growing past it fails; a program
    /// that then aborts ends with exit code 123); default 4G.
    #[arg(long, value_name = "SIZE", value_parser = limits::parse_size)]
    pub max_memory: Option<u64>,

    /// Most threads per process at once, the main thread included (spawning more fails with
    /// EAGAIN; a program that then fails ends with exit code 122); default 1024.
    #[arg(long, value_name = "N", value_parser = parse_max_threads)]
    pub max_threads: Option<usize>,

    /// Most open fds per process (opening more fails with EMFILE; a program that then fails
    /// ends with exit code 121); default 1024.
    #[arg(long, value_name = "N", value_parser = parse_max_fds)]
    pub max_fds: Option<u32>,
}

/// `--max-threads N`: 1 to 65,536.
fn parse_max_threads(v: &str) -> Result<usize, String> {
    limits::parse_count(v, limits::MAX_MAX_THREADS as u64).map(|n| n as usize)
}

/// `--max-fds N`: 1 to 65,536.
fn parse_max_fds(v: &str) -> Result<u32, String> {
    limits::parse_count(v, u64::from(limits::MAX_MAX_FDS)).map(|n| n as u32)
}

/// `--time-limit SECONDS`: a positive number of seconds (fractions allowed).
fn parse_time_limit(v: &str) -> Result<std::time::Duration, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("`{v}` is not a positive number of seconds"))
}

/// Parses the value of `CARGO_WASIX_RUNTIME_FLAGS` (shell quoting allowed).
pub fn parse_env_flags(value: &str) -> Result<RuntimeFlags> {
    #[derive(clap::Parser)]
    #[command(no_binary_name = true, disable_help_flag = true)]
    struct Wrapper {
        #[command(flatten)]
        flags: RuntimeFlags,
    }
    let words = shell_words::split(value).with_context(|| {
        format!(
            "failed to split {}=`{value}` into words",
            crate::env::RUNTIME_FLAGS
        )
    })?;
    let parsed = <Wrapper as clap::Parser>::try_parse_from(words).map_err(|e| {
        anyhow::anyhow!(
            "invalid {}=`{value}`: {}\nhelp: it takes the runtime flags of `cargo wasix run-wasm --help`, e.g. `--dir data --net`",
            crate::env::RUNTIME_FLAGS,
            e.render().to_string().trim_end()
        )
    })?;
    Ok(parsed.flags)
}

/// Everything except the flags themselves that goes into one run.
pub struct RunRequest {
    pub module: PathBuf,
    pub args: Vec<String>,
    pub cache: CacheMode,
    /// Mounts and env added by `cargo wasix test`/`bench` (before the user's flags).
    pub default_mounts: Vec<Mount>,
    pub default_env: Vec<(String, String)>,
    pub default_cwd: Option<String>,
    /// The module's guest path when the caller made it visible (argv[0], `/proc/self/exe`).
    pub exe: Option<String>,
}

impl RuntimeFlags {
    /// Builds the runtime's options. `host_env` looks up host variables for `--forward-env`.
    pub fn into_options(
        self,
        request: RunRequest,
        host_env: impl Fn(&str) -> Option<String>,
    ) -> Result<RunOptions> {
        let mut opts = RunOptions::new(request.module);
        opts.args = request.args;
        opts.env = request.default_env;
        for name in &self.forward_env {
            if let Some(value) = host_env(name) {
                set_env(&mut opts.env, name.clone(), value);
            }
        }
        for pair in &self.env {
            let (key, value) = split_env_pair(pair)?;
            set_env(&mut opts.env, key, value);
        }
        opts.mounts = request.default_mounts;
        // The runtime's parse errors already name the flag and the expected shape.
        for host in &self.dirs {
            opts.mounts.push(Mount::parse_dir(host)?);
        }
        for spec in &self.mapdirs {
            opts.mounts.push(Mount::parse_mapdir(spec)?);
        }
        for spec in &self.volumes {
            opts.mounts.push(Mount::parse_volume(spec)?);
        }
        opts.cwd = self.cwd.or(request.default_cwd);
        opts.net = match self.net.as_deref() {
            None => NetPolicy::deny(),
            Some("") => NetPolicy::allow_all(),
            Some(rules) => {
                NetPolicy::parse(rules).with_context(|| format!("invalid `--net={rules}`"))?
            }
        };
        opts.cache = if self.no_cache {
            CacheMode::Disabled
        } else {
            request.cache
        };
        opts.trace = self.trace;
        // Ctrl-C or SIGTERM to the runner reach the guest (its handler, or its end with
        // 130/143 like a shell reports it).
        opts.forward_signals = true;
        if let Some(n) = self.max_procs {
            opts.max_procs = n as usize;
        }
        opts.time_limit = self.time_limit;
        if let Some(bytes) = self.max_memory {
            opts.limits.max_memory = bytes;
        }
        if let Some(n) = self.max_threads {
            opts.limits.max_threads = n;
        }
        if let Some(n) = self.max_fds {
            opts.limits.max_fds = n;
        }
        if let Some(exe) = request.exe {
            opts.argv0 = Some(exe.clone());
            opts.exe = Some(exe);
        }
        Ok(opts)
    }
}

/// `KEY=VALUE` → (`KEY`, `VALUE`); the value may contain `=`.
pub fn split_env_pair(pair: &str) -> Result<(String, String)> {
    match pair.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => bail!(
            "invalid `--env {pair}`: expected KEY=VALUE\nhelp: write it as `--env NAME=value`"
        ),
    }
}

/// Sets or replaces one variable, keeping the first position (later flags win).
fn set_env(env: &mut Vec<(String, String)>, key: String, value: String) {
    match env.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => env.push((key, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RunRequest {
        RunRequest {
            module: "a.wasm".into(),
            args: vec!["x".into()],
            cache: CacheMode::Dir("/cache".into()),
            default_mounts: Vec::new(),
            default_env: vec![("RUST_BACKTRACE".into(), "1".into())],
            default_cwd: Some("/pkg".into()),
            exe: None,
        }
    }

    #[test]
    fn env_flag_parsing() {
        let cases: &[(&str, RuntimeFlags)] = &[
            ("", RuntimeFlags::default()),
            (
                "--net",
                RuntimeFlags {
                    net: Some(String::new()),
                    ..Default::default()
                },
            ),
            (
                "--net=tcp:127.0.0.1:*",
                RuntimeFlags {
                    net: Some("tcp:127.0.0.1:*".into()),
                    ..Default::default()
                },
            ),
            (
                "--dir data --env 'A=b c' --trace --no-cache",
                RuntimeFlags {
                    dirs: vec!["data".into()],
                    env: vec!["A=b c".into()],
                    trace: true,
                    no_cache: true,
                    ..Default::default()
                },
            ),
            (
                "--max-procs 16",
                RuntimeFlags {
                    max_procs: Some(16),
                    ..Default::default()
                },
            ),
            (
                "--mapdir /g:/h --volume /h2:/g2 --cwd /g --forward-env HOME",
                RuntimeFlags {
                    mapdirs: vec!["/g:/h".into()],
                    volumes: vec!["/h2:/g2".into()],
                    cwd: Some("/g".into()),
                    forward_env: vec!["HOME".into()],
                    ..Default::default()
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                &parse_env_flags(input).unwrap(),
                expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn env_flag_errors_name_the_variable() {
        for input in ["--bogus", "--dir", "'unterminated", "--max-procs 0"] {
            let err = format!("{:#}", parse_env_flags(input).unwrap_err());
            assert!(
                err.contains("CARGO_WASIX_RUNTIME_FLAGS"),
                "input {input:?}: {err}"
            );
        }
    }

    #[test]
    fn env_pairs() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("A=1", Some(("A", "1"))),
            ("A=", Some(("A", ""))),
            ("A=b=c", Some(("A", "b=c"))),
            ("A", None),
            ("=1", None),
        ];
        for (input, expected) in cases {
            let got = split_env_pair(input).ok();
            let expected = expected.map(|(k, v)| (k.to_owned(), v.to_owned()));
            assert_eq!(got, expected, "input {input:?}");
        }
    }

    #[test]
    fn options_from_flags() {
        let flags = RuntimeFlags {
            env: vec!["RUST_BACKTRACE=full".into(), "B=2".into()],
            forward_env: vec!["HOME".into(), "UNSET".into()],
            net: Some(String::new()),
            ..Default::default()
        };
        let host = |name: &str| (name == "HOME").then(|| "/home/u".to_owned());
        let opts = flags.into_options(request(), host).unwrap();
        assert_eq!(
            opts.env,
            vec![
                ("RUST_BACKTRACE".to_owned(), "full".to_owned()),
                ("HOME".to_owned(), "/home/u".to_owned()),
                ("B".to_owned(), "2".to_owned()),
            ]
        );
        assert_eq!(opts.cwd.as_deref(), Some("/pkg"));
        assert_eq!(opts.args, vec!["x".to_owned()]);
        assert!(opts.net.is_allow_all());
        assert_eq!(opts.cache, CacheMode::Dir("/cache".into()));

        let closed = RuntimeFlags {
            no_cache: true,
            cwd: Some("/other".into()),
            ..Default::default()
        }
        .into_options(request(), |_| None)
        .unwrap();
        assert!(!closed.net.allows_any());
        assert_eq!(closed.cache, CacheMode::Disabled);
        assert_eq!(closed.cwd.as_deref(), Some("/other"));
        assert_eq!(closed.max_procs, 256);
        assert_eq!(closed.exe, None);

        let mut with_exe = request();
        with_exe.exe = Some("/t/debug/a.wasm".into());
        let opts = RuntimeFlags {
            max_procs: Some(8),
            ..Default::default()
        }
        .into_options(with_exe, |_| None)
        .unwrap();
        assert_eq!(opts.max_procs, 8);
        assert_eq!(opts.exe.as_deref(), Some("/t/debug/a.wasm"));
        assert_eq!(opts.argv0.as_deref(), Some("/t/debug/a.wasm"));
    }

    #[test]
    fn resource_limit_flags() {
        let flags = parse_env_flags("--max-memory 512M --max-threads 8 --max-fds=64").unwrap();
        assert_eq!(
            (flags.max_memory, flags.max_threads, flags.max_fds),
            (Some(512 << 20), Some(8), Some(64))
        );
        let opts = flags.into_options(request(), |_| None).unwrap();
        assert_eq!(
            opts.limits,
            limits::Limits {
                max_memory: 512 << 20,
                max_threads: 8,
                max_fds: 64
            }
        );
        let defaults = parse_env_flags("")
            .unwrap()
            .into_options(request(), |_| None)
            .unwrap();
        assert_eq!(defaults.limits, limits::Limits::default());
        let ok: &[(&str, u64)] = &[("4G", 4 << 30), ("64k", 64 << 10), ("2GiB", 2 << 30)];
        for (v, want) in ok {
            let f = parse_env_flags(&format!("--max-memory {v}")).unwrap();
            assert_eq!(f.max_memory, Some(*want), "{v}");
        }
        let bad = [
            "--max-memory 0",
            "--max-memory 1K",
            "--max-memory lots",
            "--max-memory 4Q",
            "--max-memory=-1G",
            "--max-memory",
            "--max-threads 0",
            "--max-threads 65537",
            "--max-threads x",
            "--max-fds 0",
            "--max-fds 65537",
            "--max-fds=-3",
            "--max-fds 1.5",
        ];
        for input in bad {
            let err = format!("{:#}", parse_env_flags(input).unwrap_err());
            let flag = input.split([' ', '=']).next().unwrap();
            assert!(
                err.contains(flag) && err.contains("CARGO_WASIX_RUNTIME_FLAGS"),
                "{input}: {err}"
            );
        }
    }

    #[test]
    fn time_limit_flag() {
        let flags = parse_env_flags("--time-limit 2.5").unwrap();
        assert_eq!(
            flags.time_limit,
            Some(std::time::Duration::from_millis(2500))
        );
        let opts = flags.into_options(request(), |_| None).unwrap();
        assert_eq!(
            opts.time_limit,
            Some(std::time::Duration::from_millis(2500))
        );
        for bad in ["0", "-1", "x", "nan"] {
            assert!(
                parse_env_flags(&format!("--time-limit={bad}")).is_err(),
                "{bad}"
            );
        }
        let none = parse_env_flags("")
            .unwrap()
            .into_options(request(), |_| None)
            .unwrap();
        assert_eq!(none.time_limit, None);
    }
}
