//! Prints the whole environment, sorted, as K=V lines.
fn main() {
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("count={}", vars.len());
    for (k, v) in vars {
        println!("{k}={v}");
    }
}
