//! Preview-1 rights and capability rules through raw `wasi_snapshot_preview1` imports only (so
//! the runtime runs it as a preview-1 program): what a directory fd may hold, narrowing with
//! fd_fdstat_set_rights, paths that leave a directory fd, O_DIRECTORY with write access,
//! truncation needing path_filestat_set_size, fd_renumber onto a closed fd. With the argument
//! `unmounted` it only looks at fd 3 (run without any mount).
#[path = "../fsraw.rs"]
mod fsraw;
use fsraw::p1;

const FD_READ: u64 = 1 << 1;
const FD_SEEK: u64 = 1 << 2;
const FD_TELL: u64 = 1 << 5;
const FD_WRITE: u64 = 1 << 6;
const PATH_CREATE_FILE: u64 = 1 << 10;
const PATH_OPEN: u64 = 1 << 13;
const FD_READDIR: u64 = 1 << 14;
const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
const O_CREAT: u32 = 1;
const O_DIRECTORY: u32 = 2;
const O_TRUNC: u32 = 8;

/// `path_open(dir, path)`: the new fd or the errno.
fn open(dir: u32, path: &str, oflags: u32, base: u64, inheriting: u64) -> Result<u32, i32> {
    let mut fd = 0;
    // SAFETY: `path` and `fd` outlive the call.
    let rc = unsafe { p1::path_open(dir, 0, path.as_ptr(), path.len(), oflags, base, inheriting, 0, &mut fd) };
    if rc == 0 { Ok(fd) } else { Err(rc) }
}

/// (base, inheriting) rights of `fd`.
fn rights(fd: u32) -> (u64, u64) {
    let mut st = [0u8; 24];
    // SAFETY: `st` has the 24 bytes of an fdstat.
    assert_eq!(unsafe { p1::fd_fdstat_get(fd, st.as_mut_ptr()) }, 0);
    let word = |at: usize| u64::from_le_bytes(st[at..at + 8].try_into().unwrap());
    (word(8), word(16))
}

fn set_rights(fd: u32, base: u64, inheriting: u64) -> i32 {
    // SAFETY: plain values.
    unsafe { p1::fd_fdstat_set_rights(fd, base, inheriting) }
}

fn write(fd: u32, data: &[u8]) -> i32 {
    let iov = [data.as_ptr() as u32, data.len() as u32];
    let mut n = 0;
    // SAFETY: `iov` describes `data`, which outlives the call.
    unsafe { p1::fd_write(fd, iov.as_ptr(), 1, &mut n) }
}

fn read(fd: u32) -> i32 {
    let mut buf = [0u8; 8];
    let iov = [buf.as_mut_ptr() as u32, buf.len() as u32];
    let mut n = 0;
    // SAFETY: `iov` describes `buf`, which outlives the call.
    unsafe { p1::fd_read(fd, iov.as_ptr(), 1, &mut n) }
}

fn seek_cur(fd: u32) -> i32 {
    let mut pos = 0;
    // SAFETY: `pos` outlives the call.
    unsafe { p1::fd_seek(fd, 0, 1, &mut pos) }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("unmounted") {
        let mut pre = [0u8; 8];
        // SAFETY: `pre` has the 8 bytes of a prestat.
        println!("prestat3={}", unsafe { p1::fd_prestat_get(3, pre.as_mut_ptr()) });
        // SAFETY: plain values.
        println!("shutdown3={}", unsafe { p1::sock_shutdown(3, 1) });
        return;
    }
    let (root_base, root_inh) = rights(3);
    println!("root: seek={} readdir={} inherits write={}", root_base & FD_SEEK != 0, root_base & FD_READDIR != 0, root_inh & FD_WRITE != 0);
    // SAFETY: the path outlives the call.
    assert_eq!(unsafe { p1::path_create_directory(3, "data/d".as_ptr(), 6) }, 0);

    // A directory never holds fd_seek, even when asked; seeking it is ENOTCAPABLE.
    let dir_base = FD_SEEK | FD_READDIR | PATH_OPEN | PATH_CREATE_FILE | PATH_FILESTAT_SET_SIZE;
    let d = open(3, "data/d", O_DIRECTORY, dir_base, FD_READ | FD_WRITE | FD_SEEK).unwrap();
    let (base, _) = rights(d);
    println!("dir: seek={} readdir={} seek_errno={}", base & FD_SEEK != 0, base & FD_READDIR != 0, seek_cur(d));
    println!("dir rw open: {:?}", open(3, "data/d", O_DIRECTORY, FD_READ | FD_WRITE, 0));

    // Paths may not leave the directory fd.
    println!("dotdot: {:?}", open(d, "../x", O_CREAT, 0, 0));
    println!("absolute: {:?}", open(d, "/data/d/x", O_CREAT, 0, 0));
    println!("inside: {:?}", open(d, "a/../f", O_CREAT, 0, 0).map(|_| "ok"));

    // A file gets what it asked for within the directory's inheriting rights.
    let f = open(d, "f", 0, FD_READ | FD_WRITE | FD_SEEK | FD_TELL, 0).unwrap();
    let (base, _) = rights(f);
    println!("file: read={} write={} tell={}", base & FD_READ != 0, base & FD_WRITE != 0, base & FD_TELL != 0);
    println!("write={} narrow={} write={} read={} widen={}", write(f, b"hi"), set_rights(f, FD_SEEK, 0), write(f, b"hi"), read(f), set_rights(f, FD_SEEK | FD_READ, 0));

    // Truncating needs path_filestat_set_size on the directory.
    println!("trunc: {:?}", open(d, "f", O_TRUNC, 0, 0).map(|_| "ok"));
    let (base, inh) = rights(d);
    println!("drop={} trunc: {:?}", set_rights(d, base & !PATH_FILESTAT_SET_SIZE, inh), open(d, "f", O_TRUNC, 0, 0));

    // fd_renumber onto an open fd works, onto a closed one is EBADF (preview 1).
    let a = open(d, "f", 0, FD_READ, 0).unwrap();
    let b = open(d, "f", 0, FD_READ, 0).unwrap();
    // SAFETY: plain values.
    unsafe {
        println!("renumber open={}", p1::fd_renumber(a, b));
        println!("renumber closed={}", p1::fd_renumber(b, a));
    }
}
