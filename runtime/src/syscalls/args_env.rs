//! `args_sizes_get`, `args_get`, `environ_sizes_get`, `environ_get`: the guest's argv and
//! environment as NUL-terminated strings plus a pointer array.

use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::mem::{GuestMemory, MemSize, offset_by};
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    linker.func_wrap(
        module,
        "args_sizes_get",
        |mut c: Caller<'_, ThreadCtx>, count: M::Offset, size: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(sizes_get::<M>(
                &mem,
                &args(ctx),
                ptr::<M>(count),
                ptr::<M>(size),
            ))
        },
    )?;
    linker.func_wrap(
        module,
        "args_get",
        |mut c: Caller<'_, ThreadCtx>, argv: M::Offset, buf: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(strings_get::<M>(
                &mem,
                &args(ctx),
                ptr::<M>(argv),
                ptr::<M>(buf),
            ))
        },
    )?;
    linker.func_wrap(
        module,
        "environ_sizes_get",
        |mut c: Caller<'_, ThreadCtx>, count: M::Offset, size: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(sizes_get::<M>(
                &mem,
                &environ(ctx),
                ptr::<M>(count),
                ptr::<M>(size),
            ))
        },
    )?;
    linker.func_wrap(
        module,
        "environ_get",
        |mut c: Caller<'_, ThreadCtx>, env: M::Offset, buf: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(strings_get::<M>(
                &mem,
                &environ(ctx),
                ptr::<M>(env),
                ptr::<M>(buf),
            ))
        },
    )?;
    Ok(())
}

fn args(ctx: &ThreadCtx) -> Vec<Vec<u8>> {
    ctx.process
        .args
        .iter()
        .map(|a| a.as_bytes().to_vec())
        .collect()
}

fn environ(ctx: &ThreadCtx) -> Vec<Vec<u8>> {
    ctx.process
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}").into_bytes())
        .collect()
}

/// Writes the string count and the total size including one NUL per string.
fn sizes_get<M: MemSize>(
    mem: &GuestMemory<'_>,
    strings: &[Vec<u8>],
    count: u64,
    size: u64,
) -> Result<(), Errno> {
    let total: usize = strings.iter().map(|s| s.len() + 1).sum();
    mem.write_ptr::<M>(count, strings.len() as u64)?;
    mem.write_ptr::<M>(size, total as u64)
}

/// Writes the strings (NUL-terminated) at `buf` and their addresses at `ptrs`.
fn strings_get<M: MemSize>(
    mem: &GuestMemory<'_>,
    strings: &[Vec<u8>],
    ptrs: u64,
    buf: u64,
) -> Result<(), Errno> {
    let mut at = buf;
    for (i, s) in strings.iter().enumerate() {
        mem.write_ptr::<M>(offset_by(ptrs, i as u64 * M::PTR_BYTES)?, at)?;
        mem.write_bytes(at, s)?;
        let end = offset_by(at, s.len() as u64)?;
        mem.write_u8(end, 0)?;
        at = offset_by(end, 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::{M32, M64};

    #[test]
    fn strings_layout() {
        let mut buf = vec![0u8; 64];
        let mem = GuestMemory::from_slice(&mut buf);
        let s = vec![b"ab".to_vec(), b"".to_vec(), b"c".to_vec()];
        sizes_get::<M32>(&mem, &s, 0, 4).unwrap();
        assert_eq!((mem.read_u32(0).unwrap(), mem.read_u32(4).unwrap()), (3, 6));
        strings_get::<M32>(&mem, &s, 8, 32).unwrap();
        assert_eq!(
            [
                mem.read_u32(8).unwrap(),
                mem.read_u32(12).unwrap(),
                mem.read_u32(16).unwrap()
            ],
            [32, 35, 36]
        );
        assert_eq!(mem.read_bytes(32, 6).unwrap(), b"ab\0\0c\0");
        assert_eq!(strings_get::<M32>(&mem, &s, 8, 62), Err(Errno::Fault));
        // Addresses near the top of a 64-bit space must fault, not overflow.
        assert_eq!(
            strings_get::<M64>(&mem, &s, u64::MAX - 4, 32),
            Err(Errno::Fault)
        );
        assert_eq!(
            strings_get::<M64>(&mem, &s, 8, u64::MAX - 1),
            Err(Errno::Fault)
        );
    }
}
