//! The guest filesystem: a virtual root `/` with host directories mounted into it
//! (owned by the filesystem part; see `vroot`).

pub mod vroot;

pub use vroot::Vfs;
