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
    /// `fs_rights_base`: FD_READ / FD_WRITE pick the host access mode.
    pub rights: u64,
    /// `fdflags` (APPEND, DSYNC, NONBLOCK, RSYNC, SYNC).
    pub fdflags: u16,
}

impl OpenRequest {
    fn wants_write(&self) -> bool {
        self.rights & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE) != 0
            || self.fdflags & fdflags::APPEND != 0
            || self.oflags & oflags::TRUNC != 0
    }

    /// Whether the request could change the filesystem (refused on read-only places).
    fn modifies(&self) -> bool {
        self.rights & rights::FD_WRITE != 0
            || self.fdflags & fdflags::APPEND != 0
            || self.oflags & (oflags::TRUNC | oflags::CREAT) != 0
    }
}

/// The guest path of the directory behind a dir fd object (ENOTDIR for any other object).
pub fn base_of(obj: &Arc<dyn FdObject>) -> Result<GuestPath, Errno> {
    obj.downcast_ref::<DirFd>().map(|d| d.guest_path().clone()).ok_or(Errno::Notdir)
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
pub fn open(vfs: &Vfs, base: &GuestPath, path: &str, req: OpenRequest) -> Result<Arc<dyn FdObject>, Errno> {
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
            return Ok(Arc::new(DirFd::synthetic(r.guest.clone(), vfs.synthetic_children(&r.guest))));
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
        let dir = if req.follow { mount.dir.open_dir(&rel)? } else { mount.dir.open_dir_nofollow(&rel)? };
        return Ok(Arc::new(DirFd::host(r.guest, dir)));
    }
    let mut opts = cap_std::fs::OpenOptions::new();
    // std/cap-std refuse create/truncate without write access; POSIX allows O_RDONLY|O_CREAT,
    // so such opens get write access too (the mount is writable, checked above).
    let write = req.wants_write() || creat;
    let read = req.rights & (rights::FD_READ | rights::FD_READDIR) != 0 || !write;
    opts.read(read)
        .write(write && req.fdflags & fdflags::APPEND == 0)
        .append(req.fdflags & fdflags::APPEND != 0)
        .truncate(req.oflags & oflags::TRUNC != 0)
        .create(creat && !excl)
        .create_new(creat && excl)
        .follow(if req.follow { FollowSymlinks::Yes } else { FollowSymlinks::No })
        .sync(req.fdflags & fdflags::SYNC != 0)
        .dsync(req.fdflags & fdflags::DSYNC != 0)
        .nonblock(req.fdflags & fdflags::NONBLOCK != 0);
    let file = match mount.dir.open_with(&rel, &opts) {
        Ok(f) => f,
        // Opening a directory for writing, as POSIX says.
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::ISDIR.raw_os_error()) => return Err(Errno::Isdir),
        Err(e) => return Err(e.into()),
    };
    if file.metadata()?.is_dir() {
        if write {
            return Err(Errno::Isdir);
        }
        return Ok(Arc::new(DirFd::host(r.guest, cap_std::fs::Dir::from_std_file(file.into_std()))));
    }
    if want_dir {
        return Err(Errno::Notdir);
    }
    Ok(Arc::new(HostFile::new(file, req.fdflags)?))
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
            let md = if follow { mount.dir.metadata(&rel)? } else { mount.dir.symlink_metadata(&rel)? };
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
        mount.dir.set_times(&rel, time_spec(atim), time_spec(mtim))?;
    } else {
        mount.dir.set_symlink_times(&rel, time_spec(atim), time_spec(mtim))?;
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

fn host_rel<'a>(r: &'a Resolved<'_>) -> Result<std::path::PathBuf, Errno> {
    match &r.location {
        Location::Host { rel, .. } => Ok(rel_path(r, rel)),
        _ => Err(Errno::Rofs),
    }
}

/// `path_rename`.
pub fn rename(vfs: &Vfs, old_base: &GuestPath, old: &str, new_base: &GuestPath, new: &str) -> Result<(), Errno> {
    let from = vfs.resolve(old_base, old)?;
    let to = vfs.resolve(new_base, new)?;
    let mount = same_mount(&from, &to)?;
    Ok(mount.dir.rename(host_rel(&from)?, &mount.dir, host_rel(&to)?)?)
}

/// `path_link` (a hard link; the source's symlinks are not followed, as on Linux).
pub fn link(vfs: &Vfs, old_base: &GuestPath, old: &str, new_base: &GuestPath, new: &str) -> Result<(), Errno> {
    let from = vfs.resolve(old_base, old)?;
    let to = vfs.resolve(new_base, new)?;
    if from.is_fixed() {
        return Err(Errno::Perm);
    }
    let mount = same_mount(&from, &to)?;
    Ok(mount.dir.hard_link(host_rel(&from)?, &mount.dir, host_rel(&to)?)?)
}

/// `path_symlink`: creates `new` pointing at `target`.
///
/// Absolute targets are refused (EPERM): inside the sandbox they could never be followed,
/// and on the host they would point outside the mount.
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
    if target.starts_with('/') {
        return Err(Errno::Perm);
    }
    Ok(mount.dir.symlink(target, rel)?)
}

/// `path_readlink`: the symlink's target bytes.
pub fn readlink(vfs: &Vfs, base: &GuestPath, path: &str) -> Result<Vec<u8>, Errno> {
    use std::os::unix::ffi::OsStrExt;
    let r = vfs.resolve(base, path)?;
    match &r.location {
        Location::Virtual => Err(Errno::Inval),
        Location::VirtualMissing => Err(Errno::Noent),
        Location::Host { mount, rel } => {
            Ok(mount.dir.read_link_contents(rel_path(&r, rel))?.as_os_str().as_bytes().to_vec())
        }
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
