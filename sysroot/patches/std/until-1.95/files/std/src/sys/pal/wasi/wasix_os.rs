//! OS helpers for WASIX (`target_vendor = "wasmer"`), added by cargo-wasix: `$PATH`-style
//! lists with `:`, `temp_dir` from `$TMPDIR` (default `/tmp`), `home_dir` from `$HOME`,
//! `getpid` through libc (WASIX has processes), and `current_exe` from `/proc/self/exe`. Included from `os.rs`, whose wasi-only
//! versions of these items are compiled out for wasmer.

use crate::ffi::{OsStr, OsString};
use crate::os::wasi::ffi::{OsStrExt, OsStringExt};
use crate::path::PathBuf;
use crate::{fmt, io, vec};

const SEPARATOR: u8 = b':';

/// Iterator over the entries of a `:`-separated list (an empty list has one empty entry,
/// as on Unix).
pub struct SplitPaths<'a> {
    rest: Option<&'a [u8]>,
}

pub fn split_paths(unparsed: &OsStr) -> SplitPaths<'_> {
    SplitPaths { rest: Some(unparsed.as_bytes()) }
}

impl<'a> Iterator for SplitPaths<'a> {
    type Item = PathBuf;
    fn next(&mut self) -> Option<PathBuf> {
        let rest = self.rest?;
        let (entry, tail) = match rest.iter().position(|b| *b == SEPARATOR) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        self.rest = tail;
        Some(PathBuf::from(OsStr::from_bytes(entry)))
    }
}

#[derive(Debug)]
pub struct JoinPathsError;

pub fn join_paths<I, T>(paths: I) -> Result<OsString, JoinPathsError>
where
    I: Iterator<Item = T>,
    T: AsRef<OsStr>,
{
    let mut joined: vec::Vec<u8> = vec::Vec::new();
    for (i, path) in paths.enumerate() {
        let path = path.as_ref().as_bytes();
        if i > 0 {
            joined.push(SEPARATOR);
        }
        if path.contains(&SEPARATOR) {
            return Err(JoinPathsError);
        }
        joined.extend_from_slice(path);
    }
    Ok(OsStringExt::from_vec(joined))
}

impl fmt::Display for JoinPathsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "path segment contains separator `{}`", char::from(SEPARATOR))
    }
}

impl crate::error::Error for JoinPathsError {}

pub fn temp_dir() -> PathBuf {
    crate::env::var_os("TMPDIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

pub fn home_dir() -> Option<PathBuf> {
    crate::env::var_os("HOME").filter(|dir| !dir.is_empty()).map(PathBuf::from)
}

pub fn getpid() -> u32 {
    // SAFETY: getpid has no preconditions.
    unsafe { ::libc::getpid() as u32 }
}

/// The running module's guest path: the runtime answers `readlink("/proc/self/exe")` with it,
/// as Linux does. Without it (a runtime that does not know the path), an absolute `argv[0]` is
/// the best guess, as on platforms without a proc file system.
pub fn current_exe() -> io::Result<PathBuf> {
    match crate::fs::read_link("/proc/self/exe") {
        Ok(path) => Ok(path),
        Err(e) => match crate::env::args_os().next().map(PathBuf::from) {
            Some(argv0) if argv0.is_absolute() => Ok(argv0),
            _ => Err(e),
        },
    }
}
