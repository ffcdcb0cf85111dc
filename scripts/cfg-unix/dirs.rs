//! dep: dirs = "6"
//! env: HOME=/home/guest
fn main() {
    assert_eq!(dirs::home_dir().expect("home_dir"), std::path::Path::new("/home/guest"));
    println!("ok");
}
