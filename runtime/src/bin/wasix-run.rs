//! `wasix-run MODULE [ARGS...]`: a minimal runner over `wasix_runtime::run`, used by this
//! crate's tests and benchmarks (the user-facing runner is `cargo wasix run`).
//!
//! Options (before MODULE): `--env K=V`, `--dir HOST`, `--mapdir GUEST:HOST`,
//! `--volume HOST:GUEST`, `--cwd PATH`, `--net[=RULES]`, `--cache DIR`, `--trace`,
//! `--argv0 NAME`, `--exe GUEST` (the module's guest path), `--max-procs N`, `--time-limit SECONDS`,
//! `--max-memory SIZE`, `--max-threads N`, `--max-fds N`.

use std::process::ExitCode;

use wasix_runtime::{CacheMode, Mount, NetPolicy, RunOptions, limits};

fn main() -> ExitCode {
    match parse(std::env::args().skip(1).collect()) {
        Ok(opts) => match wasix_runtime::run(opts) {
            Ok(code) => ExitCode::from(code as u8),
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!(
                "error: {e}\nusage: wasix-run [--env K=V] [--dir HOST] [--mapdir G:H] [--volume H:G] [--cwd P] [--net[=RULES]] [--cache DIR] [--trace] [--argv0 N] [--exe G] [--max-procs N] [--time-limit SECONDS] [--max-memory SIZE] [--max-threads N] [--max-fds N] MODULE [ARGS...]"
            );
            ExitCode::from(2)
        }
    }
}

fn parse(args: Vec<String>) -> Result<RunOptions, String> {
    let mut it = args.into_iter();
    let mut opts = RunOptions::new("");
    // Like `cargo wasix run`: host SIGINT/SIGTERM/SIGHUP go to the guest.
    opts.forward_signals = true;
    let need = |it: &mut std::vec::IntoIter<String>, flag: &str| {
        it.next().ok_or(format!("{flag} needs a value"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--env" => {
                let kv = need(&mut it, "--env")?;
                let (k, v) = kv
                    .split_once('=')
                    .ok_or(format!("--env `{kv}`: expected K=V"))?;
                opts.env.push((k.into(), v.into()));
            }
            "--dir" => opts
                .mounts
                .push(Mount::parse_dir(&need(&mut it, "--dir")?).map_err(|e| e.to_string())?),
            "--mapdir" => opts
                .mounts
                .push(Mount::parse_mapdir(&need(&mut it, "--mapdir")?).map_err(|e| e.to_string())?),
            "--volume" => opts
                .mounts
                .push(Mount::parse_volume(&need(&mut it, "--volume")?).map_err(|e| e.to_string())?),
            "--cwd" => opts.cwd = Some(need(&mut it, "--cwd")?),
            "--cache" => opts.cache = CacheMode::Dir(need(&mut it, "--cache")?.into()),
            "--argv0" => opts.argv0 = Some(need(&mut it, "--argv0")?),
            "--exe" => opts.exe = Some(need(&mut it, "--exe")?),
            "--max-procs" => {
                let n = need(&mut it, "--max-procs")?;
                opts.max_procs = n
                    .parse()
                    .map_err(|_| format!("--max-procs `{n}`: expected a number"))?;
            }
            "--time-limit" => {
                let v = need(&mut it, "--time-limit")?;
                opts.time_limit = Some(parse_seconds(&v)?);
            }
            "--max-memory" => {
                let v = need(&mut it, "--max-memory")?;
                opts.limits.max_memory =
                    limits::parse_size(&v).map_err(|e| format!("--max-memory: {e}"))?;
            }
            "--max-threads" => {
                let v = need(&mut it, "--max-threads")?;
                opts.limits.max_threads = limits::parse_count(&v, limits::MAX_MAX_THREADS as u64)
                    .map_err(|e| format!("--max-threads: {e}"))?
                    as usize;
            }
            "--max-fds" => {
                let v = need(&mut it, "--max-fds")?;
                opts.limits.max_fds = limits::parse_count(&v, u64::from(limits::MAX_MAX_FDS))
                    .map_err(|e| format!("--max-fds: {e}"))?
                    as u32;
            }
            "--trace" => opts.trace = true,
            "--net" => opts.net = NetPolicy::allow_all(),
            s if s.starts_with("--net=") => {
                opts.net = NetPolicy::parse(&s["--net=".len()..]).map_err(|e| e.to_string())?
            }
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`")),
            _ => {
                opts.module = a.into();
                opts.args = it.collect();
                return Ok(opts);
            }
        }
    }
    Err("missing MODULE".into())
}

/// `--time-limit SECONDS`: a positive number of seconds (fractions allowed).
fn parse_seconds(v: &str) -> Result<std::time::Duration, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .ok_or(format!(
            "--time-limit `{v}`: expected a positive number of seconds"
        ))
}
