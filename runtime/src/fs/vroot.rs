//! The guest's virtual root: the mount table and the resolution of guest paths.
//!
//! The guest sees one tree rooted at `/` (preopened as fd 3). It holds the mounts and,
//! above them, synthetic read-only directories leading to the mount points. A guest path is
//! resolved lexically (`.` dropped, `..` pops one component and stops at `/`) to either a
//! synthetic directory or (mount, path relative to the mount's root). Nothing outside the
//! mounts is reachable: `..` cannot climb above `/`, absolute paths start at the virtual
//! root, and inside a mount cap-std refuses symlinks that lead out of it (absolute targets
//! included).
//!
//! Known approximation: `..` is applied lexically, so `link/..` for a symlink `link` names
//! the directory holding `link`, not the parent of its target (like Go's `filepath.Clean`).

use std::path::{Path, PathBuf};

use cap_std::ambient_authority;

use crate::abi::Errno;
use crate::mount::Mount;

/// Longest guest path accepted (bytes), like Linux's `PATH_MAX`.
pub const PATH_MAX: usize = 4096;

/// A normalized absolute guest path: `/` or `/a/b` (no `.`, `..`, empty or trailing parts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GuestPath(String);

impl GuestPath {
    /// The virtual root `/`.
    pub fn root() -> GuestPath {
        GuestPath("/".into())
    }

    /// Parses an absolute guest path, normalizing it lexically.
    pub fn parse_absolute(path: &str) -> Result<GuestPath, Errno> {
        if !path.starts_with('/') {
            return Err(Errno::Inval);
        }
        Ok(GuestPath::root().join(path)?.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }

    /// The path's components, outermost first (none for `/`).
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|c| !c.is_empty())
    }

    /// The last component (`None` for `/`).
    pub fn file_name(&self) -> Option<&str> {
        self.components().last()
    }

    /// The containing directory (`/` for `/`).
    pub fn parent(&self) -> GuestPath {
        match self.0.rfind('/') {
            Some(0) | None => GuestPath::root(),
            Some(i) => GuestPath(self.0[..i].into()),
        }
    }

    /// Lexically resolves `path` against `self` (absolute paths start at `/`).
    ///
    /// Returns the normalized path and whether `path` demanded a directory (a trailing `/`,
    /// `/.` or `/..`). Empty paths are ENOENT as in POSIX; NUL bytes are EINVAL.
    pub fn join(&self, path: &str) -> Result<(GuestPath, bool), Errno> {
        if path.is_empty() {
            return Err(Errno::Noent);
        }
        if path.len() > PATH_MAX {
            return Err(Errno::Nametoolong);
        }
        if path.contains('\0') {
            return Err(Errno::Inval);
        }
        let mut parts: Vec<&str> = if path.starts_with('/') {
            Vec::new()
        } else {
            self.components().collect()
        };
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                name => parts.push(name),
            }
        }
        let last = path.rsplit('/').next().unwrap_or_default();
        let wants_dir = path != "/" && (path.ends_with('/') || matches!(last, "." | ".."));
        let mut out = String::with_capacity(path.len() + self.0.len());
        for part in &parts {
            out.push('/');
            out.push_str(part);
        }
        if out.is_empty() {
            out.push('/');
        }
        Ok((GuestPath(out), wants_dir))
    }

    /// ENOTCAPABLE when `path`, taken relative to the directory `self` as a `path_*` call
    /// takes it, would leave that directory: an absolute path, or a `..` that climbs above
    /// `self` (even if a later component comes back in), as preview 1's capability model and
    /// wasmtime say. The virtual root is the whole guest namespace, so nothing leaves it: an
    /// absolute path starts there and `..` at `/` stays at `/` (POSIX, and Wasmer's root).
    ///
    /// Lexical, like [`GuestPath::join`]; symlinks are confined by cap-std inside their mount.
    pub fn check_beneath(&self, path: &str) -> Result<(), Errno> {
        if self.is_root() {
            return Ok(());
        }
        if path.starts_with('/') {
            return Err(Errno::Notcapable);
        }
        let mut depth = 0usize;
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => depth = depth.checked_sub(1).ok_or(Errno::Notcapable)?,
                _ => depth += 1,
            }
        }
        Ok(())
    }

    /// The part of `self` below `ancestor` (`""` when equal), if `ancestor` is one.
    pub fn strip_prefix(&self, ancestor: &GuestPath) -> Option<&str> {
        if ancestor.is_root() {
            return Some(self.0.trim_start_matches('/'));
        }
        let rest = self.0.strip_prefix(ancestor.as_str())?;
        if rest.is_empty() {
            Some("")
        } else {
            rest.strip_prefix('/')
        }
    }
}

impl std::fmt::Display for GuestPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a normalized guest path lives, before touching any host directory.
#[derive(Debug, PartialEq, Eq)]
pub enum Place<'a> {
    /// Inside mount number `index`; `rel` is relative to the mount's root (`""` for the root).
    Mount { index: usize, rel: &'a str },
    /// The virtual root or a synthetic directory above a mount point.
    Virtual,
    /// An absent entry of a synthetic directory (creating it would need a writable root).
    VirtualMissing,
}

/// Matches `path` against the mount points (`mounts[i]` is mount `i`'s guest path).
///
/// The deepest mount containing `path` wins, so a mount nested in another one shadows it.
/// Paths above mount points are `Virtual`; an absent child of a synthetic directory is
/// `VirtualMissing`; anything else is ENOENT.
pub fn place<'a>(mounts: &[GuestPath], path: &'a GuestPath) -> Result<Place<'a>, Errno> {
    let best = mounts
        .iter()
        .enumerate()
        .filter_map(|(i, m)| path.strip_prefix(m).map(|rel| (i, m, rel)))
        .max_by_key(|(_, m, _)| m.components().count());
    if let Some((index, _, rel)) = best {
        return Ok(Place::Mount { index, rel });
    }
    if is_synthetic_dir(mounts, path) {
        return Ok(Place::Virtual);
    }
    if is_synthetic_dir(mounts, &path.parent()) {
        return Ok(Place::VirtualMissing);
    }
    Err(Errno::Noent)
}

/// Whether `path` is `/` or a strict ancestor of a mount point.
fn is_synthetic_dir(mounts: &[GuestPath], path: &GuestPath) -> bool {
    path.is_root()
        || mounts
            .iter()
            .any(|m| m != path && m.strip_prefix(path).is_some())
}

/// The names directly inside the synthetic directory `dir` (sorted, without duplicates).
pub fn synthetic_children(mounts: &[GuestPath], dir: &GuestPath) -> Vec<String> {
    let mut names: Vec<String> = mounts
        .iter()
        .filter_map(|m| m.strip_prefix(dir))
        .filter_map(|rest| rest.split('/').next())
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A mounted host directory.
#[derive(Debug)]
pub struct MountPoint {
    pub guest: GuestPath,
    pub host: PathBuf,
    pub dir: cap_std::fs::Dir,
    pub read_only: bool,
}

/// Where a resolved guest path lives.
#[derive(Debug)]
pub enum Location<'a> {
    /// Inside a mount: `rel` is relative to `mount.dir` (`.` for the mount's root).
    Host { mount: &'a MountPoint, rel: PathBuf },
    /// The virtual root or a synthetic directory above a mount point.
    Virtual,
    /// An absent entry of a synthetic directory.
    VirtualMissing,
}

/// A guest path resolved against the mount table.
#[derive(Debug)]
pub struct Resolved<'a> {
    /// The normalized absolute guest path.
    pub guest: GuestPath,
    /// The caller's path ended in `/` (or `/.`, `/..`): it must name a directory.
    pub wants_dir: bool,
    pub location: Location<'a>,
}

impl<'a> Resolved<'a> {
    /// The host location for an operation that modifies the filesystem.
    ///
    /// Synthetic directories and read-only mounts answer EROFS.
    pub fn writable(&self) -> Result<(&'a MountPoint, &Path), Errno> {
        match &self.location {
            Location::Host { mount, rel } if !mount.read_only => Ok((mount, rel)),
            _ => Err(Errno::Rofs),
        }
    }

    /// Whether this is a mount point or an existing synthetic directory: such entries
    /// cannot be renamed, removed or replaced from inside the guest.
    pub fn is_fixed(&self) -> bool {
        match &self.location {
            Location::Host { rel, .. } => rel.as_os_str() == ".",
            Location::Virtual => true,
            Location::VirtualMissing => false,
        }
    }
}

/// The guest's filesystem: mounted host directories under a synthetic read-only root.
///
/// Closed by default: with no mounts the guest sees an empty `/`.
#[derive(Debug, Default)]
pub struct Vfs {
    mounts: Vec<MountPoint>,
    guest_paths: Vec<GuestPath>,
}

/// A mount whose host directory cannot be opened.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot mount host directory `{}` at guest path `{guest}`: {source}\nhelp: check that `{}` exists and is a readable directory",
    host.display(),
    host.display()
)]
pub struct MountError {
    pub host: PathBuf,
    pub guest: String,
    #[source]
    pub source: std::io::Error,
}

impl From<MountError> for crate::Error {
    fn from(e: MountError) -> crate::Error {
        crate::Error::Config(e.to_string())
    }
}

impl Vfs {
    /// Opens every mount's host directory.
    ///
    /// # Ambient Authority
    ///
    /// This is the one place where host paths are opened by name (with
    /// [`cap_std::ambient_authority`]): the caller decides which directories the guest gets.
    /// Everything afterwards goes through the opened `Dir` handles.
    pub fn new(mounts: &[Mount]) -> Result<Vfs, MountError> {
        let mut vfs = Vfs::default();
        for m in mounts {
            let error = |source| MountError {
                host: m.host.clone(),
                guest: m.guest.clone(),
                source,
            };
            let guest = GuestPath::parse_absolute(&m.guest).map_err(|_| {
                error(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the guest path is not absolute",
                ))
            })?;
            let dir =
                cap_std::fs::Dir::open_ambient_dir(&m.host, ambient_authority()).map_err(error)?;
            // A later mount of the same guest path replaces an earlier one.
            if let Some(i) = vfs.guest_paths.iter().position(|g| *g == guest) {
                vfs.guest_paths.remove(i);
                vfs.mounts.remove(i);
            }
            vfs.guest_paths.push(guest.clone());
            vfs.mounts.push(MountPoint {
                guest,
                host: m.host.clone(),
                dir,
                read_only: m.read_only,
            });
        }
        Ok(vfs)
    }

    pub fn mounts(&self) -> &[MountPoint] {
        &self.mounts
    }

    /// Resolves `path` (absolute, or relative to the directory `base`).
    pub fn resolve(&self, base: &GuestPath, path: &str) -> Result<Resolved<'_>, Errno> {
        let (guest, wants_dir) = base.join(path)?;
        let location = self.locate(&guest)?;
        Ok(Resolved {
            guest,
            wants_dir,
            location,
        })
    }

    /// Finds where the normalized path `guest` lives.
    pub fn locate(&self, guest: &GuestPath) -> Result<Location<'_>, Errno> {
        Ok(match place(&self.guest_paths, guest)? {
            Place::Mount { index, rel } => {
                let mount = &self.mounts[index];
                if rel.is_empty() {
                    return Ok(Location::Host {
                        mount,
                        rel: PathBuf::from("."),
                    });
                }
                // A directory leading to a deeper mount point, absent from this mount's host
                // directory, is synthetic (e.g. `/x` for mounts at `/` and `/x/inner`).
                let leads_to_mount = is_synthetic_dir(&self.guest_paths, guest);
                if leads_to_mount && mount.dir.symlink_metadata(rel).is_err() {
                    return Ok(Location::Virtual);
                }
                Location::Host {
                    mount,
                    rel: PathBuf::from(rel),
                }
            }
            Place::Virtual => Location::Virtual,
            Place::VirtualMissing => Location::VirtualMissing,
        })
    }

    /// The entries of the synthetic directory `dir`.
    pub fn synthetic_children(&self, dir: &GuestPath) -> Vec<String> {
        synthetic_children(&self.guest_paths, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gp(s: &str) -> GuestPath {
        GuestPath::parse_absolute(s).unwrap()
    }

    #[test]
    fn join_table() {
        // (base, path, expected, wants_dir)
        let cases = [
            ("/", "a/b", "/a/b", false),
            ("/", "/a/./b/", "/a/b", true),
            ("/x/y", "z", "/x/y/z", false),
            ("/x/y", "../z", "/x/z", false),
            ("/x/y", "../../../../z", "/z", false),
            ("/x/y", "/abs", "/abs", false),
            ("/x/y", ".", "/x/y", true),
            ("/x/y", "..", "/x", true),
            ("/x/y", "a/..", "/x/y", true),
            ("/", "..", "/", true),
            ("/", "/", "/", false),
            ("/", "//a//b", "/a/b", false),
            ("/x", "a/.", "/x/a", true),
            ("/x", "a.b/..c", "/x/a.b/..c", false),
        ];
        for (base, path, want, want_dir) in cases {
            let (got, dir) = gp(base).join(path).unwrap();
            assert_eq!(
                (got.as_str(), dir),
                (want, want_dir),
                "join({base:?}, {path:?})"
            );
        }
    }

    #[test]
    fn check_beneath_table() {
        // (base, path, stays inside)
        let cases = [
            ("/d", "a/b", true),
            ("/d", "a/../b", true),
            ("/d", "a/./b/..//..", true),
            ("/d", ".", true),
            ("/d", "..", false),
            ("/d", "a/../../d/a", false),
            ("/d/e", "x/../../e", false),
            ("/d", "/d/a", false),
            ("/d", "//", false),
            ("/", "/d/a", true),
            ("/", "../../d", true),
            ("/", "..", true),
        ];
        for (base, path, ok) in cases {
            let got = gp(base).check_beneath(path);
            let want = if ok { Ok(()) } else { Err(Errno::Notcapable) };
            assert_eq!(got, want, "check_beneath({base:?}, {path:?})");
        }
    }

    #[test]
    fn join_errors() {
        assert_eq!(GuestPath::root().join(""), Err(Errno::Noent));
        assert_eq!(GuestPath::root().join("a\0b"), Err(Errno::Inval));
        assert_eq!(
            GuestPath::root().join(&"a".repeat(PATH_MAX + 1)),
            Err(Errno::Nametoolong)
        );
        assert_eq!(GuestPath::parse_absolute("rel"), Err(Errno::Inval));
    }

    #[test]
    fn parent_file_name_strip_prefix() {
        assert_eq!(gp("/a/b").parent(), gp("/a"));
        assert_eq!(gp("/a").parent(), GuestPath::root());
        assert_eq!(GuestPath::root().parent(), GuestPath::root());
        assert_eq!(gp("/a/b").file_name(), Some("b"));
        assert_eq!(GuestPath::root().file_name(), None);
        let cases = [
            ("/a/b", "/", Some("a/b")),
            ("/a/b", "/a", Some("b")),
            ("/a/b", "/a/b", Some("")),
            ("/ab", "/a", None),
            ("/a", "/a/b", None),
        ];
        for (path, ancestor, want) in cases {
            assert_eq!(
                gp(path).strip_prefix(&gp(ancestor)),
                want,
                "{path} - {ancestor}"
            );
        }
    }

    #[test]
    fn place_table() {
        let mounts = vec![
            gp("/data"),
            gp("/data/inner"),
            gp("/srv/www/site"),
            gp("/tmp"),
        ];
        let cases: [(&str, Result<Place<'_>, Errno>); 13] = [
            ("/", Ok(Place::Virtual)),
            ("/data", Ok(Place::Mount { index: 0, rel: "" })),
            (
                "/data/file",
                Ok(Place::Mount {
                    index: 0,
                    rel: "file",
                }),
            ),
            ("/data/inner", Ok(Place::Mount { index: 1, rel: "" })),
            (
                "/data/inner/x/y",
                Ok(Place::Mount {
                    index: 1,
                    rel: "x/y",
                }),
            ),
            (
                "/data/innerx",
                Ok(Place::Mount {
                    index: 0,
                    rel: "innerx",
                }),
            ),
            ("/srv", Ok(Place::Virtual)),
            ("/srv/www", Ok(Place::Virtual)),
            (
                "/srv/www/site/index.html",
                Ok(Place::Mount {
                    index: 2,
                    rel: "index.html",
                }),
            ),
            ("/srv/other", Ok(Place::VirtualMissing)),
            ("/etc", Ok(Place::VirtualMissing)),
            ("/etc/passwd", Err(Errno::Noent)),
            ("/srv/other/deeper", Err(Errno::Noent)),
        ];
        for (path, want) in cases {
            let path = gp(path);
            assert_eq!(place(&mounts, &path), want, "place({path})");
        }
    }

    #[test]
    fn escapes_never_leave_the_virtual_root() {
        // `..` at any depth, absolute paths and doubled slashes all resolve inside the tree.
        let mounts = vec![gp("/data")];
        let cases = [
            ("../../etc/passwd", "/etc/passwd", Err(Errno::Noent)),
            ("/../etc", "/etc", Ok(Place::VirtualMissing)),
            ("../../..", "/", Ok(Place::Virtual)),
            ("//..//data/../etc", "/etc", Ok(Place::VirtualMissing)),
            (
                "x/../../../data/y",
                "/data/y",
                Ok(Place::Mount { index: 0, rel: "y" }),
            ),
        ];
        for (path, want_path, want_place) in cases {
            let (p, _) = gp("/data/sub").join(path).unwrap();
            assert_eq!(p.as_str(), want_path, "join({path})");
            assert_eq!(place(&mounts, &p), want_place, "place({path})");
        }
    }

    #[test]
    fn root_mount_takes_everything_not_in_a_deeper_mount() {
        let mounts = vec![gp("/"), gp("/tmp")];
        let cases = [
            ("/", Place::Mount { index: 0, rel: "" }),
            (
                "/etc/x",
                Place::Mount {
                    index: 0,
                    rel: "etc/x",
                },
            ),
            ("/tmp/x", Place::Mount { index: 1, rel: "x" }),
        ];
        for (path, want) in cases {
            let path = gp(path);
            assert_eq!(place(&mounts, &path), Ok(want), "place({path})");
        }
    }

    #[test]
    fn synthetic_children_table() {
        let mounts = vec![
            gp("/data"),
            gp("/srv/www/site"),
            gp("/srv/api"),
            gp("/data/inner"),
        ];
        let cases = [
            ("/", vec!["data", "srv"]),
            ("/srv", vec!["api", "www"]),
            ("/srv/www", vec!["site"]),
            ("/data", vec!["inner"]),
            ("/nothing", vec![]),
        ];
        for (dir, want) in cases {
            assert_eq!(
                synthetic_children(&mounts, &gp(dir)),
                want,
                "children({dir})"
            );
        }
    }

    #[test]
    fn vfs_new_reports_missing_host_dir_with_help() {
        let m = Mount {
            guest: "/x".into(),
            host: "/definitely/not/here".into(),
            read_only: false,
        };
        let msg = Vfs::new(&[m]).unwrap_err().to_string();
        assert!(
            msg.contains("/definitely/not/here") && msg.contains("help:"),
            "{msg}"
        );
    }

    #[test]
    fn vfs_later_mount_of_same_path_wins() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let mounts = [
            Mount {
                guest: "/d".into(),
                host: a.path().into(),
                read_only: false,
            },
            Mount {
                guest: "/d/".into(),
                host: b.path().into(),
                read_only: true,
            },
        ];
        let vfs = Vfs::new(&mounts).unwrap();
        assert_eq!(vfs.mounts().len(), 1);
        assert_eq!(vfs.mounts()[0].host, b.path());
        let r = vfs.resolve(&GuestPath::root(), "d/x").unwrap();
        assert_eq!(r.writable().unwrap_err(), Errno::Rofs);
    }
}
