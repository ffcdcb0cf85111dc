//! Readiness: `poll_oneoff` over clocks and any fd with a host fd, and epoll emulation
//! (owned by the networking part).
