//! Guest memory access: pointer widths ([`MemSize`]: [`M32`]/[`M64`]) and bounds-checked copies
//! in and out of linear memory ([`GuestMemory`]). Shared memory is copied, never borrowed, and
//! every out-of-bounds access is [`Errno::Fault`], never a host panic.

use std::marker::PhantomData;

use crate::abi::Errno;

/// A pointer width: `M32` for `wasi_snapshot_preview1`/`wasix_32v1`, `M64` for `wasix_64v1`.
pub trait MemSize: Copy + Send + Sync + 'static {
    /// The wasm value type of guest pointers and pointer-sized lengths.
    type Offset: wasmtime::WasmTy + Copy + std::fmt::Debug + Send + Sync + 'static;
    /// Bytes in a pointer.
    const PTR_BYTES: u64;
    /// The WASIX import module name for this width.
    const WASIX_MODULE: &'static str;
    /// The unsigned value of a guest pointer or length.
    fn to_u64(o: Self::Offset) -> u64;
    /// The guest form of a value; `Overflow` when it does not fit.
    fn offset(v: u64) -> Result<Self::Offset, Errno>;
}

/// 32-bit guests.
#[derive(Debug, Clone, Copy)]
pub struct M32;

/// 64-bit guests.
#[derive(Debug, Clone, Copy)]
pub struct M64;

impl MemSize for M32 {
    type Offset = i32;
    const PTR_BYTES: u64 = 4;
    const WASIX_MODULE: &'static str = "wasix_32v1";
    fn to_u64(o: i32) -> u64 {
        o as u32 as u64
    }
    fn offset(v: u64) -> Result<i32, Errno> {
        u32::try_from(v)
            .map(|v| v as i32)
            .map_err(|_| Errno::Overflow)
    }
}

impl MemSize for M64 {
    type Offset = i64;
    const PTR_BYTES: u64 = 8;
    const WASIX_MODULE: &'static str = "wasix_64v1";
    fn to_u64(o: i64) -> u64 {
        o as u64
    }
    fn offset(v: u64) -> Result<i64, Errno> {
        Ok(v as i64)
    }
}

/// Largest single host buffer for one read/write call; larger requests are short transfers,
/// which POSIX allows.
pub const MAX_IO: usize = 16 << 20;

/// A view of one instance's linear memory for the duration of a host call.
pub struct GuestMemory<'a> {
    base: *mut u8,
    len: usize,
    _life: PhantomData<&'a ()>,
}

impl<'a> GuestMemory<'a> {
    /// A view of an owned (non-shared) memory's bytes.
    pub fn from_slice(bytes: &'a mut [u8]) -> Self {
        GuestMemory {
            base: bytes.as_mut_ptr(),
            len: bytes.len(),
            _life: PhantomData,
        }
    }

    /// A view of a shared memory. Other threads may write concurrently; we only ever copy
    /// (racy but memory-safe, like every wasm host).
    pub fn from_shared(mem: &'a wasmtime::SharedMemory) -> Self {
        let data = mem.data();
        GuestMemory {
            base: data.as_ptr() as *mut u8,
            len: data.len(),
            _life: PhantomData,
        }
    }

    /// A view of `len` bytes at `base`.
    ///
    /// # Safety
    /// `base..base+len` must stay mapped for `'a` (a shared memory handle kept alive by the
    /// caller's store data guarantees this: shared memories never shrink).
    pub(crate) unsafe fn from_raw(base: *mut u8, len: usize) -> Self {
        GuestMemory {
            base,
            len,
            _life: PhantomData,
        }
    }

    /// The current size in bytes.
    pub fn len(&self) -> u64 {
        self.len as u64
    }

    /// Whether the memory has no pages.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn check(&self, addr: u64, len: u64) -> Result<usize, Errno> {
        let end = addr.checked_add(len).ok_or(Errno::Fault)?;
        if end > self.len as u64 {
            return Err(Errno::Fault);
        }
        Ok(addr as usize)
    }

    /// Copies `buf.len()` bytes from guest address `addr`.
    pub fn read_into(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
        let at = self.check(addr, buf.len() as u64)?;
        // SAFETY: `check` proved `at..at+len` lies inside the memory, which stays mapped for
        // 'a; a byte copy cannot observe a torn value that breaks Rust invariants.
        unsafe { std::ptr::copy_nonoverlapping(self.base.add(at), buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    /// Copies `len` bytes from guest address `addr`.
    pub fn read_bytes(&self, addr: u64, len: u64) -> Result<Vec<u8>, Errno> {
        self.check(addr, len)?;
        let mut v = vec![0u8; len as usize];
        self.read_into(addr, &mut v)?;
        Ok(v)
    }

    /// Copies `data` to guest address `addr`.
    pub fn write_bytes(&self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        let at = self.check(addr, data.len() as u64)?;
        // SAFETY: as in `read_into`; the destination is guest memory, never a Rust reference.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.base.add(at), data.len()) };
        Ok(())
    }

    pub fn read_u8(&self, addr: u64) -> Result<u8, Errno> {
        let mut b = [0u8; 1];
        self.read_into(addr, &mut b)?;
        Ok(b[0])
    }

    pub fn read_u16(&self, addr: u64) -> Result<u16, Errno> {
        let mut b = [0u8; 2];
        self.read_into(addr, &mut b)?;
        Ok(u16::from_le_bytes(b))
    }

    pub fn read_u32(&self, addr: u64) -> Result<u32, Errno> {
        let mut b = [0u8; 4];
        self.read_into(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    pub fn read_u64(&self, addr: u64) -> Result<u64, Errno> {
        let mut b = [0u8; 8];
        self.read_into(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    pub fn write_u8(&self, addr: u64, v: u8) -> Result<(), Errno> {
        self.write_bytes(addr, &[v])
    }

    pub fn write_u16(&self, addr: u64, v: u16) -> Result<(), Errno> {
        self.write_bytes(addr, &v.to_le_bytes())
    }

    pub fn write_u32(&self, addr: u64, v: u32) -> Result<(), Errno> {
        self.write_bytes(addr, &v.to_le_bytes())
    }

    pub fn write_u64(&self, addr: u64, v: u64) -> Result<(), Errno> {
        self.write_bytes(addr, &v.to_le_bytes())
    }

    /// Reads a pointer-sized value.
    pub fn read_ptr<M: MemSize>(&self, addr: u64) -> Result<u64, Errno> {
        if M::PTR_BYTES == 4 {
            self.read_u32(addr).map(u64::from)
        } else {
            self.read_u64(addr)
        }
    }

    /// Writes a pointer-sized value; `Overflow` when it does not fit the width.
    pub fn write_ptr<M: MemSize>(&self, addr: u64, v: u64) -> Result<(), Errno> {
        if M::PTR_BYTES == 4 {
            self.write_u32(addr, u32::try_from(v).map_err(|_| Errno::Overflow)?)
        } else {
            self.write_u64(addr, v)
        }
    }

    /// Reads a UTF-8 string of `len` bytes (`Ilseq` when it is not UTF-8).
    pub fn read_str(&self, addr: u64, len: u64) -> Result<String, Errno> {
        String::from_utf8(self.read_bytes(addr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// Decodes an `iovec`/`ciovec` array of `count` entries at `ptr` into `(addr, len)` pairs,
    /// each checked to lie inside memory.
    pub fn iovecs<M: MemSize>(&self, ptr: u64, count: u64) -> Result<Vec<(u64, u64)>, Errno> {
        let entry = 2 * M::PTR_BYTES;
        self.check(ptr, count.checked_mul(entry).ok_or(Errno::Fault)?)?;
        (0..count)
            .map(|i| {
                let at = ptr + i * entry;
                let addr = self.read_ptr::<M>(at)?;
                let len = self.read_ptr::<M>(at + M::PTR_BYTES)?;
                self.check(addr, len)?;
                Ok((addr, len))
            })
            .collect()
    }

    /// Concatenates the bytes of `iovs`, at most `max` of them.
    pub fn gather(&self, iovs: &[(u64, u64)], max: usize) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        for &(addr, len) in iovs {
            let take = (len as usize).min(max - out.len());
            out.extend_from_slice(&self.read_bytes(addr, take as u64)?);
            if out.len() == max {
                break;
            }
        }
        Ok(out)
    }

    /// Spreads `data` over `iovs` in order; returns how many bytes were placed.
    pub fn scatter(&self, iovs: &[(u64, u64)], data: &[u8]) -> Result<usize, Errno> {
        let mut done = 0;
        for &(addr, len) in iovs {
            let take = (len as usize).min(data.len() - done);
            self.write_bytes(addr, &data[done..done + take])?;
            done += take;
            if done == data.len() {
                break;
            }
        }
        Ok(done)
    }
}

/// `base + off` for guest addresses: overflow is a fault, never a host panic.
pub fn offset_by(base: u64, off: u64) -> Result<u64, Errno> {
    base.checked_add(off).ok_or(Errno::Fault)
}

/// Total length of `iovs`, capped at [`MAX_IO`].
pub fn iov_total(iovs: &[(u64, u64)]) -> usize {
    iovs.iter()
        .fold(0u64, |acc, &(_, l)| acc.saturating_add(l))
        .min(MAX_IO as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let mut buf = vec![0u8; 64];
        let m = GuestMemory::from_slice(&mut buf);
        let cases: &[(u64, u64, bool)] = &[
            (0, 64, true),
            (60, 4, true),
            (61, 4, false),
            (64, 0, true),
            (65, 0, false),
            (u64::MAX, 2, false),
            (u64::MAX - 1, 1, false),
        ];
        for &(addr, len, ok) in cases {
            assert_eq!(m.read_bytes(addr, len).is_ok(), ok, "read {addr}+{len}");
            assert_eq!(
                m.write_bytes(addr, &vec![1; len as usize]).is_ok(),
                ok,
                "write {addr}+{len}"
            );
        }
        assert_eq!(m.read_u32(62), Err(Errno::Fault));
    }

    #[test]
    fn scalars_round_trip_little_endian() {
        let mut buf = vec![0u8; 32];
        let m = GuestMemory::from_slice(&mut buf);
        m.write_u16(0, 0x1234).unwrap();
        m.write_u32(4, 0xdead_beef).unwrap();
        m.write_u64(8, 0x0102_0304_0506_0708).unwrap();
        m.write_ptr::<M32>(16, 7).unwrap();
        assert_eq!(m.write_ptr::<M32>(16, 1 << 32), Err(Errno::Overflow));
        m.write_ptr::<M64>(24, 1 << 40).unwrap();
        assert_eq!(m.read_u16(0).unwrap(), 0x1234);
        assert_eq!(m.read_u8(0).unwrap(), 0x34);
        assert_eq!(m.read_u32(4).unwrap(), 0xdead_beef);
        assert_eq!(m.read_u64(8).unwrap(), 0x0102_0304_0506_0708);
        assert_eq!(m.read_ptr::<M32>(16).unwrap(), 7);
        assert_eq!(m.read_ptr::<M64>(24).unwrap(), 1 << 40);
    }

    #[test]
    fn iovecs_gather_scatter() {
        let mut buf = vec![0u8; 128];
        let m = GuestMemory::from_slice(&mut buf);
        m.write_bytes(64, b"hello world").unwrap();
        // two iovecs: (64, 5), (69, 6)
        for (i, (a, l)) in [(64u64, 5u64), (69, 6)].into_iter().enumerate() {
            m.write_ptr::<M32>(i as u64 * 8, a).unwrap();
            m.write_ptr::<M32>(i as u64 * 8 + 4, l).unwrap();
        }
        let iovs = m.iovecs::<M32>(0, 2).unwrap();
        assert_eq!(iovs, vec![(64, 5), (69, 6)]);
        assert_eq!(m.gather(&iovs, MAX_IO).unwrap(), b"hello world");
        assert_eq!(m.gather(&iovs, 7).unwrap(), b"hello w");
        assert_eq!(m.scatter(&iovs, b"HELLO").unwrap(), 5);
        assert_eq!(m.read_bytes(64, 11).unwrap(), b"HELLO world");
        // An iovec pointing outside memory is a fault, as is an array running off the end.
        m.write_ptr::<M32>(8, 120).unwrap();
        m.write_ptr::<M32>(12, 9).unwrap();
        assert_eq!(m.iovecs::<M32>(0, 2), Err(Errno::Fault));
        assert_eq!(m.iovecs::<M32>(120, 2), Err(Errno::Fault));
        assert_eq!(m.iovecs::<M32>(0, u64::MAX), Err(Errno::Fault));
    }

    #[test]
    fn strings() {
        let mut buf = vec![0u8; 16];
        let m = GuestMemory::from_slice(&mut buf);
        m.write_bytes(0, b"ok\xff").unwrap();
        assert_eq!(m.read_str(0, 2).unwrap(), "ok");
        assert_eq!(m.read_str(0, 3), Err(Errno::Ilseq));
    }

    #[test]
    fn offsets_convert() {
        assert_eq!(M32::to_u64(-1), u32::MAX as u64);
        assert_eq!(M32::offset(u32::MAX as u64), Ok(-1));
        assert_eq!(M32::offset(1 << 32), Err(Errno::Overflow));
        assert_eq!(M64::to_u64(-1), u64::MAX);
    }
}
