fn main() {
    println!("cargo:rerun-if-changed=csrc");
    cc::Build::new()
        .file("csrc/jumps.c")
        .warnings_into_errors(true)
        .compile("jumps");
}
