//! The optional WebAssembly target features (issue 12, step 4): which of them std and the
//! user's crates are compiled with, from `CARGO_WASIX_TARGET_FEATURES` (`-simd128` for an older
//! runtime, `+relaxed-simd` to add one), and how they enter the target spec.
//!
//! Features reach rustc the way the fixed ones (`+atomics`, `+bulk-memory`, ...) always have:
//! through the `features` field of the target spec installed into the sysroot
//! (`lib/rustlib/<target>/target.json`), which both the std build and every user compile of
//! the target read. A feature set is therefore part of the sysroot's cache key: each set gets
//! its own sysroot, and cargo rebuilds user crates when the sysroot changes.

use std::fmt;

/// The environment variable holding the feature changes (`+name`/`-name`, comma-separated).
pub const ENV: &str = "CARGO_WASIX_TARGET_FEATURES";

/// Features the target spec always enables, with the reason they cannot be turned off.
pub const FIXED: &[(&str, &str)] = &[
    ("atomics", "threads share one memory"),
    (
        "bulk-memory",
        "shared memory is initialised with passive segments",
    ),
    ("mutable-globals", "every thread has its own stack pointer"),
    ("sign-ext", "the prebuilt wasi-libc uses it"),
    ("nontrapping-fptoint", "the prebuilt wasi-libc uses it"),
    (
        "exception-handling",
        "`panic = \"unwind\"` unwinds with wasm exceptions",
    ),
];

/// One optional feature: its LLVM name, whether it is on by default, and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Optional {
    /// The LLVM / rustc name (`simd128`).
    pub name: &'static str,
    /// On unless turned off.
    pub default: bool,
    /// Another optional feature it cannot go without.
    pub requires: Option<&'static str>,
    /// A known problem, shown as a warning when the feature is turned on.
    pub caution: Option<&'static str>,
}

/// The optional features, in the order they are written into the spec. Upstream wasix builds
/// with `+simd128,+extended-const,+wide-arithmetic`; wide arithmetic is opt-in here because
/// float formatting comes out wrong with it (see its caution), and relaxed SIMD because std
/// compiled with it emitted no relaxed instruction (measured, BENCHMARKS.md).
pub const OPTIONAL: &[Optional] = &[
    Optional {
        name: "simd128",
        default: true,
        requires: None,
        caution: None,
    },
    Optional {
        name: "extended-const",
        default: true,
        requires: None,
        caution: None,
    },
    Optional {
        name: "wide-arithmetic",
        default: false,
        requires: None,
        caution: Some(
            "with `+wide-arithmetic`, std (rustc 1.95) formats floats wrongly on the bundled runtime \
             (`179.166281` prints as `0.000…`, `{:.1}` can panic in core::num::flt2dec); \
             integer 128-bit arithmetic is right. Leave it off unless you have checked your program",
        ),
    },
    Optional {
        name: "relaxed-simd",
        default: false,
        requires: Some("simd128"),
        caution: None,
    },
];

/// A choice of the optional features (one flag per entry of [`OPTIONAL`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TargetFeatures {
    enabled: Vec<bool>,
}

impl Default for TargetFeatures {
    fn default() -> Self {
        TargetFeatures {
            enabled: OPTIONAL.iter().map(|f| f.default).collect(),
        }
    }
}

/// Why a feature list was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureError {
    /// An entry without a leading `+` or `-`.
    NoSign(String),
    /// A name that is neither optional nor fixed.
    Unknown(String),
    /// `-name` of a fixed feature.
    Fixed {
        /// The feature.
        name: String,
        /// Why the target needs it.
        reason: &'static str,
    },
    /// A feature on while one it requires is off.
    Requires {
        /// The feature that is on.
        name: &'static str,
        /// The feature that is off.
        requires: &'static str,
    },
}

impl fmt::Display for FeatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeatureError::NoSign(entry) => write!(
                f,
                "`{entry}` has no sign: write `+{entry}` to turn it on or `-{entry}` to turn it off"
            ),
            FeatureError::Unknown(name) => write!(f, "unknown target feature `{name}`"),
            FeatureError::Fixed { name, reason } => {
                write!(f, "`{name}` cannot be turned off on this target ({reason})")
            }
            FeatureError::Requires { name, requires } => {
                write!(f, "`+{name}` needs `{requires}`, which is turned off")
            }
        }
    }
}

impl TargetFeatures {
    /// Parses the variable's value: comma- or space-separated `+name`/`-name` changes to the
    /// defaults, applied left to right. `+` of a fixed feature is accepted (it is on anyway).
    pub fn parse(value: &str) -> Result<Self, FeatureError> {
        let mut features = TargetFeatures::default();
        for entry in value
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
        {
            let (on, name) = match (entry.strip_prefix('+'), entry.strip_prefix('-')) {
                (Some(name), _) => (true, name),
                (_, Some(name)) => (false, name),
                _ => return Err(FeatureError::NoSign(entry.to_owned())),
            };
            if let Some(i) = OPTIONAL.iter().position(|f| f.name == name) {
                features.enabled[i] = on;
            } else if let Some((_, reason)) = FIXED.iter().find(|(fixed, _)| *fixed == name) {
                if !on {
                    return Err(FeatureError::Fixed {
                        name: name.to_owned(),
                        reason,
                    });
                }
            } else {
                return Err(FeatureError::Unknown(name.to_owned()));
            }
        }
        for (feature, on) in OPTIONAL.iter().zip(&features.enabled) {
            if let (true, Some(requires)) = (*on, feature.requires)
                && !features.is_enabled(requires)
            {
                return Err(FeatureError::Requires {
                    name: feature.name,
                    requires,
                });
            }
        }
        Ok(features)
    }

    /// Whether the optional feature `name` is on.
    pub fn is_enabled(&self, name: &str) -> bool {
        OPTIONAL
            .iter()
            .zip(&self.enabled)
            .any(|(f, on)| f.name == name && *on)
    }

    /// The cautions of the enabled features (known problems to warn about).
    pub fn cautions(&self) -> Vec<&'static str> {
        OPTIONAL
            .iter()
            .zip(&self.enabled)
            .filter_map(|(f, on)| if *on { f.caution } else { None })
            .collect()
    }

    /// Whether this is the default choice.
    pub fn is_default(&self) -> bool {
        *self == TargetFeatures::default()
    }

    /// The spec's `features` value: `fixed` (the spec's own, unchanged) followed by every
    /// optional feature, explicitly on or off.
    pub fn spec_features(&self, fixed: &str) -> String {
        let mut out = fixed.trim_end_matches(',').to_owned();
        for (feature, on) in OPTIONAL.iter().zip(&self.enabled) {
            if !out.is_empty() {
                out.push(',');
            }
            out.push(if *on { '+' } else { '-' });
            out.push_str(feature.name);
        }
        out
    }

    /// The target spec JSON with its `features` extended by this choice (see
    /// [`Self::spec_features`]); the spec's other fields are kept.
    pub fn apply_to_spec(&self, spec: &[u8]) -> Result<Vec<u8>, String> {
        let mut json: serde_json::Value =
            serde_json::from_slice(spec).map_err(|e| format!("invalid target spec: {e}"))?;
        let object = json
            .as_object_mut()
            .ok_or("the target spec is not a JSON object")?;
        let fixed = object
            .get("features")
            .and_then(|f| f.as_str())
            .unwrap_or_default();
        let features = self.spec_features(fixed);
        object.insert("features".to_owned(), features.into());
        let mut bytes =
            serde_json::to_vec_pretty(&json).map_err(|e| format!("cannot write the spec: {e}"))?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// The valid names, for a `help:` line.
    pub fn help() -> String {
        let optional: Vec<String> = OPTIONAL
            .iter()
            .map(|f| format!("{} ({})", f.name, if f.default { "on" } else { "off" }))
            .collect();
        let fixed: Vec<&str> = FIXED.iter().map(|(name, _)| *name).collect();
        format!(
            "{ENV} takes `+name`/`-name` separated by commas; optional features (default): {}; always on: {}",
            optional.join(", "),
            fixed.join(", ")
        )
    }
}

/// The optional features as `+a,+b,-c` (stable: part of the sysroot cache key).
impl fmt::Display for TargetFeatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec_features(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let defaults = "+simd128,+extended-const,-wide-arithmetic,-relaxed-simd";
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("", Ok(defaults)),
            ("  ", Ok(defaults)),
            (
                "-simd128",
                Ok("-simd128,+extended-const,-wide-arithmetic,-relaxed-simd"),
            ),
            (
                "+relaxed-simd",
                Ok("+simd128,+extended-const,-wide-arithmetic,+relaxed-simd"),
            ),
            (
                "-simd128, -extended-const -wide-arithmetic",
                Ok("-simd128,-extended-const,-wide-arithmetic,-relaxed-simd"),
            ),
            // Left to right: the last word wins.
            ("-simd128,+simd128", Ok(defaults)),
            // Fixed features may be named as on; they are on anyway.
            ("+atomics,+exception-handling", Ok(defaults)),
            ("+simd", Err("unknown target feature `simd`")),
            ("-threads", Err("unknown target feature `threads`")),
            ("simd128", Err("`simd128` has no sign")),
            ("-atomics", Err("`atomics` cannot be turned off")),
            (
                "-exception-handling",
                Err("`exception-handling` cannot be turned off"),
            ),
            (
                "-simd128,+relaxed-simd",
                Err("`+relaxed-simd` needs `simd128`, which is turned off"),
            ),
        ];
        for (value, want) in cases {
            let got = TargetFeatures::parse(value)
                .map(|f| f.to_string())
                .map_err(|e| e.to_string());
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{value:?}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{value:?}: {got}"),
                (got, want) => panic!("{value:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn default_and_queries() {
        let default = TargetFeatures::default();
        assert!(default.is_default());
        assert!(default.is_enabled("simd128"));
        assert!(!default.is_enabled("relaxed-simd"));
        assert!(!default.is_enabled("atomics"), "only optional ones");
        assert!(!default.is_enabled("wide-arithmetic"));
        assert!(default.cautions().is_empty());
        let on = TargetFeatures::parse("+wide-arithmetic").expect("valid");
        assert!(!on.is_default());
        assert!(on.is_enabled("wide-arithmetic"));
        assert_eq!(on.cautions().len(), 1);
        assert!(on.cautions()[0].contains("formats floats wrongly"));
    }

    #[test]
    fn help_names_every_feature() {
        let help = TargetFeatures::help();
        for f in OPTIONAL {
            assert!(help.contains(f.name), "{help}");
        }
        for (name, _) in FIXED {
            assert!(help.contains(name), "{help}");
        }
        assert!(help.contains("relaxed-simd (off)"), "{help}");
    }

    #[test]
    fn spec_features_extend_the_fixed_ones() {
        let f = TargetFeatures::parse("-simd128").expect("valid");
        assert_eq!(
            f.spec_features("+atomics,+bulk-memory"),
            "+atomics,+bulk-memory,-simd128,+extended-const,-wide-arithmetic,-relaxed-simd"
        );
        let spec = br#"{"arch": "wasm32", "features": "+atomics", "llvm-args": ["-x"]}"#;
        let out = f.apply_to_spec(spec).expect("valid spec");
        let json: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(
            json["features"],
            "+atomics,-simd128,+extended-const,-wide-arithmetic,-relaxed-simd"
        );
        assert_eq!(json["arch"], "wasm32");
        assert_eq!(json["llvm-args"][0], "-x");
        assert!(f.apply_to_spec(b"[1]").is_err());
    }

    #[test]
    fn the_embedded_spec_holds_exactly_the_fixed_features() {
        let inputs = crate::embedded::Inputs::embedded();
        let spec = inputs.target_spec(crate::TARGET).expect("embedded spec");
        let json: serde_json::Value = serde_json::from_slice(spec).expect("json");
        let fixed: Vec<&str> = FIXED.iter().map(|(name, _)| *name).collect();
        let in_spec: Vec<&str> = json["features"]
            .as_str()
            .expect("features")
            .split(',')
            .map(|f| f.trim_start_matches('+'))
            .collect();
        assert_eq!(in_spec, fixed);
    }
}
