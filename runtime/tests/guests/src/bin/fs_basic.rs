//! std::fs round trip inside the mount given as argv[1]: create, write, append, seek, read,
//! truncate, metadata, times, rename, hard link, read_dir, remove.
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};

#[path = "../fsraw.rs"]
mod fsraw;
use fsraw::show;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: fs_basic DIR");
    let p = |n: &str| format!("{dir}/{n}");

    fs::create_dir_all(p("sub/deep")).unwrap();
    fs::write(p("a.txt"), b"hello").unwrap();
    let mut f = fs::OpenOptions::new().append(true).open(p("a.txt")).unwrap();
    f.write_all(b" world").unwrap();
    drop(f);
    println!("read={}", fs::read_to_string(p("a.txt")).unwrap());

    let mut f = fs::OpenOptions::new().read(true).write(true).open(p("a.txt")).unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    f.write_all(b"WORLD").unwrap();
    f.seek(SeekFrom::End(-5)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    println!("tail={s} pos={}", f.stream_position().unwrap());
    f.set_len(5).unwrap();
    let md = f.metadata().unwrap();
    println!("len={} file={} dir={}", md.len(), md.is_file(), md.is_dir());
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    f.set_times(fs::FileTimes::new().set_modified(when)).unwrap();
    drop(f);
    let mtime = fs::metadata(p("a.txt")).unwrap().modified().unwrap();
    println!("mtime_ok={}", mtime == when);

    fs::rename(p("a.txt"), p("sub/b.txt")).unwrap();
    println!("old_gone={} new={}", show(fs::metadata(p("a.txt"))), fs::read_to_string(p("sub/b.txt")).unwrap());
    fs::hard_link(p("sub/b.txt"), p("sub/c.txt")).unwrap();
    fs::write(p("sub/deep/d.txt"), b"d").unwrap();

    let mut names: Vec<String> =
        fs::read_dir(p("sub")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    println!("sub={}", names.join(","));
    let kinds: Vec<String> = {
        let mut v: Vec<_> = fs::read_dir(p("sub"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                format!("{}:{}", e.file_name().into_string().unwrap(), if e.file_type().unwrap().is_dir() { "d" } else { "f" })
            })
            .collect();
        v.sort();
        v
    };
    println!("kinds={}", kinds.join(","));

    // std on wasip1 has no ErrorKind for ENOTEMPTY: show the errno alone.
    println!("rmdir_nonempty={:?}", fs::remove_dir(p("sub")).err().and_then(|e| e.raw_os_error()));
    println!("unlink_dir={}", show(fs::remove_file(p("sub"))));
    println!("mkdir_exists={}", show(fs::create_dir(p("sub"))));
    println!("open_missing={}", show(fs::File::open(p("missing"))));
    println!("notdir={}", show(fs::File::open(p("sub/b.txt/x"))));
    fs::remove_file(p("sub/c.txt")).unwrap();
    fs::remove_dir_all(p("sub")).unwrap();
    println!("after={}", fs::read_dir(&dir).unwrap().count());
}
