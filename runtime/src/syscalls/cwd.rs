//! WASIX `chdir` and `getcwd`: the process working directory, kept as a guest path string.
//!
//! wasi-libc resolves relative paths itself against its own cwd; libwasix wraps `chdir` to
//! update both, so the runtime's copy must only be validated and stored here.

use wasmtime::{Caller, Linker};

use crate::abi::Errno;
use crate::fs::GuestPath;
use crate::fs::ops;
use crate::mem::{GuestMemory, MemSize};
use crate::syscalls::{errno, ptr};
use crate::thread::{ThreadCtx, split};

/// Registers `chdir`/`getcwd` under the WASIX modules (they are not preview 1 calls).
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    if module == "wasi_snapshot_preview1" {
        return Ok(());
    }
    linker.func_wrap(
        module,
        "chdir",
        |mut c: Caller<'_, ThreadCtx>, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(chdir(&mem, ctx, ptr::<M>(path), ptr::<M>(len)))
        },
    )?;
    linker.func_wrap(
        module,
        "getcwd",
        |mut c: Caller<'_, ThreadCtx>, path: M::Offset, len: M::Offset| {
            let (mem, ctx) = split(&mut c);
            errno(getcwd::<M>(&mem, ctx, ptr::<M>(path), ptr::<M>(len)))
        },
    )?;
    Ok(())
}

/// Changes the working directory to `path` (absolute, or relative to the current one); it
/// must be a directory inside the virtual filesystem. Similar to `chdir` in POSIX.
fn chdir(mem: &GuestMemory<'_>, ctx: &ThreadCtx, path: u64, len: u64) -> Result<(), Errno> {
    let path = mem.read_str(path, len)?;
    let cwd = GuestPath::parse_absolute(&ctx.process.cwd()).unwrap_or_else(|_| GuestPath::root());
    let dir = ops::directory_path(&ctx.process.vfs, &cwd, &path)?;
    *ctx.process.cwd.lock().unwrap_or_else(|p| p.into_inner()) = dir.as_str().to_owned();
    Ok(())
}

/// Copies the working directory, NUL-terminated, into `path` whose size is at `*len`.
///
/// On success `*len` becomes the string length (without the NUL). When the buffer is too
/// small (it needs length + 1 bytes) `*len` becomes that needed size and the result is
/// ERANGE, as in Wasmer (the witx text says EOVERFLOW; wasix-libc's `getcwd(NULL, 0)` relies
/// on ERANGE and retries with the reported size).
fn getcwd<M: MemSize>(
    mem: &GuestMemory<'_>,
    ctx: &ThreadCtx,
    path: u64,
    len: u64,
) -> Result<(), Errno> {
    let cwd = ctx.process.cwd();
    let size = mem.read_ptr::<M>(len)?;
    let needed = cwd.len() as u64 + 1;
    if size < needed {
        mem.write_ptr::<M>(len, needed)?;
        return Err(Errno::Range);
    }
    let mut bytes = cwd.into_bytes();
    bytes.push(0);
    mem.write_bytes(path, &bytes)?;
    mem.write_ptr::<M>(len, bytes.len() as u64 - 1)
}
