//! Rebuilds the crate when any embedded input changes (include_dir! does not track files).

fn main() {
    for dir in [
        "../target-specs",
        "patches",
        "../overlays",
        "../libwasix/src",
        "../libwasix/replaced-libc-members.txt",
    ] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
