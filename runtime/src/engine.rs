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
        .cranelift_opt_level(OptLevel::Speed)
        // Address space only (no RAM): shared memories grow in place, so this is how far a
        // wasm64 program can grow (`--max-memory` stops there).
        .memory_reservation(crate::limits::MAX_MAX_MEMORY);
    cfg
}

/// The configuration for child processes: [`config`] plus epoch interruption, so a process
/// can end its other threads (and a parent kill a child) while they run wasm:
/// `Process::begin_exit` bumps the epoch and each store's deadline callback traps only stores
/// of a dying process. The check per loop and call measured about 10-15 % on a CPU-bound
/// guest, so the first process of a run, which ends the host process instead, runs on the
/// plain engine.
pub fn interruptible_config() -> Config {
    let mut cfg = config();
    cfg.epoch_interruption(true);
    cfg
}

/// A new engine with [`config`].
pub fn new_engine() -> Result<Engine, Error> {
    Engine::new(&config())
        .map_err(|e| Error::Instantiate(format!("cannot configure wasmtime: {e:#}")))
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

/// The process-wide engine for child processes ([`interruptible_config`]).
pub fn shared_interruptible_engine() -> Result<&'static Engine, Error> {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    if let Some(e) = ENGINE.get() {
        return Ok(e);
    }
    let engine = Engine::new(&interruptible_config())
        .map_err(|e| Error::Instantiate(format!("cannot configure wasmtime: {e:#}")))?;
    Ok(ENGINE.get_or_init(|| engine))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every feature the WASIX target spec asks LLVM for must be enabled in the engine,
    /// or modules built with it would fail to compile.
    #[test]
    fn target_spec_features_are_enabled() {
        let spec = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target-specs/wasm32-wasmer-wasi.json"
        );
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
            assert!(
                ENABLED_FEATURES.contains(&name),
                "target feature `{name}` is not enabled in the engine"
            );
        }
    }

    #[test]
    fn features_list_is_sorted_and_unique() {
        let mut sorted = ENABLED_FEATURES.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, ENABLED_FEATURES);
    }

    /// One module per enabled proposal, using an instruction only that proposal has.
    #[test]
    fn engine_accepts_every_enabled_proposal() {
        let engine = new_engine().unwrap();
        let cases: &[(&str, &str)] = &[
            (
                "atomics",
                r#"(memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0))))"#,
            ),
            (
                "bulk-memory",
                r#"(memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))"#,
            ),
            (
                "sign-ext",
                r#"(func (param i32) (result i32) (i32.extend8_s (local.get 0)))"#,
            ),
            (
                "nontrapping-fptoint",
                r#"(func (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))"#,
            ),
            (
                "simd128",
                r#"(func (result v128) (v128.const i32x4 1 2 3 4))"#,
            ),
            (
                "relaxed-simd",
                r#"(func (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))"#,
            ),
            (
                "extended-const",
                r#"(global i32 (i32.add (i32.const 1) (i32.const 2)))"#,
            ),
            (
                "wide-arithmetic",
                r#"(func (param i64 i64 i64 i64) (result i64 i64) (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))"#,
            ),
            (
                "exception-handling",
                r#"(tag $e (param i32)) (func (result i32) (block $h (result i32) (try_table (catch $e $h) (throw $e (i32.const 1))) (i32.const 0)))"#,
            ),
            (
                "memory64",
                r#"(memory i64 1) (func (drop (i32.load (i64.const 0))))"#,
            ),
            ("multimemory", r#"(memory 1) (memory 1)"#),
            ("tail-call", r#"(func $f (return_call $f))"#),
            (
                "multivalue",
                r#"(func (result i32 i32) (i32.const 1) (i32.const 2))"#,
            ),
            (
                "reference-types",
                r#"(table 1 funcref) (func (drop (ref.null func)))"#,
            ),
        ];
        for (feature, body) in cases {
            assert!(
                ENABLED_FEATURES.contains(feature),
                "{feature} is tested but not listed"
            );
            let wat = format!("(module {body})");
            if let Err(e) = wasmtime::Module::new(&engine, &wat) {
                panic!("{feature}: {e:#}");
            }
        }
    }
}
