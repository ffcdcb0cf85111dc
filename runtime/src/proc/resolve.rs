//! Which guest file a spawned or exec'd program name means (pure; the caller supplies the
//! file-system lookup).
//!
//! A name with a `/` is a path (relative ones against the cwd). A bare name is searched in the
//! `PATH` the guest passed (its own environment's value; `search_path` is `posix_spawnp`/
//! `execvp`), else taken relative to the cwd like `posix_spawn` does. In each place the exact
//! name is tried first, then `<name>.wasm`, because cargo and most WASIX toolchains name their
//! outputs `<name>.wasm`. Nothing here ever reaches a host program: only guest files that hold
//! a wasm module are run.

use crate::abi::Errno;

/// What the lookup reports for a candidate guest path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Missing,
    File,
    /// A directory or anything else that cannot be run.
    Other,
}

/// The absolute-or-cwd-relative guest path to run, or ENOENT/EACCES as `execvp` reports them.
pub fn resolve_program(
    name: &str,
    search_path: bool,
    path_var: &str,
    lookup: impl Fn(&str) -> Kind,
) -> Result<String, Errno> {
    if name.is_empty() {
        return Err(Errno::Noent);
    }
    if name.contains('/') || !search_path {
        return try_candidate(name, &lookup).ok_or_else(|| last_error(name, &lookup));
    }
    let mut seen_other = false;
    for dir in path_var.split(':') {
        // An empty PATH entry means the current directory (POSIX).
        let candidate = if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", dir.trim_end_matches('/'))
        };
        if let Some(found) = try_candidate(&candidate, &lookup) {
            return Ok(found);
        }
        seen_other |= lookup(&candidate) == Kind::Other;
    }
    Err(if seen_other {
        Errno::Acces
    } else {
        Errno::Noent
    })
}

fn try_candidate(path: &str, lookup: &impl Fn(&str) -> Kind) -> Option<String> {
    if lookup(path) == Kind::File {
        return Some(path.to_owned());
    }
    if !path.ends_with(".wasm") {
        let wasm = format!("{path}.wasm");
        if lookup(&wasm) == Kind::File {
            return Some(wasm);
        }
    }
    None
}

fn last_error(path: &str, lookup: &impl Fn(&str) -> Kind) -> Errno {
    match lookup(path) {
        Kind::Other => Errno::Acces,
        _ => Errno::Noent,
    }
}

/// Whether `bytes` start like a wasm module (`\0asm`); anything else is ENOEXEC.
pub fn is_wasm(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\0asm")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs(path: &str) -> Kind {
        match path {
            "/bin/hello.wasm" | "/usr/bin/tool" | "rel/prog.wasm" | "/abs/x.wasm" | "local" => {
                Kind::File
            }
            "/bin/dir" | "/usr/bin/dir" => Kind::Other,
            _ => Kind::Missing,
        }
    }

    #[test]
    fn resolve_table() {
        // (name, search_path, PATH, expected)
        let cases: &[(&str, bool, &str, Result<&str, Errno>)] = &[
            ("hello", true, "/bin:/usr/bin", Ok("/bin/hello.wasm")),
            ("hello.wasm", true, "/bin", Ok("/bin/hello.wasm")),
            ("tool", true, "/bin:/usr/bin/", Ok("/usr/bin/tool")),
            ("tool", true, "/bin", Err(Errno::Noent)),
            ("nope", true, "/bin:/usr/bin", Err(Errno::Noent)),
            ("dir", true, "/bin:/usr/bin", Err(Errno::Acces)),
            ("local", true, "/bin::/usr/bin", Ok("local")),
            ("hello", true, "", Err(Errno::Noent)),
            // Without search, a bare name is a cwd-relative path.
            ("hello", false, "/bin", Err(Errno::Noent)),
            ("local", false, "/bin", Ok("local")),
            // Names with a slash are paths; PATH is not used.
            ("rel/prog", true, "/bin", Ok("rel/prog.wasm")),
            ("/abs/x.wasm", true, "/bin", Ok("/abs/x.wasm")),
            ("/bin/hello", false, "", Ok("/bin/hello.wasm")),
            ("/bin/dir", false, "", Err(Errno::Acces)),
            ("", true, "/bin", Err(Errno::Noent)),
        ];
        for (name, search, path, want) in cases {
            let got = resolve_program(name, *search, path, fs);
            assert_eq!(
                got.as_deref(),
                want.as_deref(),
                "{name:?} {search} {path:?}"
            );
        }
    }

    #[test]
    fn wasm_magic() {
        assert!(is_wasm(b"\0asm\x01\0\0\0"));
        assert!(!is_wasm(b"#!/bin/sh\n"));
        assert!(!is_wasm(b""));
    }
}
