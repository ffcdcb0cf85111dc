//! File descriptors: the per-process table and the objects fds refer to (stdio, pipes, event
//! fds here; files/dirs in `fs`, sockets in `net`, epoll in `poll`).

pub mod event;
pub mod object;
pub mod pipe;
pub mod stdio;
pub mod table;

pub use object::FdObject;
pub use table::{FdEntry, FdTable};
