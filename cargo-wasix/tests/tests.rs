//! The one integration-test binary of cargo-wasix: the built CLI driven end to end.
//!
//! All tests except `concurrent` share one sysroot in `<workspace>/target/wasix-home`
//! (`CARGO_WASIX_HOME`), so it is built once per test run, and one target directory for the
//! fixture crates under `tests/` (copied to `target/e2e/` so the sources stay clean).

mod tests {
    pub mod build;
    pub mod c_deps;
    pub mod cli;
    pub mod concurrent;
    pub mod doctest;
    pub mod features;
    pub mod net_e2e;
    pub mod overlays;
    pub mod procs;
    pub mod profiles;
    pub mod run;
    pub mod sandbox;
    pub mod sccache;
    pub mod support;
    pub mod sysroot_pack;
    pub mod wasm64;
    pub mod wrapper;
}
