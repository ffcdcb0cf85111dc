//! Readiness: `poll_oneoff` over clocks and any fd with a host fd, and epoll on a host epoll.

pub mod epoll;
pub mod oneoff;
