fn main() {
    println!("cargo:rerun-if-changed=csrc");
    cc::Build::new()
        .file("csrc/basic.c")
        .warnings_into_errors(true)
        .compile("basic");
    cc::Build::new()
        .cpp(true)
        .file("csrc/shapes.cpp")
        .warnings_into_errors(true)
        .compile("shapes");
}
