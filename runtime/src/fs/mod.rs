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
    /// Puts the virtual root preopen at fd 3 (stdio must already hold 0..=2), with every
    /// right a directory can hold and pass on.
    pub fn install_preopens(&self, fds: &mut crate::fd::FdTable) -> Result<(), crate::Error> {
        let root = root_preopen(self)
            .map_err(|e| crate::Error::Config(format!("cannot open the guest root `/`: {e}")))?;
        let entry = crate::fd::FdEntry::with_rights(
            std::sync::Arc::new(root),
            crate::fd::Rights::PREOPEN_DIR,
        );
        // Whatever sat at fd 3 before (nothing, for a new process) is replaced and closed.
        fds.set(ROOT_FD, entry)
            .map_err(|e| crate::Error::Config(format!("fd table: {e}")))?;
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
            DirFd::host(root, mount.dir.try_clone()?)
                .with_mount_points(nested)
                .with_read_only(mount.read_only)
        }
        _ => DirFd::synthetic(root.clone(), vfs.synthetic_children(&root)),
    };
    Ok(dir.with_preopen("/"))
}

/// Checks a `--cwd` value: an absolute guest path naming a directory of the guest's
/// filesystem. Returns it normalized (`/data/./x/` → `/data/x`).
pub fn initial_cwd(vfs: &Vfs, cwd: &str) -> Result<String, crate::Error> {
    let bad = |why: String| {
        crate::Error::Config(format!(
            "invalid --cwd `{cwd}`: {why}\nhelp: give an absolute guest path inside a mounted directory, e.g. `--mapdir /project:. --cwd /project`"
        ))
    };
    if !cwd.starts_with('/') {
        return Err(bad("not an absolute guest path".into()));
    }
    match ops::directory_path(vfs, &GuestPath::root(), cwd) {
        Ok(path) => Ok(path.as_str().to_owned()),
        Err(crate::abi::Errno::Notdir) => Err(bad("not a directory".into())),
        Err(crate::abi::Errno::Noent) => Err(bad("no such directory in the guest".into())),
        Err(e) => Err(bad(format!("cannot be used ({e})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mount::Mount;

    #[test]
    fn initial_cwd_table() {
        let host = tempfile::tempdir().unwrap();
        std::fs::create_dir(host.path().join("sub")).unwrap();
        std::fs::write(host.path().join("file"), b"").unwrap();
        let m = Mount {
            guest: "/data".into(),
            host: host.path().into(),
            read_only: false,
        };
        let vfs = Vfs::new(&[m]).unwrap();
        let ok = [
            ("/", "/"),
            ("/data", "/data"),
            ("/data/./sub/", "/data/sub"),
            ("/data/sub/..", "/data"),
        ];
        for (cwd, want) in ok {
            assert_eq!(initial_cwd(&vfs, cwd).unwrap(), want, "{cwd}");
        }
        for (cwd, why) in [
            ("data", "absolute"),
            ("/nope", "no such"),
            ("/data/file", "not a directory"),
        ] {
            let msg = initial_cwd(&vfs, cwd).unwrap_err().to_string();
            assert!(msg.contains(why) && msg.contains("help:"), "{cwd}: {msg}");
        }
    }
}
