//! Integration tests of the sysroot builder: one binary, a module per topic. The sysroot is
//! built once per run into `$CARGO_WASIX_HOME` (default `<workspace>/target/wasix-home`).

mod cache;
mod common;
mod hello;
mod overlay_versions;
mod std_surface;
mod user_libc;
