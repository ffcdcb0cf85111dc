//! The wasmtime `Engine`: one per host process, configured for what WASIX toolchains emit
//! (threads + shared memory, SIMD and relaxed SIMD, extended-const, wide arithmetic,
//! exceptions (exnref), memory64, tail calls, multi-memory).

use std::sync::OnceLock;

use wasmtime::{Config, Engine, OptLevel};

use crate::Error;

/// The wasm features the engine enables, by their LLVM target-feature names (the names used in
/// a target spec's `"features"`). Part of the compiled-module cache key.
pub const ENABLED_FEATURES: &[&str] = &[
    "atomics",
    "bulk-memory",
    "bulk-memory-opt",
    "call-indirect-overlong",
    "exception-handling",
    "extended-const",
    "memory64",
    "multimemory",
    "multivalue",
    "mutable-globals",
    "nontrapping-fptoint",
    "reference-types",
    "relaxed-simd",
    "sign-ext",
    "simd128",
    "tail-call",
    "wide-arithmetic",
];

/// The engine configuration.
pub fn config() -> Config {
    let mut cfg = Config::new();
    cfg.wasm_threads(true)
        .shared_memory(true)
        .wasm_bulk_memory(true)
        .wasm_reference_types(true)
        .wasm_multi_value(true)
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .wasm_extended_const(true)
        .wasm_wide_arithmetic(true)
        .wasm_memory64(true)
        .wasm_multi_memory(true)
        .wasm_tail_call(true)
        // exnref exceptions need the function-references/GC type system underneath.
        .wasm_function_references(true)
        .wasm_gc(true)
        .wasm_exceptions(true)
        .cranelift_opt_level(OptLevel::Speed);
    cfg
}

/// A new engine with [`config`].
pub fn new_engine() -> Result<Engine, Error> {
    Engine::new(&config()).map_err(|e| Error::Instantiate(format!("cannot configure wasmtime: {e:#}")))
}

/// The process-wide engine (engines are expensive; one serves every module and thread).
pub fn shared_engine() -> Result<&'static Engine, Error> {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    if let Some(e) = ENGINE.get() {
        return Ok(e);
    }
    let engine = new_engine()?;
    Ok(ENGINE.get_or_init(|| engine))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every feature the WASIX target spec asks LLVM for must be enabled in the engine,
    /// or modules built with it would fail to compile.
    #[test]
    fn target_spec_features_are_enabled() {
        let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../target-specs/wasm32-wasmer-wasi.json");
        let text = std::fs::read_to_string(spec).expect("the target spec is part of the repo");
        let json_features = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("\"features\":"))
            .expect("target spec has a features line")
            .trim()
            .trim_end_matches(',')
            .trim_matches('"')
            .to_string();
        for f in json_features.split(',') {
            let name = f.trim().trim_start_matches('+');
            if f.trim().starts_with('-') {
                continue;
            }
            assert!(ENABLED_FEATURES.contains(&name), "target feature `{name}` is not enabled in the engine");
        }
    }

    #[test]
    fn features_list_is_sorted_and_unique() {
        let mut sorted = ENABLED_FEATURES.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, ENABLED_FEATURES);
    }

    #[test]
    fn engine_builds() {
        new_engine().unwrap();
    }
}
