//! Which crates of a workspace build C code: packages in `Cargo.lock` that depend on `cc` or
//! `cmake` (in practice always as a build-dependency). Read before cargo starts, so a missing
//! compiler is one clear error instead of a panic deep inside a build script.

use crate::lockfile::LockEntry;

/// Build-script helpers that drive a C compiler.
const C_BUILDERS: &[&str] = &["cc", "cmake"];

/// `name version` of every locked package that depends on a C builder, sorted.
pub fn c_building_packages(lock: &[LockEntry]) -> Vec<String> {
    let mut found: Vec<String> = lock
        .iter()
        .filter(|p| {
            p.dependencies
                .iter()
                .any(|dep| C_BUILDERS.contains(&dep.as_str()))
        })
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::lock_entries;

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
            c_building_packages(&lock_entries(lock)),
            [
                "libz-sys 1.1.22",
                "zlib-ng 0.1.0",
                "zstd-sys 2.0.15+zstd.1.5.7"
            ]
        );
        assert!(c_building_packages(&lock_entries("version = 4\n")).is_empty());
    }
}
