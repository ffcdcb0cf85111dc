//! Which crates of a workspace build C code: packages in `Cargo.lock` that depend on `cc` or
//! `cmake` (in practice always as a build-dependency). Read before cargo starts, so a missing
//! compiler is one clear error instead of a panic deep inside a build script.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// Build-script helpers that drive a C compiler.
const C_BUILDERS: &[&str] = &["cc", "cmake"];

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// `name version` of every package in the lock text that depends on a C builder, sorted.
pub fn c_building_packages(lock_text: &str) -> Result<Vec<String>> {
    let lock: Lock = toml::from_str(lock_text).context("failed to parse Cargo.lock")?;
    let mut found: Vec<String> = lock
        .package
        .iter()
        .filter(|p| {
            p.dependencies.iter().any(|dep| {
                // Entries are `name`, `name version` or `name version (source)`.
                dep.split_whitespace()
                    .next()
                    .is_some_and(|name| C_BUILDERS.contains(&name))
            })
        })
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    found.sort();
    found.dedup();
    Ok(found)
}

/// [`c_building_packages`] of the `Cargo.lock` in `root` (none when there is no lock).
pub fn c_building_packages_in(root: &Path) -> Result<Vec<String>> {
    let path = root.join("Cargo.lock");
    match std::fs::read_to_string(&path) {
        Ok(text) => c_building_packages(&text).with_context(|| format!("in `{}`", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("failed to read `{}`", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_packages_with_c_builders() {
        let lock = r#"
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["zstd", "serde"]

[[package]]
name = "zstd-sys"
version = "2.0.15+zstd.1.5.7"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["cc", "pkg-config"]

[[package]]
name = "libz-sys"
version = "1.1.22"
dependencies = ["cc 1.2.30 (registry+https://github.com/rust-lang/crates.io-index)", "libc"]

[[package]]
name = "zlib-ng"
version = "0.1.0"
dependencies = ["cmake"]

[[package]]
name = "ccache-ish"
version = "0.1.0"
dependencies = ["ccx", "cc-traits"]

[[package]]
name = "cc"
version = "1.2.30"
dependencies = ["shlex"]
"#;
        assert_eq!(
            c_building_packages(lock).unwrap(),
            [
                "libz-sys 1.1.22",
                "zlib-ng 0.1.0",
                "zstd-sys 2.0.15+zstd.1.5.7"
            ]
        );
        assert!(c_building_packages("version = 4\n").unwrap().is_empty());
        assert!(c_building_packages("[[package]]\nname = 1").is_err());
    }
}
