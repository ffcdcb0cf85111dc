//! The byte order of the ports in the addresses the host writes, detected once per process, and
//! the one decoder of host-written `addr_port` records that uses it.
//!
//! Hosts disagree (issue 12, `reference/wasix-abi.md` §3.4): our runtime writes the port of
//! `sock_addr_local`/`sock_addr_peer`/`sock_accept_v2`/`sock_recv_from` little-endian, Wasmer
//! writes it in network order; both read input ports natively. So the first decode of an IP
//! address the host wrote asks the host once:
//!
//! * open a UDP socket, `sock_connect` it to `127.0.0.1:`[`ORDER_PROBE_PORT`] (written natively, as
//!   every host reads input) and read it back with `sock_addr_peer`. Connecting a datagram
//!   socket sends nothing and cannot fail with `EADDRINUSE` — unlike wasix-libc's probe, which
//!   binds a TCP socket to a fixed port;
//! * [`PortOrder::from_probe`] classifies the answer; the result is cached in an atomic. Two
//!   threads racing through the first decode both probe and store the same answer: harmless.
//!
//! When the probe cannot run or answers nonsense, the order is little-endian: that is our
//! runtime's order, and the only way the probe fails there is a `--net=RULES` policy that does
//! not allow `127.0.0.1:ORDER_PROBE_PORT` (`EACCES`; the runtime refuses that one connect quietly, see
//! `runtime/src/net/addr.rs`). Wasmer lets a guest that has sockets at all connect UDP anywhere.
//! Nothing here touches `errno`.

use core::sync::atomic::{AtomicU8, Ordering};

use super::addr::{self, ORDER_PROBE_PORT, PortOrder, SockAddr};
use crate::abi::{ADDR_PORT_SIZE, Errno, c};
use crate::sys;

const UNKNOWN: u8 = 0;
const LITTLE: u8 = 1;
const BIG: u8 = 2;

static ORDER: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Decodes an `addr_port` record the host wrote, in the host's port order (probing the host the
/// first time a record with a port comes by).
pub fn decode(rec: &[u8; ADDR_PORT_SIZE]) -> Result<SockAddr, Errno> {
    let order = if addr::has_port(rec) {
        port_order()
    } else {
        // Unix and unspecified records have no port: the order does not matter.
        PortOrder::Little
    };
    addr::from_addr_port(rec, order)
}

/// The host's output port order (cached after the first call).
fn port_order() -> PortOrder {
    match ORDER.load(Ordering::Relaxed) {
        LITTLE => return PortOrder::Little,
        BIG => return PortOrder::Big,
        _ => {}
    }
    let order = probe().unwrap_or(PortOrder::Little);
    let code = match order {
        PortOrder::Little => LITTLE,
        PortOrder::Big => BIG,
    };
    ORDER.store(code, Ordering::Relaxed);
    order
}

/// Asks the host; `None` when it cannot be asked or its answer is neither order.
fn probe() -> Option<PortOrder> {
    let fd = sys::sock_open(c::AF_INET, c::SOCK_DGRAM, c::IPPROTO_UDP).ok()?;
    let target = addr::to_addr_port(&SockAddr::V4 {
        port: ORDER_PROBE_PORT,
        ip: [127, 0, 0, 1],
    });
    let answer = sys::sock_connect(fd, &target).and_then(|()| sys::sock_addr_peer(fd));
    let _ = sys::fd_close(fd);
    let rec = answer.ok()?;
    if rec[0] != 1 || rec[4..8] != [127, 0, 0, 1] {
        return None;
    }
    PortOrder::from_probe(ORDER_PROBE_PORT, [rec[2], rec[3]])
}
