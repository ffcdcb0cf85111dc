//! The libc functions libwasix wraps (`libwasix/wrapped-libc-symbols.txt`): parsing the table,
//! checking the target spec's link arguments against it, and checking that wasi-libc's member
//! still defines each function with the signature libwasix declares for `__real_NAME`.
//!
//! A `__real_NAME` bound to a function of another type links with only a warning (wasm-ld
//! inserts a trapping stub); one wasm-ld never loads is bound to function 0, an invalid module
//! (issue 17). Both are caught here, before any user build.

use wasmparser::{
    KnownCustom, Linking, Parser, Payload, SymbolFlags, SymbolInfo, TypeRef, ValType,
};

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapped {
    /// The C name (`chdir`).
    pub name: String,
    /// The libc.a member defining it (`chdir.c.obj`).
    pub member: String,
    /// Its wasm signature as written in the table (`(i32) -> i32`).
    pub signature: String,
}

/// Parses the table: `name member (params) -> result` per line, `#` comments.
pub fn parse_table(text: &str) -> Result<Vec<Wrapped>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let mut cols = line.split_whitespace();
        let (name, member) = (
            cols.next().unwrap_or_default(),
            cols.next().unwrap_or_default(),
        );
        let signature = cols.collect::<Vec<_>>().join(" ");
        if member.is_empty() || !signature.starts_with('(') || !signature.contains("->") {
            return Err(format!(
                "line {}: expected `name member (params) -> result`, got `{line}`",
                n + 1
            ));
        }
        rows.push(Wrapped {
            name: name.to_owned(),
            member: member.to_owned(),
            signature,
        });
    }
    Ok(rows)
}

/// Checks that the spec's `pre-link-args` wrap exactly the table's functions and force each
/// one's member to load (`--undefined`), for both linker flavours.
pub fn check_spec(spec: &[u8], rows: &[Wrapped]) -> Result<(), String> {
    let json: serde_json::Value =
        serde_json::from_slice(spec).map_err(|e| format!("the target spec is not JSON: {e}"))?;
    for (flavor, prefix) in [("wasm-lld", ""), ("wasm-lld-cc", "-Wl,")] {
        let args: Vec<&str> = json["pre-link-args"][flavor]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let wrapped: Vec<&str> = args
            .iter()
            .filter_map(|a| a.strip_prefix(prefix)?.strip_prefix("--wrap="))
            .collect();
        let expected: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        if wrapped != expected {
            return Err(format!(
                "`{flavor}` wraps {wrapped:?}, the table lists {expected:?}"
            ));
        }
        for row in rows {
            let undefined = format!("{prefix}--undefined={}", row.name);
            if !args.contains(&undefined.as_str()) {
                return Err(format!("`{flavor}` lacks `{undefined}`"));
            }
        }
    }
    Ok(())
}

/// The signature (`(i32, i32) -> i32`) of the function an object file defines as `name`.
pub fn defined_signature(object: &[u8], name: &str) -> Result<String, String> {
    let mut types: Vec<wasmparser::FuncType> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut symbol = None;
    for payload in Parser::new(0).parse_all(object) {
        match payload.map_err(|e| format!("not a wasm object: {e}"))? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    types.push(ty.map_err(|e| e.to_string())?);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    if let TypeRef::Func(ty) = import.map_err(|e| e.to_string())?.ty {
                        func_types.push(ty);
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty.map_err(|e| e.to_string())?);
                }
            }
            Payload::CustomSection(section) => {
                if let KnownCustom::Linking(linking) = section.as_known() {
                    symbol = symbol.or(find_function(linking, name)?);
                }
            }
            _ => {}
        }
    }
    let index = symbol.ok_or_else(|| format!("it does not define the function `{name}`"))?;
    let ty = func_types
        .get(index as usize)
        .and_then(|t| types.get(*t as usize))
        .ok_or_else(|| format!("`{name}` has a function index out of range"))?;
    let list = |v: &[ValType]| {
        v.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let results = match ty.results() {
        [] => "()".to_owned(),
        [one] => one.to_string(),
        many => format!("({})", list(many)),
    };
    Ok(format!("({}) -> {results}", list(ty.params())))
}

/// The function index of the defined function symbol `name`, if the symbol table has it.
fn find_function(
    linking: wasmparser::LinkingSectionReader<'_>,
    name: &str,
) -> Result<Option<u32>, String> {
    for sub in linking {
        if let Linking::SymbolTable(symbols) = sub.map_err(|e| e.to_string())? {
            for symbol in symbols {
                if let SymbolInfo::Func {
                    flags,
                    index,
                    name: Some(n),
                } = symbol.map_err(|e| e.to_string())?
                    && n == name
                    && !flags.contains(SymbolFlags::UNDEFINED)
                {
                    return Ok(Some(index));
                }
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses() {
        let rows =
            parse_table("# c\n\nchdir  chdir.c.obj  (i32) -> i32\nf m.o (i32, i64) -> () # x\n")
                .expect("valid");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "chdir");
        assert_eq!(rows[0].member, "chdir.c.obj");
        assert_eq!(rows[1].signature, "(i32, i64) -> ()");
        for bad in ["chdir", "chdir chdir.c.obj", "chdir chdir.c.obj i32"] {
            assert!(parse_table(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_shipped_spec_matches_the_shipped_table() {
        let inputs = crate::embedded::Inputs::embedded();
        let rows = parse_table(&inputs.wrapped_table()).expect("table parses");
        assert!(!rows.is_empty());
        let spec = inputs
            .target_spec("wasm32-wasmer-wasi")
            .expect("spec embedded");
        check_spec(spec, &rows).expect("spec and table agree");
    }

    #[test]
    fn spec_check_catches_each_fault() {
        let rows = parse_table("chdir c.o (i32) -> i32\nfcntl f.o (i32) -> i32").expect("valid");
        let spec = |lld: &str, cc: &str| {
            format!(r#"{{"pre-link-args": {{"wasm-lld": [{lld}], "wasm-lld-cc": [{cc}]}}}}"#)
        };
        let good_lld = r#""--wrap=chdir","--undefined=chdir","--wrap=fcntl","--undefined=fcntl""#;
        let good_cc = r#""-Wl,--wrap=chdir","-Wl,--undefined=chdir","-Wl,--wrap=fcntl","-Wl,--undefined=fcntl""#;
        assert_eq!(
            check_spec(spec(good_lld, good_cc).as_bytes(), &rows),
            Ok(())
        );
        let cases = [
            (
                r#""--wrap=chdir","--undefined=chdir","--wrap=fcntl""#,
                good_cc,
                "lacks `--undefined=fcntl`",
            ),
            (
                r#""--wrap=chdir","--undefined=chdir""#,
                good_cc,
                "wraps [\"chdir\"]",
            ),
            (
                good_lld,
                r#""-Wl,--wrap=chdir","-Wl,--wrap=fcntl","-Wl,--undefined=fcntl""#,
                "lacks `-Wl,--undefined=chdir`",
            ),
        ];
        for (lld, cc, expected) in cases {
            let err = check_spec(spec(lld, cc).as_bytes(), &rows).expect_err(expected);
            assert!(err.contains(expected), "{err}");
        }
    }

    /// A relocatable object defining `f(i32, i32) -> i32` and importing `g(i32)`, built by hand
    /// (type, import, function, code and a `linking` section with two function symbols).
    fn object() -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        let section = |m: &mut Vec<u8>, id: u8, body: &[u8]| {
            m.push(id);
            m.push(body.len() as u8);
            m.extend_from_slice(body);
        };
        // types: 0 = (i32) -> (), 1 = (i32, i32) -> i32
        section(
            &mut m,
            1,
            &[2, 0x60, 1, 0x7f, 0, 0x60, 2, 0x7f, 0x7f, 1, 0x7f],
        );
        // import env.g : type 0
        section(&mut m, 2, &[1, 3, b'e', b'n', b'v', 1, b'g', 0, 0]);
        // one defined function of type 1
        section(&mut m, 3, &[1, 1]);
        // body: no locals, i32.const 0, end
        section(&mut m, 10, &[1, 4, 0, 0x41, 0, 0x0b]);
        // linking v2, symbol table (8): g undefined (flag 0x10, index 0), f defined (index 1, "f")
        let symtab = [2, 0, 0x10, 0, 0, 0, 1, 1, b'f'];
        let mut custom = vec![7];
        custom.extend_from_slice(b"linking");
        custom.extend_from_slice(&[2, 8, symtab.len() as u8]);
        custom.extend_from_slice(&symtab);
        section(&mut m, 0, &custom);
        m
    }

    #[test]
    fn signature_of_a_defined_function() {
        let obj = object();
        assert_eq!(
            defined_signature(&obj, "f"),
            Ok("(i32, i32) -> i32".to_owned())
        );
        let missing = defined_signature(&obj, "g").expect_err("g is only imported");
        assert!(missing.contains("does not define"), "{missing}");
        assert!(defined_signature(b"not wasm", "f").is_err());
    }
}
