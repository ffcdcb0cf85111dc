//! The few settings of the user's cargo configuration files we must respect because our
//! environment variables would override them: a `target.wasm32-wasmer-wasi.runner` (then we
//! do not install ours) and a `build.rustc-wrapper` (then we chain it, as one from
//! `RUSTC_WRAPPER`). Read from `.cargo/config.toml` (or `.cargo/config`) in the current
//! directory and its parents, then `$CARGO_HOME/config.toml`, nearest first as cargo does.

use std::path::{Path, PathBuf};

/// What the configuration files say, as far as we care.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UserConfig {
    /// A runner for our target is configured.
    pub has_runner: bool,
    /// `build.rustc-wrapper`, resolved like cargo does for program paths.
    pub rustc_wrapper: Option<PathBuf>,
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
    for (base, table) in tables {
        let target = table.get("target").and_then(|t| t.get(crate::env::TARGET));
        if target.and_then(|t| t.get("runner")).is_some() {
            config.has_runner = true;
        }
        if config.rustc_wrapper.is_none()
            && let Some(wrapper) = table
                .get("build")
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
    }
    config
}

/// Whether the user's own `--config` arguments set our target's runner.
pub fn args_set_runner(config_args: &[&str]) -> bool {
    let key = format!("target.{}.runner", crate::env::TARGET);
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
        let cases: Vec<(Vec<(&str, &str)>, UserConfig)> = vec![
            (vec![], UserConfig::default()),
            (
                vec![(
                    "/p",
                    "[target.wasm32-wasmer-wasi]\nrunner = \"wasmer run\"\n",
                )],
                UserConfig {
                    has_runner: true,
                    rustc_wrapper: None,
                },
            ),
            (
                vec![(
                    "/p",
                    "[target.wasm32-wasip1]\nrunner = \"x\"\n[build]\nrustc-wrapper = \"sccache\"\n",
                )],
                UserConfig {
                    has_runner: false,
                    rustc_wrapper: Some("sccache".into()),
                },
            ),
            (
                vec![
                    ("/p", "[build]\nrustc-wrapper = \"tools/wrap\"\n"),
                    ("/", "[build]\nrustc-wrapper = \"far\"\n"),
                ],
                UserConfig {
                    has_runner: false,
                    rustc_wrapper: Some("/p/tools/wrap".into()),
                },
            ),
            (
                vec![
                    ("/p", "[build]\njobs = 2\n"),
                    ("/h", "[target.wasm32-wasmer-wasi]\nrunner = [\"a\"]\n"),
                ],
                UserConfig {
                    has_runner: true,
                    rustc_wrapper: None,
                },
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
            assert_eq!(args_set_runner(args), *expected, "{args:?}");
        }
    }
}
