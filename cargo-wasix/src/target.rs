//! Our two targets and the names that differ between them.
//!
//! One cargo run builds for one of them: the user command picks it from `--target` and tells
//! the wrapper, rustdoc and runner modes through [`crate::env::WASIX_TARGET`], so each mode
//! compares rustc's `--target` against the one target whose sysroot it was given.

use crate::env;

/// A WASIX target cargo-wasix builds for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wasix {
    /// `wasm32-wasmer-wasi`, the default.
    Wasm32,
    /// `wasm64-wasmer-wasi` (memory64; std over libwasix's libc64).
    Wasm64,
}

impl Wasix {
    pub const ALL: [Wasix; 2] = [Wasix::Wasm32, Wasix::Wasm64];

    /// The target triple.
    pub fn triple(self) -> &'static str {
        match self {
            Wasix::Wasm32 => env::TARGET,
            Wasix::Wasm64 => env::TARGET64,
        }
    }

    /// The target named exactly `triple`.
    pub fn from_triple(triple: &str) -> Option<Wasix> {
        Wasix::ALL.into_iter().find(|t| t.triple() == triple)
    }

    /// The target a `--target` value names: the triple itself or a path to `<triple>.json`.
    pub fn from_flag(value: &str) -> Option<Wasix> {
        Wasix::ALL.into_iter().find(|t| is_named(value, t.triple()))
    }

    /// Cargo's runner variable for this target (`CARGO_TARGET_<TRIPLE>_RUNNER`).
    pub fn runner_var(self) -> String {
        format!(
            "CARGO_TARGET_{}_RUNNER",
            self.triple().to_ascii_uppercase().replace('-', "_")
        )
    }

    /// The target of this cargo run, as the user command set it for the wrapper, rustdoc and
    /// runner modes (unset: the default target, as for a wrapper started by an older user
    /// command).
    pub fn of_this_run() -> Wasix {
        std::env::var(env::WASIX_TARGET)
            .ok()
            .and_then(|t| Wasix::from_triple(&t))
            .unwrap_or(Wasix::Wasm32)
    }
}

/// A `--target` value names `triple` directly or as a path to `<triple>.json`.
fn is_named(value: &str, triple: &str) -> bool {
    value == triple
        || std::path::Path::new(value)
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.strip_suffix(".json") == Some(triple))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_per_target() {
        assert_eq!(
            Wasix::Wasm32.runner_var(),
            "CARGO_TARGET_WASM32_WASMER_WASI_RUNNER"
        );
        assert_eq!(
            Wasix::Wasm64.runner_var(),
            "CARGO_TARGET_WASM64_WASMER_WASI_RUNNER"
        );
        for target in Wasix::ALL {
            assert_eq!(Wasix::from_triple(target.triple()), Some(target));
        }
        assert_eq!(Wasix::from_triple("wasm32-wasip1"), None);
    }

    #[test]
    fn flag_values_name_targets() {
        let cases: &[(&str, Option<Wasix>)] = &[
            ("wasm32-wasmer-wasi", Some(Wasix::Wasm32)),
            ("wasm64-wasmer-wasi", Some(Wasix::Wasm64)),
            ("specs/wasm64-wasmer-wasi.json", Some(Wasix::Wasm64)),
            ("/abs/wasm32-wasmer-wasi.json", Some(Wasix::Wasm32)),
            ("wasm32-wasmer-wasi.json.bak", None),
            ("wasm32-wasip1", None),
            ("x86_64-unknown-linux-gnu", None),
        ];
        for (value, want) in cases {
            assert_eq!(Wasix::from_flag(value), *want, "{value}");
        }
    }
}
