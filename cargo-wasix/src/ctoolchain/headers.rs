//! Our WASIX C headers (`libwasix/include/`), embedded so the binary can write them into the
//! C sysroot, and the test that keeps their constants equal to the libc overlay's.

/// `(path under include/wasix, contents)`.
pub const HEADERS: &[(&str, &str)] = &[
    ("wasix.h", include_str!("../../../libwasix/include/wasix.h")),
    (
        "__struct_sockaddr_un.h",
        include_str!("../../../libwasix/include/__struct_sockaddr_un.h"),
    ),
    (
        "sys/socket.h",
        include_str!("../../../libwasix/include/sys/socket.h"),
    ),
    ("netdb.h", include_str!("../../../libwasix/include/netdb.h")),
    (
        "unistd.h",
        include_str!("../../../libwasix/include/unistd.h"),
    ),
    (
        "sys/wait.h",
        include_str!("../../../libwasix/include/sys/wait.h"),
    ),
    // Searched after wasi-libc's headers (`-idirafter`): only when those lack it.
    (
        "compat/pthread.h",
        include_str!("../../../libwasix/include/compat/pthread.h"),
    ),
    (
        "compat/setjmp.h",
        include_str!("../../../libwasix/include/compat/setjmp.h"),
    ),
];

#[cfg(test)]
mod tests {
    use super::HEADERS;
    use std::collections::HashMap;

    /// The libc overlay's Rust constants: the one table the headers must agree with.
    const OVERLAY: &str = include_str!("../../../overlays/libc/files/src/wasi/wasix.rs");

    fn parse_int(text: &str) -> Option<i64> {
        let text = text.trim();
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let digits = digits.replace('_', "");
        let value = match digits.strip_prefix("0x") {
            Some(hex) => i64::from_str_radix(hex, 16).ok()?,
            None => digits.parse().ok()?,
        };
        Some(if neg { -value } else { value })
    }

    fn overlay_constants() -> HashMap<String, i64> {
        OVERLAY
            .lines()
            .filter_map(|line| {
                let rest = line.trim().strip_prefix("pub const ")?;
                let (name, rest) = rest.split_once(':')?;
                let value = rest.split_once('=')?.1.trim().trim_end_matches(';');
                Some((name.trim().to_owned(), parse_int(value)?))
            })
            .collect()
    }

    #[test]
    fn header_constants_equal_the_libc_overlay() {
        let overlay = overlay_constants();
        assert!(
            overlay.get("SOCK_STREAM") == Some(&1),
            "overlay parse failed"
        );
        let mut checked = 0;
        // compat/ only fills in wasi-libc's own API, which the overlay does not restate.
        for (file, text) in HEADERS.iter().filter(|(f, _)| !f.starts_with("compat/")) {
            for line in text.lines() {
                let Some(rest) = line.trim().strip_prefix("#define ") else {
                    continue;
                };
                let mut words = rest.split_whitespace();
                let (Some(name), Some(value)) = (words.next(), words.next()) else {
                    continue;
                };
                // `__WASIX_HEADERS__` and friends are ours alone.
                let Some(value) = parse_int(value).filter(|_| !name.starts_with("__")) else {
                    continue;
                };
                let theirs = overlay.get(name).copied();
                // SHUT_RDWR is written as an expression in the overlay.
                let theirs = theirs.or((name == "SHUT_RDWR").then_some(3));
                assert_eq!(Some(value), theirs, "{file}: {name}");
                checked += 1;
            }
        }
        assert!(checked > 40, "only {checked} constants checked");
    }

    /// The names libwasix exports: `pub unsafe extern "C" fn NAME` under `#[no_mangle]`.
    fn libwasix_exports() -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let mut after_no_mangle = false;
                    for line in text.lines() {
                        let line = line.trim();
                        if line.contains("no_mangle") {
                            after_no_mangle = true;
                        } else if after_no_mangle && line.contains("extern \"C\" fn ") {
                            let name = line.split("fn ").nth(1).unwrap_or_default();
                            let name = name.split(['(', '<']).next().unwrap_or_default();
                            out.push(name.to_owned());
                            after_no_mangle = false;
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../libwasix/src"),
            &mut out,
        );
        out
    }

    #[test]
    fn declared_functions_are_libwasix_exports() {
        let exports = libwasix_exports();
        assert!(exports.iter().any(|e| e == "socket"), "{exports:?}");
        let mut declared = 0;
        for (file, text) in HEADERS.iter().filter(|(f, _)| !f.starts_with("compat/")) {
            for line in text.lines() {
                // Declarations are one line each: `<type> name(<args>);` at column 0.
                let Some((head, _)) = line.split_once('(') else {
                    continue;
                };
                if line.starts_with([' ', '#', '/', '*']) || !line.trim_end().ends_with(';') {
                    continue;
                }
                let name = head.rsplit([' ', '*']).next().unwrap_or_default();
                assert!(
                    exports.iter().any(|e| e == name),
                    "{file} declares `{name}`, which libwasix does not export"
                );
                declared += 1;
            }
        }
        assert!(declared >= 25, "only {declared} declarations found");
    }
}
