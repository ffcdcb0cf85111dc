//! Path operations on the virtual filesystem (the bodies of the `path_*` syscalls), written
//! against [`Vfs`] and a base directory's guest path so they can be tested without a guest.
//!
//! Rules at the virtual level: synthetic directories are read-only (EROFS for anything that
//! would change them), mount points cannot be removed or renamed (EBUSY), operations across
//! two mounts are EXDEV, read-only mounts answer EROFS. Inside a mount, cap-std does the work
//! and refuses any step (`..`, symlinks, absolute symlink targets) that would leave it.

use std::path::Path;
use std::sync::Arc;

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsSyncExt};
use cap_std::fs::OpenOptionsExt;

use crate::abi::Errno;
use crate::abi::types::{Filestat, TimeSpec, fdflags, oflags, rights};
use crate::fd::FdObject;
use crate::fs::dir::DirFd;
use crate::fs::file::HostFile;
use crate::fs::layout::{filestat_of, synthetic_dir_stat, time_spec};
use crate::fs::vroot::{GuestPath, Location, MountPoint, Resolved, Vfs};

/// What `path_open` asks for.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenRequest {
    /// Follow a symlink in the last component (`lookupflags::SYMLINK_FOLLOW`).
    pub follow: bool,
    /// `oflags` bits (CREAT, DIRECTORY, EXCL, TRUNC).
    pub oflags: u16,
    /// `fs_rights_base` (as granted, see `fd::rights`): FD_READ / FD_WRITE pick the host
    /// access mode.
    pub rights: u64,
    /// `fdflags` (APPEND, DSYNC, NONBLOCK, RSYNC, SYNC).
    pub fdflags: u16,
}

impl OpenRequest {
    /// Whether the guest asked for write access. A directory asked for this way is EISDIR,
    /// as POSIX says for `O_DIRECTORY` with `O_WRONLY`/`O_RDWR` (wasi-testsuite's
    /// `path_open_preopen`); directory fds hold no write rights, so libcs that pass a
    /// directory's own rights back do not ask for it.
    fn wants_write(&self) -> bool {
        self.rights & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE) != 0
            || self.fdflags & fdflags::APPEND != 0
            || self.oflags & oflags::TRUNC != 0
    }

    /// Whether the request could change the filesystem (refused on read-only places).
    fn modifies(&self) -> bool {
        self.wants_write() || self.oflags & oflags::CREAT != 0
    }
}

/// The guest path of the directory behind a dir fd object (ENOTDIR for any other object).
pub fn base_of(obj: &Arc<dyn FdObject>) -> Result<GuestPath, Errno> {
    obj.downcast_ref::<DirFd>()
        .map(|d| d.guest_path().clone())
        .ok_or(Errno::Notdir)
}

/// The host path relative to the mount, with a trailing `/` kept when the guest demanded a
/// directory (the kernel then checks it).
fn rel_path(r: &Resolved<'_>, rel: &Path) -> std::path::PathBuf {
    if r.wants_dir && rel.as_os_str() != "." {
        let mut s = rel.as_os_str().to_owned();
        s.push("/");
        s.into()
    } else {
        rel.to_path_buf()
    }
}

/// `path_open`: opens a file or directory.
pub fn open(
    vfs: &Vfs,
    base: &GuestPath,
    path: &str,
    req: OpenRequest,
) -> Result<Arc<dyn FdObject>, Errno> {
    if let Some(dev) = device(vfs, base, path) {
        return Ok(dev);
    }
    let r = vfs.resolve(base, path)?;
    let creat = req.oflags & oflags::CREAT != 0;
    let excl = req.oflags & oflags::EXCL != 0;
    let want_dir = req.oflags & oflags::DIRECTORY != 0 || r.wants_dir;
    if creat && req.oflags & oflags::DIRECTORY != 0 {
        return Err(Errno::Inval);
    }
    let (mount, rel) = match &r.location {
        Location::Virtual => {
            if creat && excl {
                return Err(Errno::Exist);
            }
            if req.wants_write() {
                return Err(Errno::Isdir);
            }
            return Ok(Arc::new(DirFd::synthetic(
                r.guest.clone(),
                vfs.synthetic_children(&r.guest),
            )));
        }
        Location::VirtualMissing => return Err(if creat { Errno::Rofs } else { Errno::Noent }),
        Location::Host { mount, rel } => (*mount, rel_path(&r, rel)),
    };
    if mount.read_only && req.modifies() {
        return Err(Errno::Rofs);
    }
    if want_dir && !creat {
        if req.wants_write() {
            return Err(Errno::Isdir);
        }
        let dir = if req.follow {
            mount.dir.open_dir(&rel)?
        } else {
            mount.dir.open_dir_nofollow(&rel)?
        };
        let nested = vfs.synthetic_children(&r.guest);
        return Ok(Arc::new(
            DirFd::host(r.guest, dir)
                .with_mount_points(nested)
                .with_read_only(mount.read_only),
        ));
    }
    let mut opts = cap_std::fs::OpenOptions::new();
    // std/cap-std refuse create/truncate without write access; POSIX allows O_RDONLY|O_CREAT,
    // so such opens get write access too (the mount is writable, checked above).
    let write = req.wants_write() || creat;
    let read = req.rights & (rights::FD_READ | rights::FD_READDIR) != 0 || !write;
    let append = req.fdflags & fdflags::APPEND != 0;
    let truncate = req.oflags & oflags::TRUNC != 0;
    opts.read(read)
        .write(write && !append)
        .append(append)
        // std/cap-std refuse truncate with append (EINVAL); POSIX allows O_TRUNC|O_APPEND,
        // so then O_TRUNC goes to openat as a custom flag (wasi-testsuite's pwrite-with-append).
        .truncate(truncate && !append)
        .custom_flags(if truncate && append {
            rustix::fs::OFlags::TRUNC.bits() as i32
        } else {
            0
        })
        .create(creat && !excl)
        .create_new(creat && excl)
        .follow(if req.follow {
            FollowSymlinks::Yes
        } else {
            FollowSymlinks::No
        })
        .sync(req.fdflags & fdflags::SYNC != 0)
        .dsync(req.fdflags & fdflags::DSYNC != 0)
        .nonblock(req.fdflags & fdflags::NONBLOCK != 0);
    let file = match mount.dir.open_with(&rel, &opts) {
        Ok(f) => f,
        // Opening a directory for writing, as POSIX says.
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::ISDIR.raw_os_error()) => {
            return Err(Errno::Isdir);
        }
        Err(e) => return Err(e.into()),
    };
    let filetype = crate::fs::layout::filetype_of(file.metadata()?.file_type());
    if filetype == crate::abi::types::Filetype::Directory {
        if write {
            return Err(Errno::Isdir);
        }
        let nested = vfs.synthetic_children(&r.guest);
        let dir = cap_std::fs::Dir::from_std_file(file.into_std());
        return Ok(Arc::new(
            DirFd::host(r.guest, dir)
                .with_mount_points(nested)
                .with_read_only(mount.read_only),
        ));
    }
    if want_dir {
        return Err(Errno::Notdir);
    }
    Ok(Arc::new(
        HostFile::with_filetype(file, filetype, req.fdflags).with_read_only(mount.read_only),
    ))
}

/// The built-in `/dev/null` (see `fd::null`), unless a mount provides `/dev`.
fn device(vfs: &Vfs, base: &GuestPath, path: &str) -> Option<Arc<dyn FdObject>> {
    let (guest, _) = base.join(path).ok()?;
    if guest.as_str() != crate::fd::null::PATH {
        return None;
    }
    match vfs.locate(&guest) {
        Ok(Location::Host { .. }) => None,
        _ => Some(Arc::new(crate::fd::null::NullDevice)),
    }
}

/// `path_create_directory`.
pub fn create_directory(vfs: &Vfs, base: &GuestPath, path: &str) -> Result<(), Errno> {
    let r = vfs.resolve(base, path)?;
    if r.is_fixed() {
        return Err(Errno::Exist);
    }
    let (mount, rel) = r.writable()?;
    Ok(mount.dir.create_dir(rel)?)
}

/// `path_filestat_get`.
pub fn filestat(vfs: &Vfs, base: &GuestPath, path: &str, follow: bool) -> Result<Filestat, Errno> {
    let r = vfs.resolve(base, path)?;
    match &r.location {
        Location::Virtual => Ok(synthetic_dir_stat(r.guest.as_str())),
        Location::VirtualMissing => Err(Errno::Noent),
        Location::Host { mount, rel } => {
            let rel = rel_path(&r, rel);
            let md = if follow {
                mount.dir.metadata(&rel)?
            } else {
                mount.dir.symlink_metadata(&rel)?
            };
            if r.wants_dir && !md.is_dir() {
                return Err(Errno::Notdir);
            }
            Ok(filestat_of(&md))
        }
    }
}

/// `path_filestat_set_times`.
pub fn set_times(
    vfs: &Vfs,
    base: &GuestPath,
    path: &str,
    follow: bool,
    atim: TimeSpec,
    mtim: TimeSpec,
) -> Result<(), Errno> {
    let r = vfs.resolve(base, path)?;
    if let Location::VirtualMissing = r.location {
        return Err(Errno::Noent);
    }
    let (mount, rel) = r.writable()?;
    let rel = rel_path(&r, rel);
    if follow {
        mount
            .dir
            .set_times(&rel, time_spec(atim), time_spec(mtim))?;
    } else {
        mount
            .dir
            .set_symlink_times(&rel, time_spec(atim), time_spec(mtim))?;
    }
    Ok(())
}

/// Resolves both paths of a two-path operation to one writable mount (EXDEV across mounts,
/// EBUSY for mount points and synthetic directories).
fn same_mount<'a>(from: &Resolved<'a>, to: &Resolved<'a>) -> Result<&'a MountPoint, Errno> {
    if let Location::VirtualMissing = from.location {
        return Err(Errno::Noent);
    }
    if from.is_fixed() || to.is_fixed() {
        return Err(Errno::Busy);
    }
    let (m1, _) = from.writable()?;
    let (m2, _) = to.writable()?;
    if !std::ptr::eq(m1, m2) {
        return Err(Errno::Xdev);
    }
    Ok(m1)
}

fn host_rel(r: &Resolved<'_>) -> Result<std::path::PathBuf, Errno> {
    match &r.location {
        Location::Host { rel, .. } => Ok(rel_path(r, rel)),
        _ => Err(Errno::Rofs),
    }
}

/// `path_rename`.
pub fn rename(
    vfs: &Vfs,
    old_base: &GuestPath,
    old: &str,
    new_base: &GuestPath,
    new: &str,
) -> Result<(), Errno> {
    let from = vfs.resolve(old_base, old)?;
    let to = vfs.resolve(new_base, new)?;
    let mount = same_mount(&from, &to)?;
    Ok(mount
        .dir
        .rename(host_rel(&from)?, &mount.dir, host_rel(&to)?)?)
}

/// `path_link`: a hard link to `old` at `new`. With `follow`, a symlink at `old` is resolved
/// (inside its mount) and its target is linked, like `linkat(AT_SYMLINK_FOLLOW)`.
pub fn link(
    vfs: &Vfs,
    old_base: &GuestPath,
    old: &str,
    follow: bool,
    new_base: &GuestPath,
    new: &str,
) -> Result<(), Errno> {
    let from = vfs.resolve(old_base, old)?;
    let to = vfs.resolve(new_base, new)?;
    if from.is_fixed() {
        return Err(Errno::Perm);
    }
    let mount = same_mount(&from, &to)?;
    let mut src = host_rel(&from)?;
    if follow {
        // cap-std's canonicalize stays inside the mount and returns a path relative to it.
        src = mount.dir.canonicalize(&src)?;
    }
    Ok(mount.dir.hard_link(src, &mount.dir, host_rel(&to)?)?)
}

/// `path_symlink`: creates `new` pointing at `target`.
///
/// An absolute target inside the link's own mount is stored relative to the link's directory
/// (`/data/a/t` linked from `/data/b/l` becomes `../a/t`), so the link resolves to the same
/// file in the guest and on the host, and never leaves the mount; `readlink` then answers the
/// relative form. Other absolute targets are refused (EPERM): another mount, a synthetic
/// directory or nothing mounted could never be followed, and on the host such a target would
/// point outside the mount. A `new` ending in `/` names a
/// directory, which a symlink never is: EEXIST if a directory is there, ENOTDIR for another
/// entry, ENOENT for none (Linux's `symlinkat`; wasi-testsuite's
/// `path_symlink_trailing_slashes`).
pub fn symlink(vfs: &Vfs, target: &str, base: &GuestPath, new: &str) -> Result<(), Errno> {
    if target.is_empty() {
        return Err(Errno::Noent);
    }
    if target.contains('\0') {
        return Err(Errno::Inval);
    }
    let r = vfs.resolve(base, new)?;
    if r.is_fixed() {
        return Err(Errno::Exist);
    }
    let (mount, rel) = r.writable()?;
    if r.wants_dir {
        return Err(match mount.dir.symlink_metadata(rel) {
            Ok(md) if md.is_dir() => Errno::Exist,
            Ok(_) => Errno::Notdir,
            Err(_) => Errno::Noent,
        });
    }
    if target.starts_with('/') {
        let relative = relative_target(vfs, mount, rel, target)?;
        return Ok(mount.dir.symlink(relative, rel)?);
    }
    Ok(mount.dir.symlink(target, rel)?)
}

/// The relative form of the absolute guest `target` for a link at `link` (relative to
/// `mount`), or EPERM when the target is not inside that mount.
fn relative_target(
    vfs: &Vfs,
    mount: &MountPoint,
    link: &Path,
    target: &str,
) -> Result<std::path::PathBuf, Errno> {
    let guest = GuestPath::parse_absolute(target).map_err(|_| Errno::Perm)?;
    let target_rel = match vfs.locate(&guest).map_err(|_| Errno::Perm)? {
        Location::Host { mount: m, rel } if std::ptr::eq(m, mount) => rel,
        _ => return Err(Errno::Perm),
    };
    // The link's directory as it really is inside the mount (its own path may pass through
    // symlinks, which a lexical `..` count would get wrong).
    let parent = link.parent().filter(|p| !p.as_os_str().is_empty());
    let link_dir = match parent {
        Some(p) => mount.dir.canonicalize(p)?,
        None => std::path::PathBuf::new(),
    };
    Ok(relative_path(&link_dir, &target_rel))
}

/// `to` as seen from the directory `from`, both relative to the same root and free of `..`.
fn relative_path(from: &Path, to: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let parts = |p: &Path| -> Vec<std::ffi::OsString> {
        p.components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .map(|c| c.as_os_str().to_owned())
            .collect()
    };
    let (from, to) = (parts(from), parts(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = std::path::PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `path_readlink`: the symlink's target bytes.
pub fn readlink(vfs: &Vfs, base: &GuestPath, path: &str) -> Result<Vec<u8>, Errno> {
    use std::os::unix::ffi::OsStrExt;
    let r = vfs.resolve(base, path)?;
    match &r.location {
        Location::Virtual => Err(Errno::Inval),
        Location::VirtualMissing => Err(Errno::Noent),
        Location::Host { mount, rel } => Ok(mount
            .dir
            .read_link_contents(rel_path(&r, rel))?
            .as_os_str()
            .as_bytes()
            .to_vec()),
    }
}

/// `path_remove_directory`.
pub fn remove_directory(vfs: &Vfs, base: &GuestPath, path: &str) -> Result<(), Errno> {
    let r = vfs.resolve(base, path)?;
    match &r.location {
        Location::VirtualMissing => return Err(Errno::Noent),
        Location::Virtual => return Err(Errno::Busy),
        Location::Host { rel, .. } if rel.as_os_str() == "." => return Err(Errno::Busy),
        Location::Host { .. } => {}
    }
    let (mount, rel) = r.writable()?;
    Ok(mount.dir.remove_dir(rel)?)
}

/// `path_unlink_file`.
pub fn unlink_file(vfs: &Vfs, base: &GuestPath, path: &str) -> Result<(), Errno> {
    let r = vfs.resolve(base, path)?;
    match &r.location {
        Location::VirtualMissing => return Err(Errno::Noent),
        Location::Virtual => return Err(Errno::Isdir),
        Location::Host { rel, .. } if rel.as_os_str() == "." => return Err(Errno::Isdir),
        Location::Host { .. } => {}
    }
    let (mount, rel) = r.writable()?;
    let rel = rel_path(&r, rel);
    Ok(mount.dir.remove_file(rel)?)
}

/// Checks that `path` names a directory (for `chdir`) and returns its normalized guest path.
pub fn directory_path(vfs: &Vfs, base: &GuestPath, path: &str) -> Result<GuestPath, Errno> {
    let st = filestat(vfs, base, path, true)?;
    if st.filetype != crate::abi::types::Filetype::Directory {
        return Err(Errno::Notdir);
    }
    Ok(base.join(path)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::types::Filetype;
    use crate::mount::Mount;

    /// A vfs with `/data` (writable), `/ro` (read-only) and `/srv/www` (writable, nested).
    struct Fixture {
        _dirs: Vec<tempfile::TempDir>,
        data: std::path::PathBuf,
        vfs: Vfs,
    }

    fn fixture() -> Fixture {
        let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
        std::fs::write(dirs[1].path().join("ro.txt"), b"read me").unwrap();
        let mount = |guest: &str, i: usize, read_only| Mount {
            guest: guest.into(),
            host: dirs[i].path().into(),
            read_only,
        };
        let vfs = Vfs::new(&[
            mount("/data", 0, false),
            mount("/ro", 1, true),
            mount("/srv/www", 2, false),
        ])
        .unwrap();
        Fixture {
            data: dirs[0].path().into(),
            _dirs: dirs,
            vfs,
        }
    }

    fn root() -> GuestPath {
        GuestPath::root()
    }

    /// Regression (issue 14, escape suite): `futimens` works on a read-only host fd, so a
    /// file or directory opened from a read-only mount could have its times changed.
    #[test]
    fn read_only_mount_refuses_times_through_fds() {
        let f = fixture();
        let times = (TimeSpec::At(1), TimeSpec::Now);
        for path in ["/ro/ro.txt", "/ro", "/ro/."] {
            let obj = read_only(&f.vfs, &root(), path, true).unwrap();
            assert_eq!(obj.set_times(times.0, times.1), Err(Errno::Rofs), "{path}");
        }
        let st = filestat(&f.vfs, &root(), "/ro/ro.txt", true).unwrap();
        assert_ne!(st.atim, 1);
        std::fs::write(f.data.join("w.txt"), b"w").unwrap();
        let obj = read_only(&f.vfs, &root(), "/data/w.txt", true).unwrap();
        assert_eq!(obj.set_times(times.0, times.1), Ok(()));
        let root_ro = Vfs::new(&[Mount {
            guest: "/".into(),
            host: f.data.clone(),
            read_only: true,
        }])
        .unwrap();
        let preopen = crate::fs::root_preopen(&root_ro).unwrap();
        assert_eq!(preopen.set_times(times.0, times.1), Err(Errno::Rofs));
    }

    const RW: u64 = rights::FD_READ | rights::FD_WRITE;

    fn create(vfs: &Vfs, path: &str) -> Result<Arc<dyn FdObject>, Errno> {
        open(
            vfs,
            &root(),
            path,
            OpenRequest {
                follow: true,
                oflags: oflags::CREAT,
                rights: RW,
                fdflags: 0,
            },
        )
    }

    fn read_only(
        vfs: &Vfs,
        base: &GuestPath,
        path: &str,
        follow: bool,
    ) -> Result<Arc<dyn FdObject>, Errno> {
        open(
            vfs,
            base,
            path,
            OpenRequest {
                follow,
                oflags: 0,
                rights: rights::FD_READ,
                fdflags: 0,
            },
        )
    }

    #[test]
    fn create_write_read_back() {
        let f = fixture();
        let file = create(&f.vfs, "/data/a.txt").unwrap();
        assert_eq!(file.write(b"hi").unwrap(), 2);
        assert_eq!(std::fs::read(f.data.join("a.txt")).unwrap(), b"hi");
        let again = read_only(&f.vfs, &root(), "data/a.txt", true).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(again.read(&mut buf).unwrap(), 2);
        assert_eq!(again.write(b"x"), Err(Errno::Badf), "opened read-only");
        let excl = OpenRequest {
            follow: true,
            oflags: oflags::CREAT | oflags::EXCL,
            rights: RW,
            fdflags: 0,
        };
        assert_eq!(
            open(&f.vfs, &root(), "/data/a.txt", excl).err(),
            Some(Errno::Exist)
        );
        assert_eq!(
            read_only(&f.vfs, &root(), "/data/a.txt/", true).err(),
            Some(Errno::Notdir)
        );
        assert_eq!(
            read_only(&f.vfs, &root(), "/data/missing", true).err(),
            Some(Errno::Noent)
        );
    }

    #[test]
    fn directories_open_as_dir_objects() {
        let f = fixture();
        create_directory(&f.vfs, &root(), "/data/sub").unwrap();
        assert_eq!(
            create_directory(&f.vfs, &root(), "/data/sub"),
            Err(Errno::Exist)
        );
        let dir_req = OpenRequest {
            follow: true,
            oflags: oflags::DIRECTORY,
            rights: rights::FD_READ,
            fdflags: 0,
        };
        for path in ["/data/sub", "/data", "/", "/srv", "/data/sub/."] {
            let d = open(&f.vfs, &root(), path, dir_req).unwrap();
            assert_eq!(d.filetype(), Filetype::Directory, "{path}");
            assert!(base_of(&d).is_ok());
        }
        // A directory asked for with write access (rights, TRUNC or APPEND) is EISDIR, as
        // POSIX says for O_DIRECTORY|O_RDWR (wasi-testsuite's path_open_preopen); on a
        // read-only mount the write is refused first.
        let writes = [
            (rights::FD_READ | rights::FD_WRITE, 0, 0),
            (rights::ALL, 0, 0),
            (rights::FD_READ, oflags::TRUNC, 0),
            (rights::FD_READ, 0, fdflags::APPEND),
        ];
        for (rights, extra_oflags, fdflags) in writes {
            let req = OpenRequest {
                rights,
                oflags: oflags::DIRECTORY | extra_oflags,
                fdflags,
                ..dir_req
            };
            for (path, want) in [
                ("/data/sub", Errno::Isdir),
                ("/srv", Errno::Isdir),
                ("/", Errno::Isdir),
                ("/ro", Errno::Rofs),
            ] {
                assert_eq!(
                    open(&f.vfs, &root(), path, req).err(),
                    Some(want),
                    "{path} {req:?}"
                );
            }
        }
        // Without O_DIRECTORY a directory still opens (as a directory), but not for writing.
        assert_eq!(
            read_only(&f.vfs, &root(), "/data/sub", true)
                .unwrap()
                .filetype(),
            Filetype::Directory
        );
        assert_eq!(create(&f.vfs, "/data/sub").err(), Some(Errno::Isdir));
        // A file relative to an opened directory.
        let sub = open(&f.vfs, &root(), "/data/sub", dir_req).unwrap();
        let base = base_of(&sub).unwrap();
        assert_eq!(base.as_str(), "/data/sub");
        open(
            &f.vfs,
            &base,
            "inner.txt",
            OpenRequest {
                follow: true,
                oflags: oflags::CREAT,
                rights: RW,
                fdflags: 0,
            },
        )
        .unwrap();
        assert!(f.data.join("sub/inner.txt").exists());
        assert_eq!(
            base_of(&create(&f.vfs, "/data/file").unwrap()).err(),
            Some(Errno::Notdir)
        );
    }

    #[test]
    fn virtual_root_is_read_only() {
        let f = fixture();
        let cases: [(&str, Result<(), Errno>); 6] = [
            (
                "mkdir /newdir",
                create_directory(&f.vfs, &root(), "/newdir"),
            ),
            ("mkdir /srv", create_directory(&f.vfs, &root(), "/srv")),
            ("create /x", create(&f.vfs, "/x").map(drop)),
            ("create /srv/x", create(&f.vfs, "/srv/x").map(drop)),
            ("rmdir /srv", remove_directory(&f.vfs, &root(), "/srv")),
            ("unlink /srv", unlink_file(&f.vfs, &root(), "/srv")),
        ];
        let want = [
            Err(Errno::Rofs),
            Err(Errno::Exist),
            Err(Errno::Rofs),
            Err(Errno::Rofs),
            Err(Errno::Busy),
            Err(Errno::Isdir),
        ];
        for ((what, got), want) in cases.into_iter().zip(want) {
            assert_eq!(got, want, "{what}");
        }
        assert_eq!(remove_directory(&f.vfs, &root(), "/data"), Err(Errno::Busy));
        assert_eq!(
            rename(&f.vfs, &root(), "/data", &root(), "/data2"),
            Err(Errno::Busy)
        );
        assert_eq!(
            filestat(&f.vfs, &root(), "/srv", true).unwrap().filetype,
            Filetype::Directory
        );
        assert_eq!(filestat(&f.vfs, &root(), "/nope", true), Err(Errno::Noent));
        assert_eq!(
            filestat(&f.vfs, &root(), "/nope/deeper", true),
            Err(Errno::Noent)
        );
    }

    #[test]
    fn read_only_mount_refuses_writes() {
        let f = fixture();
        let ro = root();
        assert!(read_only(&f.vfs, &ro, "/ro/ro.txt", true).is_ok());
        let writes: [(&str, Result<(), Errno>); 8] = [
            ("create", create(&f.vfs, "/ro/new").map(drop)),
            (
                "open rw",
                open(
                    &f.vfs,
                    &ro,
                    "/ro/ro.txt",
                    OpenRequest {
                        follow: true,
                        oflags: 0,
                        rights: RW,
                        fdflags: 0,
                    },
                )
                .map(drop),
            ),
            (
                "append",
                open(
                    &f.vfs,
                    &ro,
                    "/ro/ro.txt",
                    OpenRequest {
                        follow: true,
                        oflags: 0,
                        rights: rights::FD_READ,
                        fdflags: fdflags::APPEND,
                    },
                )
                .map(drop),
            ),
            ("mkdir", create_directory(&f.vfs, &ro, "/ro/d")),
            ("unlink", unlink_file(&f.vfs, &ro, "/ro/ro.txt")),
            (
                "rename",
                rename(&f.vfs, &ro, "/ro/ro.txt", &ro, "/ro/moved"),
            ),
            ("symlink", symlink(&f.vfs, "ro.txt", &ro, "/ro/l")),
            (
                "times",
                set_times(
                    &f.vfs,
                    &ro,
                    "/ro/ro.txt",
                    true,
                    TimeSpec::Now,
                    TimeSpec::Now,
                ),
            ),
        ];
        for (what, got) in writes {
            assert_eq!(got, Err(Errno::Rofs), "{what}");
        }
        assert_eq!(
            rename(&f.vfs, &ro, "/data/x", &ro, "/ro/x"),
            Err(Errno::Noent).or(Err(Errno::Rofs))
        );
    }

    /// `path_filestat_set_times` honours the lookup flag: without SYMLINK_FOLLOW the link's
    /// own times change (`utimensat(AT_SYMLINK_NOFOLLOW)`, filetime's `set_symlink_file_times`),
    /// with it the target's (issue 18).
    #[test]
    fn set_times_follows_a_symlink_only_when_asked() {
        use std::time::{Duration, UNIX_EPOCH};
        let f = fixture();
        create(&f.vfs, "/data/target").unwrap();
        symlink(&f.vfs, "target", &root(), "/data/link").unwrap();
        let at = |secs: u64| TimeSpec::At(secs * 1_000_000_000);
        let mtime = |name: &str, follow: bool| {
            let p = f.data.join(name);
            let md = if follow {
                std::fs::metadata(p)
            } else {
                std::fs::symlink_metadata(p)
            };
            md.unwrap().modified().unwrap()
        };
        let secs = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        // (follow, mtime) -> (the link's own mtime, the target's mtime)
        let cases = [
            (false, 1000, (1000, None)),
            (true, 2000, (1000, Some(2000))),
        ];
        for (follow, m, (link_m, target_m)) in cases {
            set_times(&f.vfs, &root(), "/data/link", follow, TimeSpec::Omit, at(m)).unwrap();
            assert_eq!(
                mtime("link", false),
                secs(link_m),
                "link after follow={follow}"
            );
            if let Some(t) = target_m {
                assert_eq!(
                    mtime("target", true),
                    secs(t),
                    "target after follow={follow}"
                );
            } else {
                assert_ne!(
                    mtime("target", true),
                    secs(m),
                    "target untouched by follow={follow}"
                );
            }
        }
    }

    #[test]
    fn cross_mount_rename_and_link_are_exdev() {
        let f = fixture();
        create(&f.vfs, "/data/a").unwrap();
        assert_eq!(
            rename(&f.vfs, &root(), "/data/a", &root(), "/srv/www/a"),
            Err(Errno::Xdev)
        );
        assert_eq!(
            link(&f.vfs, &root(), "/data/a", false, &root(), "/srv/www/a"),
            Err(Errno::Xdev)
        );
        rename(&f.vfs, &root(), "/data/a", &root(), "/data/b").unwrap();
        link(&f.vfs, &root(), "/data/b", false, &root(), "/data/c").unwrap();
        assert_eq!(filestat(&f.vfs, &root(), "/data/c", true).unwrap().nlink, 2);
        unlink_file(&f.vfs, &root(), "/data/b").unwrap();
        assert_eq!(unlink_file(&f.vfs, &root(), "/data/b"), Err(Errno::Noent));
    }

    #[test]
    fn escapes_fail() {
        let f = fixture();
        // A host file next to the mount that the guest must never reach.
        let outside = f
            .data
            .parent()
            .unwrap()
            .join(format!("outside-{}", std::process::id()));
        std::fs::write(&outside, b"secret").unwrap();
        let name = outside.file_name().unwrap().to_str().unwrap().to_owned();
        std::os::unix::fs::symlink(&outside, f.data.join("abs-link")).unwrap();
        std::os::unix::fs::symlink(format!("../{name}"), f.data.join("rel-link")).unwrap();
        let base = GuestPath::parse_absolute("/data").unwrap();
        let attempts = [
            format!("../{name}"),
            format!("../../{name}"),
            outside.to_str().unwrap().to_owned(),
            "abs-link".into(),
            "rel-link".into(),
        ];
        for path in &attempts {
            let got = read_only(&f.vfs, &base, path, true);
            assert!(
                matches!(got, Err(Errno::Noent | Errno::Perm | Errno::Notcapable)),
                "{path}: {:?}",
                got.map(|_| ())
            );
        }
        // Symlinks themselves are visible (not followed) and their targets readable.
        assert_eq!(
            filestat(&f.vfs, &base, "rel-link", false).unwrap().filetype,
            Filetype::SymbolicLink
        );
        assert_eq!(
            readlink(&f.vfs, &base, "rel-link").unwrap(),
            format!("../{name}").into_bytes()
        );
        // An absolute symlink out of the mount is refused; a relative one pointing out cannot
        // be followed.
        assert_eq!(
            symlink(&f.vfs, "/etc/passwd", &base, "evil"),
            Err(Errno::Perm)
        );
        symlink(&f.vfs, "../../../etc/passwd", &base, "evil2").unwrap();
        assert!(read_only(&f.vfs, &base, "evil2", true).is_err());
        std::fs::remove_file(&outside).unwrap();
    }

    #[test]
    fn relative_paths_between_directories() {
        let cases = [
            ("", "a", "a"),
            ("", "", "."),
            ("b", "a/t", "../a/t"),
            ("a", "a/t", "t"),
            ("a/b/c", "a/x", "../../x"),
            ("a/b", "a/b", "."),
            ("a/b", "a", ".."),
        ];
        for (from, to, want) in cases {
            assert_eq!(
                relative_path(Path::new(from), Path::new(to)),
                Path::new(want),
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn absolute_targets_in_the_same_mount_are_stored_relative() {
        let f = fixture();
        create_directory(&f.vfs, &root(), "/data/a").unwrap();
        create_directory(&f.vfs, &root(), "/data/b").unwrap();
        create(&f.vfs, "/data/a/t")
            .unwrap()
            .write(b"target")
            .unwrap();
        // The link's directory reached through a symlink: the stored form must still work.
        symlink(&f.vfs, "b", &root(), "/data/via").unwrap();
        for (link, stored) in [
            ("/data/b/l", "../a/t"),
            ("/data/via/l2", "../a/t"),
            ("/data/l3", "a/t"),
        ] {
            symlink(&f.vfs, "/data/a/t", &root(), link).unwrap();
            assert_eq!(readlink(&f.vfs, &root(), link).unwrap(), stored.as_bytes());
            let file = read_only(&f.vfs, &root(), link, true).unwrap();
            let mut buf = [0u8; 16];
            let n = file.read(&mut buf).unwrap();
            assert_eq!(&buf[..n], b"target", "{link}");
        }
        // The host sees the same file through the link.
        assert_eq!(std::fs::read(f.data.join("b/l")).unwrap(), b"target");
        // Lexical `..` in the target is normalized first; leaving the mount stays refused.
        symlink(&f.vfs, "/data/b/../a/t", &root(), "/data/l4").unwrap();
        assert_eq!(readlink(&f.vfs, &root(), "/data/l4").unwrap(), b"a/t");
        for target in [
            "/data/../etc/passwd",
            "/srv/www/x",
            "/ro/ro.txt",
            "/srv",
            "/",
        ] {
            assert_eq!(
                symlink(&f.vfs, target, &root(), "/data/l5"),
                Err(Errno::Perm),
                "{target}"
            );
        }
    }

    #[test]
    fn symlinks_inside_a_mount_work() {
        let f = fixture();
        create_directory(&f.vfs, &root(), "/data/real").unwrap();
        create(&f.vfs, "/data/real/f")
            .unwrap()
            .write(b"via link")
            .unwrap();
        symlink(&f.vfs, "real", &root(), "/data/link").unwrap();
        let file = read_only(&f.vfs, &root(), "/data/link/f", true).unwrap();
        let mut buf = [0u8; 16];
        let n = file.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"via link");
        assert_eq!(
            read_only(&f.vfs, &root(), "/data/link", false).err(),
            Some(Errno::Loop)
        );
        assert_eq!(
            directory_path(&f.vfs, &root(), "/data/link")
                .unwrap()
                .as_str(),
            "/data/link"
        );
        assert_eq!(
            directory_path(&f.vfs, &root(), "/data/real/f").err(),
            Some(Errno::Notdir)
        );
        assert_eq!(
            directory_path(&f.vfs, &root(), "/srv").unwrap().as_str(),
            "/srv"
        );
    }

    #[test]
    fn mounts_nested_in_a_host_directory_are_listed() {
        let outer = tempfile::tempdir().unwrap();
        let inner = tempfile::tempdir().unwrap();
        std::fs::write(outer.path().join("own.txt"), b"").unwrap();
        let mount = |guest: &str, host: &Path| Mount {
            guest: guest.into(),
            host: host.into(),
            read_only: false,
        };
        let vfs = Vfs::new(&[mount("/", outer.path()), mount("/x/inner", inner.path())]).unwrap();
        let list = |path: &str| -> Vec<String> {
            let req = OpenRequest {
                follow: true,
                oflags: oflags::DIRECTORY,
                rights: rights::FD_READ,
                fdflags: 0,
            };
            let d = open(&vfs, &root(), path, req).unwrap();
            let mut names: Vec<String> = d
                .readdir(0)
                .unwrap()
                .into_iter()
                .map(|e| String::from_utf8(e.name).unwrap())
                .collect();
            names.sort();
            names
        };
        // `/x` exists in neither host directory: it is synthetic, and listed in `/`.
        assert_eq!(list("/"), [".", "..", "own.txt", "x"]);
        assert_eq!(list("/x"), [".", "..", "inner"]);
        let root_fd = crate::fs::root_preopen(&vfs).unwrap();
        assert_eq!(root_fd.readdir(0).unwrap().len(), 4);
    }

    #[test]
    fn hard_link_follows_symlinks_only_when_asked() {
        let f = fixture();
        create(&f.vfs, "/data/target").unwrap();
        symlink(&f.vfs, "target", &root(), "/data/sym").unwrap();
        link(
            &f.vfs,
            &root(),
            "/data/sym",
            true,
            &root(),
            "/data/hard-to-target",
        )
        .unwrap();
        link(
            &f.vfs,
            &root(),
            "/data/sym",
            false,
            &root(),
            "/data/hard-to-sym",
        )
        .unwrap();
        let kind = |p: &str| filestat(&f.vfs, &root(), p, false).unwrap().filetype;
        assert_eq!(kind("/data/hard-to-target"), Filetype::RegularFile);
        assert_eq!(kind("/data/hard-to-sym"), Filetype::SymbolicLink);
        assert_eq!(
            filestat(&f.vfs, &root(), "/data/target", false)
                .unwrap()
                .nlink,
            2
        );
        // A symlink leading out of the mount is not followed for linking either.
        symlink(&f.vfs, "../../etc/passwd", &root(), "/data/out").unwrap();
        assert!(link(&f.vfs, &root(), "/data/out", true, &root(), "/data/stolen").is_err());
    }

    #[test]
    fn truncate_with_append_truncates_and_appends() {
        // POSIX allows O_TRUNC|O_APPEND; std's OpenOptions alone would answer EINVAL.
        let f = fixture();
        std::fs::write(f.data.join("log"), b"old contents").unwrap();
        let req = OpenRequest {
            follow: true,
            oflags: oflags::CREAT | oflags::TRUNC,
            rights: rights::FD_WRITE | rights::FD_SEEK,
            fdflags: fdflags::APPEND,
        };
        let file = open(&f.vfs, &root(), "/data/log", req).unwrap();
        assert_eq!(std::fs::read(f.data.join("log")).unwrap(), b"");
        file.write(b"ab").unwrap();
        file.seek(0, crate::abi::types::Whence::Set).unwrap();
        file.write(b"cd").unwrap();
        assert_eq!(std::fs::read(f.data.join("log")).unwrap(), b"abcd");
        assert_eq!(
            file.fdstat_flags().unwrap() & fdflags::APPEND,
            fdflags::APPEND
        );
    }

    #[test]
    fn symlink_named_with_a_trailing_slash() {
        let f = fixture();
        let base = GuestPath::parse_absolute("/data").unwrap();
        create_directory(&f.vfs, &base, "dir").unwrap();
        create(&f.vfs, "/data/file").unwrap();
        let cases = [
            ("missing/", Err(Errno::Noent)),
            ("dir/", Err(Errno::Exist)),
            ("file/", Err(Errno::Notdir)),
            ("dir", Err(Errno::Exist)),
            ("missing", Ok(())),
        ];
        for (new, want) in cases {
            assert_eq!(symlink(&f.vfs, "target", &base, new), want, "{new}");
        }
        assert_eq!(
            filestat(&f.vfs, &base, "missing", false).unwrap().filetype,
            Filetype::SymbolicLink
        );
    }

    #[test]
    fn remove_and_times() {
        let f = fixture();
        create_directory(&f.vfs, &root(), "/data/d").unwrap();
        create(&f.vfs, "/data/d/x").unwrap();
        assert_eq!(
            remove_directory(&f.vfs, &root(), "/data/d"),
            Err(Errno::Notempty)
        );
        assert_eq!(unlink_file(&f.vfs, &root(), "/data/d"), Err(Errno::Isdir));
        assert_eq!(
            remove_directory(&f.vfs, &root(), "/data/d/x"),
            Err(Errno::Notdir)
        );
        set_times(
            &f.vfs,
            &root(),
            "/data/d/x",
            true,
            TimeSpec::At(7_000_000_000),
            TimeSpec::At(9_000_000_000),
        )
        .unwrap();
        let st = filestat(&f.vfs, &root(), "/data/d/x", true).unwrap();
        assert_eq!((st.atim, st.mtim), (7_000_000_000, 9_000_000_000));
        unlink_file(&f.vfs, &root(), "/data/d/x").unwrap();
        remove_directory(&f.vfs, &root(), "/data/d/").unwrap();
        assert_eq!(
            filestat(&f.vfs, &root(), "/data/d", true),
            Err(Errno::Noent)
        );
    }
}
