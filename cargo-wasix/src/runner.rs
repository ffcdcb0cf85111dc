//! Cargo-runner mode: cargo runs `cargo-wasix __runner <file.wasm> <args...>` because the
//! user command set `CARGO_TARGET_WASM32_WASMER_WASI_RUNNER` to us. We run the module on the
//! bundled runtime and exit with the guest's exit code.
//!
//! Runtime flags come from `CARGO_WASIX_RUNTIME_FLAGS`. Under `cargo wasix test`/`bench`
//! (`CARGO_WASIX_RUNNER_DEFAULTS=test`) the package directory is mounted at its own path and
//! is the guest cwd (so both relative fixture paths and `env!("CARGO_MANIFEST_DIR")` work), a
//! fresh temp dir is mounted at `/tmp`, and `RUST_BACKTRACE`/`RUST_TEST_THREADS` are forwarded.
//!
//! Always, the directory of the built module (`target/<triple>/<profile>`, also for test
//! binaries in its `deps/`) is mounted read-only at its own host path, and the module's path is
//! the guest's `argv[0]` and `current_exe()`: a program can re-run itself, and integration
//! tests can run the crate's binaries through `env!("CARGO_BIN_EXE_<name>")`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use wasix_runtime::{CacheMode, Mount};

use crate::env;
use crate::runtime_flags::{self, RunRequest, RuntimeFlags};

/// Runs one module for cargo; `argv` is what follows `__runner`.
pub fn main(argv: Vec<OsString>) -> Result<i32> {
    let mut argv = argv.into_iter();
    let Some(module) = argv.next() else {
        bail!(
            "the runner was called without a .wasm file\nhelp: this mode is for cargo; run `cargo wasix run` or `cargo wasix run-wasm FILE.wasm`"
        );
    };
    let args = argv
        .map(|a| {
            a.into_string()
                .map_err(|a| anyhow::anyhow!("guest argument {a:?} is not UTF-8"))
        })
        .collect::<Result<Vec<_>>>()?;
    let flags = match std::env::var(env::RUNTIME_FLAGS) {
        Ok(value) => runtime_flags::parse_env_flags(&value)?,
        Err(_) => RuntimeFlags::default(),
    };

    let test_defaults = std::env::var(env::RUNNER_DEFAULTS).is_ok_and(|v| v == "test")
        && !std::env::var(env::NO_RUN_DEFAULTS).is_ok_and(|v| env::is_truthy(&v));
    // Held until the guest is done; removing it on drop cleans the guest's /tmp.
    let mut tmp_guard = None;
    let mut request = RunRequest {
        module: PathBuf::from(module),
        args,
        cache: module_cache(),
        default_mounts: Vec::new(),
        default_env: Vec::new(),
        default_cwd: None,
        exe: None,
    };
    if test_defaults {
        let package_dir = match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => std::env::current_dir().context("failed to read the current directory")?,
        };
        let tmp = tempfile::Builder::new()
            .prefix("cargo-wasix-tmp-")
            .tempdir()
            .context("failed to create a temporary directory for the guest's /tmp")?;
        apply_test_defaults(&mut request, &package_dir, tmp.path(), |name| {
            std::env::var(name).ok()
        })?;
        tmp_guard = Some(tmp);
    }

    expose_module(&mut request)?;
    let options = flags.into_options(request, |name| std::env::var(name).ok())?;
    let code = wasix_runtime::run(options)?;
    drop(tmp_guard);
    Ok(code)
}

/// The test/bench defaults: package dir mounted at its own path as cwd, `tmp` at `/tmp`, and
/// the test-related variables forwarded. Pure apart from the lookup.
pub fn apply_test_defaults(
    request: &mut RunRequest,
    package_dir: &Path,
    tmp: &Path,
    host_env: impl Fn(&str) -> Option<String>,
) -> Result<()> {
    let guest_dir = package_dir.to_str().with_context(|| {
        format!(
            "the package directory `{}` is not UTF-8, so it cannot be a guest path\nhelp: set {}=1 and mount it yourself with --mapdir in {}",
            package_dir.display(),
            env::NO_RUN_DEFAULTS,
            env::RUNTIME_FLAGS
        )
    })?;
    request.default_mounts.push(Mount {
        guest: guest_dir.to_owned(),
        host: package_dir.to_owned(),
        read_only: false,
    });
    request.default_mounts.push(Mount {
        guest: "/tmp".to_owned(),
        host: tmp.to_owned(),
        read_only: false,
    });
    request.default_cwd = Some(guest_dir.to_owned());
    request
        .default_env
        .push(("CARGO_MANIFEST_DIR".to_owned(), guest_dir.to_owned()));
    for name in env::TEST_FORWARDED_ENV {
        if let Some(value) = host_env(name) {
            request.default_env.push(((*name).to_owned(), value));
        }
    }
    Ok(())
}

/// Makes the module visible in the guest at its own host path (see the module docs).
fn expose_module(request: &mut RunRequest) -> Result<()> {
    let module = std::path::absolute(&request.module).with_context(|| {
        format!(
            "failed to make `{}` an absolute path",
            request.module.display()
        )
    })?;
    if let Some((mount, exe)) = module_mount(&module, &request.default_mounts) {
        request.default_mounts.extend(mount);
        request.exe = Some(exe);
    }
    Ok(())
}

/// The read-only mount that exposes `module` (absolute) and its guest path; no mount when an
/// existing same-path mount already shows it; `None` when the path is not UTF-8 (then the
/// guest simply does not see its module). Pure.
pub fn module_mount(module: &Path, existing: &[Mount]) -> Option<(Option<Mount>, String)> {
    let exe = module.to_str()?.to_owned();
    let mut dir = module.parent()?;
    // Test binaries live in `<profile>/deps`; the crate's binaries one level up.
    if dir.file_name().is_some_and(|n| n == "deps")
        && let Some(up) = dir.parent()
    {
        dir = up;
    }
    let covered = existing
        .iter()
        .any(|m| m.host.to_str() == Some(m.guest.as_str()) && dir.starts_with(&m.host));
    if covered {
        return Some((None, exe));
    }
    let mount = Mount {
        guest: dir.to_str()?.to_owned(),
        host: dir.to_owned(),
        read_only: true,
    };
    Some((Some(mount), exe))
}

/// Where compiled modules are cached: `<CARGO_WASIX_HOME>/modules`.
fn module_cache() -> CacheMode {
    match crate::prepare::module_cache_dir() {
        Some(dir) => CacheMode::Dir(dir),
        None => CacheMode::Disabled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_mounts() {
        let pkg = Mount {
            guest: "/src/pkg".into(),
            host: "/src/pkg".into(),
            read_only: false,
        };
        let ro = |dir: &str| Mount {
            guest: dir.into(),
            host: dir.into(),
            read_only: true,
        };
        // (module, existing mounts, expected mount)
        let cases: Vec<(&str, Vec<Mount>, Option<Mount>)> = vec![
            ("/t/w/debug/app.wasm", vec![], Some(ro("/t/w/debug"))),
            (
                "/t/w/debug/deps/app-1f.wasm",
                vec![],
                Some(ro("/t/w/debug")),
            ),
            (
                "/src/pkg/target/w/debug/deps/t.wasm",
                vec![pkg.clone()],
                None,
            ),
            // A mapped (not same-path) mount does not show the host path.
            (
                "/src/pkg/target/w/debug/t.wasm",
                vec![Mount {
                    guest: "/p".into(),
                    host: "/src/pkg".into(),
                    read_only: false,
                }],
                Some(ro("/src/pkg/target/w/debug")),
            ),
        ];
        for (module, existing, want) in cases {
            let (mount, exe) = module_mount(Path::new(module), &existing).unwrap();
            assert_eq!(mount, want, "{module}");
            assert_eq!(exe, module);
        }
    }

    #[test]
    fn test_defaults_mount_package_and_tmp() {
        let mut request = RunRequest {
            module: "t.wasm".into(),
            args: vec!["--nocapture".into()],
            cache: CacheMode::Disabled,
            default_mounts: Vec::new(),
            default_env: Vec::new(),
            default_cwd: None,
            exe: None,
        };
        let host = |name: &str| match name {
            "RUST_BACKTRACE" => Some("1".to_owned()),
            "HOME" => Some("/root".to_owned()),
            _ => None,
        };
        apply_test_defaults(
            &mut request,
            Path::new("/src/pkg"),
            Path::new("/tmp/xyz"),
            host,
        )
        .unwrap();
        assert_eq!(
            request.default_mounts,
            vec![
                Mount {
                    guest: "/src/pkg".into(),
                    host: "/src/pkg".into(),
                    read_only: false
                },
                Mount {
                    guest: "/tmp".into(),
                    host: "/tmp/xyz".into(),
                    read_only: false
                },
            ]
        );
        assert_eq!(request.default_cwd.as_deref(), Some("/src/pkg"));
        // HOME is not a test variable: nothing leaks unless asked for.
        assert_eq!(
            request.default_env,
            vec![
                ("CARGO_MANIFEST_DIR".to_owned(), "/src/pkg".to_owned()),
                ("RUST_BACKTRACE".to_owned(), "1".to_owned()),
            ]
        );
    }
}
