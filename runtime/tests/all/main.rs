//! The runtime's integration tests: guest programs (tests/guests) run through the
//! `wasix-run` binary. One module per area.

mod harness;

mod core;
mod fs;
mod net;
mod threads;
