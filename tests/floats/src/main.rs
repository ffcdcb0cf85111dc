//! Prints floats the ways std formats them; the expected text is what a native build prints.

use std::hint::black_box;

fn main() {
    let x: f64 = black_box(179.166281);
    println!("{x} {x:.1} {x:e} {x:?}");
    let sum: f64 = black_box(0.1) + black_box(0.2);
    println!("{sum} {:.3}", black_box(2.0f64).sqrt());
    let big: f64 = black_box(1e300);
    let small: f64 = black_box(-4.9e-324);
    println!("{big} {small:e} {}", black_box(f64::MAX));
    let f: f32 = black_box(3.14159);
    println!("{f} {:.2} {}", f, black_box(1.0f32) / black_box(3.0f32));
    let parsed: f64 = black_box("6.02214076e23").parse().expect("a float");
    println!("{parsed} {}", parsed == 6.02214076e23);
}
