//! dep: fs4 = { version = "0.13", features = ["sync"] }
//! dir: yes
fn main() {
    use fs4::fs_std::FileExt;
    let f = std::fs::File::create("/tmp/fs4-probe").expect("create");
    f.lock_exclusive().expect("lock_exclusive");
    FileExt::unlock(&f).expect("unlock");
    println!("ok");
}
