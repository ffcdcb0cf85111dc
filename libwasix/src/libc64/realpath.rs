//! `realpath` (std's `fs::canonicalize`): a path made absolute against the cwd, then walked
//! component by component — `.` dropped, `..` back one component (never above `/`), each
//! name asked whether it is a symlink and, if so, replaced by its target — the way musl's
//! `realpath` walks. A missing component fails with the error its `readlink` gives
//! (`ENOENT`, `ENOTDIR`), so the result names an existing file.

use crate::abi::Errno;

/// `PATH_MAX` of wasi-libc: the longest path, with its NUL.
pub const PATH_MAX: usize = 4096;

/// Symlinks followed before `ELOOP` (Linux's and musl's limit).
const MAX_LINKS: usize = 40;

/// The path being built: `/`-separated components, `/` when empty.
struct Out<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Out<'_> {
    fn push(&mut self, name: &[u8]) -> Result<(), Errno> {
        let end = self.len + 1 + name.len();
        if end >= self.buf.len() {
            return Err(Errno::NAMETOOLONG);
        }
        self.buf[self.len] = b'/';
        self.buf[self.len + 1..end].copy_from_slice(name);
        self.len = end;
        Ok(())
    }

    fn pop(&mut self) {
        while self.len > 0 && self.buf[self.len - 1] != b'/' {
            self.len -= 1;
        }
        self.len = self.len.saturating_sub(1);
    }
}

/// Writes the canonical form of `path` (relative ones against `cwd`, itself canonical) into
/// `out` and returns its length. `readlink(abs, target_buf)` answers `Some(len)` with the
/// target written into `target_buf` for a symlink, `None` for anything else, or the error
/// that the component's lookup gave.
pub fn canonical(
    cwd: &[u8],
    path: &[u8],
    out: &mut [u8],
    mut readlink: impl FnMut(&[u8], &mut [u8]) -> Result<Option<usize>, Errno>,
) -> Result<usize, Errno> {
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    let mut out = Out { buf: out, len: 0 };
    if !path.starts_with(b"/") {
        for name in cwd.split(|&b| b == b'/').filter(|n| !n.is_empty()) {
            out.push(name)?;
        }
    }
    // The components still to walk: `rest[at..len]`.
    let mut rest = [0u8; PATH_MAX];
    let mut target = [0u8; PATH_MAX];
    let (mut at, mut len) = (0, path.len());
    rest.get_mut(..len)
        .ok_or(Errno::NAMETOOLONG)?
        .copy_from_slice(path);
    let mut links = 0;
    loop {
        while at < len && rest[at] == b'/' {
            at += 1;
        }
        if at == len {
            break;
        }
        let end = rest[at..len]
            .iter()
            .position(|&b| b == b'/')
            .map_or(len, |i| at + i);
        let name = &rest[at..end];
        at = end;
        match name {
            b"." => continue,
            b".." => {
                out.pop();
                continue;
            }
            _ => {}
        }
        let parent = out.len;
        out.push(name)?;
        let Some(n) = readlink(&out.buf[..out.len], &mut target)? else {
            continue;
        };
        links += 1;
        if links > MAX_LINKS {
            return Err(Errno::LOOP);
        }
        let link = target.get(..n).ok_or(Errno::NAMETOOLONG)?;
        if link.is_empty() {
            return Err(Errno::NOENT);
        }
        // The target replaces the component; what followed it comes after the target.
        out.len = if link.starts_with(b"/") { 0 } else { parent };
        let tail = len - at;
        if n + tail > PATH_MAX {
            return Err(Errno::NAMETOOLONG);
        }
        target.copy_within(0..n, 0);
        target[n..n + tail].copy_from_slice(&rest[at..len]);
        rest[..n + tail].copy_from_slice(&target[..n + tail]);
        (at, len) = (0, n + tail);
    }
    if out.len == 0 {
        out.buf[0] = b'/';
        out.len = 1;
    }
    Ok(out.len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree: directories and files that exist, and symlinks with their targets.
    const DIRS: [&str; 5] = ["/", "/work", "/work/data", "/work/data/deep", "/tmp"];
    const FILES: [&str; 2] = ["/work/a.txt", "/work/data/deep/f"];
    const LINKS: [(&str, &str); 6] = [
        ("/work/up", ".."),
        ("/work/abs", "/work/data"),
        ("/work/rel", "data/deep"),
        ("/work/loop", "loop"),
        ("/work/dangling", "nowhere"),
        ("/work/file-link", "a.txt"),
    ];

    fn readlink(p: &[u8], buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        let p = std::str::from_utf8(p).unwrap();
        if let Some((_, t)) = LINKS.iter().find(|(l, _)| *l == p) {
            buf[..t.len()].copy_from_slice(t.as_bytes());
            return Ok(Some(t.len()));
        }
        let parent = &p[..p.rfind('/').unwrap().max(1)];
        if FILES.contains(&parent) {
            return Err(Errno::NOTDIR); // ENOTDIR
        }
        if DIRS.contains(&p) || FILES.contains(&p) {
            Ok(None)
        } else {
            Err(Errno::NOENT)
        }
    }

    fn run(cwd: &str, path: &str) -> Result<String, Errno> {
        let mut out = [0u8; 256];
        let n = canonical(cwd.as_bytes(), path.as_bytes(), &mut out, readlink)?;
        Ok(String::from_utf8(out[..n].to_vec()).unwrap())
    }

    #[test]
    fn canonical_table() {
        let cases = [
            ("/", "/work/a.txt", Ok("/work/a.txt")),
            ("/work", "a.txt", Ok("/work/a.txt")),
            ("/work/data", "../a.txt", Ok("/work/a.txt")),
            ("/", "//work/./data//deep/", Ok("/work/data/deep")),
            ("/", "/../..", Ok("/")),
            ("/", ".", Ok("/")),
            ("/work", "up/tmp", Ok("/tmp")),
            ("/work", "abs/deep/f", Ok("/work/data/deep/f")),
            ("/work", "rel/../deep/f", Ok("/work/data/deep/f")),
            ("/work", "file-link", Ok("/work/a.txt")),
            ("/work", "missing", Err(Errno::NOENT)),
            ("/work", "dangling", Err(Errno::NOENT)),
            ("/work", "a.txt/x", Err(Errno::NOTDIR)),
            ("/work", "loop", Err(Errno::LOOP)),
            ("/", "", Err(Errno::NOENT)),
        ];
        for (cwd, path, want) in cases {
            assert_eq!(run(cwd, path), want.map(str::to_owned), "{cwd:?} {path:?}");
        }
    }

    #[test]
    fn long_paths_are_refused_not_cut() {
        let mut out = [0u8; 16];
        let r = canonical(b"/", b"/work/data/deep/f", &mut out, readlink);
        assert_eq!(r, Err(Errno::NAMETOOLONG));
        let huge = "/x".repeat(PATH_MAX);
        assert_eq!(run("/", &huge), Err(Errno::NAMETOOLONG));
    }
}
