//! dep: filetime = "0.2"
//! dir: yes
fn main() {
    let path = "/tmp/filetime-probe";
    std::fs::write(path, b"x").expect("write");
    let t = filetime::FileTime::from_unix_time(1_000_000_000, 0);
    filetime::set_file_mtime(path, t).expect("set_file_mtime");
    filetime::set_symlink_file_times(path, t, t).expect("set_symlink_file_times");
    let m = std::fs::metadata(path).expect("metadata");
    assert_eq!(filetime::FileTime::from_last_modification_time(&m), t);
    println!("ok");
}
