//! The runtime's integration tests: guest programs (tests/guests) run through the
//! `wasix-run` binary. One module per area.

mod harness;

mod core;
mod fs;
mod limits;
mod malformed;
mod net;
mod procs;
mod threads;

/// Every guest program (`tests/guests/src/bin/<suite>_<case>.rs`) is run by some test here,
/// so none rots unnoticed.
#[test]
fn every_guest_has_a_test() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let tests: String = std::fs::read_dir(root.join("all"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("guests/src/bin")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if !tests.contains(&format!("\"{name}\"")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "guest programs without a test in tests/all: {missing:?}"
    );
}
