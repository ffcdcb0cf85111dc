//! The mount table and guest path resolution (virtual root `/`, mounts, cwd-relative paths).
//!
//! Contract placeholder: [`Vfs::new`] and [`Vfs::install_preopens`] are what `Process` calls;
//! the filesystem part replaces the body.

use crate::Mount;
use crate::fd::FdTable;

/// The mount table of one process.
#[derive(Debug, Clone, Default)]
pub struct Vfs {
    mounts: Vec<Mount>,
}

impl Vfs {
    /// Builds the mount table (checks that each host directory can be opened).
    pub fn new(mounts: &[Mount]) -> Result<Vfs, crate::Error> {
        Ok(Vfs { mounts: mounts.to_vec() })
    }

    /// The mounts in the order given.
    pub fn mounts(&self) -> &[Mount] {
        &self.mounts
    }

    /// Puts the preopened directories (fd 3 = `/`) into a new process's fd table.
    pub fn install_preopens(&self, _fds: &mut FdTable) -> Result<(), crate::Error> {
        Ok(())
    }
}
