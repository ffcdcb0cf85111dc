//! Path resolution against the preopened directories (what wasi-libc's
//! `__wasilibc_find_relpath` does for wasm32): a path, made absolute against the emulated
//! current directory, is opened relative to the preopen whose name is its longest
//! component-wise prefix. `..` is not interpreted here: the runtime resolves the rest inside
//! the preopen and refuses escapes, so the sandbox does not depend on this code.

use crate::abi::Errno;

/// A preopened directory: its fd and its guest path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preopen<'a> {
    pub fd: u32,
    pub name: &'a [u8],
}

/// `name` as a prefix: no trailing `/`, the root as the empty prefix; a relative name (a
/// runtime that preopens `.`) counts from the root, where the emulated cwd starts.
fn prefix(name: &[u8]) -> &[u8] {
    let mut p = name;
    while let [rest @ .., b'/'] = p {
        p = rest;
    }
    match p {
        [b'.'] => &[],
        [b'.', b'/', rest @ ..] => rest,
        _ => p,
    }
}

/// `p` without its leading slashes.
fn unrooted(mut p: &[u8]) -> &[u8] {
    while let [b'/', rest @ ..] = p {
        p = rest;
    }
    p
}

/// If `prefix` (see [`prefix`]) names `abs` or one of its ancestors: how many bytes of `abs`
/// it covers.
fn covered_by(prefix: &[u8], abs: &[u8]) -> Option<usize> {
    let (prefix, rest) = (unrooted(prefix), unrooted(abs));
    let named = prefix.is_empty()
        || (rest.starts_with(prefix) && matches!(rest.get(prefix.len()), None | Some(b'/')));
    named.then(|| abs.len() - rest.len() + prefix.len())
}

/// Resolves `path` (relative ones against `cwd`, an absolute path) to a preopen fd and the
/// path relative to it, written into `buf`. Returns the fd and the relative path's length.
///
/// Errors: `ENOENT` for an empty path or one under no preopen (what wasi-libc answers),
/// `ENAMETOOLONG` when the absolute path does not fit `buf`.
pub fn resolve<'b>(
    preopens: &[Preopen<'_>],
    cwd: &[u8],
    path: &[u8],
    buf: &'b mut [u8],
) -> Result<(u32, &'b [u8]), Errno> {
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    let abs_len = absolute(cwd, path, buf)?;
    let abs = &buf[..abs_len];
    // Longest prefix wins; among equal ones the latest preopen (it shadows the earlier).
    let (fd, mut start) = preopens
        .iter()
        .filter_map(|p| {
            Some((
                p.fd,
                covered_by(prefix(p.name), abs)?,
                unrooted(prefix(p.name)).len(),
            ))
        })
        .max_by_key(|&(_, _, len)| len)
        .map(|(fd, covered, _)| (fd, covered))
        .ok_or(Errno::NOENT)?;
    while abs.get(start) == Some(&b'/') {
        start += 1;
    }
    if start == abs_len {
        buf[0] = b'.';
        return Ok((fd, &buf[..1]));
    }
    buf.copy_within(start..abs_len, 0);
    Ok((fd, &buf[..abs_len - start]))
}

/// Writes `path` made absolute against `cwd` into `buf`; returns its length.
fn absolute(cwd: &[u8], path: &[u8], buf: &mut [u8]) -> Result<usize, Errno> {
    let parts: [&[u8]; 3] = if path.starts_with(b"/") {
        [path, &[], &[]]
    } else {
        let cwd = if cwd.is_empty() { b"/" } else { cwd };
        let sep: &[u8] = if cwd.ends_with(b"/") { b"" } else { b"/" };
        [cwd, sep, path]
    };
    let len: usize = parts.iter().map(|p| p.len()).sum();
    if len > buf.len() {
        return Err(Errno::NAMETOOLONG);
    }
    let mut at = 0;
    for p in parts {
        buf[at..at + p.len()].copy_from_slice(p);
        at += p.len();
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: [Preopen<'static>; 4] = [
        Preopen { fd: 3, name: b"/" },
        Preopen {
            fd: 4,
            name: b"/work",
        },
        Preopen {
            fd: 5,
            name: b"/work/data/",
        },
        Preopen {
            fd: 6,
            name: b"/tmp",
        },
    ];

    fn run(preopens: &[Preopen<'_>], cwd: &str, path: &str) -> Result<(u32, String), Errno> {
        let mut buf = [0u8; 64];
        let (fd, rel) = resolve(preopens, cwd.as_bytes(), path.as_bytes(), &mut buf)?;
        Ok((fd, String::from_utf8(rel.to_vec()).unwrap()))
    }

    #[test]
    fn longest_component_prefix_wins() {
        let cases = [
            ("/", "/work/a.txt", 4, "a.txt"),
            ("/", "/work", 4, "."),
            ("/", "/work/", 4, "."),
            ("/", "/workshop/x", 3, "workshop/x"),
            ("/", "/work/data/x/y", 5, "x/y"),
            ("/", "/work/database", 4, "database"),
            ("/", "/etc/hosts", 3, "etc/hosts"),
            ("/", "/", 3, "."),
            ("/", "//work//a", 4, "a"),
            ("/", "/tmp/../etc", 6, "../etc"),
        ];
        for (cwd, path, fd, rel) in cases {
            assert_eq!(
                run(&MOUNTS, cwd, path),
                Ok((fd, rel.to_owned())),
                "{path:?}"
            );
        }
    }

    #[test]
    fn relative_paths_start_at_the_cwd() {
        let cases = [
            ("/work", "a.txt", 4, "a.txt"),
            ("/work/", "data/z", 5, "z"),
            ("/work/data", ".", 5, "."),
            ("/", "tmp", 6, "."),
            ("", "etc/x", 3, "etc/x"),
            ("/work", "../etc", 4, "../etc"),
        ];
        for (cwd, path, fd, rel) in cases {
            assert_eq!(
                run(&MOUNTS, cwd, path),
                Ok((fd, rel.to_owned())),
                "{cwd:?} {path:?}"
            );
        }
    }

    #[test]
    fn refusals() {
        let only_work = [Preopen {
            fd: 4,
            name: b"/work",
        }];
        assert_eq!(run(&only_work, "/", "/etc"), Err(Errno::NOENT));
        assert_eq!(run(&only_work, "/", "/worker"), Err(Errno::NOENT));
        assert_eq!(run(&MOUNTS, "/", ""), Err(Errno::NOENT));
        assert_eq!(run(&[], "/", "/x"), Err(Errno::NOENT));
        let long = format!("/work/{}", "x".repeat(80));
        assert_eq!(run(&MOUNTS, "/", &long), Err(Errno::NAMETOOLONG));
    }

    #[test]
    fn later_preopens_shadow_equal_ones_and_dot_is_the_root() {
        let twice = [
            Preopen { fd: 3, name: b"/a" },
            Preopen {
                fd: 7,
                name: b"/a/",
            },
        ];
        assert_eq!(run(&twice, "/", "/a/b"), Ok((7, "b".to_owned())));
        let dot = [
            Preopen { fd: 3, name: b"." },
            Preopen {
                fd: 4,
                name: b"./sub",
            },
        ];
        assert_eq!(run(&dot, "/", "x"), Ok((3, "x".to_owned())));
        assert_eq!(run(&dot, "/", "/sub/y"), Ok((4, "y".to_owned())));
    }
}
