//! Malformed modules (issue 14): wasm-smith modules and truncated or bit-flipped real modules
//! given to `wasix_runtime::run` in-process. Each must give a clear error or an exit code —
//! never a host panic, never a hang.
//!
//! Hangs are bounded two ways: smith modules get wasm-smith's `ensure_termination` (a fuel
//! global decremented in every loop and function entry, trapping when it runs out), and every
//! run happens on a worker thread the test waits for at most `LIMIT`.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use arbitrary::Unstructured;

use super::harness::guest;

/// Longest a single module may run.
const LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct Outcomes {
    exited_0: usize,
    exited_other: usize,
    /// Errors by their first words (e.g. "failed to compile").
    errors: std::collections::BTreeMap<String, usize>,
    panics: Vec<String>,
}

impl Outcomes {
    fn total(&self) -> usize {
        self.exited_0 + self.exited_other + self.errors.values().sum::<usize>() + self.panics.len()
    }
}

/// Runs `bytes` as a module file on a worker thread; panics (test failure) on a hang.
fn run_bytes(dir: &Path, name: &str, bytes: &[u8], out: &mut Outcomes) {
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, bytes).expect("write module");
    let (tx, rx) = mpsc::channel();
    let opts = wasix_runtime::RunOptions::new(&path);
    std::thread::Builder::new()
        .name(format!("malformed-{name}"))
        .stack_size(8 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(|| wasix_runtime::run(opts));
            let _ = tx.send(r.map_err(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            }));
        })
        .expect("spawn a runner thread");
    match rx.recv_timeout(LIMIT) {
        Err(_) => panic!("{name}: no result after {LIMIT:?} (hang)"),
        Ok(Err(msg)) => out.panics.push(format!("{name}: {msg}")),
        Ok(Ok(Ok(0))) => out.exited_0 += 1,
        Ok(Ok(Ok(_))) => out.exited_other += 1,
        Ok(Ok(Err(e))) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&*path.to_string_lossy()) || msg.starts_with("failed to start"),
                "{name}: the error does not name the module: {msg}"
            );
            let head: String = msg.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            *out.errors.entry(head).or_default() += 1;
        }
    }
    let _ = std::fs::remove_file(&path);
}

/// The module's bytes without custom sections (debug info), so corruptions hit code and
/// data and each compile stays short.
fn strip_custom_sections(wasm: &[u8]) -> Vec<u8> {
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let (mut size, mut shift, mut p) = (0usize, 0, at + 1);
        loop {
            let b = wasm[p];
            size |= usize::from(b & 0x7f) << shift;
            shift += 7;
            p += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        let end = p + size;
        if id != 0 {
            out.extend_from_slice(&wasm[at..end]);
        }
        at = end;
    }
    out
}

/// SplitMix64 for reproducible corruption positions.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn corrupted_real_modules_fail_cleanly() {
    let real = std::fs::read(guest("core_hello")).expect("read core_hello.wasm");
    let wasm = strip_custom_sections(&real);
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut out = Outcomes::default();
    let mut state = 14u64;
    // 50 truncations (spread over the file, the header included) and 50 runs with 1..=8
    // random bit flips.
    for i in 0..50u64 {
        let cut = if i < 4 {
            i as usize
        } else {
            (next(&mut state) % wasm.len() as u64) as usize
        };
        run_bytes(tmp.path(), &format!("trunc{i}"), &wasm[..cut], &mut out);
    }
    for i in 0..50u64 {
        let mut bytes = wasm.clone();
        for _ in 0..=(next(&mut state) % 8) {
            let bit = next(&mut state) % (bytes.len() as u64 * 8);
            bytes[(bit / 8) as usize] ^= 1 << (bit % 8);
        }
        run_bytes(tmp.path(), &format!("flip{i}"), &bytes, &mut out);
    }
    eprintln!("corrupted modules: {out:?}");
    assert_eq!(out.total(), 100);
    assert!(out.panics.is_empty(), "host panics: {:#?}", out.panics);
    // Truncations never make a valid module.
    assert!(out.errors.values().sum::<usize>() >= 50, "{out:?}");
}

/// The wasm-smith configuration: features our engine enables, small memories and tables,
/// no imports, and an exported `_start: [] -> []` so `run` executes the module.
fn smith_config() -> wasm_smith::Config {
    let start =
        wat::parse_str(r#"(module (func (export "_start")))"#).expect("the exports template");
    wasm_smith::Config {
        exports: Some(start),
        max_imports: 0,
        max_memories: 2,
        max_memory32_bytes: 16 << 20,
        max_memory64_bytes: 16 << 20,
        max_table_elements: 10_000,
        max_instructions: 2_000,
        threads_enabled: true,
        simd_enabled: true,
        relaxed_simd_enabled: true,
        exceptions_enabled: true,
        wide_arithmetic_enabled: true,
        ..Default::default()
    }
}

#[test]
fn wasm_smith_modules_never_panic_or_hang() {
    let count: u64 = std::env::var("WASIX_SMITH_MODULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut out = Outcomes::default();
    let mut generated = 0;
    let mut data = vec![0u8; 4096];
    for seed in 0..count {
        let mut state = seed;
        for chunk in data.chunks_mut(8) {
            let v = next(&mut state).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        let mut u = Unstructured::new(&data);
        let Ok(mut module) = wasm_smith::Module::new(smith_config(), &mut u) else {
            continue;
        };
        // Fuel: 10k loop iterations/calls, then the module traps.
        if module.ensure_termination(10_000).is_err() {
            continue;
        }
        generated += 1;
        run_bytes(
            tmp.path(),
            &format!("smith{seed}"),
            &module.to_bytes(),
            &mut out,
        );
    }
    eprintln!("wasm-smith: {generated} of {count} seeds gave a module: {out:?}");
    assert!(
        generated as u64 >= count * 9 / 10,
        "too few modules generated"
    );
    assert!(out.panics.is_empty(), "host panics: {:#?}", out.panics);
}
