//! Writes `bad.o`, a wasm relocatable object defining `wasix_bad_function` whose body adds with
//! an empty stack (invalid; wasm-ld copies code without validating it), and links it into the
//! binary, exported so `--gc-sections` keeps it. Stands in for any toolchain fault that makes
//! the linker emit invalid code.
use std::path::PathBuf;

fn section(module: &mut Vec<u8>, id: u8, body: &[u8]) {
    module.push(id);
    module.push(u8::try_from(body.len()).expect("small section"));
    module.extend_from_slice(body);
}

fn main() {
    let mut obj = b"\0asm\x01\0\0\0".to_vec();
    section(&mut obj, 1, &[1, 0x60, 0, 1, 0x7f]); // type 0: () -> i32
    section(&mut obj, 3, &[1, 0]); // one function of type 0
    section(&mut obj, 10, &[1, 3, 0, 0x6a, 0x0b]); // body: i32.add (nothing on the stack); end
    let name = b"wasix_bad_function";
    // linking v2, symbol table: one defined function symbol, index 0, named.
    let mut symtab = vec![1, 0, 0, 0, name.len() as u8];
    symtab.extend_from_slice(name);
    let mut linking = vec![7];
    linking.extend_from_slice(b"linking");
    linking.extend_from_slice(&[2, 8, symtab.len() as u8]);
    linking.extend_from_slice(&symtab);
    section(&mut obj, 0, &linking);

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("bad.o");
    std::fs::write(&out, obj).expect("write bad.o");
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("wasm")) {
        println!("cargo:rustc-link-arg={}", out.display());
        println!("cargo:rustc-link-arg=--export=wasix_bad_function");
    }
}
