//! The wasm64 std build's preview-1 crate (`sysroot/wasi64/lib.rs`, generated) imports every
//! call from `wasix_64v1` with exactly the signature this runtime registers there: a mismatch
//! would otherwise surface as a link error of every wasm64 program at instantiation.

use wasmtime::{Linker, Module};

use crate::mem::M64;
use crate::syscalls;
use crate::thread::ThreadCtx;

/// The generated crate's raw import block.
const GENERATED: &str = include_str!("../../sysroot/wasi64/lib.rs");

/// `(name, params, has_result)` of each `pub fn name(arg0: i32, ...) -> i32;` line.
fn imports(source: &str) -> Vec<(String, Vec<String>, bool)> {
    source
        .lines()
        .filter_map(|line| {
            let decl = line.trim().strip_prefix("pub fn ")?.strip_suffix(';')?;
            let (name, rest) = decl.split_once('(')?;
            let (args, ret) = rest.split_once(')')?;
            let params = args
                .split(',')
                .filter_map(|a| a.split_once(':').map(|(_, ty)| ty.trim().to_owned()))
                .collect();
            Some((name.to_owned(), params, ret.trim() == "-> i32"))
        })
        .collect()
}

#[test]
fn generated_wasi64_imports_match_the_wasix_64v1_registrations() {
    let imports = imports(GENERATED);
    assert!(imports.len() >= 40, "parsed {} imports", imports.len());
    let mut wat = String::from("(module\n");
    for (name, params, has_result) in &imports {
        let result = if *has_result { "(result i32)" } else { "" };
        wat.push_str(&format!(
            "  (import \"wasix_64v1\" \"{name}\" (func (param {}) {result}))\n",
            params.join(" ")
        ));
    }
    wat.push(')');
    let engine = crate::engine::shared_engine().expect("engine");
    let module = Module::new(engine, &wat).expect("module");
    let mut linker: Linker<ThreadCtx> = Linker::new(engine);
    syscalls::add_all::<M64>(&mut linker, "wasix_64v1").expect("registrations");
    if let Err(e) = linker.instantiate_pre(&module) {
        panic!("{e:#}\n{wat}");
    }
}

#[test]
fn import_lines_parse() {
    let got = imports(
        "        pub fn fd_write(arg0: i32, arg1: i64) -> i32;\n        pub fn proc_exit(arg0: i32) -> !;\n        pub fn sched_yield() -> i32;\n    let x = 1;",
    );
    assert_eq!(
        got,
        [
            (
                "fd_write".to_owned(),
                vec!["i32".to_owned(), "i64".to_owned()],
                true
            ),
            ("proc_exit".to_owned(), vec!["i32".to_owned()], false),
            ("sched_yield".to_owned(), vec![], true),
        ]
    );
}
