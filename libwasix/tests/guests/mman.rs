//! Guest: mmap/munmap/msync/mprotect/madvise/mlock emulated in linear memory (issue 18).
include!("common.rs");

use std::ffi::{c_int, c_void};
use std::os::fd::AsRawFd;

unsafe extern "C" {
    fn mmap(a: *mut c_void, n: usize, prot: c_int, flags: c_int, fd: c_int, off: i64) -> *mut c_void;
    fn munmap(a: *mut c_void, n: usize) -> c_int;
    fn msync(a: *mut c_void, n: usize, f: c_int) -> c_int;
    fn mprotect(a: *mut c_void, n: usize, prot: c_int) -> c_int;
    fn madvise(a: *mut c_void, n: usize, adv: c_int) -> c_int;
    fn posix_madvise(a: *mut c_void, n: usize, adv: c_int) -> c_int;
    fn mlock(a: *const c_void, n: usize) -> c_int;
    fn munlock(a: *const c_void, n: usize) -> c_int;
}

const READ: c_int = 1;
const WRITE: c_int = 2;
const SHARED: c_int = 1;
const PRIVATE: c_int = 2;
const FIXED: c_int = 0x10;
const ANON: c_int = 0x20;
const FIXED_NOREPLACE: c_int = 0x10_0000;
const MS_SYNC: c_int = 4;
const FAILED: *mut c_void = !0 as *mut c_void;
const PAGE: usize = 65536;

fn main() {
    let dir = std::path::Path::new("/tmp");
    let path = dir.join("mman-data");
    let data: Vec<u8> = (0..PAGE as u32 + 100).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    // SAFETY: C calls on live buffers; every mapping is read only within its length.
    unsafe {
        // Anonymous: zeroed, page-aligned, usable.
        let a = mmap(std::ptr::null_mut(), 10, READ | WRITE, PRIVATE | ANON, -1, 0);
        check!(a != FAILED && a as usize % PAGE == 0, "anonymous map at {a:?}: errno {}", errno());
        let s = std::slice::from_raw_parts_mut(a.cast::<u8>(), PAGE);
        check!(s.iter().all(|&b| b == 0), "anonymous memory is zeroed");
        s[9] = 7;
        check!(mprotect(a, PAGE, READ) == 0, "mprotect is recorded");
        check!(madvise(a, PAGE, 3) == 0 && posix_madvise(a, 10, 4) == 0, "advice accepted");
        check!(madvise(a, PAGE, 99) == -1 && errno() == 28, "unknown advice is EINVAL");
        check!(mlock(a, 10) == 0 && munlock(a, 10) == 0, "mlock/munlock");
        // MAP_FIXED over exactly that mapping reuses its block, zeroed again.
        let f = mmap(a, 10, READ | WRITE, PRIVATE | ANON | FIXED, -1, 0);
        check!(f == a && *a.cast::<u8>().add(9) == 0, "MAP_FIXED over our mapping: {f:?}");
        check!(munmap(a, 10) == 0, "munmap: errno {}", errno());
        check!(msync(a, 10, MS_SYNC) == -1 && errno() == 48, "msync after munmap is ENOMEM");
        let stray = mmap(0x10000 as *mut c_void, 10, READ, PRIVATE | ANON | FIXED, -1, 0);
        check!(stray == FAILED && errno() == 58, "MAP_FIXED elsewhere is ENOTSUP");
        let nr = mmap(std::ptr::null_mut(), 10, READ, PRIVATE | ANON | FIXED_NOREPLACE, -1, 0);
        check!(nr == FAILED && errno() == 58, "MAP_FIXED_NOREPLACE is ENOTSUP");
        check!(mmap(std::ptr::null_mut(), 0, READ, PRIVATE | ANON, -1, 0) == FAILED && errno() == 28, "zero length");

        // Read-only shared map of a file opened read-only; an offset of one page.
        let ro = std::fs::File::open(&path).unwrap();
        let m = mmap(std::ptr::null_mut(), 100, READ, SHARED, ro.as_raw_fd(), PAGE as i64);
        check!(m != FAILED, "file map: errno {}", errno());
        check!(std::slice::from_raw_parts(m.cast::<u8>(), 100) == &data[PAGE..], "contents at the offset");
        check!(mprotect(m, 100, READ | WRITE) == -1 && errno() == 2, "writable shared map of an O_RDONLY fd is EACCES");
        let w = mmap(std::ptr::null_mut(), 100, READ | WRITE, SHARED, ro.as_raw_fd(), 0);
        check!(w == FAILED && errno() == 2, "PROT_WRITE|MAP_SHARED of an O_RDONLY fd is EACCES");
        check!(munmap(m, 100) == 0, "munmap file map");
        check!(mmap(std::ptr::null_mut(), 10, READ, SHARED, ro.as_raw_fd(), 4096) == FAILED && errno() == 28, "unaligned offset");

        // Private map: a copy, never written back.
        let p = mmap(std::ptr::null_mut(), data.len(), READ | WRITE, PRIVATE, ro.as_raw_fd(), 0);
        check!(p != FAILED, "private map: errno {}", errno());
        *p.cast::<u8>() = 0xff;
        check!(munmap(p, data.len()) == 0, "munmap private");
        check!(std::fs::read(&path).unwrap() == data, "private changes stay private");

        // Shared writable: changes reach the file on msync and on munmap, also after close.
        let rw = std::fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
        let s = mmap(std::ptr::null_mut(), data.len() + 50, READ | WRITE, SHARED, rw.as_raw_fd(), 0);
        check!(s != FAILED, "shared map: errno {}", errno());
        drop(rw);
        let bytes = std::slice::from_raw_parts_mut(s.cast::<u8>(), data.len() + 50);
        bytes[1] = 0xaa;
        check!(std::fs::read(&path).unwrap()[1] == data[1], "not visible before msync or a new map");
        // A new mapping of the file sees what earlier shared mappings wrote (written back first).
        let again = mmap(std::ptr::null_mut(), 10, READ, PRIVATE, ro.as_raw_fd(), 0);
        check!(again != FAILED && *again.cast::<u8>().add(1) == 0xaa, "a second map sees the first one's write");
        check!(munmap(again, 10) == 0, "munmap second map");
        let mut reread = [0u8; 2];
        check!(std::io::Read::read(&mut std::fs::File::open(&path).unwrap(), &mut reread).unwrap() == 2 && reread[1] == 0xaa, "which wrote it back");
        bytes[1] = 0xab;
        check!(*std::slice::from_raw_parts(s.cast::<u8>(), 2).get(1).unwrap() == 0xab, "mapping still writable");
        check!(std::fs::read(&path).unwrap()[1] == 0xaa, "not visible before msync");
        bytes[1] = 0xaa;
        check!(msync(s, 10, MS_SYNC) == 0, "msync: errno {}", errno());
        check!(std::fs::read(&path).unwrap()[1] == 0xaa, "visible after msync");
        // A byte written by someone else is not clobbered by an unrelated write-back.
        let mut other = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        std::io::Write::write_all(&mut std::io::Seek::seek(&mut other, std::io::SeekFrom::Start(5)).map(|_| &mut other).unwrap(), b"Z").unwrap();
        bytes[PAGE + 1] = 0xbb;
        bytes[data.len() + 10] = 0xcc; // past the end of the file: dropped
        check!(msync(s.cast::<u8>().add(PAGE).cast(), 10, 1) == 0, "msync(MS_ASYNC) of the second page");
        check!(munmap(s, PAGE) == -1 && errno() == 58, "part of a mapping is ENOTSUP");
        check!(munmap(s, data.len() + 50) == 0, "munmap shared");
        let now = std::fs::read(&path).unwrap();
        check!(now.len() == data.len(), "the file did not grow: {}", now.len());
        check!(now[1] == 0xaa && now[5] == b'Z' && now[PAGE + 1] == 0xbb, "write-back kept others' bytes");

        // Directories are ENODEV.
        let d = std::fs::File::open(dir).unwrap();
        check!(mmap(std::ptr::null_mut(), 10, READ, PRIVATE, d.as_raw_fd(), 0) == FAILED && errno() == 43, "directory is ENODEV");
    }
    println!("mman: ok");
}
