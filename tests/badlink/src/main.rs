//! Links a hand-made object with an invalid function (see build.rs): `cargo wasix build` must
//! refuse the result, naming the function, instead of writing a module the runtime rejects.
fn main() {
    println!("this module should never have been built");
}
