//! Two draws of 32 random bytes from each getrandom major: nonzero, and different.

fn main() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    getrandom02::getrandom(&mut a).expect("getrandom 0.2");
    getrandom02::getrandom(&mut b).expect("getrandom 0.2");
    report("0.2", &a, &b);
    getrandom03::fill(&mut a).expect("getrandom 0.3");
    getrandom03::fill(&mut b).expect("getrandom 0.3");
    report("0.3", &a, &b);
    getrandom04::fill(&mut a).expect("getrandom 0.4");
    getrandom04::fill(&mut b).expect("getrandom 0.4");
    report("0.4", &a, &b);
    let x = getrandom04::u64().expect("getrandom 0.4 u64");
    let y = getrandom04::u64().expect("getrandom 0.4 u64");
    println!("0.4 u64: draws differ {}", x != y);
}

fn report(version: &str, a: &[u8; 32], b: &[u8; 32]) {
    println!(
        "{version}: nonzero {}, draws differ {}",
        *a != [0; 32],
        a != b
    );
}
