//! The `sys/mman.h` functions over the C heap, and the process's one table of mappings.
//!
//! - `mmap` hands out a zeroed block of whole pages (`sysconf(_SC_PAGESIZE)`, 64 KiB: the wasm
//!   page) from `aligned_alloc`; a file mapping is filled with `pread`. `MAP_PRIVATE` and
//!   `MAP_ANONYMOUS` mappings are plain copies.
//! - `MAP_SHARED` of a file opened read-write keeps a close-on-exec dup of the fd and a copy of
//!   the bytes as read; `msync` and `munmap` write back the bytes that differ from that copy
//!   (never past the file's current end) with `pwrite`. Until then other fds, processes and
//!   other mappings of the file do not see the changes, and the mapping does not see theirs.
//! - A new mapping of a file first writes back the shared mappings of the same file, so it
//!   sees what they changed until then (a program that writes through one map and then maps
//!   the file again, as memmap2's tests do, reads its own writes); later changes stay apart.
//! - `MAP_FIXED` can only replace one whole earlier mapping (the block is reused); anything
//!   else, `MAP_FIXED_NOREPLACE`, unmapping part of a mapping and mapping a device are refused
//!   with ENOTSUP / ENODEV and a line on stderr naming the call.
//! - Protections are recorded, not enforced (linear memory has none); making a shared
//!   mapping of a read-only fd writable is EACCES, as on Linux. `madvise` is advice only;
//!   `mlock` and friends succeed (linear memory is never paged out).
//!
//! One spin lock guards the table and is held across a write-back, so an `munmap` over a
//! range is atomic with respect to other threads' `mmap` calls.

use core::cell::UnsafeCell;
use core::ffi::{c_int, c_void};
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::request::{self, Refusal, decode_advice, decode_mmap, decode_mprotect, decode_msync};
use super::table::{self, Backing, FileId, Mapping};
use crate::abi::{Errno, c};
use crate::{errno, sys};

/// `fcntl(fd, F_GETFL)`: wasi-libc's own on wasm32 (behind our `--wrap`), libc64's on wasm64.
fn access_flags(fd: c_int) -> c_int {
    // SAFETY: F_GETFL takes no argument, so the argument buffer is never read.
    #[cfg(target_arch = "wasm32")]
    return unsafe { crate::wrapped::__real_fcntl(fd, libc::F_GETFL, core::ptr::null()) };
    // SAFETY: as above.
    #[cfg(not(target_arch = "wasm32"))]
    return unsafe { libc::fcntl(fd, libc::F_GETFL) };
}

crate::same_signature_as_libc!(
    mmap,
    munmap,
    msync,
    mprotect,
    madvise,
    posix_madvise,
    mlock,
    munlock,
    mlockall,
    munlockall
);

/// Similar to `mmap` in POSIX.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mmap(
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    offset: i64,
) -> *mut c_void {
    match map(addr as usize, len, prot, flags, fd, offset) {
        Ok(block) => block as *mut c_void,
        Err(r) => {
            refuse("mmap", r);
            libc::MAP_FAILED
        }
    }
}

/// Similar to `munmap` in POSIX. Shared mappings are written back first; if that fails the
/// mapping is gone all the same and the write's errno is returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn munmap(addr: *mut c_void, len: usize) -> c_int {
    match unmap(addr as usize, len) {
        Ok(()) => 0,
        Err(r) => {
            refuse("munmap", r);
            -1
        }
    }
}

/// Similar to `msync` in POSIX; `MS_ASYNC` writes before returning too.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn msync(addr: *mut c_void, len: usize, flags: c_int) -> c_int {
    let addr = addr as usize;
    errno::unit(decode_msync(addr, flags, page_size()).and_then(|()| {
        let t = TABLE.lock();
        let m = t[table::holding(&t, addr, len)?];
        write_back(&m, addr - m.addr, len)
    }))
}

/// Similar to `mprotect` in POSIX: the protection is recorded, not enforced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mprotect(addr: *mut c_void, len: usize, prot: c_int) -> c_int {
    let addr = addr as usize;
    errno::unit(decode_mprotect(addr, prot, page_size()).and_then(|()| {
        let mut t = TABLE.lock();
        let i = table::holding(&t, addr, len)?;
        if prot & c::PROT_WRITE != 0 && t[i].backing == Backing::SharedReadOnly {
            return Err(Errno::ACCES);
        }
        t[i].prot = prot;
        Ok(())
    }))
}

/// Similar to `madvise` in Linux: advice only, the contents never change.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int {
    errno::unit(advise(addr as usize, len, advice))
}

/// Similar to `posix_madvise` in POSIX (returns the error number).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int {
    errno::code(advise(addr as usize, len, advice))
}

/// Similar to `mlock` in POSIX: linear memory is never paged out, so always 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mlock(_addr: *const c_void, _len: usize) -> c_int {
    0
}

/// Similar to `munlock` in POSIX: always 0 (see `mlock`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn munlock(_addr: *const c_void, _len: usize) -> c_int {
    0
}

/// Similar to `mlockall` in POSIX: always 0 (see `mlock`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mlockall(_flags: c_int) -> c_int {
    0
}

/// Similar to `munlockall` in POSIX: always 0 (see `mlock`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn munlockall() -> c_int {
    0
}

fn map(
    addr: usize,
    len: usize,
    prot: i32,
    flags: i32,
    fd: i32,
    offset: i64,
) -> Result<usize, Refusal> {
    let page = page_size();
    let req = decode_mmap(addr, len, prot, flags, offset, page)?;
    let file = if req.anonymous {
        None
    } else {
        Some(check_file(fd, &req)?)
    };
    let mut t = TABLE.lock();
    if let Some((_, id)) = file {
        // Best effort: a failed write-back stays pending in the older mapping (its own msync
        // or munmap reports it); the new one then shows the file as it is.
        for m in t.iter().filter(|m| table::shares_file(m, id)) {
            let _ = write_back(m, 0, m.len);
        }
    }
    let block = if req.fixed {
        // Only a whole earlier mapping can be replaced: its block is reused in place.
        let i = t
            .iter()
            .position(|m| m.addr == addr && m.size == req.size)
            .ok_or(Refusal::unsupported(
                "MAP_FIXED works only over exactly one earlier mapping of the same size",
            ))?;
        let old = t.remove(i);
        let written = write_back(&old, 0, old.len);
        close_backing(&old);
        if let Err(e) = written {
            free(old.addr);
            return Err(e.into());
        }
        // SAFETY: the block is ours (it was a mapping) and `size` bytes long.
        unsafe { core::ptr::write_bytes(old.addr as *mut u8, 0, old.size) };
        old.addr
    } else {
        alloc_zeroed(page, req.size)?
    };
    let filled = match file {
        None => Ok(Backing::Copy),
        Some((writable, id)) => {
            fill(block, &req, fd).and_then(|()| backing(block, &req, fd, writable, id))
        }
    };
    let mapping = filled.and_then(|backing| {
        let m = Mapping {
            addr: block,
            len: req.len,
            size: req.size,
            prot: req.prot,
            backing,
        };
        t.push(m).inspect_err(|_| close_backing(&m)).map(|()| m)
    });
    match mapping {
        Ok(m) => Ok(m.addr),
        Err(e) => {
            free(block);
            Err(e.into())
        }
    }
}

fn unmap(addr: usize, len: usize) -> Result<(), Refusal> {
    let page = page_size();
    let end = request::round_up(len, page)
        .and_then(|n| addr.checked_add(n))
        .filter(|_| addr.is_multiple_of(page) && len != 0)
        .ok_or(Errno::INVAL)?;
    let mut t = TABLE.lock();
    table::check_unmap(&t, addr, end).map_err(|_| {
        Refusal::unsupported(
            "part of a mapping cannot be unmapped (its block is one C heap allocation)",
        )
    })?;
    let mut result = Ok(());
    while let Some(i) = table::first_inside(&t, addr, end) {
        let m = t.remove(i);
        let written = write_back(&m, 0, m.len);
        close_backing(&m);
        free(m.addr);
        result = result.and(written);
    }
    result.map_err(Refusal::from)
}

fn advise(addr: usize, len: usize, advice: i32) -> Result<(), Errno> {
    decode_advice(addr, advice, page_size())?;
    table::holding(&TABLE.lock(), addr, len).map(|_| ())
}

/// Checks that `fd` is a regular file that may be mapped as asked; returns whether it is open
/// for writing (only then can a shared mapping be written back) and the file's identity.
fn check_file(fd: i32, req: &request::MapRequest) -> Result<(bool, FileId), Refusal> {
    let mut st = core::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: `st` is a live, writable stat buffer.
    if unsafe { libc::fstat(fd, st.as_mut_ptr()) } != 0 {
        return Err(errno::last().into());
    }
    // SAFETY: fstat succeeded, so it filled the buffer (zeroed before, in any case).
    let st = unsafe { st.assume_init() };
    let id = FileId {
        dev: st.st_dev,
        ino: st.st_ino,
    };
    let mode = st.st_mode & libc::S_IFMT;
    match mode {
        libc::S_IFREG => {}
        libc::S_IFCHR | libc::S_IFBLK => {
            return Err(Refusal {
                errno: Errno::NODEV,
                why: Some("device files cannot be mapped (a mapping is a copy in linear memory)"),
            });
        }
        // Directories, pipes, sockets: ENODEV, as on Linux.
        _ => return Err(Errno::NODEV.into()),
    }
    let fl = access_flags(fd);
    if fl < 0 {
        return Err(errno::last().into());
    }
    let (readable, writable) = (fl & c::O_RDONLY != 0, fl & c::O_WRONLY != 0);
    if !readable || (req.shared && req.prot & c::PROT_WRITE != 0 && !writable) {
        return Err(Errno::ACCES.into());
    }
    Ok((writable, id))
}

/// Reads the mapped range of the file into the (zeroed) block; past the end stays zero.
fn fill(block: usize, req: &request::MapRequest, fd: i32) -> Result<(), Errno> {
    let mut done = 0;
    while done < req.len {
        let at = i64::try_from(req.offset + done as u64).map_err(|_| Errno::OVERFLOW)?;
        // SAFETY: `block + done .. block + len` lies inside the block.
        let n = unsafe { libc::pread(fd, (block + done) as *mut c_void, req.len - done, at) };
        match n {
            0 => break,
            n if n > 0 => done += n as usize,
            _ if errno::last() == Errno::INTR => {}
            _ => return Err(errno::last()),
        }
    }
    Ok(())
}

/// What keeps a shared mapping of a writable file connected to it: its own fd and the copy
/// of the bytes as read.
fn backing(
    block: usize,
    req: &request::MapRequest,
    fd: i32,
    writable: bool,
    file: FileId,
) -> Result<Backing, Errno> {
    match (req.shared, writable) {
        (false, _) => Ok(Backing::Copy),
        (true, false) => Ok(Backing::SharedReadOnly),
        (true, true) => {
            // SAFETY: plain allocation; checked for null below.
            let shadow = unsafe { libc::malloc(req.len) } as usize;
            if shadow == 0 {
                return Err(Errno::NOMEM);
            }
            // SAFETY: both are live, distinct allocations of at least `len` bytes.
            unsafe {
                core::ptr::copy_nonoverlapping(block as *const u8, shadow as *mut u8, req.len)
            };
            let own = sys::fd_dup2(fd, 0, true).inspect_err(|_| free(shadow))?;
            Ok(Backing::Shared {
                fd: own,
                offset: req.offset,
                shadow,
                file,
            })
        }
    }
}

/// Writes the changed bytes of `[from, from + n)` (offsets into the mapping) of a shared
/// mapping back to its file; other mappings have nothing to write.
fn write_back(m: &Mapping, from: usize, n: usize) -> Result<(), Errno> {
    let Backing::Shared {
        fd, offset, shadow, ..
    } = m.backing
    else {
        return Ok(());
    };
    let mut st = core::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: `st` is a live, writable stat buffer.
    if unsafe { libc::fstat(fd, st.as_mut_ptr()) } != 0 {
        return Err(errno::last());
    }
    // SAFETY: fstat succeeded.
    let size = u64::try_from(unsafe { st.assume_init() }.st_size).unwrap_or(0);
    let Some((start, end)) = table::write_back_window(m.len, offset, size, from, n) else {
        return Ok(());
    };
    let mut pos = start;
    loop {
        // SAFETY: `[pos, end)` lies inside both the block and the shadow (`len` bytes each);
        // the slices end before the copy below writes the shadow.
        let next = unsafe {
            let now = core::slice::from_raw_parts((m.addr + pos) as *const u8, end - pos);
            let before = core::slice::from_raw_parts((shadow + pos) as *const u8, end - pos);
            table::changed_runs(now, before).next()
        };
        let Some((s, e)) = next else {
            return Ok(());
        };
        let (s, e) = (pos + s, pos + e);
        pwrite_all(fd, m.addr + s, e - s, offset + s as u64)?;
        // SAFETY: as above; block and shadow are distinct allocations.
        unsafe {
            core::ptr::copy_nonoverlapping(
                (m.addr + s) as *const u8,
                (shadow + s) as *mut u8,
                e - s,
            )
        };
        pos = e;
    }
}

fn pwrite_all(fd: i32, mut buf: usize, mut n: usize, mut at: u64) -> Result<(), Errno> {
    while n > 0 {
        let off = i64::try_from(at).map_err(|_| Errno::OVERFLOW)?;
        // SAFETY: `buf .. buf + n` lies inside a live mapping.
        let w = unsafe { libc::pwrite(fd, buf as *const c_void, n, off) };
        match w {
            w if w > 0 => {
                let w = w as usize;
                (buf, n, at) = (buf + w, n - w, at + w as u64);
            }
            0 => return Err(Errno::IO),
            _ if errno::last() == Errno::INTR => {}
            _ => return Err(errno::last()),
        }
    }
    Ok(())
}

/// Releases a mapping's fd and shadow copy (not its block).
fn close_backing(m: &Mapping) {
    if let Backing::Shared { fd, shadow, .. } = m.backing {
        let _ = sys::fd_close(fd);
        free(shadow);
    }
}

fn alloc_zeroed(page: usize, size: usize) -> Result<usize, Errno> {
    // SAFETY: `page` is a power of two and `size` a multiple of it (C11 aligned_alloc).
    let block = unsafe { libc::aligned_alloc(page, size) } as usize;
    if block == 0 {
        return Err(Errno::NOMEM);
    }
    // SAFETY: a fresh allocation of `size` bytes.
    unsafe { core::ptr::write_bytes(block as *mut u8, 0, size) };
    Ok(block)
}

fn free(p: usize) {
    // SAFETY: `p` came from malloc/aligned_alloc and is freed once.
    unsafe { libc::free(p as *mut c_void) };
}

/// Sets errno; a call the emulation cannot honour also says why on stderr.
fn refuse(call: &str, r: Refusal) {
    if let Some(why) = r.why {
        note(call, why);
    }
    errno::set(r.errno);
}

/// Writes `libwasix: <call>: <why>` to stderr (best effort; the errno is what callers act on).
fn note(call: &str, why: &str) {
    let mut line = [0u8; 256];
    let parts: [&[u8]; 5] = [b"libwasix: ", call.as_bytes(), b": ", why.as_bytes(), b"\n"];
    let mut n = 0;
    for part in parts {
        let take = part.len().min(line.len() - n);
        line[n..n + take].copy_from_slice(&part[..take]);
        n += take;
    }
    // SAFETY: `line[..n]` is initialised.
    unsafe { libc::write(2, line.as_ptr().cast(), n) };
}

/// The page size mappings are aligned to: wasi-libc's `_SC_PAGESIZE` (the 64 KiB wasm page).
fn page_size() -> usize {
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: plain libc call.
            let raw = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            let page = usize::try_from(raw)
                .ok()
                .filter(|p| p.is_power_of_two())
                .unwrap_or(65536);
            PAGE.store(page, Ordering::Relaxed);
            page
        }
        page => page,
    }
}

/// The process's mappings, behind a spin lock (no_std: no OS mutex below libc).
static TABLE: Table = Table {
    locked: AtomicBool::new(false),
    entries: UnsafeCell::new(Entries {
        ptr: core::ptr::null_mut(),
        len: 0,
        cap: 0,
    }),
};

struct Table {
    locked: AtomicBool,
    entries: UnsafeCell<Entries>,
}

// SAFETY: `entries` is only reached through `lock`, which gives one thread at a time access.
unsafe impl Sync for Table {}

impl Table {
    fn lock(&self) -> Guard<'_> {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        Guard(self)
    }
}

struct Guard<'a>(&'a Table);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.locked.store(false, Ordering::Release);
    }
}

impl Deref for Guard<'_> {
    type Target = Entries;
    fn deref(&self) -> &Entries {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.0.entries.get() }
    }
}

impl DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut Entries {
        // SAFETY: the guard holds the lock.
        unsafe { &mut *self.0.entries.get() }
    }
}

/// A growable array of mappings in C heap memory (libwasix has no `alloc`).
struct Entries {
    ptr: *mut Mapping,
    len: usize,
    cap: usize,
}

impl Entries {
    fn push(&mut self, m: Mapping) -> Result<(), Errno> {
        if self.len == self.cap {
            let cap = (self.cap * 2).max(16);
            let bytes = cap.checked_mul(size_of::<Mapping>()).ok_or(Errno::NOMEM)?;
            // SAFETY: `ptr` is null or our earlier allocation; the result is checked.
            let grown = unsafe { libc::realloc(self.ptr.cast(), bytes) } as *mut Mapping;
            if grown.is_null() {
                return Err(Errno::NOMEM);
            }
            (self.ptr, self.cap) = (grown, cap);
        }
        // SAFETY: `len < cap`, inside the allocation.
        unsafe { self.ptr.add(self.len).write(m) };
        self.len += 1;
        Ok(())
    }

    /// Removes entry `i` (order is not kept).
    fn remove(&mut self, i: usize) -> Mapping {
        let m = self[i];
        let last = self[self.len - 1];
        self[i] = last;
        self.len -= 1;
        m
    }
}

impl Deref for Entries {
    type Target = [Mapping];
    fn deref(&self) -> &[Mapping] {
        if self.ptr.is_null() {
            return &[];
        }
        // SAFETY: the first `len` entries are initialised.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl DerefMut for Entries {
    fn deref_mut(&mut self) -> &mut [Mapping] {
        if self.ptr.is_null() {
            return &mut [];
        }
        // SAFETY: the first `len` entries are initialised; we hold the only reference.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}
