//! dep: tempfile = "3"
//! dir: yes
fn main() {
    use std::io::{Read, Seek, Write};
    let mut f = tempfile::tempfile().expect("tempfile");
    f.write_all(b"abc").expect("write");
    f.rewind().expect("rewind");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("read");
    assert_eq!(s, "abc");
    println!("ok");
}
