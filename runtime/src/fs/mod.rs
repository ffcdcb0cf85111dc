//! The guest filesystem: a virtual root holding the mounts ([`vroot`]), host files and
//! directories as fd objects ([`file`], [`dir`]), the `path_*` operations ([`ops`]) and the
//! record layouts they report ([`layout`]).

pub mod dir;
pub mod file;
pub mod layout;
pub mod ops;
pub mod vroot;

pub use dir::DirFd;
pub use file::HostFile;
pub use vroot::{GuestPath, Vfs};

/// The first fd after stdio: where wasi-libc starts looking for preopens.
pub const ROOT_FD: u32 = 3;

impl Vfs {
    /// Puts the virtual root preopen at fd 3 (stdio must already hold 0..=2).
    pub fn install_preopens(&self, fds: &mut crate::fd::FdTable) -> Result<(), crate::Error> {
        let root = root_preopen(self)
            .map_err(|e| crate::Error::Config(format!("cannot open the guest root `/`: {e}")))?;
        let entry = crate::fd::FdEntry::new(std::sync::Arc::new(root));
        if let Some(old) = fds
            .set(ROOT_FD, entry)
            .map_err(|e| crate::Error::Config(format!("fd table: {e}")))?
        {
            drop(old);
        }
        Ok(())
    }
}

/// The preopen the guest finds at fd 3: the virtual root `/`, named `/`.
///
/// When a mount sits at `/` itself, the root is that host directory.
pub fn root_preopen(vfs: &Vfs) -> Result<DirFd, crate::abi::Errno> {
    let root = GuestPath::root();
    let dir = match vfs.locate(&root)? {
        vroot::Location::Host { mount, .. } => {
            let nested = vfs.synthetic_children(&root);
            DirFd::host(root, mount.dir.try_clone()?).with_mount_points(nested)
        }
        _ => DirFd::synthetic(root.clone(), vfs.synthetic_children(&root)),
    };
    Ok(dir.with_preopen("/"))
}
