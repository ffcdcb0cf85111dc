//! `resolve`: host name lookup (WASIX), allowed by the `--net` policy.

use wasmtime::{Caller, Linker};

use super::{errno, ptr};
use crate::abi::Errno;
use crate::mem::MemSize;
use crate::net::addr::{ADDR_IP_SIZE, encode_addr_ip};
use crate::net::resolve::resolve;
use crate::thread::{ThreadCtx, split};

/// Longest host name accepted (DNS names are at most 253 bytes; leave room for odd inputs).
const MAX_HOST_LEN: u64 = 1024;

/// Registers this family under `module`.
pub fn add_to_linker<M: MemSize>(
    linker: &mut Linker<ThreadCtx>,
    module: &str,
) -> anyhow::Result<()> {
    if module != "wasi_snapshot_preview1" {
        linker.func_wrap(module, "resolve", resolve_call::<M>)?;
    }
    Ok(())
}

/// `resolve(host, host_len, port, addrs, naddrs, ret_naddrs)`: looks `host` up and writes up
/// to `naddrs` 18-byte `addr_ip` records at `addrs`; `ret_naddrs` gets how many were written.
/// Similar to `getaddrinfo` in POSIX.
fn resolve_call<M: MemSize>(
    mut c: Caller<'_, ThreadCtx>,
    host: M::Offset,
    host_len: M::Offset,
    port: i32,
    addrs: M::Offset,
    naddrs: i32,
    ret: M::Offset,
) -> i32 {
    let (mem, ctx) = split(&mut c);
    errno((|| {
        let len = ptr::<M>(host_len);
        if len > MAX_HOST_LEN {
            return Err(Errno::Inval);
        }
        let name = mem.read_str(ptr::<M>(host), len)?;
        ctx.process
            .net
            .check_resolve(&name)
            .map_err(|_| Errno::Acces)?;
        let ips = resolve(&name, port as u16)?;
        let room = usize::try_from(naddrs).unwrap_or(0);
        let records: Vec<u8> = ips.iter().take(room).flat_map(encode_addr_ip).collect();
        mem.write_bytes(ptr::<M>(addrs), &records)?;
        mem.write_u32(ptr::<M>(ret), (records.len() / ADDR_IP_SIZE) as u32)
    })())
}
