//! Guest: started with a host cwd other than `/`, a relative open before any getcwd/chdir
//! resolves there (libwasix syncs wasi-libc's cwd at startup).
include!("common.rs");

fn main() {
    let expected = std::env::args().nth(1).expect("the probe contents as argv[1]");
    let got = std::fs::read_to_string("libwasix-cwd-probe");
    check!(got.as_deref().ok() == Some(expected.as_str()), "relative read: {got:?}");
    let cwd = std::env::current_dir().unwrap();
    check!(cwd.join("libwasix-cwd-probe").exists(), "cwd {cwd:?}");
    println!("cwd_start: ok");
}
