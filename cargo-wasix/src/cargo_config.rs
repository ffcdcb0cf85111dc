//! The few settings of the user's cargo configuration files we must respect because our
//! environment variables or flags would override them: a `target.<our target>.runner` (then
//! we do not install ours), a `build.rustc-wrapper` (then we chain it, as one from
//! `RUSTC_WRAPPER`) and a `build.target` naming one of our targets (then that is the target,
//! as in plain cargo). Read from `.cargo/config.toml` (or `.cargo/config`) in the current
//! directory and its parents, then `$CARGO_HOME/config.toml`, nearest first as cargo does.

use std::path::{Path, PathBuf};

use crate::target::Wasix;

/// What the configuration files say, as far as we care.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UserConfig {
    /// Our targets that have a runner configured.
    pub runners: Vec<Wasix>,
    /// `build.rustc-wrapper`, resolved like cargo does for program paths.
    pub rustc_wrapper: Option<PathBuf>,
    /// The nearest `build.target` (a string or an array of strings).
    pub build_targets: Vec<String>,
}

impl UserConfig {
    /// Whether a runner for `target` is configured.
    pub fn has_runner(&self, target: Wasix) -> bool {
        self.runners.contains(&target)
    }
}

/// Reads the configuration visible from `cwd` (unreadable or invalid files are cargo's to
/// report; they are skipped here).
pub fn read(cwd: &Path) -> UserConfig {
    let mut files = Vec::new();
    for dir in cwd.ancestors() {
        for name in ["config.toml", "config"] {
            let path = dir.join(".cargo").join(name);
            if path.is_file() {
                files.push((dir.to_owned(), path));
                break;
            }
        }
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = cargo_home {
        let path = home.join("config.toml");
        if path.is_file() && !files.iter().any(|(_, p)| *p == path) {
            files.push((home.parent().map(Path::to_owned).unwrap_or_default(), path));
        }
    }
    let tables: Vec<(PathBuf, toml::Table)> = files
        .into_iter()
        .filter_map(|(base, path)| Some((base, std::fs::read_to_string(path).ok()?.parse().ok()?)))
        .collect();
    from_tables(&tables)
}

/// Pure core: `(directory containing .cargo, parsed file)`, nearest first.
pub fn from_tables(tables: &[(PathBuf, toml::Table)]) -> UserConfig {
    let mut config = UserConfig::default();
    let mut build_target_seen = false;
    for (base, table) in tables {
        for target in Wasix::ALL {
            let section = table.get("target").and_then(|t| t.get(target.triple()));
            if section.and_then(|t| t.get("runner")).is_some() && !config.runners.contains(&target)
            {
                config.runners.push(target);
            }
        }
        let build = table.get("build");
        if config.rustc_wrapper.is_none()
            && let Some(wrapper) = build
                .and_then(|b| b.get("rustc-wrapper"))
                .and_then(|w| w.as_str())
            && !wrapper.is_empty()
        {
            // Cargo: a program path with a separator is relative to the config's base dir.
            config.rustc_wrapper = Some(if wrapper.contains('/') {
                base.join(wrapper)
            } else {
                PathBuf::from(wrapper)
            });
        }
        if !build_target_seen && let Some(target) = build.and_then(|b| b.get("target")) {
            build_target_seen = true;
            config.build_targets = match target {
                toml::Value::String(one) => vec![one.clone()],
                toml::Value::Array(many) => many
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
        }
    }
    config
}

/// The targets cargo builds for when no `--target` is given: `CARGO_BUILD_TARGET`, else the
/// configuration's `build.target`.
pub fn default_targets(config: &UserConfig) -> Vec<String> {
    match std::env::var("CARGO_BUILD_TARGET") {
        Ok(target) if !target.is_empty() => vec![target],
        _ => config.build_targets.clone(),
    }
}

/// Whether the user's own `--config` arguments set `target`'s runner.
pub fn args_set_runner(config_args: &[&str], target: Wasix) -> bool {
    let key = format!("target.{}.runner", target.triple());
    config_args
        .iter()
        .any(|value| value.trim_start().starts_with(&key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn settings_from_config_files() {
        let config = |runners: &[Wasix], wrapper: Option<&str>, targets: &[&str]| UserConfig {
            runners: runners.to_vec(),
            rustc_wrapper: wrapper.map(PathBuf::from),
            build_targets: targets.iter().map(|t| t.to_string()).collect(),
        };
        let cases: Vec<(Vec<(&str, &str)>, UserConfig)> = vec![
            (vec![], UserConfig::default()),
            (
                vec![(
                    "/p",
                    "[target.wasm32-wasmer-wasi]\nrunner = \"wasmer run\"\n",
                )],
                config(&[Wasix::Wasm32], None, &[]),
            ),
            (
                vec![(
                    "/p",
                    "[target.wasm32-wasip1]\nrunner = \"x\"\n[build]\nrustc-wrapper = \"sccache\"\n",
                )],
                config(&[], Some("sccache"), &[]),
            ),
            (
                vec![
                    ("/p", "[build]\nrustc-wrapper = \"tools/wrap\"\n"),
                    ("/", "[build]\nrustc-wrapper = \"far\"\n"),
                ],
                config(&[], Some("/p/tools/wrap"), &[]),
            ),
            (
                vec![
                    ("/p", "[build]\njobs = 2\n"),
                    ("/h", "[target.wasm32-wasmer-wasi]\nrunner = [\"a\"]\n"),
                ],
                config(&[Wasix::Wasm32], None, &[]),
            ),
            // Each target's runner is its own.
            (
                vec![("/p", "[target.wasm64-wasmer-wasi]\nrunner = \"x\"\n")],
                config(&[Wasix::Wasm64], None, &[]),
            ),
            // `build.target`: the nearest file that sets it wins, a string or an array.
            (
                vec![
                    ("/p", "[build]\ntarget = \"wasm64-wasmer-wasi\"\n"),
                    ("/", "[build]\ntarget = \"x86_64-unknown-linux-gnu\"\n"),
                ],
                config(&[], None, &["wasm64-wasmer-wasi"]),
            ),
            (
                vec![
                    ("/p", "[build]\njobs = 1\n"),
                    ("/", "[build]\ntarget = [\"a\", \"wasm32-wasmer-wasi\"]\n"),
                ],
                config(&[], None, &["a", "wasm32-wasmer-wasi"]),
            ),
        ];
        for (files, expected) in cases {
            let tables: Vec<(PathBuf, toml::Table)> = files
                .iter()
                .map(|(b, t)| (PathBuf::from(b), table(t)))
                .collect();
            assert_eq!(from_tables(&tables), expected, "{files:?}");
        }
    }

    #[test]
    fn runner_in_config_arguments() {
        let cases: &[(&[&str], bool)] = &[
            (&[], false),
            (&["patch.crates-io.libc.path=\"x\""], false),
            (&["target.wasm32-wasmer-wasi.runner=\"wasmer\""], true),
            (&["target.wasm32-wasip1.runner=\"x\""], false),
        ];
        for (args, expected) in cases {
            assert_eq!(args_set_runner(args, Wasix::Wasm32), *expected, "{args:?}");
        }
        // Each target has its own runner key.
        let wasm64 = ["target.wasm64-wasmer-wasi.runner=\"wasmer\""];
        assert!(args_set_runner(&wasm64, Wasix::Wasm64));
        assert!(!args_set_runner(&wasm64, Wasix::Wasm32));
    }
}
