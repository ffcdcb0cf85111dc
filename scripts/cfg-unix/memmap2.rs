//! dep: memmap2 = "0.9"
//! dir: yes
fn main() {
    let path = "/tmp/memmap2-probe";
    std::fs::write(path, b"hello mmap").expect("write");
    let file = std::fs::File::open(path).expect("open");
    let map = unsafe { memmap2::Mmap::map(&file) }.expect("Mmap::map");
    assert_eq!(&map[..], b"hello mmap");
    println!("ok");
}
