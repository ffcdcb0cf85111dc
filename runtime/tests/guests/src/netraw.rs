//! Raw WASIX socket, DNS and readiness imports for the `net_*` guests (std on wasm32-wasip1
//! has no `std::net` sockets), with small safe wrappers that return the errno on failure.
//! Included by each `net_*` bin with `#[path = "../netraw.rs"] mod netraw;`.

#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

pub const AF_INET4: u32 = 1;
pub const AF_INET6: u32 = 2;
pub const AF_UNIX: u32 = 3;
pub const SOCK_STREAM: u32 = 1;
pub const SOCK_DGRAM: u32 = 2;
pub const SOCK_NONBLOCK: u32 = 0x4000;

pub const EACCES: i32 = 2;
pub const EAGAIN: i32 = 6;
pub const ECONNREFUSED: i32 = 14;
pub const EINPROGRESS: i32 = 26;
pub const ENOTSOCK: i32 = 57;
pub const ETIMEDOUT: i32 = 73;

pub const FDFLAGS_NONBLOCK: u32 = 4;
pub const RIFLAGS_PEEK: u32 = 1;
pub const ROFLAGS_TRUNCATED: u16 = 1;
pub const SHUT_WR: u32 = 2;

pub const OPT_REUSE_ADDR: u32 = 2;
pub const OPT_NO_DELAY: u32 = 3;
pub const OPT_LAST_ERROR: u32 = 11;
pub const OPT_RECV_BUF_SIZE: u32 = 15;
pub const OPT_RECV_TIMEOUT: u32 = 19;
pub const OPT_CONNECT_TIMEOUT: u32 = 21;
pub const OPT_TYPE: u32 = 25;

pub const EPOLL_CTL_ADD: u32 = 0;
pub const EPOLL_CTL_MOD: u32 = 1;
pub const EPOLL_CTL_DEL: u32 = 2;
pub const EPOLLIN: u32 = 1;
pub const EPOLLOUT: u32 = 2;
pub const EPOLLRDHUP: u32 = 4;
pub const EPOLLET: u32 = 64;

pub mod sys {
    #[link(wasm_import_module = "wasix_32v1")]
    unsafe extern "C" {
        pub fn sock_open(af: u32, ty: u32, proto: u32, ret: *mut u32) -> i32;
        pub fn sock_pair(af: u32, ty: u32, proto: u32, ret0: *mut u32, ret1: *mut u32) -> i32;
        pub fn sock_bind(fd: u32, addr: *const u8) -> i32;
        pub fn sock_listen(fd: u32, backlog: u32) -> i32;
        pub fn sock_accept_v2(fd: u32, flags: u32, ret_fd: *mut u32, ret_addr: *mut u8) -> i32;
        pub fn sock_connect(fd: u32, addr: *const u8) -> i32;
        pub fn sock_recv(
            fd: u32,
            iovs: *const u32,
            n: usize,
            flags: u32,
            ret_len: *mut usize,
            ret_flags: *mut u16,
        ) -> i32;
        pub fn sock_recv_from(
            fd: u32,
            iovs: *const u32,
            n: usize,
            flags: u32,
            ret_len: *mut usize,
            ret_flags: *mut u16,
            ret_addr: *mut u8,
        ) -> i32;
        pub fn sock_send(
            fd: u32,
            iovs: *const u32,
            n: usize,
            flags: u32,
            ret_len: *mut usize,
        ) -> i32;
        pub fn sock_send_to(
            fd: u32,
            iovs: *const u32,
            n: usize,
            flags: u32,
            addr: *const u8,
            ret_len: *mut usize,
        ) -> i32;
        pub fn sock_shutdown(fd: u32, how: u32) -> i32;
        pub fn sock_addr_local(fd: u32, ret: *mut u8) -> i32;
        pub fn sock_addr_peer(fd: u32, ret: *mut u8) -> i32;
        pub fn sock_status(fd: u32, ret: *mut u8) -> i32;
        pub fn sock_set_opt_flag(fd: u32, opt: u32, flag: u32) -> i32;
        pub fn sock_get_opt_flag(fd: u32, opt: u32, ret: *mut u8) -> i32;
        pub fn sock_set_opt_time(fd: u32, opt: u32, time: *const u8) -> i32;
        pub fn sock_get_opt_size(fd: u32, opt: u32, ret: *mut u64) -> i32;
        pub fn sock_set_opt_size(fd: u32, opt: u32, size: u64) -> i32;
        pub fn sock_get_opt_time(fd: u32, opt: u32, ret: *mut u8) -> i32;
        pub fn sock_join_multicast_v4(fd: u32, group: *const u8, iface: *const u8) -> i32;
        pub fn sock_leave_multicast_v4(fd: u32, group: *const u8, iface: *const u8) -> i32;
        pub fn sock_join_multicast_v6(fd: u32, group: *const u8, iface: u32) -> i32;
        pub fn sock_send_file(
            out_fd: u32,
            in_fd: u32,
            offset: u64,
            count: u64,
            ret: *mut u64,
        ) -> i32;
        pub fn resolve(
            host: *const u8,
            len: usize,
            port: u32,
            addrs: *mut u8,
            naddrs: u32,
            ret: *mut u32,
        ) -> i32;
        pub fn epoll_create(ret: *mut u32) -> i32;
        pub fn epoll_ctl(epfd: u32, op: u32, fd: u32, event: *const u8) -> i32;
        pub fn epoll_wait(epfd: u32, events: *mut u8, max: u32, timeout: i64, ret: *mut u32)
        -> i32;
    }

    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        pub fn poll_oneoff(subs: *const u8, events: *mut u8, n: usize, ret: *mut usize) -> i32;
        pub fn fd_close(fd: u32) -> i32;
        pub fn fd_fdstat_set_flags(fd: u32, flags: u32) -> i32;
        pub fn fd_fdstat_get(fd: u32, buf: *mut u8) -> i32;
        pub fn sock_accept(fd: u32, flags: u32, ret_fd: *mut u32) -> i32;
    }
}

fn rc(code: i32) -> Result<(), i32> {
    if code == 0 { Ok(()) } else { Err(code) }
}

/// A WASIX `addr_port` record (110 bytes): tag @0, port (little-endian) @2, address @4.
pub fn encode_addr(addr: SocketAddr) -> [u8; 110] {
    let mut b = [0u8; 110];
    b[2..4].copy_from_slice(&addr.port().to_le_bytes());
    match addr.ip() {
        IpAddr::V4(ip) => {
            b[0] = AF_INET4 as u8;
            b[4..8].copy_from_slice(&ip.octets());
        }
        IpAddr::V6(ip) => {
            b[0] = AF_INET6 as u8;
            b[4..20].copy_from_slice(&ip.octets());
        }
    }
    b
}

pub fn decode_addr(b: &[u8; 110]) -> Option<SocketAddr> {
    let port = u16::from_le_bytes([b[2], b[3]]);
    match b[0] as u32 {
        AF_INET4 => Some(SocketAddr::new(
            Ipv4Addr::new(b[4], b[5], b[6], b[7]).into(),
            port,
        )),
        AF_INET6 => {
            let octets: [u8; 16] = b[4..20].try_into().unwrap();
            Some(SocketAddr::new(Ipv6Addr::from(octets).into(), port))
        }
        _ => None,
    }
}

/// An owned guest socket fd (closed on drop).
#[derive(Debug)]
pub struct Sock(pub u32);

impl Sock {
    pub fn open(af: u32, ty: u32) -> Result<Sock, i32> {
        let mut fd = 0;
        // SAFETY: `fd` is a live local.
        rc(unsafe { sys::sock_open(af, ty, 0, &mut fd) })?;
        Ok(Sock(fd))
    }

    pub fn tcp4() -> Result<Sock, i32> {
        Sock::open(AF_INET4, SOCK_STREAM)
    }

    pub fn udp4() -> Result<Sock, i32> {
        Sock::open(AF_INET4, SOCK_DGRAM)
    }

    pub fn pair() -> Result<(Sock, Sock), i32> {
        let (mut a, mut b) = (0, 0);
        // SAFETY: live locals.
        rc(unsafe { sys::sock_pair(AF_UNIX, SOCK_STREAM, 0, &mut a, &mut b) })?;
        Ok((Sock(a), Sock(b)))
    }

    pub fn bind(&self, addr: SocketAddr) -> Result<(), i32> {
        let rec = encode_addr(addr);
        // SAFETY: `rec` is a live 110-byte record.
        rc(unsafe { sys::sock_bind(self.0, rec.as_ptr()) })
    }

    pub fn listen(&self, backlog: u32) -> Result<(), i32> {
        // SAFETY: no pointers.
        rc(unsafe { sys::sock_listen(self.0, backlog) })
    }

    /// A listener on 127.0.0.1 with a kernel-chosen port.
    pub fn listener() -> Result<(Sock, SocketAddr), i32> {
        let s = Sock::tcp4()?;
        s.bind("127.0.0.1:0".parse().unwrap())?;
        s.listen(16)?;
        let addr = s.local_addr()?;
        Ok((s, addr))
    }

    pub fn accept(&self, flags: u32) -> Result<(Sock, SocketAddr), i32> {
        let mut fd = 0;
        let mut rec = [0u8; 110];
        // SAFETY: live locals of the right sizes.
        rc(unsafe { sys::sock_accept_v2(self.0, flags, &mut fd, rec.as_mut_ptr()) })?;
        Ok((
            Sock(fd),
            decode_addr(&rec).expect("accept returns an IP peer"),
        ))
    }

    pub fn connect(&self, addr: SocketAddr) -> Result<(), i32> {
        let rec = encode_addr(addr);
        // SAFETY: `rec` is a live record.
        rc(unsafe { sys::sock_connect(self.0, rec.as_ptr()) })
    }

    pub fn send(&self, data: &[u8]) -> Result<usize, i32> {
        let iov = [data.as_ptr() as u32, data.len() as u32];
        let mut n = 0;
        // SAFETY: the iovec points at `data`.
        rc(unsafe { sys::sock_send(self.0, iov.as_ptr(), 1, 0, &mut n) })?;
        Ok(n)
    }

    pub fn send_all(&self, mut data: &[u8]) -> Result<(), i32> {
        while !data.is_empty() {
            let n = self.send(data)?;
            data = &data[n..];
        }
        Ok(())
    }

    pub fn recv_flags(&self, buf: &mut [u8], flags: u32) -> Result<(usize, u16), i32> {
        let iov = [buf.as_mut_ptr() as u32, buf.len() as u32];
        let (mut n, mut ro) = (0, 0);
        // SAFETY: the iovec points at `buf`.
        rc(unsafe { sys::sock_recv(self.0, iov.as_ptr(), 1, flags, &mut n, &mut ro) })?;
        Ok((n, ro))
    }

    pub fn recv(&self, buf: &mut [u8]) -> Result<usize, i32> {
        self.recv_flags(buf, 0).map(|(n, _)| n)
    }

    /// Reads until EOF.
    pub fn recv_to_end(&self) -> Result<Vec<u8>, i32> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = self.recv(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    pub fn send_to(&self, data: &[u8], to: SocketAddr) -> Result<usize, i32> {
        let iov = [data.as_ptr() as u32, data.len() as u32];
        let rec = encode_addr(to);
        let mut n = 0;
        // SAFETY: live buffers.
        rc(unsafe { sys::sock_send_to(self.0, iov.as_ptr(), 1, 0, rec.as_ptr(), &mut n) })?;
        Ok(n)
    }

    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, u16, SocketAddr), i32> {
        let iov = [buf.as_mut_ptr() as u32, buf.len() as u32];
        let (mut n, mut ro) = (0, 0);
        let mut rec = [0u8; 110];
        // SAFETY: live buffers.
        rc(unsafe {
            sys::sock_recv_from(
                self.0,
                iov.as_ptr(),
                1,
                0,
                &mut n,
                &mut ro,
                rec.as_mut_ptr(),
            )
        })?;
        Ok((n, ro, decode_addr(&rec).expect("an IP sender")))
    }

    pub fn shutdown(&self, how: u32) -> Result<(), i32> {
        // SAFETY: no pointers.
        rc(unsafe { sys::sock_shutdown(self.0, how) })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, i32> {
        let mut rec = [0u8; 110];
        // SAFETY: live record.
        rc(unsafe { sys::sock_addr_local(self.0, rec.as_mut_ptr()) })?;
        Ok(decode_addr(&rec).expect("an IP address"))
    }

    pub fn peer_addr(&self) -> Result<SocketAddr, i32> {
        let mut rec = [0u8; 110];
        // SAFETY: live record.
        rc(unsafe { sys::sock_addr_peer(self.0, rec.as_mut_ptr()) })?;
        Ok(decode_addr(&rec).expect("an IP address"))
    }

    pub fn set_flag(&self, opt: u32, on: bool) -> Result<(), i32> {
        // SAFETY: no pointers.
        rc(unsafe { sys::sock_set_opt_flag(self.0, opt, on as u32) })
    }

    pub fn get_flag(&self, opt: u32) -> Result<bool, i32> {
        let mut v = 0u8;
        // SAFETY: live local.
        rc(unsafe { sys::sock_get_opt_flag(self.0, opt, &mut v) })?;
        Ok(v != 0)
    }

    pub fn set_time(&self, opt: u32, ns: Option<u64>) -> Result<(), i32> {
        let mut rec = [0u8; 16];
        if let Some(ns) = ns {
            rec[0] = 1;
            rec[8..].copy_from_slice(&ns.to_le_bytes());
        }
        // SAFETY: live 16-byte option_timestamp.
        rc(unsafe { sys::sock_set_opt_time(self.0, opt, rec.as_ptr()) })
    }

    pub fn set_size(&self, opt: u32, size: u64) -> Result<(), i32> {
        // SAFETY: no pointers.
        rc(unsafe { sys::sock_set_opt_size(self.0, opt, size) })
    }

    pub fn get_time(&self, opt: u32) -> Result<Option<u64>, i32> {
        let mut rec = [0u8; 16];
        // SAFETY: live 16-byte option_timestamp.
        rc(unsafe { sys::sock_get_opt_time(self.0, opt, rec.as_mut_ptr()) })?;
        Ok((rec[0] == 1).then(|| u64::from_le_bytes(rec[8..].try_into().unwrap())))
    }

    pub fn get_size(&self, opt: u32) -> Result<u64, i32> {
        let mut v = 0u64;
        // SAFETY: live local.
        rc(unsafe { sys::sock_get_opt_size(self.0, opt, &mut v) })?;
        Ok(v)
    }

    pub fn status(&self) -> Result<u8, i32> {
        let mut v = 0u8;
        // SAFETY: live local.
        rc(unsafe { sys::sock_status(self.0, &mut v) })?;
        Ok(v)
    }

    pub fn set_nonblocking(&self, on: bool) -> Result<(), i32> {
        // SAFETY: no pointers.
        rc(unsafe { sys::fd_fdstat_set_flags(self.0, if on { FDFLAGS_NONBLOCK } else { 0 }) })
    }
}

impl Drop for Sock {
    fn drop(&mut self) {
        // SAFETY: no pointers; the fd is ours.
        unsafe { sys::fd_close(self.0) };
    }
}

/// `resolve(host)`: up to 8 addresses.
pub fn resolve(host: &str) -> Result<Vec<IpAddr>, i32> {
    let mut buf = [0u8; 18 * 8];
    let mut n = 0u32;
    // SAFETY: live buffers of the stated sizes.
    rc(unsafe { sys::resolve(host.as_ptr(), host.len(), 0, buf.as_mut_ptr(), 8, &mut n) })?;
    Ok(buf
        .chunks_exact(18)
        .take(n as usize)
        .map(|r| match r[0] as u32 {
            AF_INET4 => IpAddr::V4(Ipv4Addr::new(r[2], r[3], r[4], r[5])),
            _ => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(&r[2..18]).unwrap())),
        })
        .collect())
}

/// One `poll_oneoff` subscription: read (`write == false`) or write readiness of `fd`.
pub fn fd_sub(userdata: u64, fd: u32, write: bool) -> [u8; 48] {
    let mut s = [0u8; 48];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = if write { 2 } else { 1 };
    s[16..20].copy_from_slice(&fd.to_le_bytes());
    s
}

/// A relative monotonic clock subscription.
pub fn clock_sub(userdata: u64, ns: u64) -> [u8; 48] {
    let mut s = [0u8; 48];
    s[0..8].copy_from_slice(&userdata.to_le_bytes());
    s[8] = 0;
    s[16..20].copy_from_slice(&1u32.to_le_bytes());
    s[24..32].copy_from_slice(&ns.to_le_bytes());
    s
}

/// A fired `poll_oneoff` event.
#[derive(Debug, PartialEq)]
pub struct Event {
    pub userdata: u64,
    pub error: u16,
    pub kind: u8,
    pub nbytes: u64,
    pub hangup: bool,
}

pub fn poll(subs: &[[u8; 48]]) -> Result<Vec<Event>, i32> {
    let input: Vec<u8> = subs.concat();
    let mut out = vec![0u8; 32 * subs.len()];
    let mut n = 0usize;
    // SAFETY: buffers sized for `subs.len()` records.
    rc(unsafe { sys::poll_oneoff(input.as_ptr(), out.as_mut_ptr(), subs.len(), &mut n) })?;
    Ok(out
        .chunks_exact(32)
        .take(n)
        .map(|e| Event {
            userdata: u64::from_le_bytes(e[0..8].try_into().unwrap()),
            error: u16::from_le_bytes([e[8], e[9]]),
            kind: e[10],
            nbytes: u64::from_le_bytes(e[16..24].try_into().unwrap()),
            hangup: u16::from_le_bytes([e[24], e[25]]) & 1 != 0,
        })
        .collect())
}

/// An epoll instance.
pub struct Epoll(pub u32);

impl Epoll {
    pub fn new() -> Result<Epoll, i32> {
        let mut fd = 0;
        // SAFETY: live local.
        rc(unsafe { sys::epoll_create(&mut fd) })?;
        Ok(Epoll(fd))
    }

    /// `token` goes in `data.data2` (offset 24), like the mio fork does.
    pub fn ctl(&self, op: u32, fd: u32, events: u32, token: u64) -> Result<(), i32> {
        let mut ev = [0u8; 32];
        ev[0..4].copy_from_slice(&events.to_le_bytes());
        ev[12..16].copy_from_slice(&fd.to_le_bytes());
        ev[24..32].copy_from_slice(&token.to_le_bytes());
        // SAFETY: live 32-byte epoll_event.
        rc(unsafe { sys::epoll_ctl(self.0, op, fd, ev.as_ptr()) })
    }

    /// `(events, token)` pairs; `timeout_ns < 0` waits forever.
    pub fn wait(&self, timeout_ns: i64) -> Result<Vec<(u32, u64)>, i32> {
        let mut evs = [0u8; 32 * 8];
        let mut n = 0u32;
        // SAFETY: room for 8 events.
        rc(unsafe { sys::epoll_wait(self.0, evs.as_mut_ptr(), 8, timeout_ns, &mut n) })?;
        Ok(evs
            .chunks_exact(32)
            .take(n as usize)
            .map(|e| {
                (
                    u32::from_le_bytes(e[0..4].try_into().unwrap()),
                    u64::from_le_bytes(e[24..32].try_into().unwrap()),
                )
            })
            .collect())
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: the fd is ours.
        unsafe { sys::fd_close(self.0) };
    }
}
