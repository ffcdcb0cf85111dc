//! A build script is a host program: it must be compiled exactly as cargo asks, without the
//! bootstrap flag that cargo-wasix gives WASIX compiles.
const _: () = assert!(
    option_env!("RUSTC_BOOTSTRAP").is_none(),
    "the build script was compiled with RUSTC_BOOTSTRAP set"
);

fn main() {
    let target = std::env::var("TARGET").unwrap();
    println!("cargo::rustc-env=BUILT_FOR={target}");
    println!("cargo::rerun-if-changed=build.rs");
}
