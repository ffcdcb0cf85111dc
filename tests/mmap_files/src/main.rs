//! memmap2 (read-only, copy-on-write, anonymous, shared + flush) and filetime (every setter,
//! symlinks included) on a mounted directory; prints one line per check.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use filetime::FileTime;
use memmap2::{Mmap, MmapMut, MmapOptions};

fn main() -> std::io::Result<()> {
    let dir = Path::new("/data");
    memmap(dir)?;
    file_times(dir)?;
    Ok(())
}

fn memmap(dir: &Path) -> std::io::Result<()> {
    let path = dir.join("mapped.txt");
    fs::write(&path, b"hello, mapped world")?;

    let file = File::open(&path)?;
    // SAFETY: nobody else changes the file while it is mapped.
    let ro = unsafe { Mmap::map(&file)? };
    println!("read-only: {}", String::from_utf8_lossy(&ro));
    let tail = unsafe { MmapOptions::new().offset(7).map(&file)? };
    println!("offset 7: {}", String::from_utf8_lossy(&tail));

    let mut cow = unsafe { MmapOptions::new().map_copy(&file)? };
    cow[..5].copy_from_slice(b"HOWDY");
    println!("copy-on-write: {} / file: {}", String::from_utf8_lossy(&cow), fs::read_to_string(&path)?);

    let mut anon = MmapMut::map_anon(100_000)?;
    let zeroed = anon.iter().all(|&b| b == 0);
    anon[99_999] = 42;
    println!("anonymous: {} bytes, zeroed {zeroed}, last {}", anon.len(), anon[99_999]);

    let rw = OpenOptions::new().read(true).write(true).open(&path)?;
    let mut shared = unsafe { MmapMut::map_mut(&rw)? };
    drop(rw);
    shared[..5].copy_from_slice(b"HELLO");
    println!("shared before flush: {}", fs::read_to_string(&path)?);
    shared.flush()?;
    println!("shared after flush: {}", fs::read_to_string(&path)?);
    shared[7..13].copy_from_slice(b"MAPPED");
    shared.flush_range(7, 6)?;
    shared[14..].copy_from_slice(b"WORLD");
    drop(shared);
    println!("shared after drop: {}", fs::read_to_string(&path)?);

    let read_only = shared_read_only(&path)?;
    println!("read-only made mutable: {read_only}");
    Ok(())
}

/// A shared map of a read-only fd cannot become writable (EACCES, as on Linux).
fn shared_read_only(path: &Path) -> std::io::Result<String> {
    let file = File::open(path)?;
    let map = unsafe { Mmap::map(&file)? };
    Ok(match map.make_mut() {
        Ok(_) => "allowed".into(),
        Err(e) => format!("refused ({:?})", e.kind()),
    })
}

fn file_times(dir: &Path) -> std::io::Result<()> {
    let path = dir.join("timed.txt");
    File::create(&path)?.write_all(b"x")?;
    let times = |p: &Path, follow: bool| -> std::io::Result<(i64, i64)> {
        let md = if follow { fs::metadata(p)? } else { fs::symlink_metadata(p)? };
        Ok((
            FileTime::from_last_access_time(&md).unix_seconds(),
            FileTime::from_last_modification_time(&md).unix_seconds(),
        ))
    };
    filetime::set_file_times(&path, FileTime::from_unix_time(1000, 0), FileTime::from_unix_time(2000, 0))?;
    println!("set_file_times: {:?}", times(&path, true)?);
    filetime::set_file_mtime(&path, FileTime::from_unix_time(3000, 0))?;
    println!("set_file_mtime: {:?}", times(&path, true)?);
    filetime::set_file_atime(&path, FileTime::from_unix_time(4000, 0))?;
    println!("set_file_atime: {:?}", times(&path, true)?);
    let f = OpenOptions::new().write(true).open(&path)?;
    filetime::set_file_handle_times(&f, None, Some(FileTime::from_unix_time(5000, 0)))?;
    println!("set_file_handle_times: {:?}", times(&path, true)?);

    let link = dir.join("timed.link");
    // `fs::soft_link` is WASI's stable symlink call (`std::os::wasi::fs::symlink_path` is not).
    #[allow(deprecated)]
    fs::soft_link("timed.txt", &link)?;
    filetime::set_symlink_file_times(&link, FileTime::from_unix_time(6000, 0), FileTime::from_unix_time(7000, 0))?;
    println!("set_symlink_file_times: link {:?}, target {:?}", times(&link, false)?, times(&path, true)?);
    filetime::set_symlink_file_times(&path, FileTime::from_unix_time(8000, 0), FileTime::from_unix_time(9000, 0))?;
    println!("set_symlink_file_times on a file: {:?}", times(&path, true)?);
    Ok(())
}
