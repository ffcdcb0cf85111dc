//! Validating what we link: each wasm artifact rustc links for the WASIX target is checked with
//! wasmparser before cargo sees it, so a toolchain fault (issue 17: LTO once bound a call to the
//! wrong function) fails the *build* with the function's name instead of surprising the user
//! at run time. Validation of a few-MB module takes milliseconds.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use wasmparser::{KnownCustom, Name, Parser, Payload, Validator, WasmFeatures};

use crate::args;
use crate::target::Wasix;

/// Why a module is invalid, located to a function where the offset falls inside one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The validator's message (without the offset).
    pub message: String,
    /// The byte offset the validator reported.
    pub offset: usize,
    /// `(function index, name from the name section)` when the offset is in a function body.
    pub function: Option<(u32, Option<String>)>,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.function {
            Some((index, Some(name))) => {
                let readable = format!("{:#}", rustc_demangle::demangle(name));
                if readable == *name {
                    write!(f, "function {index} `{name}`: {}", self.message)?
                } else {
                    write!(
                        f,
                        "function {index} `{readable}` (`{name}`): {}",
                        self.message
                    )?
                }
            }
            Some((index, None)) => {
                write!(f, "function {index} (no name section): {}", self.message)?
            }
            None => f.write_str(&self.message)?,
        }
        write!(f, " (at byte offset {})", self.offset)
    }
}

/// Validates a module with every feature wasmparser knows enabled: this catches broken code,
/// not feature choices (the runtime reports those with its own message).
pub fn check(bytes: &[u8]) -> Result<(), Invalid> {
    let Err(err) = Validator::new_with_features(WasmFeatures::all()).validate_all(bytes) else {
        return Ok(());
    };
    let offset = err.offset();
    Err(Invalid {
        message: err.message().to_owned(),
        offset,
        function: locate(bytes, offset),
    })
}

/// The function whose body holds `offset`, with its name if the module has a name section.
fn locate(bytes: &[u8], offset: usize) -> Option<(u32, Option<String>)> {
    let mut imported = 0u32;
    let mut bodies: Vec<Range<usize>> = Vec::new();
    let mut found = None;
    let mut name = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            Payload::ImportSection(reader) => {
                imported += reader
                    .into_iter()
                    .filter(|i| matches!(i, Ok(i) if matches!(i.ty, wasmparser::TypeRef::Func(_))))
                    .count() as u32;
            }
            Payload::CodeSectionEntry(body) => {
                bodies.push(body.range());
                if body.range().contains(&offset) {
                    found = Some(imported + bodies.len() as u32 - 1);
                }
            }
            Payload::CustomSection(section) => {
                if let (Some(index), KnownCustom::Name(names)) = (found, section.as_known()) {
                    name = function_name(names, index);
                }
            }
            _ => {}
        }
    }
    found.map(|index| (index, name))
}

fn function_name(names: wasmparser::NameSectionReader<'_>, index: u32) -> Option<String> {
    for section in names {
        if let Ok(Name::Function(map)) = section {
            return map
                .into_iter()
                .filter_map(Result::ok)
                .find(|n| n.index == index)
                .map(|n| n.name.to_owned());
        }
    }
    None
}

/// The wasm files a rustc invocation for a WASIX target links (bins, tests, cdylibs), from
/// its arguments: `-o`, or `--out-dir` + `--crate-name` + `-C extra-filename` + `.wasm`.
/// Anything that links nothing (libs, metadata-only, other targets) gives none.
pub fn linked_outputs(rustc_args: &[String]) -> Vec<PathBuf> {
    if args::rustc_target(rustc_args)
        .and_then(Wasix::from_flag)
        .is_none()
    {
        return Vec::new();
    }
    let links = args::has_flag(rustc_args, "--test", None)
        || args::flag_values(rustc_args, "--crate-type")
            .iter()
            .flat_map(|v| v.split(','))
            .any(|t| t == "bin" || t == "cdylib");
    let emit: Vec<&str> = args::flag_values(rustc_args, "--emit")
        .iter()
        .flat_map(|v| v.split(','))
        .collect();
    let emit_link = emit
        .iter()
        .find(|e| **e == "link" || e.starts_with("link="));
    if !links || (!emit.is_empty() && emit_link.is_none()) {
        return Vec::new();
    }
    if let Some(path) = emit_link.and_then(|e| e.strip_prefix("link=")) {
        return vec![PathBuf::from(path)];
    }
    if let Some(path) = args::flag_values(rustc_args, "-o").last() {
        return vec![PathBuf::from(path)];
    }
    let (Some(dir), Some(name)) = (
        args::flag_values(rustc_args, "--out-dir").last().copied(),
        args::flag_values(rustc_args, "--crate-name")
            .last()
            .copied(),
    ) else {
        return Vec::new();
    };
    let extra = codegen_values(rustc_args, "extra-filename")
        .last()
        .copied()
        .unwrap_or("");
    vec![Path::new(dir).join(format!("{name}{extra}.wasm"))]
}

/// Values of one `-C key=value` option, in both `-C key=v` and `-Ckey=v` spellings.
fn codegen_values<'a>(rustc_args: &'a [String], key: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut after_c = false;
    for arg in rustc_args {
        let option = if after_c {
            Some(arg.as_str())
        } else {
            arg.strip_prefix("-C")
        };
        if let Some(value) = option
            .and_then(|o| o.strip_prefix(key))
            .and_then(|o| o.strip_prefix('='))
        {
            out.push(value);
        }
        after_c = arg == "-C";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_table() {
        // Each case: rustc arguments (split at spaces; `W` = our target) and the linked files.
        let cases: &[(&str, &[&str])] = &[
            // A bin the way cargo compiles it.
            (
                "--crate-name app --crate-type bin --emit=dep-info,link -C extra-filename=-abc \
                 --out-dir /t/deps --target W",
                &["/t/deps/app-abc.wasm"],
            ),
            // Tests link too; -Cextra-filename spelled joined.
            (
                "--crate-name lib --test -Cextra-filename=-1 --out-dir /o --target W",
                &["/o/lib-1.wasm"],
            ),
            (
                "--crate-name c --crate-type=rlib,cdylib --out-dir /o --target W",
                &["/o/c.wasm"],
            ),
            (
                "--crate-name app --crate-type bin -o /x/y.wasm --target W",
                &["/x/y.wasm"],
            ),
            (
                "--crate-name a --crate-type bin --emit link=/z.wasm --target W",
                &["/z.wasm"],
            ),
            // The 64-bit target links the same way.
            (
                "--crate-name app --crate-type bin -o /x/y.wasm --target wasm64-wasmer-wasi",
                &["/x/y.wasm"],
            ),
            // Nothing linked: libraries, metadata-only checks, host compiles, other targets.
            (
                "--crate-name l --crate-type lib --out-dir /o --target W",
                &[],
            ),
            (
                "--crate-name a --crate-type bin --emit=dep-info,metadata --out-dir /o --target W",
                &[],
            ),
            ("--crate-name a --crate-type bin --out-dir /o", &[]),
            (
                "--crate-name a --crate-type bin --out-dir /o --target wasm32-wasip1",
                &[],
            ),
        ];
        for (args, want) in cases {
            let args: Vec<String> = args
                .split_whitespace()
                .map(|a| {
                    if a == "W" {
                        crate::env::TARGET.to_owned()
                    } else {
                        a.to_owned()
                    }
                })
                .collect();
            let want: Vec<PathBuf> = want.iter().map(PathBuf::from).collect();
            assert_eq!(linked_outputs(&args), want, "{args:?}");
        }
    }

    /// A module whose function 1 (after one import) is named `bad` and adds with an empty stack.
    fn module(valid: bool) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        let mut section = |id: u8, body: &[u8]| {
            m.push(id);
            m.push(body.len() as u8);
            m.extend_from_slice(body);
        };
        section(1, &[1, 0x60, 0, 1, 0x7f]); // type 0: () -> i32
        section(2, &[1, 1, b'm', 1, b'f', 0, 0]); // import m.f: type 0
        section(3, &[1, 0]); // one function of type 0
        let body: &[u8] = if valid {
            &[0x41, 1, 0x0b]
        } else {
            &[0x6a, 0x0b]
        };
        let mut code = vec![1, body.len() as u8 + 1, 0];
        code.extend_from_slice(body);
        section(10, &code);
        // name section: subsection 1 (function names), one entry: 1 -> "bad"
        section(
            0,
            &[4, b'n', b'a', b'm', b'e', 1, 6, 1, 1, 3, b'b', b'a', b'd'],
        );
        m
    }

    #[test]
    fn invalid_function_is_named() {
        assert_eq!(check(&module(true)), Ok(()));
        let err = check(&module(false)).expect_err("i32.add on an empty stack");
        assert_eq!(err.function, Some((1, Some("bad".to_owned()))));
        let text = err.to_string();
        assert!(text.starts_with("function 1 `bad`"), "{text}");
        assert!(text.contains("type mismatch"), "{text}");
        let garbage = check(b"\0asm\x01\0\0\0\x01").expect_err("truncated");
        assert_eq!(garbage.function, None);
    }
}
