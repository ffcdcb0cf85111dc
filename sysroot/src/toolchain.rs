//! Toolchain detection: rustc version, sysroot, rust-src, the wasip1-threads self-contained
//! objects and llvm-ar; installs missing rustup components (saying so first).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};
use crate::progress::Progress;

/// The rustup target whose self-contained wasi-libc we build on.
pub const BASE_TARGET: &str = "wasm32-wasip1-threads";

/// The user's Rust toolchain, as found through `RUSTC` / `rustc` on `PATH` (a rustup proxy
/// honours `RUSTUP_TOOLCHAIN` and `cargo +toolchain`).
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The rustc command (`$RUSTC` or `rustc`).
    pub rustc: PathBuf,
    /// The cargo command (`$CARGO` or `cargo`).
    pub cargo: PathBuf,
    /// Raw `rustc -vV` output (hashed into the cache key).
    pub verbose_version: String,
    /// Parsed `rustc -vV`.
    pub version: rustc_version::VersionMeta,
    /// `rustc --print sysroot`.
    pub sysroot: PathBuf,
    /// The rustup toolchain name to pass to `rustup --toolchain`, if known.
    pub rustup_toolchain: Option<String>,
}

/// One piece of the toolchain we need, and whether it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Human name (`rust-src`).
    pub name: &'static str,
    /// Where it was looked for.
    pub path: PathBuf,
    /// What rustup installs it (`component add rust-src`).
    pub rustup_args: &'static [&'static str],
}

impl Toolchain {
    /// Detects the toolchain from the environment (`RUSTC`, `CARGO`, `RUSTUP_TOOLCHAIN`).
    pub fn detect() -> Result<Self> {
        let rustc = std::env::var_os("RUSTC")
            .filter(|v| !v.is_empty())
            .map_or_else(|| PathBuf::from("rustc"), PathBuf::from);
        let cargo = std::env::var_os("CARGO")
            .filter(|v| !v.is_empty())
            .map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
        Self::with_commands(rustc, cargo)
    }

    /// Detects the toolchain behind the given rustc and cargo commands.
    pub fn with_commands(rustc: PathBuf, cargo: PathBuf) -> Result<Self> {
        let verbose_version = run_stdout(Command::new(&rustc).arg("-vV"), RUSTC_HELP)?;
        let version = rustc_version::version_meta_for(&verbose_version).map_err(|e| {
            Error::UnexpectedOutput {
                command: format!("{} -vV", rustc.display()),
                reason: e.to_string(),
            }
        })?;
        let sysroot = run_stdout(
            Command::new(&rustc).args(["--print", "sysroot"]),
            RUSTC_HELP,
        )?;
        let sysroot = PathBuf::from(sysroot.trim());
        let rustup_toolchain = std::env::var("RUSTUP_TOOLCHAIN")
            .ok()
            .filter(|t| !t.is_empty())
            .or_else(|| toolchain_name_from_sysroot(&sysroot));
        Ok(Toolchain {
            rustc,
            cargo,
            verbose_version,
            version,
            sysroot,
            rustup_toolchain,
        })
    }

    /// `major.minor` of rustc (`1.95`): selects the std patch set.
    pub fn minor(&self) -> String {
        format!(
            "{}.{}",
            self.version.semver.major, self.version.semver.minor
        )
    }

    /// The first 9 hex digits of rustc's commit hash (or the version when unknown).
    pub fn commit_short(&self) -> String {
        match &self.version.commit_hash {
            Some(hash) => hash.chars().take(9).collect(),
            None => self.version.semver.to_string(),
        }
    }

    /// The host triple of rustc.
    pub fn host(&self) -> &str {
        &self.version.host
    }

    /// rust-src's `library/` directory.
    pub fn rust_src(&self) -> PathBuf {
        self.sysroot.join("lib/rustlib/src/rust/library")
    }

    /// The directory holding `crt1-command.o`, `crt1-reactor.o` and `libc.a` of wasip1-threads.
    pub fn base_self_contained(&self) -> PathBuf {
        self.sysroot
            .join("lib/rustlib")
            .join(BASE_TARGET)
            .join("lib/self-contained")
    }

    /// llvm-ar from the `llvm-tools` component.
    pub fn llvm_ar(&self) -> PathBuf {
        let exe = if cfg!(windows) {
            "llvm-ar.exe"
        } else {
            "llvm-ar"
        };
        self.sysroot
            .join("lib/rustlib")
            .join(self.host())
            .join("bin")
            .join(exe)
    }

    /// Every component we need, present or not. The wasm32-wasip1-threads target only up to
    /// Rust 1.98: later releases do not ship it (see [`crate::wasi_libc`]).
    pub fn components(&self) -> Vec<Component> {
        let mut all = vec![
            Component {
                name: "rust-src",
                path: self.rust_src().join("std/Cargo.toml"),
                rustup_args: &["component", "add", "rust-src"],
            },
            Component {
                name: "llvm-tools",
                path: self.llvm_ar(),
                rustup_args: &["component", "add", "llvm-tools"],
            },
            Component {
                name: "the wasm32-wasip1-threads target",
                path: self.base_self_contained().join("libc.a"),
                rustup_args: &["target", "add", BASE_TARGET],
            },
        ];
        if !crate::wasi_libc::ships_base_target(&self.version.semver) {
            all.pop();
        }
        all
    }

    /// Components that are missing (checked by file existence).
    pub fn missing_components(&self) -> Vec<Component> {
        self.components()
            .into_iter()
            .filter(|c| !c.path.exists())
            .collect()
    }

    /// Installs missing components through rustup, announcing each first.
    ///
    /// Without rustup, fails naming what to install.
    pub fn ensure_components(&self, progress: &mut dyn Progress) -> Result<()> {
        self.ensure_components_with(Path::new("rustup"), progress)
    }

    /// [`Toolchain::ensure_components`] with an explicit rustup command.
    pub fn ensure_components_with(&self, rustup: &Path, progress: &mut dyn Progress) -> Result<()> {
        for component in self.missing_components() {
            // Without a toolchain name, rustup would install into its *default* toolchain,
            // which need not be this rustc (e.g. a distribution's Rust).
            let Some(name) = &self.rustup_toolchain else {
                return Err(Error::MissingComponent {
                    what: component.name.to_owned(),
                    path: component.path,
                    help: format!(
                        "the toolchain at `{}` is not managed by rustup; install {} for it, \
                         or use a rustup toolchain (`rustup toolchain install 1.95`)",
                        self.sysroot.display(),
                        component.name
                    ),
                });
            };
            let mut cmd = Command::new(rustup);
            cmd.args(component.rustup_args).args(["--toolchain", name]);
            // The rustup proxy would otherwise pick the toolchain from the environment anyway;
            // keep it explicit and consistent with `--toolchain`.
            cmd.env_remove("RUSTUP_TOOLCHAIN");
            let shown = display_command(&cmd);
            progress.status(
                "Installing",
                &format!(
                    "{} (missing `{}`): {shown}",
                    component.name,
                    component.path.display()
                ),
            );
            let status = match cmd.status() {
                Ok(status) => status,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(Error::MissingComponent {
                        what: component.name.to_owned(),
                        path: component.path,
                        help: format!(
                            "`rustup` was not found; install it for the toolchain at `{}` \
                             (with rustup: `rustup {}`)",
                            self.sysroot.display(),
                            component.rustup_args.join(" ")
                        ),
                    });
                }
                Err(source) => {
                    return Err(Error::Spawn {
                        command: shown,
                        source,
                        help: "check that rustup works".to_owned(),
                    });
                }
            };
            if !status.success() {
                // rustup's own output (shown live above) says why.
                return Err(Error::MissingComponent {
                    what: component.name.to_owned(),
                    path: component.path,
                    help: format!(
                        "`{shown}` failed ({status}); fix what rustup reports above \
                         (network, permissions) and run it again"
                    ),
                });
            }
            if !component.path.exists() {
                return Err(Error::MissingComponent {
                    what: component.name.to_owned(),
                    path: component.path,
                    help: "rustup reported success but the file is still missing; \
                           try `rustup component list --installed`"
                        .to_owned(),
                });
            }
        }
        Ok(())
    }

    /// A `cargo` command with a clean environment for internal builds: our rustc, no user
    /// wrappers or flags that would leak into the sysroot build.
    pub fn cargo_command(&self) -> Command {
        let mut cmd = Command::new(&self.cargo);
        cmd.env("RUSTC", &self.rustc);
        for (var, _) in std::env::vars_os() {
            if is_build_shaping_var(&var.to_string_lossy()) {
                cmd.env_remove(var);
            }
        }
        cmd
    }
}

/// Environment variables of the user's session that would change how our internal cargo
/// runs compile (wrappers, flags, target, profiles): removed, because the cache key does not
/// cover them. Registry, network and CARGO_HOME settings stay.
fn is_build_shaping_var(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTDOCFLAGS",
        "CARGO_ENCODED_RUSTDOCFLAGS",
        "CARGO_INCREMENTAL",
        "RUSTC_BOOTSTRAP",
        "RUST_TARGET_PATH",
    ];
    const PREFIXES: &[&str] = &["CARGO_BUILD_", "CARGO_PROFILE_", "CARGO_TARGET_"];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

const RUSTC_HELP: &str =
    "install Rust with rustup (https://rustup.rs) or set RUSTC to a rustc binary";

/// Guesses the rustup toolchain name from a sysroot under `.../toolchains/<name>`.
fn toolchain_name_from_sysroot(sysroot: &Path) -> Option<String> {
    let parent = sysroot.parent()?;
    if parent.file_name()? != "toolchains" {
        return None;
    }
    Some(sysroot.file_name()?.to_string_lossy().into_owned())
}

/// Runs a command and returns its stdout; a failure carries stderr.
pub(crate) fn run_stdout(cmd: &mut Command, help: &str) -> Result<String> {
    let stdout = run_bytes(cmd, help)?;
    String::from_utf8(stdout).map_err(|_| Error::UnexpectedOutput {
        command: display_command(cmd),
        reason: "output is not UTF-8".to_owned(),
    })
}

/// Runs a command and returns its stdout as bytes; a failure carries stderr.
pub(crate) fn run_bytes(cmd: &mut Command, help: &str) -> Result<Vec<u8>> {
    let shown = display_command(cmd);
    let output = cmd.output().map_err(|source| Error::Spawn {
        command: shown.clone(),
        source,
        help: help.to_owned(),
    })?;
    if !output.status.success() {
        return Err(Error::CommandFailed {
            command: shown,
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(output.stdout)
}

/// A command line for messages (`program arg arg`).
pub(crate) fn display_command(cmd: &Command) -> String {
    let mut parts: Vec<OsString> = vec![cmd.get_program().to_owned()];
    parts.extend(cmd.get_args().map(ToOwned::to_owned));
    parts
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const VV: &str = "rustc 1.95.0 (59807616e 2026-04-14)
binary: rustc
commit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860
commit-date: 2026-04-14
host: x86_64-unknown-linux-gnu
release: 1.95.0
LLVM version: 22.1.2
";

    fn toolchain(vv: &str) -> Toolchain {
        Toolchain {
            rustc: "rustc".into(),
            cargo: "cargo".into(),
            verbose_version: vv.to_owned(),
            version: rustc_version::version_meta_for(vv).expect("parse"),
            sysroot: "/r/toolchains/1.95.0-x86_64-unknown-linux-gnu".into(),
            rustup_toolchain: None,
        }
    }

    #[test]
    fn version_parsing_table() {
        let cases = [
            (VV, "1.95", "59807616e"),
            (
                &VV.replace("1.95.0", "1.96.0-beta.3") as &str,
                "1.96",
                "59807616e",
            ),
            (
                &VV.replace("1.95.0", "1.97.0-nightly") as &str,
                "1.97",
                "59807616e",
            ),
        ];
        for (vv, minor, commit) in cases {
            let tc = toolchain(vv);
            assert_eq!(tc.minor(), minor, "{vv}");
            assert_eq!(tc.commit_short(), commit, "{vv}");
        }
    }

    #[test]
    fn build_shaping_vars_table() {
        let cases = [
            ("RUSTC_WRAPPER", true),
            ("RUSTFLAGS", true),
            ("CARGO_ENCODED_RUSTFLAGS", true),
            ("CARGO_TARGET_DIR", true),
            ("CARGO_TARGET_WASM32_WASMER_WASI_RUSTFLAGS", true),
            ("CARGO_PROFILE_RELEASE_LTO", true),
            ("CARGO_BUILD_TARGET", true),
            ("RUSTC_BOOTSTRAP", true),
            ("CARGO_HOME", false),
            ("CARGO_NET_OFFLINE", false),
            ("CARGO_REGISTRIES_CRATES_IO_PROTOCOL", false),
            ("CARGO_HTTP_PROXY", false),
            ("PATH", false),
            ("RUSTUP_TOOLCHAIN", false),
        ];
        for (name, want) in cases {
            assert_eq!(is_build_shaping_var(name), want, "{name}");
        }
    }

    #[test]
    fn paths_and_names() {
        let tc = toolchain(VV);
        let s = "/r/toolchains/1.95.0-x86_64-unknown-linux-gnu";
        assert_eq!(
            tc.rust_src(),
            Path::new(s).join("lib/rustlib/src/rust/library")
        );
        assert_eq!(
            tc.llvm_ar(),
            Path::new(s).join("lib/rustlib/x86_64-unknown-linux-gnu/bin/llvm-ar")
        );
        assert_eq!(
            tc.base_self_contained(),
            Path::new(s).join("lib/rustlib/wasm32-wasip1-threads/lib/self-contained")
        );
        let cases = [
            (
                "/r/toolchains/stable-x86_64-unknown-linux-gnu",
                Some("stable-x86_64-unknown-linux-gnu"),
            ),
            ("/usr/local", None),
            ("/", None),
        ];
        for (sysroot, want) in cases {
            assert_eq!(
                toolchain_name_from_sysroot(Path::new(sysroot)).as_deref(),
                want
            );
        }
        // Nothing exists under the fake sysroot: all three components are missing.
        assert_eq!(tc.missing_components().len(), 3);
        // Rust 1.99 has no wasm32-wasip1-threads target to install.
        let tc199 = toolchain(&VV.replace("1.95.0", "1.99.1"));
        let names: Vec<_> = tc199.missing_components().iter().map(|c| c.name).collect();
        assert_eq!(names, ["rust-src", "llvm-tools"]);
    }

    #[test]
    fn failing_rustup_is_reported_with_the_command() {
        let mut tc = toolchain(VV);
        let dir = tempfile::tempdir().expect("tempdir");
        tc.sysroot = dir.path().to_owned();
        tc.rustup_toolchain = Some("stable".into());
        let err = tc
            .ensure_components_with(Path::new("false"), &mut crate::progress::Silent)
            .expect_err("rustup fails")
            .to_string();
        assert!(err.contains("rust-src is missing"), "{err}");
        assert!(
            err.contains("help: `false component add rust-src --toolchain stable` failed"),
            "{err}"
        );
    }

    #[test]
    fn missing_component_outside_rustup_is_not_installed_elsewhere() {
        let mut tc = toolchain(VV);
        let dir = tempfile::tempdir().expect("tempdir");
        tc.sysroot = dir.path().to_owned();
        tc.rustup_toolchain = None;
        let mut rec = crate::progress::Recorder::default();
        // `true` would "succeed"; it must not even be called.
        let err = tc
            .ensure_components_with(Path::new("true"), &mut rec)
            .expect_err("not rustup-managed")
            .to_string();
        assert!(err.contains("rust-src is missing"), "{err}");
        assert!(err.contains("not managed by rustup"), "{err}");
        assert!(rec.lines.is_empty(), "{:?}", rec.lines);
    }

    #[test]
    fn missing_component_without_rustup_says_what_to_install() {
        let mut tc = toolchain(VV);
        tc.rustup_toolchain = Some("stable".into());
        let dir = tempfile::tempdir().expect("tempdir");
        tc.sysroot = dir.path().to_owned();
        let mut rec = crate::progress::Recorder::default();
        let err = tc
            .ensure_components_with(Path::new("/nonexistent/rustup"), &mut rec)
            .expect_err("no rustup")
            .to_string();
        assert!(err.contains("rust-src is missing"), "{err}");
        assert!(
            err.contains("help: `rustup` was not found; install it"),
            "{err}"
        );
        assert!(err.contains("rustup component add rust-src"), "{err}");
        // The status line comes first, before anything runs.
        assert_eq!(rec.lines.len(), 1);
        assert_eq!(rec.lines[0].0, "Installing");
        assert!(rec.lines[0].1.contains("rust-src"), "{:?}", rec.lines);
    }

    #[cfg(unix)]
    #[test]
    fn missing_components_are_installed_through_rustup() {
        use std::os::unix::fs::PermissionsExt;
        let mut tc = toolchain(VV);
        tc.rustup_toolchain = Some("1.95.0-x86_64-unknown-linux-gnu".into());
        let dir = tempfile::tempdir().expect("tempdir");
        tc.sysroot = dir.path().join("sysroot");
        // A fake rustup that records its arguments and creates what was asked for.
        let log = dir.path().join("log");
        let script = dir.path().join("rustup");
        let body = format!(
            "#!/bin/sh\necho \"$@\" >> '{log}'\ncase \"$3\" in\n\
             rust-src) mkdir -p '{s}/lib/rustlib/src/rust/library/std' && touch '{s}/lib/rustlib/src/rust/library/std/Cargo.toml';;\n\
             llvm-tools) mkdir -p '{s}/lib/rustlib/x86_64-unknown-linux-gnu/bin' && touch '{s}/lib/rustlib/x86_64-unknown-linux-gnu/bin/llvm-ar';;\n\
             wasm32-wasip1-threads) mkdir -p '{s}/lib/rustlib/wasm32-wasip1-threads/lib/self-contained' && touch '{s}/lib/rustlib/wasm32-wasip1-threads/lib/self-contained/libc.a';;\n\
             esac\n",
            log = log.display(),
            s = tc.sysroot.display()
        );
        std::fs::write(&script, body).expect("write script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let mut rec = crate::progress::Recorder::default();
        tc.ensure_components_with(&script, &mut rec)
            .expect("install");
        assert!(tc.missing_components().is_empty());
        let log = std::fs::read_to_string(&log).expect("log");
        assert_eq!(
            log.lines().collect::<Vec<_>>(),
            [
                "component add rust-src --toolchain 1.95.0-x86_64-unknown-linux-gnu",
                "component add llvm-tools --toolchain 1.95.0-x86_64-unknown-linux-gnu",
                "target add wasm32-wasip1-threads --toolchain 1.95.0-x86_64-unknown-linux-gnu",
            ]
        );
        assert_eq!(rec.lines.len(), 3);
        // Nothing missing: rustup is not called again.
        tc.ensure_components_with(Path::new("/nonexistent/rustup"), &mut rec)
            .expect("noop");
    }
}
