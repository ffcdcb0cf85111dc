//! The binary member of a two-member workspace.
fn main() {
    println!("{}", util::greeting("workspace"));
}
