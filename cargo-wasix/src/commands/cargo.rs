//! Cargo pass-through (`build`, `check`, `run`, `test`, `bench`, `doc`, `clippy`, `fix`,
//! `tree`, `rustc`, `install`): prepare the sysroot, then run cargo with our flags before the
//! user's, our binary as rustc wrapper and runner, and cargo's exit code as ours.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;

use crate::args::{self, TargetChoice, Verbosity};
use crate::cli::Cli;
use crate::delivery::Delivery;
use crate::target::Wasix;
use crate::user::Ctx;
use crate::{
    cargo_config, ctoolchain, env, exec, install_plan, lockfile, overlays, prepare,
    toolchain::Toolchain, wasm_opt,
};

/// Runs `cargo <subcommand> <user_args>` for WASIX.
pub fn execute(subcommand: &str, user_args: &[String], ctx: &Ctx) -> Result<i32> {
    let verbosity = ctx.global_verbosity.merge(args::verbosity(user_args));
    let shell = crate::shell::Shell::new(verbosity);
    let toolchain = Toolchain::resolve(ctx.toolchain.as_deref())?;

    if args::has_flag(user_args, "--help", Some('h')) {
        return print_help(subcommand, &toolchain);
    }

    let cwd = std::env::current_dir().context("failed to read the current directory")?;
    let user_config = cargo_config::read(&cwd);
    let choice = args::target_choice(user_args, &cargo_config::default_targets(&user_config));
    let mut ours = global_flags(ctx.global_verbosity);
    let target = match choice {
        TargetChoice::Both => bail!(
            "`cargo wasix` builds for one WASIX target per run, and `{}` and `{}` were both given (each has its own sysroot)\nhelp: run the command once per target",
            env::TARGET,
            env::TARGET64
        ),
        TargetChoice::Foreign => {
            // Only other targets: nothing of ours is needed, cargo runs as the user asked.
            let mut cmd = toolchain.cargo_command();
            cmd.args(args::cargo_command_line(subcommand, &ours, user_args));
            shell.verbose_status("Running", exec::describe(&cmd));
            return exec::exec(cmd);
        }
        TargetChoice::Default => {
            ours.extend(["--target".to_owned(), env::TARGET.to_owned()]);
            Wasix::Wasm32
        }
        TargetChoice::Explicit(target) => target,
    };

    let mut session = prepare::Session::new(&toolchain, &shell, target)?;
    let wasm_opt = wasm_opt::resolve(&wasm_opt::Request::parse(
        std::env::var_os(env::WASM_OPT).as_deref(),
    ))?;
    // The workspace whose `Cargo.lock` says which crates get overlays: `cargo install --path`
    // installs from that package's workspace (issue 13); other installs have none to read.
    let root = if subcommand == "install" {
        install_workspace(user_args, &toolchain, &shell)?
    } else {
        let manifest = args::flag_values(user_args, "--manifest-path")
            .last()
            .map(PathBuf::from);
        Some(workspace_with_lock(
            manifest.as_deref(),
            &toolchain,
            &shell,
        )?)
    };
    // Read once: the C check and the overlay plan both work from the lock's packages.
    let lock = root.as_deref().map(lockfile::read_lock).transpose()?;
    // Before the sysroot: a crate with C and no C compiler stops here, having built nothing.
    let c_toolchain = c_toolchain(lock.as_deref(), target, &toolchain, &shell)?;
    let cache_root = wasix_sysroot::Options::default()
        .cache_root()
        .context("failed to find the cargo-wasix cache directory")?;
    let delivery = session.delivery(&cache_root)?;
    let sysroot = delivery.sysroot().to_owned();
    let mut cmd = toolchain.cargo_command();
    match &delivery {
        Delivery::Toolchain { rustc, .. } => cmd.env("RUSTC", rustc),
        Delivery::Flag { .. } if toolchain.rustup_name.is_some() => {
            cmd.env("RUSTC", &toolchain.rustc)
        }
        Delivery::Flag { .. } => &mut cmd,
    };
    if let Some(ready) = &c_toolchain {
        ctoolchain::apply(&mut cmd, ready, &shell);
    }

    let overlays = match (&root, &lock) {
        (Some(root), Some(lock)) => overlay_patches(root, lock, target, &mut session, &shell)?,
        _ => None,
    };
    let mut user_args = user_args.to_vec();
    if let Some(applied) = &overlays {
        for value in &applied.config {
            ours.extend(["--config".to_owned(), value.clone()]);
        }
        user_args = applied.check_locked(&toolchain, user_args, &shell)?;
    }
    let user_args = &user_args[..];

    let self_exe =
        std::env::current_exe().context("failed to find the path of cargo-wasix itself")?;
    let wrapper = wrapper_link(&cache_root, &self_exe, &sysroot, wasm_opt.as_deref());
    // `RUSTC_WRAPPER` beats the config file in cargo; ours replaces both, so chain the winner.
    let user_wrapper = std::env::var_os("RUSTC_WRAPPER")
        .filter(|w| !w.is_empty())
        .or_else(|| user_config.rustc_wrapper.clone().map(Into::into));
    set_wrapper_env(&mut cmd, &wrapper, &delivery, user_wrapper);
    cmd.env(env::WASIX_TARGET, target.triple());
    match &wasm_opt {
        Some(path) => cmd.env(env::WASM_OPT_RESOLVED, path),
        None => cmd.env_remove(env::WASM_OPT_RESOLVED),
    };
    cmd.env(env::OVERLAYS_DIR, cache_root.join("overlays"));
    set_rustdoc_env(&mut cmd, &self_exe, &toolchain)?;
    if matches!(subcommand, "run" | "test" | "bench") {
        let config_args = args::flag_values(user_args, "--config");
        let runner_var = target.runner_var();
        let user_runner = match std::env::var_os(&runner_var).filter(|r| !r.is_empty()) {
            Some(runner) => Some(format!("{runner_var}=`{}`", runner.to_string_lossy())),
            None if user_config.has_runner(target) => Some(format!(
                "`target.{}.runner` in a cargo config file",
                target.triple()
            )),
            None if cargo_config::args_set_runner(&config_args, target) => {
                Some(format!("`--config target.{}.runner`", target.triple()))
            }
            None => None,
        };
        if let Some(runner) = &user_runner
            && std::env::var_os(env::RUNTIME_FLAGS).is_some()
        {
            shell.warn(format!(
                "{} is ignored: {runner} chooses the runner, so cargo runs that instead of the bundled runtime",
                env::RUNTIME_FLAGS,
            ));
        }
        set_runner_env(
            &mut cmd,
            &self_exe,
            target,
            subcommand,
            &mut ours,
            user_runner.is_some(),
        )?;
    }

    cmd.args(args::cargo_command_line(subcommand, &ours, user_args));
    shell.verbose_status("Running", exec::describe(&cmd));
    match overlays {
        // Cargo rewrites the patched entries of Cargo.lock: stay to put them back.
        Some(applied) => applied.run_and_restore(&mut cmd, &shell),
        None => exec::exec(cmd),
    }
}

/// `-v`/`-q` given before the subcommand go on to cargo (after it, they are the user's own).
fn global_flags(verbosity: Verbosity) -> Vec<String> {
    match verbosity {
        Verbosity::Quiet => vec!["--quiet".to_owned()],
        Verbosity::Normal => Vec::new(),
        Verbosity::Verbose => vec!["--verbose".to_owned()],
        Verbosity::VeryVerbose => vec!["--verbose".to_owned(), "--verbose".to_owned()],
    }
}

/// The path cargo gets as `RUSTC_WRAPPER`: a symlink to us named after the sysroot and the
/// `wasm-opt` in use.
///
/// Cargo caches `rustc -vV` (which the wrapper extends with the sysroot and the wasm-opt, and
/// which keys every unit's fingerprint) per wrapper *path*. A path per sysroot makes a new
/// sysroot (new patch set, other target features, another `CARGO_WASIX_HOME`) rebuild the
/// user's crates instead of reusing rlibs built against the old std; a path per wasm-opt
/// choice relinks the modules when it is turned on or off. Falls back to the binary itself
/// when no link can be made.
fn wrapper_link(
    cache_root: &Path,
    self_exe: &Path,
    sysroot: &Path,
    wasm_opt: Option<&Path>,
) -> PathBuf {
    #[cfg(unix)]
    {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (self_exe, sysroot).hash(&mut hasher);
        if let Some(wasm_opt) = wasm_opt {
            wasm_opt.hash(&mut hasher);
        }
        let link = cache_root
            .join("bin")
            .join(format!("rustc-wrapper-{:016x}", hasher.finish()));
        if std::fs::read_link(&link).is_ok_and(|target| target == self_exe) {
            return link;
        }
        let tmp = cache_root
            .join("bin")
            .join(format!(".wrapper-{}.tmp", std::process::id()));
        let made = std::fs::create_dir_all(cache_root.join("bin")).is_ok()
            && std::os::unix::fs::symlink(self_exe, &tmp).is_ok()
            && std::fs::rename(&tmp, &link).is_ok();
        if made {
            return link;
        }
        let _ = std::fs::remove_file(&tmp);
    }
    let _ = (cache_root, sysroot, wasm_opt);
    self_exe.to_owned()
}

/// Makes cargo call us as `RUSTC_WRAPPER`, chaining a wrapper the user had, and tells the
/// wrapper how target compiles get the sysroot.
fn set_wrapper_env(
    cmd: &mut Command,
    self_exe: &Path,
    delivery: &Delivery,
    user_wrapper: Option<std::ffi::OsString>,
) {
    cmd.env("RUSTC_WRAPPER", self_exe)
        .env(env::SYSROOT, delivery.sysroot());
    match delivery {
        Delivery::Toolchain { digest, .. } => cmd
            .env(env::SYSROOT_DIGEST, digest)
            .env_remove(env::SYSROOT_FLAG),
        Delivery::Flag { .. } => cmd
            .env(env::SYSROOT_FLAG, "1")
            .env_remove(env::SYSROOT_DIGEST),
    };
    // Nested `cargo wasix` (or a stale environment) must not make us chain to ourselves.
    let is_us = |w: &std::ffi::OsStr| {
        Path::new(w) == self_exe
            || matches!((std::fs::canonicalize(w), std::fs::canonicalize(self_exe)), (Ok(a), Ok(b)) if a == b)
    };
    match user_wrapper.filter(|w| !w.is_empty() && !is_us(w)) {
        Some(wrapper) => cmd.env(env::CHAINED_WRAPPER, wrapper),
        None => cmd.env_remove(env::CHAINED_WRAPPER),
    };
}

/// Points cargo's `RUSTDOC` at a script running `<self> __rustdoc "$@"` (cargo has no rustdoc
/// wrapper), remembering the real rustdoc: the user's `RUSTDOC`, else the toolchain's.
fn set_rustdoc_env(cmd: &mut Command, self_exe: &Path, toolchain: &Toolchain) -> Result<()> {
    let real = match std::env::var_os("RUSTDOC").filter(|r| !r.is_empty()) {
        Some(user) => PathBuf::from(user),
        None if toolchain.rustc.is_absolute() => toolchain
            .rustc
            .with_file_name(format!("rustdoc{}", std::env::consts::EXE_SUFFIX)),
        None => PathBuf::from("rustdoc"),
    };
    let root = wasix_sysroot::Options::default()
        .cache_root()
        .context("failed to find the cargo-wasix cache directory")?;
    let script = rustdoc_script(&root, self_exe)?;
    cmd.env("RUSTDOC", script).env(env::REAL_RUSTDOC, real);
    Ok(())
}

/// Writes (once, atomically) `<cache>/bin/rustdoc-<hash>`: `exec <self> __rustdoc "$@"`.
fn rustdoc_script(cache_root: &Path, self_exe: &Path) -> Result<PathBuf> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    self_exe.hash(&mut hasher);
    let dir = cache_root.join("bin");
    let script = dir.join(format!("rustdoc-{:016x}", hasher.finish()));
    let content = rustdoc_script_text(self_exe);
    if std::fs::read_to_string(&script).is_ok_and(|existing| existing == content) {
        return Ok(script);
    }
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("failed to create `{}`", dir.display()))?;
    let tmp = dir.join(format!(".rustdoc-{}.tmp", std::process::id()));
    std::fs::write(&tmp, &content)
        .with_context(|| format!("failed to write `{}`", tmp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("failed to make `{}` executable", tmp.display()))?;
    }
    std::fs::rename(&tmp, &script)
        .with_context(|| format!("failed to write `{}`", script.display()))?;
    Ok(script)
}

fn rustdoc_script_text(self_exe: &Path) -> String {
    let quoted = self_exe.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n# Written by cargo-wasix: cargo has no rustdoc wrapper setting.\nexec '{quoted}' {} \"$@\"\n",
        env::RUSTDOC_ARG
    )
}

/// Makes cargo run `.wasm` files through `<self> __runner`, unless the user chose a runner.
fn set_runner_env(
    cmd: &mut Command,
    self_exe: &Path,
    target: Wasix,
    subcommand: &str,
    ours: &mut Vec<String>,
    user_has_runner: bool,
) -> Result<()> {
    if matches!(subcommand, "test" | "bench") {
        cmd.env(env::RUNNER_DEFAULTS, "test");
    } else {
        cmd.env_remove(env::RUNNER_DEFAULTS);
    }
    if user_has_runner {
        return Ok(());
    }
    let exe = self_exe.to_str().with_context(|| {
        format!(
            "the path `{}` of cargo-wasix is not UTF-8",
            self_exe.display()
        )
    })?;
    if exe.chars().any(char::is_whitespace) {
        // Cargo splits the environment variable at whitespace; a TOML array keeps the path whole.
        let quoted = exe.replace('\\', "\\\\").replace('"', "\\\"");
        ours.extend([
            "--config".to_owned(),
            format!(
                "target.{}.runner=[\"{quoted}\", \"{}\"]",
                target.triple(),
                env::RUNNER_ARG
            ),
        ]);
    } else {
        cmd.env(target.runner_var(), format!("{exe} {}", env::RUNNER_ARG));
    }
    Ok(())
}

/// The overlays added to one cargo run: the `--config` values, and what to put back into
/// `Cargo.lock` afterwards.
struct Applied {
    config: Vec<String>,
    root: PathBuf,
    lock_path: PathBuf,
    restore: Vec<lockfile::LockEntry>,
}

/// The workspace root of `manifest` (else of the current directory), with a `Cargo.lock`
/// generated when there is none (the overlays and the C check read it).
fn workspace_with_lock(
    manifest: Option<&Path>,
    toolchain: &Toolchain,
    shell: &crate::shell::Shell,
) -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("failed to read the current directory")?;
    let root = lockfile::workspace_root(&cwd, manifest, &toolchain.cargo)?;
    let lock_path = root.join("Cargo.lock");
    if !lock_path.is_file() {
        let mut generate = toolchain.cargo_command();
        generate
            .args(["generate-lockfile", "--manifest-path"])
            .arg(root.join("Cargo.toml"));
        if shell.verbosity() == Verbosity::Quiet {
            generate.arg("--quiet");
        }
        shell.verbose_status("Running", exec::describe(&generate));
        let code = exec::run(&mut generate)?;
        if code != 0 {
            bail!("`cargo generate-lockfile` failed with exit code {code}; see its errors above");
        }
    }
    Ok(root)
}

/// The workspace whose lock gives the overlays' versions for `cargo install`
/// (`install_plan.rs`): the `--path` package's (with its lock, as for a build), or for registry
/// crates a probe workspace under the cache resolved now as cargo install resolves them. Other
/// sources: `None` and a warning (nothing to plan from; the crates build unpatched).
fn install_workspace(
    user_args: &[String],
    toolchain: &Toolchain,
    shell: &crate::shell::Shell,
) -> Result<Option<PathBuf>> {
    let before_dashes = &user_args[..user_args
        .iter()
        .position(|a| a == "--")
        .unwrap_or(user_args.len())];
    let locked = before_dashes
        .iter()
        .any(|a| a == "--locked" || a == "--frozen");
    let source = match install_plan::source(user_args) {
        // `--locked` asks for the crate's own packaged lock, which a probe cannot reproduce.
        install_plan::Source::Registry(_) if locked => install_plan::Source::Other(
            "a `--locked` registry install (the crate's packaged Cargo.lock decides its versions)",
        ),
        other => other,
    };
    let crates = match source {
        install_plan::Source::Path(path) => {
            let manifest = Path::new(path).join("Cargo.toml");
            return workspace_with_lock(Some(&manifest), toolchain, shell).map(Some);
        }
        install_plan::Source::Registry(crates) => crates,
        install_plan::Source::Other(what) => {
            shell.warn(format!(
                "the WASIX crate overlays (the libc items such as `libc::socket`, mio, socket2, \
                 tokio, ...) are not applied to {what}: its crates build unpatched; for a crate \
                 that needs them, install from a checkout with `cargo wasix install --path <dir>`"
            ));
            return Ok(None);
        }
    };
    let (features, defaults) = install_plan::features(user_args);
    let manifest = install_plan::probe_manifest(&crates, &features, defaults);
    let cache_root = wasix_sysroot::Options::default()
        .cache_root()
        .context("failed to find the cargo-wasix cache directory")?;
    let probe = cache_root.join("install-probe").join(format!("{:016x}", {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        manifest.hash(&mut hasher);
        hasher.finish()
    }));
    std::fs::create_dir_all(&probe)
        .and_then(|()| std::fs::write(probe.join("lib.rs"), ""))
        .and_then(|()| std::fs::write(probe.join("Cargo.toml"), &manifest))
        .with_context(|| format!("failed to write the install probe `{}`", probe.display()))?;
    // Resolved afresh each time, as cargo install does without `--locked`.
    let _ = std::fs::remove_file(probe.join("Cargo.lock"));
    let mut generate = toolchain.cargo_command();
    generate
        .args(["generate-lockfile", "--manifest-path"])
        .arg(probe.join("Cargo.toml"));
    if shell.verbosity() == Verbosity::Quiet {
        generate.arg("--quiet");
    }
    if before_dashes.iter().any(|a| a == "--offline") {
        generate.arg("--offline");
    }
    shell.verbose_status("Running", exec::describe(&generate));
    let code = exec::run(&mut generate)?;
    if code != 0 {
        bail!(
            "resolving {} for the WASIX overlays failed (`cargo generate-lockfile` exit code {code}); see its errors above",
            crates
                .iter()
                .map(|(name, req)| format!("{name} {req}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(Some(probe))
}

/// The C toolchain for this build (issue 10): looked for only when a crate in the lock builds
/// C (or for `cargo install`, which has no lock to read), so Rust-only crates never need one.
/// Missing while needed: the one error naming the install command. wasm64 has no C library
/// (there is no wasm64 wasi-libc to build C against): said once, before the build.
fn c_toolchain(
    lock: Option<&[lockfile::LockEntry]>,
    target: Wasix,
    toolchain: &Toolchain,
    shell: &crate::shell::Shell,
) -> Result<Option<ctoolchain::Ready>> {
    let users = lock
        .map(ctoolchain::graph::c_building_packages)
        .unwrap_or_default();
    if lock.is_some() && users.is_empty() {
        return Ok(None);
    }
    if target == Wasix::Wasm64 {
        if !users.is_empty() {
            shell.warn(format!(
                "`{}` has no C library yet (docs/wasm64.md), and these crates can build C code with `cc` or `cmake`: {}; a build script that compiles C for this target will fail (Rust-only features build)",
                target.triple(),
                users.join(", ")
            ));
        }
        return Ok(None);
    }
    match ctoolchain::detect(&toolchain.rustc) {
        Ok(detected) => {
            let cache_root = wasix_sysroot::Options::default()
                .cache_root()
                .context("failed to find the cargo-wasix cache directory")?;
            let features = prepare::sysroot_options()?.features;
            Ok(Some(ctoolchain::prepare(
                detected,
                &cache_root,
                &features,
                shell,
            )?))
        }
        Err(_) if users.is_empty() => Ok(None),
        Err(not_found) => Err(ctoolchain::missing_error(&not_found, &users)),
    }
}

/// Plans and prepares the WASIX overlays for the crates the workspace's `Cargo.lock` resolves
/// (`overlays/`) and this run's target; `None` when none applies.
fn overlay_patches(
    root: &Path,
    lock: &[lockfile::LockEntry],
    target: Wasix,
    session: &mut prepare::Session,
    shell: &crate::shell::Shell,
) -> Result<Option<Applied>> {
    let root = root.to_owned();
    let lock_path = root.join("Cargo.lock");
    let plan = overlays::plan_workspace(&root, lock, target.triple())?;
    for warning in &plan.warnings {
        shell.warn(warning);
    }
    if !plan.errors.is_empty() {
        bail!(
            "{}\nhelp: move Cargo.lock to a covered version, e.g. `cargo update -p <crate>@<version>`; `cargo wasix status` lists the overlays",
            plan.errors.join("\n")
        );
    }
    if plan.patches.is_empty() {
        return Ok(None);
    }
    let mut config = Vec::new();
    let mut restore = Vec::new();
    for planned in &plan.patches {
        let entry = &planned.entry;
        let patched = session.patched_crate(&entry.name, &entry.version)?;
        shell.verbose_note(format!(
            "{} {} is replaced by its WASIX-patched copy in `{}` for this build (Cargo.lock is put back afterwards)",
            entry.name,
            entry.version,
            patched.dir.display()
        ));
        let package = (planned.key != entry.name).then_some(entry.name.as_str());
        config.extend(args::patch_config(&planned.key, package, &patched.dir));
        restore.push(lockfile::LockEntry {
            checksum: entry.checksum.clone().or(patched.checksum),
            ..entry.clone()
        });
    }
    Ok(Some(Applied {
        config,
        root,
        lock_path,
        restore,
    }))
}

impl Applied {
    /// `--locked`/`--frozen` promise an unchanged `Cargo.lock`, but cargo rewrites the patched
    /// entries (and we put them back). So we check the promise ourselves without the overlays,
    /// then let cargo run without `--locked` (`--frozen` becomes `--offline`).
    fn check_locked(
        &self,
        toolchain: &Toolchain,
        user_args: Vec<String>,
        shell: &crate::shell::Shell,
    ) -> Result<Vec<String>> {
        let (ours, rest) = match user_args.iter().position(|a| a == "--") {
            Some(i) => (&user_args[..i], &user_args[i..]),
            None => (&user_args[..], &[][..]),
        };
        let locked = ours.iter().any(|a| a == "--locked");
        let frozen = ours.iter().any(|a| a == "--frozen");
        if !locked && !frozen {
            return Ok(user_args);
        }
        let mut check = toolchain.cargo_command();
        check
            .args([
                "metadata",
                "--format-version",
                "1",
                "--locked",
                "--manifest-path",
            ])
            .arg(self.root.join("Cargo.toml"));
        if frozen || ours.iter().any(|a| a == "--offline") {
            check.arg("--offline");
        }
        shell.verbose_status("Running", exec::describe(&check));
        let out = check
            .output()
            .with_context(|| format!("failed to run {}", exec::describe(&check)))?;
        if !out.status.success() {
            bail!(
                "`Cargo.lock` is not up to date and {} was passed:\n{}",
                if frozen { "--frozen" } else { "--locked" },
                String::from_utf8_lossy(&out.stderr).trim_end()
            );
        }
        let mut args: Vec<String> = ours
            .iter()
            .filter(|a| *a != "--locked")
            .map(|a| {
                if a == "--frozen" {
                    "--offline".to_owned()
                } else {
                    a.clone()
                }
            })
            .collect();
        args.extend(rest.iter().cloned());
        Ok(args)
    }

    /// Runs cargo to the end (an interrupt reaches cargo; we stay to clean up), then puts the
    /// patched entries of `Cargo.lock` back as they were.
    fn run_and_restore(self, cmd: &mut Command, shell: &crate::shell::Shell) -> Result<i32> {
        let _stay = StayOnInterrupt::new();
        let code = exec::run(cmd);
        if let Err(e) = self.restore_lock() {
            shell.warn(format!("{e:#}"));
        }
        code
    }

    fn restore_lock(&self) -> Result<()> {
        let Ok(text) = std::fs::read_to_string(&self.lock_path) else {
            return Ok(());
        };
        let restored = lockfile::restore_entries(&text, &self.restore);
        if restored == text {
            return Ok(());
        }
        // Written beside and renamed over: a reader never sees half a lock.
        let tmp = self.lock_path.with_extension("lock.cargo-wasix");
        std::fs::write(&tmp, &restored)
            .and_then(|()| std::fs::rename(&tmp, &self.lock_path))
            .with_context(|| {
                format!(
                    "failed to put back the registry entries of `{}`; `cargo update -w` (or any plain cargo build) restores them",
                    self.lock_path.display()
                )
            })
    }
}

/// While alive, SIGINT/SIGHUP only set a flag in this process (a handler, not SIG_IGN, so
/// cargo still gets the default action), so we outlive cargo and clean up after it.
struct StayOnInterrupt {
    #[cfg(unix)]
    ids: Vec<signal_hook::SigId>,
}

impl StayOnInterrupt {
    fn new() -> Self {
        #[cfg(unix)]
        {
            let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let ids = [signal_hook::consts::SIGINT, signal_hook::consts::SIGHUP]
                .into_iter()
                .filter_map(|sig| signal_hook::flag::register(sig, flag.clone()).ok())
                .collect();
            StayOnInterrupt { ids }
        }
        #[cfg(not(unix))]
        StayOnInterrupt {}
    }
}

impl Drop for StayOnInterrupt {
    fn drop(&mut self) {
        #[cfg(unix)]
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Our description of the command, then cargo's own help for it.
fn print_help(subcommand: &str, toolchain: &Toolchain) -> Result<i32> {
    let mut cli = Cli::command();
    let ours = cli
        .find_subcommand_mut(subcommand)
        .map(|c| c.render_long_help().to_string())
        .unwrap_or_default();
    println!("{}", ours.trim_end());
    println!(
        "\ncargo wasix {subcommand} adds `--target {}` unless you give one (`--target {}` for 64-bit memory; a `build.target` naming either is used as is); cargo's own options follow.\n",
        env::TARGET,
        env::TARGET64
    );
    let mut cmd = toolchain.cargo_command();
    cmd.args([subcommand, "--help"]);
    exec::run(&mut cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(cmd: &Command, key: &str) -> Option<Option<String>> {
        cmd.get_envs()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()))
    }

    #[test]
    fn wrapper_env_chains_user_wrapper() {
        let exe = Path::new("/bin/cargo-wasix");
        let cases: &[(Option<&str>, Option<Option<&str>>)] = &[
            (None, Some(None)),
            (Some(""), Some(None)),
            (Some("sccache"), Some(Some("sccache"))),
            // We are already the wrapper (nested invocation): never chain to ourselves.
            (Some("/bin/cargo-wasix"), Some(None)),
        ];
        for (user, expected) in cases {
            let mut cmd = Command::new("cargo");
            let delivery = Delivery::Flag {
                sysroot: "/sys".into(),
            };
            set_wrapper_env(&mut cmd, exe, &delivery, user.map(Into::into));
            assert_eq!(env_of(&cmd, env::SYSROOT_FLAG), Some(Some("1".to_owned())));
            assert_eq!(
                env_of(&cmd, "RUSTC_WRAPPER"),
                Some(Some("/bin/cargo-wasix".to_owned()))
            );
            assert_eq!(env_of(&cmd, env::SYSROOT), Some(Some("/sys".to_owned())));
            let expected = expected.map(|e| e.map(str::to_owned));
            assert_eq!(
                env_of(&cmd, env::CHAINED_WRAPPER),
                expected,
                "user wrapper {user:?}"
            );
        }
    }

    #[test]
    fn toolchain_delivery_passes_the_digest_not_the_flag() {
        let delivery = Delivery::Toolchain {
            dir: "/c/toolchains/t".into(),
            rustc: "/c/toolchains/t/bin/rustc".into(),
            digest: "ab".repeat(32),
        };
        let mut cmd = Command::new("cargo");
        set_wrapper_env(&mut cmd, Path::new("/bin/cargo-wasix"), &delivery, None);
        assert_eq!(
            env_of(&cmd, env::SYSROOT),
            Some(Some("/c/toolchains/t".to_owned()))
        );
        assert_eq!(
            env_of(&cmd, env::SYSROOT_DIGEST),
            Some(Some("ab".repeat(32)))
        );
        assert_eq!(env_of(&cmd, env::SYSROOT_FLAG), Some(None));
    }

    #[test]
    fn runner_env() {
        struct Case {
            exe: &'static str,
            sub: &'static str,
            user_runner: bool,
            runner: Option<Option<&'static str>>,
            defaults: Option<Option<&'static str>>,
            config: bool,
        }
        let cases = [
            Case {
                exe: "/b/cargo-wasix",
                sub: "run",
                user_runner: false,
                runner: Some(Some("/b/cargo-wasix __runner")),
                defaults: Some(None),
                config: false,
            },
            Case {
                exe: "/b/cargo-wasix",
                sub: "test",
                user_runner: false,
                runner: Some(Some("/b/cargo-wasix __runner")),
                defaults: Some(Some("test")),
                config: false,
            },
            Case {
                exe: "/b/cargo-wasix",
                sub: "bench",
                user_runner: true,
                runner: None,
                defaults: Some(Some("test")),
                config: false,
            },
            Case {
                exe: "/my dir/cargo-wasix",
                sub: "run",
                user_runner: false,
                runner: None,
                defaults: Some(None),
                config: true,
            },
        ];
        for case in cases {
            let mut cmd = Command::new("cargo");
            let mut ours = Vec::new();
            set_runner_env(
                &mut cmd,
                Path::new(case.exe),
                Wasix::Wasm32,
                case.sub,
                &mut ours,
                case.user_runner,
            )
            .unwrap();
            let runner = case.runner.map(|r| r.map(str::to_owned));
            assert_eq!(
                env_of(&cmd, "CARGO_TARGET_WASM32_WASMER_WASI_RUNNER"),
                runner,
                "{} {}",
                case.exe,
                case.sub
            );
            let defaults = case.defaults.map(|r| r.map(str::to_owned));
            assert_eq!(
                env_of(&cmd, env::RUNNER_DEFAULTS),
                defaults,
                "{} {}",
                case.exe,
                case.sub
            );
            if case.config {
                assert_eq!(
                    ours,
                    vec![
                        "--config".to_owned(),
                        "target.wasm32-wasmer-wasi.runner=[\"/my dir/cargo-wasix\", \"__runner\"]"
                            .to_owned()
                    ]
                );
            } else {
                assert!(ours.is_empty(), "{ours:?}");
            }
        }
        // wasm64: its own runner variable and config key; wasm32's is left alone.
        let mut cmd = Command::new("cargo");
        let mut ours = Vec::new();
        set_runner_env(
            &mut cmd,
            Path::new("/bin/cw"),
            Wasix::Wasm64,
            "test",
            &mut ours,
            false,
        )
        .unwrap();
        assert_eq!(
            env_of(&cmd, "CARGO_TARGET_WASM64_WASMER_WASI_RUNNER"),
            Some(Some("/bin/cw __runner".to_owned()))
        );
        assert_eq!(env_of(&cmd, "CARGO_TARGET_WASM32_WASMER_WASI_RUNNER"), None);
        let mut ours = Vec::new();
        set_runner_env(
            &mut cmd,
            Path::new("/my dir/cw"),
            Wasix::Wasm64,
            "run",
            &mut ours,
            false,
        )
        .unwrap();
        assert_eq!(
            ours[1],
            "target.wasm64-wasmer-wasi.runner=[\"/my dir/cw\", \"__runner\"]"
        );
    }

    #[cfg(unix)]
    #[test]
    fn wrapper_link_is_per_sysroot() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("cargo-wasix");
        std::fs::write(&exe, "").unwrap();
        let a = wrapper_link(dir.path(), &exe, Path::new("/cache/a/sysroot"), None);
        let b = wrapper_link(dir.path(), &exe, Path::new("/cache/b/sysroot"), None);
        assert_ne!(a, b);
        let opt = Some(Path::new("/bin/wasm-opt"));
        let a_opt = wrapper_link(dir.path(), &exe, Path::new("/cache/a/sysroot"), opt);
        assert_ne!(a, a_opt);
        assert_eq!(std::fs::read_link(&a).unwrap(), exe);
        // Asking again reuses the link.
        assert_eq!(
            wrapper_link(dir.path(), &exe, Path::new("/cache/a/sysroot"), None),
            a
        );
    }

    #[test]
    fn rustdoc_script_quotes_the_path() {
        let cases = [
            ("/b/cargo-wasix", "exec '/b/cargo-wasix' __rustdoc \"$@\"\n"),
            (
                "/it's/cargo-wasix",
                "exec '/it'\\''s/cargo-wasix' __rustdoc \"$@\"\n",
            ),
        ];
        for (exe, tail) in cases {
            let text = rustdoc_script_text(Path::new(exe));
            assert!(text.starts_with("#!/bin/sh\n"), "{text}");
            assert!(text.ends_with(tail), "{text}");
        }
    }

    #[test]
    fn global_verbosity_flags() {
        let cases = [
            (Verbosity::Quiet, vec!["--quiet"]),
            (Verbosity::Normal, vec![]),
            (Verbosity::Verbose, vec!["--verbose"]),
            (Verbosity::VeryVerbose, vec!["--verbose", "--verbose"]),
        ];
        for (verbosity, expected) in cases {
            assert_eq!(global_flags(verbosity), expected, "{verbosity:?}");
        }
    }
}
