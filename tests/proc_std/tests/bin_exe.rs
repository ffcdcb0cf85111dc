//! An integration test running the crate's binary through `CARGO_BIN_EXE_<name>`, the way
//! assert_cmd-style tests do.
use std::process::Command;

#[test]
fn runs_the_crate_binary() {
    let out = Command::new(env!("CARGO_BIN_EXE_proc_std"))
        .args(["print", "41"])
        .output()
        .expect("spawn the crate's binary");
    assert!(out.status.success(), "{}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "41\n");
}

#[test]
fn exit_status_of_the_crate_binary() {
    let status = Command::new(env!("CARGO_BIN_EXE_proc_std"))
        .args(["exit", "9"])
        .status()
        .expect("spawn the crate's binary");
    assert_eq!(status.code(), Some(9));
}
