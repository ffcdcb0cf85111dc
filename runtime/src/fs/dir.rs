//! Directories as fd objects: host directories (a cap-std `Dir`) and the synthetic
//! directories of the virtual root, each remembering its guest path so `path_*` calls relative
//! to it resolve through the mount table.
//!
//! `fd_readdir` cookies: the listing is snapshotted when a guest starts at cookie 0 and entry
//! `i` carries cookie `i + 1`, so cookies stay valid across calls (and across entries being
//! added or removed meanwhile) until the guest rewinds.

use std::any::Any;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::OsStringExt;
use std::sync::Mutex;

use crate::abi::Errno;
use crate::abi::types::{Dirent, Filestat, Filetype, TimeSpec};
use crate::fd::FdObject;
use crate::fs::file::set_fd_times;
use crate::fs::layout::{
    encode_dirents, filestat_of, filetype_of, synthetic_dir_stat, synthetic_ino,
};
use crate::fs::vroot::GuestPath;

/// What backs a directory fd.
#[derive(Debug)]
pub enum DirKind {
    /// A directory inside a mount.
    Host(cap_std::fs::Dir),
    /// The virtual root or a synthetic directory; its entries are fixed by the mount table.
    Virtual { children: Vec<String> },
}

/// An open directory.
#[derive(Debug)]
pub struct DirFd {
    guest: GuestPath,
    kind: DirKind,
    /// `Some(name)` for a preopen (reported by `fd_prestat_get`).
    preopen: Option<String>,
    /// Mount points directly inside this host directory: listed even when the host
    /// directory has no entry of that name.
    mount_points: Vec<String>,
    listing: Mutex<Vec<Dirent>>,
    /// Inside a read-only mount: `futimens` would still work on the host fd, so timestamp
    /// changes are refused here.
    read_only: bool,
}

impl DirFd {
    pub fn host(guest: GuestPath, dir: cap_std::fs::Dir) -> DirFd {
        DirFd {
            guest,
            kind: DirKind::Host(dir),
            preopen: None,
            mount_points: Vec::new(),
            listing: Mutex::new(Vec::new()),
            read_only: false,
        }
    }

    pub fn synthetic(guest: GuestPath, children: Vec<String>) -> DirFd {
        DirFd {
            guest,
            kind: DirKind::Virtual { children },
            preopen: None,
            mount_points: Vec::new(),
            listing: Mutex::new(Vec::new()),
            read_only: false,
        }
    }

    /// Adds the names of mounts nested directly in this (host) directory to its listing.
    pub fn with_mount_points(mut self, names: Vec<String>) -> DirFd {
        self.mount_points = names;
        self
    }

    /// Marks the directory as part of a read-only mount (EROFS for metadata changes).
    pub fn with_read_only(mut self, read_only: bool) -> DirFd {
        self.read_only = read_only;
        self
    }

    /// Marks this directory as a preopen named `name`.
    pub fn with_preopen(mut self, name: impl Into<String>) -> DirFd {
        self.preopen = Some(name.into());
        self
    }

    /// The guest path this directory was opened at.
    pub fn guest_path(&self) -> &GuestPath {
        &self.guest
    }

    pub fn kind(&self) -> &DirKind {
        &self.kind
    }

    /// The preopen name, if this directory is one.
    pub fn preopen_name(&self) -> Option<&str> {
        self.preopen.as_deref()
    }

    /// Runs `f` on the entries from `cookie` on, taking a fresh snapshot at cookie 0.
    fn with_listing<T>(&self, cookie: u64, f: impl FnOnce(&[Dirent]) -> T) -> Result<T, Errno> {
        let mut listing = self.listing.lock().unwrap_or_else(|e| e.into_inner());
        if cookie == 0 || listing.is_empty() {
            *listing = self.snapshot()?;
        }
        let start = usize::try_from(cookie)
            .unwrap_or(usize::MAX)
            .min(listing.len());
        Ok(f(&listing[start..]))
    }

    /// `fd_readdir` without copying the listing: the `dirent` records from `cookie` on, cut
    /// at `cap` bytes (a large directory read in small buffers stays linear).
    pub fn readdir_encoded(&self, cookie: u64, cap: usize) -> Result<Vec<u8>, Errno> {
        self.with_listing(cookie, |entries| encode_dirents(entries, cap))
    }

    /// Reads the whole listing, `.` and `..` first, with cookies `1..`.
    fn snapshot(&self) -> Result<Vec<Dirent>, Errno> {
        let parent = self.guest.parent();
        let mut raw: Vec<(Vec<u8>, u64, Filetype)> = Vec::new();
        match &self.kind {
            DirKind::Virtual { children } => {
                raw.push((
                    b".".to_vec(),
                    synthetic_ino(self.guest.as_str()),
                    Filetype::Directory,
                ));
                raw.push((
                    b"..".to_vec(),
                    synthetic_ino(parent.as_str()),
                    Filetype::Directory,
                ));
                for name in children {
                    let (child, _) = self.guest.join(name)?;
                    raw.push((
                        name.as_bytes().to_vec(),
                        synthetic_ino(child.as_str()),
                        Filetype::Directory,
                    ));
                }
            }
            DirKind::Host(dir) => {
                use rustix::fs::DirEntryExt;
                let dot = dir.dir_metadata()?;
                raw.push((b".".to_vec(), filestat_of(&dot).ino, Filetype::Directory));
                // At a mount's root `..` is outside the mount (cap-std refuses it): it is the
                // synthetic parent then.
                let dotdot = dir.metadata("..").map(|m| filestat_of(&m).ino);
                raw.push((
                    b"..".to_vec(),
                    dotdot.unwrap_or_else(|_| synthetic_ino(parent.as_str())),
                    Filetype::Directory,
                ));
                for entry in dir.entries()? {
                    let entry = entry?;
                    let filetype = entry
                        .file_type()
                        .map(filetype_of)
                        .unwrap_or(Filetype::Unknown);
                    raw.push((entry.file_name().into_vec(), entry.ino(), filetype));
                }
                for name in &self.mount_points {
                    if !raw.iter().any(|(n, _, _)| n == name.as_bytes()) {
                        let (child, _) = self.guest.join(name)?;
                        let ino = synthetic_ino(child.as_str());
                        raw.push((name.as_bytes().to_vec(), ino, Filetype::Directory));
                    }
                }
            }
        }
        Ok(raw
            .into_iter()
            .enumerate()
            .map(|(i, (name, ino, filetype))| Dirent {
                next: i as u64 + 1,
                ino,
                filetype,
                name,
            })
            .collect())
    }
}

impl FdObject for DirFd {
    fn filetype(&self) -> Filetype {
        Filetype::Directory
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn read(&self, _buf: &mut [u8]) -> Result<usize, Errno> {
        Err(Errno::Isdir)
    }

    fn write(&self, _buf: &[u8]) -> Result<usize, Errno> {
        Err(Errno::Isdir)
    }

    fn pread(&self, _buf: &mut [u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::Isdir)
    }

    fn pwrite(&self, _buf: &[u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::Isdir)
    }

    /// A directory has no file offset in preview 1 (`fd_readdir` takes cookies): EISDIR, not
    /// the pipe answer ESPIPE (wasi-testsuite's `dir_fd_op_failures`).
    fn seek(&self, _offset: i64, _whence: crate::abi::types::Whence) -> Result<u64, Errno> {
        Err(Errno::Isdir)
    }

    fn sync(&self) -> Result<(), Errno> {
        match &self.kind {
            DirKind::Host(dir) => Ok(rustix::fs::fsync(dir)?),
            DirKind::Virtual { .. } => Ok(()),
        }
    }

    fn datasync(&self) -> Result<(), Errno> {
        match &self.kind {
            DirKind::Host(dir) => Ok(rustix::fs::fdatasync(dir)?),
            DirKind::Virtual { .. } => Ok(()),
        }
    }

    fn set_fdflags(&self, flags: u16) -> Result<(), Errno> {
        // Directories have no APPEND/NONBLOCK behaviour; accept clearing, refuse setting.
        if flags == 0 {
            Ok(())
        } else {
            Err(Errno::Inval)
        }
    }

    fn filestat(&self) -> Result<Filestat, Errno> {
        match &self.kind {
            DirKind::Host(dir) => Ok(filestat_of(&dir.dir_metadata()?)),
            DirKind::Virtual { .. } => Ok(synthetic_dir_stat(self.guest.as_str())),
        }
    }

    fn set_size(&self, _size: u64) -> Result<(), Errno> {
        Err(Errno::Isdir)
    }

    fn set_times(&self, atim: TimeSpec, mtim: TimeSpec) -> Result<(), Errno> {
        match &self.kind {
            DirKind::Host(_) if self.read_only => Err(Errno::Rofs),
            DirKind::Host(dir) => set_fd_times(dir.as_fd(), atim, mtim),
            DirKind::Virtual { .. } => Err(Errno::Rofs),
        }
    }

    fn allocate(&self, _offset: u64, _len: u64) -> Result<(), Errno> {
        Err(Errno::Isdir)
    }

    fn advise(&self, _offset: u64, _len: u64, _advice: u8) -> Result<(), Errno> {
        Ok(())
    }

    fn readdir(&self, cookie: u64) -> Result<Vec<Dirent>, Errno> {
        self.with_listing(cookie, <[Dirent]>::to_vec)
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        match &self.kind {
            DirKind::Host(dir) => Some(dir.as_fd()),
            DirKind::Virtual { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cap_std::ambient_authority;

    fn names(entries: &[Dirent]) -> Vec<String> {
        entries
            .iter()
            .map(|e| String::from_utf8(e.name.clone()).unwrap())
            .collect()
    }

    #[test]
    fn host_readdir_cookies_survive_changes() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("f"), b"x").unwrap();
        std::fs::create_dir(tmp.path().join("d")).unwrap();
        let dir = cap_std::fs::Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        let d = DirFd::host(GuestPath::parse_absolute("/m").unwrap(), dir);
        let all = d.readdir(0).unwrap();
        let mut got = names(&all);
        assert_eq!(&got[..2], [".", ".."]);
        got[2..].sort();
        assert_eq!(&got[2..], ["d", "f"]);
        for (i, e) in all.iter().enumerate() {
            assert_eq!(e.next, i as u64 + 1);
        }
        let kinds: Vec<_> = all[2..]
            .iter()
            .map(|e| (e.name.clone(), e.filetype))
            .collect();
        assert!(kinds.contains(&(b"f".to_vec(), Filetype::RegularFile)));
        assert!(kinds.contains(&(b"d".to_vec(), Filetype::Directory)));
        // A new file does not shift cookies of the running listing.
        std::fs::write(tmp.path().join("new"), b"").unwrap();
        assert_eq!(d.readdir(3).unwrap(), all[3..].to_vec());
        assert!(d.readdir(4).unwrap().is_empty());
        assert!(d.readdir(99).unwrap().is_empty());
        // Rewinding picks it up.
        assert_eq!(d.readdir(0).unwrap().len(), 5);
    }

    #[test]
    fn synthetic_listing_and_stat() {
        let d = DirFd::synthetic(GuestPath::root(), vec!["data".into(), "srv".into()])
            .with_preopen("/");
        assert_eq!(names(&d.readdir(0).unwrap()), [".", "..", "data", "srv"]);
        assert_eq!(d.preopen_name(), Some("/"));
        assert_eq!(d.filestat().unwrap().filetype, Filetype::Directory);
        assert_eq!(d.write(b"x"), Err(Errno::Isdir));
        assert_eq!(d.set_times(TimeSpec::Now, TimeSpec::Now), Err(Errno::Rofs));
        assert_eq!(d.seek(0, crate::abi::types::Whence::Set), Err(Errno::Isdir));
        assert_eq!(d.tell(), Err(Errno::Isdir));
    }
}
