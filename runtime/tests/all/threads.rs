//! Threads: spawn, join, sync primitives, sleep, exits and traps in threads.
