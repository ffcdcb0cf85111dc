//! One module per command: cargo pass-through (`cargo.rs`) and our own commands.

pub mod cargo;
pub mod run_wasm;
pub mod self_cmd;
pub mod setup;
pub mod status;
pub mod sysroot;
pub mod sysroot_install;
pub mod sysroot_pack;
