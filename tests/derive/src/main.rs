//! A serde derive (a proc-macro, compiled for the host) used by a WASIX binary.
use serde::Serialize;

#[derive(Serialize)]
struct Point {
    x: i32,
    y: i32,
}

fn main() {
    let p = Point { x: 1, y: 2 };
    // serde without serde_json: count the fields through a tiny serializer-free check.
    let _ = &p as &dyn erased::Marker;
    println!("built for {} ({}, {})", env!("BUILT_FOR"), p.x, p.y);
}

mod erased {
    pub trait Marker {}
    impl<T: serde::Serialize> Marker for T {}
}
