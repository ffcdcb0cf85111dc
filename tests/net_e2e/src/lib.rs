//! Helpers shared by the `net_e2e_*` programs: argument parsing and a deterministic payload.

use std::net::SocketAddr;

/// The first program argument as a socket address, or exit 2 with a usage line.
pub fn addr_arg() -> SocketAddr {
    let arg = std::env::args().nth(1).unwrap_or_default();
    arg.parse().unwrap_or_else(|_| {
        eprintln!("usage: {} HOST:PORT (got `{arg}`)", std::env::args().next().unwrap_or_default());
        std::process::exit(2)
    })
}

/// `len` bytes of a pattern that is not periodic in small powers of two, so a lost, duplicated
/// or reordered chunk changes the bytes.
pub fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31) ^ (i >> 11)) as u8).collect()
}
