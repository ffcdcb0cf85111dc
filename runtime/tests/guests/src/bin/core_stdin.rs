//! Reads stdin to the end; prints the byte count, the line count and the last line.
use std::io::Read;

fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    println!("bytes={} lines={} last={}", s.len(), s.lines().count(), s.lines().last().unwrap_or(""));
}
