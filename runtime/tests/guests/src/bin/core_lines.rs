//! Writes 10,000 numbered lines to stdout and to stderr, interleaved.
use std::io::Write;

fn main() {
    let out = std::io::stdout();
    let err = std::io::stderr();
    for i in 0..10_000 {
        writeln!(out.lock(), "out {i}").unwrap();
        writeln!(err.lock(), "err {i}").unwrap();
    }
}
