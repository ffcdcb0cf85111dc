//! File descriptors: the per-process table, the preview-1 rights each fd holds, and the objects
//! fds refer to (stdio, pipes, event fds, `/dev/null` here; files/dirs in `fs`, sockets in `net`, epoll in
//! `poll`).

pub mod event;
pub mod null;
pub mod object;
pub mod pipe;
pub mod rights;
pub mod stdio;
pub mod table;

pub use object::FdObject;
pub use rights::{Need, Rights};
pub use table::{FdEntry, FdTable};
