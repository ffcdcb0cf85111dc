//! A guest socket: one host socket (socket2), created eagerly at `sock_open`, plus the few
//! options the host kernel does not keep for us (connect/accept timeouts, WASIX status).
//!
//! Every method is a plain blocking (or, in non-blocking mode, `EAGAIN`-returning) host
//! call; callers clone the `Arc` out of the fd table first, so the table lock is never held
//! while a socket blocks. Address-policy checks happen in the syscall layer before these
//! methods are called. Socket options live in `sockopt.rs`.

use std::any::Any;
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use rustix::event::PollFlags;
use rustix::net::{RecvFlags, SendFlags};
use socket2::{Domain, Protocol, SockAddr, Type};

use super::addr::{AddressFamily, GuestAddr};
pub use super::sockopt::sock_option;
use crate::abi::Errno;
use crate::abi::types::{Filestat, Filetype, fdflags};
use crate::fd::FdObject;
use crate::fd::object::host_filestat;

/// WASIX `sock_type` values (C `SOCK_*` at the WASIX ABI level).
pub mod sock_type {
    pub const STREAM: u32 = 1;
    pub const DGRAM: u32 = 2;
    pub const RAW: u32 = 3;
    pub const SEQPACKET: u32 = 4;
    /// wasix-libc forwards `socket()`'s type unmasked, so these C flags can arrive too.
    pub const FLAG_NONBLOCK: u32 = 0x4000;
    pub const FLAG_CLOEXEC: u32 = 0x2000;
}

/// WASIX `riflags` (u16) for `sock_recv`/`sock_recv_from`.
pub mod riflags {
    pub const PEEK: u16 = 1;
    pub const WAITALL: u16 = 2;
    pub const DONT_WAIT: u16 = 8;
}

/// WASIX `roflags` (u16) written back by `sock_recv`/`sock_recv_from`.
pub mod roflags {
    pub const DATA_TRUNCATED: u16 = 1;
}

/// WASIX `siflags` (u16) for `sock_send`/`sock_send_to`.
pub mod siflags {
    pub const DONT_WAIT: u16 = 1;
}

/// WASIX `sdflags` (u8) for `sock_shutdown`.
pub mod sdflags {
    pub const RD: u32 = 1;
    pub const WR: u32 = 2;
}

/// WASIX `sock_status` (u8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum SockStatus {
    Opening = 0,
    Opened = 1,
    Closed = 2,
    Failed = 3,
}

/// What `sock_open` asked for, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenRequest {
    pub family: AddressFamily,
    /// `sock_type::STREAM` or `sock_type::DGRAM`.
    pub kind: u32,
    /// IANA protocol number actually used (6 TCP, 17 UDP, 0 for unix sockets).
    pub proto: u16,
    pub nonblocking: bool,
    pub cloexec: bool,
}

impl OpenRequest {
    /// Validates `sock_open`/`sock_pair` arguments (pure; unit-tested).
    pub fn parse(af: u32, socktype: u32, proto: u32) -> Result<Self, Errno> {
        let family = AddressFamily::from_raw(af).ok_or(Errno::Afnosupport)?;
        let flags = sock_type::FLAG_NONBLOCK | sock_type::FLAG_CLOEXEC;
        let kind = socktype & !flags;
        match kind {
            sock_type::STREAM | sock_type::DGRAM => {}
            sock_type::RAW | sock_type::SEQPACKET => return Err(Errno::Notsup),
            _ => return Err(Errno::Inval),
        }
        let default_proto = match (family, kind) {
            (AddressFamily::Unix, _) => 0,
            (_, sock_type::STREAM) => 6,
            _ => 17,
        };
        let proto = match proto {
            0 => default_proto,
            p if p == u32::from(default_proto) => default_proto,
            6 | 17 => return Err(Errno::Prototype),
            _ => return Err(Errno::Protonosupport),
        };
        if family == AddressFamily::Unspec {
            return Err(Errno::Afnosupport);
        }
        Ok(Self {
            family,
            kind,
            proto,
            nonblocking: socktype & sock_type::FLAG_NONBLOCK != 0,
            cloexec: socktype & sock_type::FLAG_CLOEXEC != 0,
        })
    }

    fn domain(&self) -> Domain {
        match self.family {
            AddressFamily::Inet6 => Domain::IPV6,
            AddressFamily::Unix => Domain::UNIX,
            _ => Domain::IPV4,
        }
    }

    fn host_type(&self) -> Type {
        if self.kind == sock_type::STREAM {
            Type::STREAM
        } else {
            Type::DGRAM
        }
    }
}

/// A socket fd object.
#[derive(Debug)]
pub struct Socket {
    pub(super) sock: socket2::Socket,
    pub(super) family: AddressFamily,
    pub(super) kind: u32,
    pub(super) proto: u16,
    nonblocking: AtomicBool,
    status: AtomicU8,
    timeouts: Mutex<SoftTimeouts>,
}

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct SoftTimeouts {
    pub(super) connect: Option<Duration>,
    pub(super) accept: Option<Duration>,
}

impl Socket {
    /// `sock_open`: creates the host socket now.
    pub fn open(req: &OpenRequest) -> Result<Self, Errno> {
        if req.family == AddressFamily::Unix {
            // A bound unix socket would name a host path outside the sandbox.
            return Err(Errno::Notsup);
        }
        let proto = Some(Protocol::from(i32::from(req.proto)));
        let sock = socket2::Socket::new(req.domain(), req.host_type(), proto)?;
        Self::wrap(
            sock,
            req.family,
            req.kind,
            req.proto,
            req.nonblocking,
            SockStatus::Opening,
        )
    }

    /// `sock_pair`: a connected pair (unix-domain on the host whatever `af` says).
    pub fn pair(req: &OpenRequest) -> Result<(Self, Self), Errno> {
        let (a, b) = socket2::Socket::pair(Domain::UNIX, req.host_type(), None)?;
        let wrap = |s| {
            Self::wrap(
                s,
                AddressFamily::Unix,
                req.kind,
                0,
                req.nonblocking,
                SockStatus::Opened,
            )
        };
        Ok((wrap(a)?, wrap(b)?))
    }

    fn wrap(
        sock: socket2::Socket,
        family: AddressFamily,
        kind: u32,
        proto: u16,
        nonblocking: bool,
        status: SockStatus,
    ) -> Result<Self, Errno> {
        sock.set_nonblocking(nonblocking)?;
        Ok(Self {
            sock,
            family,
            kind,
            proto,
            nonblocking: AtomicBool::new(nonblocking),
            status: AtomicU8::new(status as u8),
            timeouts: Mutex::new(SoftTimeouts::default()),
        })
    }

    pub fn family(&self) -> AddressFamily {
        self.family
    }

    /// `sock_type::STREAM` or `sock_type::DGRAM`.
    pub fn kind(&self) -> u32 {
        self.kind
    }

    pub fn is_stream(&self) -> bool {
        self.kind == sock_type::STREAM
    }

    /// The host socket.
    pub fn raw(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }

    pub fn is_nonblocking(&self) -> bool {
        self.nonblocking.load(Ordering::Relaxed)
    }

    /// Switches non-blocking mode (`fd_fdstat_set_flags` with `NONBLOCK`); shared by dups.
    pub fn set_nonblocking(&self, on: bool) -> Result<(), Errno> {
        self.sock.set_nonblocking(on)?;
        self.nonblocking.store(on, Ordering::Relaxed);
        Ok(())
    }

    /// `sock_status`: OPENING until bound-and-listening or connected (a non-blocking connect
    /// that has completed since is noticed here), FAILED after a failed connect, CLOSED after
    /// a full shutdown.
    pub fn status(&self) -> SockStatus {
        let status = match self.status.load(Ordering::Relaxed) {
            0 => SockStatus::Opening,
            1 => SockStatus::Opened,
            2 => SockStatus::Closed,
            _ => SockStatus::Failed,
        };
        if status == SockStatus::Opening && self.sock.peer_addr().is_ok() {
            self.set_status(SockStatus::Opened);
            return SockStatus::Opened;
        }
        status
    }

    fn set_status(&self, status: SockStatus) {
        self.status.store(status as u8, Ordering::Relaxed);
    }

    /// `sock_bind`.
    pub fn bind(&self, addr: &SocketAddr) -> Result<(), Errno> {
        self.check_family(addr)?;
        self.sock.bind(&SockAddr::from(*addr))?;
        Ok(())
    }

    /// `sock_listen`.
    pub fn listen(&self, backlog: u32) -> Result<(), Errno> {
        if !self.is_stream() {
            return Err(Errno::Notsup);
        }
        let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        self.sock.listen(backlog)?;
        self.set_status(SockStatus::Opened);
        Ok(())
    }

    /// `sock_accept`/`sock_accept_v2`: the new socket (blocking unless `nonblocking`) and the
    /// peer address.
    pub fn accept(&self, nonblocking: bool) -> Result<(Socket, GuestAddr), Errno> {
        let timeout = self.soft_timeouts().accept;
        if let (Some(timeout), false) = (timeout, self.is_nonblocking())
            && !wait_fd(self.raw(), PollFlags::IN, timeout)?
        {
            return Err(Errno::Again);
        }
        let (sock, peer) = self.sock.accept().map_err(Errno::from)?;
        let peer = guest_addr(&peer);
        let new = Self::wrap(
            sock,
            self.family,
            self.kind,
            self.proto,
            nonblocking,
            SockStatus::Opened,
        )?;
        Ok((new, peer))
    }

    /// `sock_connect`. Non-blocking sockets answer `EINPROGRESS`; completion is seen through
    /// `poll_oneoff`/`epoll` (writable, or `HANGUP` on failure) and `LAST_ERROR`.
    pub fn connect(&self, addr: &GuestAddr) -> Result<(), Errno> {
        let addr = match addr {
            GuestAddr::Ip(ip) => {
                self.check_family(ip)?;
                SockAddr::from(*ip)
            }
            // `connect(AF_UNSPEC)` dissolves a datagram association.
            GuestAddr::Unspec if !self.is_stream() => unspec_host_addr(),
            _ => return Err(Errno::Afnosupport),
        };
        let timeout = self.soft_timeouts().connect;
        let result = match timeout {
            Some(t) if !self.is_nonblocking() && self.is_stream() => {
                self.sock.connect_timeout(&addr, t)
            }
            _ => self.sock.connect(&addr),
        };
        match result {
            Ok(()) => {
                self.set_status(SockStatus::Opened);
                Ok(())
            }
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INPROGRESS.raw_os_error()) => {
                self.set_status(SockStatus::Opening);
                Err(Errno::Inprogress)
            }
            Err(e) => {
                self.set_status(SockStatus::Failed);
                Err(e.into())
            }
        }
    }

    /// `sock_recv` (and `fd_read`): receives into `buf`; returns the length and `roflags`.
    pub fn recv(&self, buf: &mut [u8], flags: u16) -> Result<(usize, u16), Errno> {
        let n = self
            .sock
            .recv_with_flags(as_uninit(buf), recv_flags(flags, !self.is_stream()))?;
        Ok(truncation(n, buf.len()))
    }

    /// `sock_recv_from`: like [`Socket::recv`] plus the sender's address.
    pub fn recv_from(&self, buf: &mut [u8], flags: u16) -> Result<(usize, u16, GuestAddr), Errno> {
        let (n, peer) = self
            .sock
            .recv_from_with_flags(as_uninit(buf), recv_flags(flags, !self.is_stream()))?;
        let (n, ro) = truncation(n, buf.len());
        Ok((n, ro, guest_addr(&peer)))
    }

    /// `sock_send` (and `fd_write`). Never raises `SIGPIPE` in the host.
    pub fn send(&self, data: &[u8], flags: u16) -> Result<usize, Errno> {
        self.sock
            .send_with_flags(data, send_flags(flags))
            .map_err(Errno::from)
    }

    /// `sock_send_to`.
    pub fn send_to(&self, data: &[u8], flags: u16, addr: &SocketAddr) -> Result<usize, Errno> {
        self.check_family(addr)?;
        self.sock
            .send_to_with_flags(data, &SockAddr::from(*addr), send_flags(flags))
            .map_err(Errno::from)
    }

    /// `sock_shutdown` with WASIX `sdflags`.
    pub fn shutdown(&self, how: u32) -> Result<(), Errno> {
        let how = match how & (sdflags::RD | sdflags::WR) {
            sdflags::RD => Shutdown::Read,
            sdflags::WR => Shutdown::Write,
            x if x == sdflags::RD | sdflags::WR => Shutdown::Both,
            _ => return Err(Errno::Inval),
        };
        self.sock.shutdown(how)?;
        if how == Shutdown::Both {
            self.set_status(SockStatus::Closed);
        }
        Ok(())
    }

    /// `sock_addr_local`, asked of the host every time (port 0 binds report the real port).
    pub fn local_addr(&self) -> Result<GuestAddr, Errno> {
        Ok(guest_addr(&self.sock.local_addr()?))
    }

    /// `sock_addr_peer`.
    pub fn peer_addr(&self) -> Result<GuestAddr, Errno> {
        Ok(guest_addr(&self.sock.peer_addr()?))
    }

    /// `sock_join_multicast_v4`/`sock_leave_multicast_v4`.
    pub fn multicast_v4(
        &self,
        join: bool,
        group: &Ipv4Addr,
        iface: &Ipv4Addr,
    ) -> Result<(), Errno> {
        if join {
            self.sock.join_multicast_v4(group, iface)?
        } else {
            self.sock.leave_multicast_v4(group, iface)?
        }
        Ok(())
    }

    /// `sock_join_multicast_v6`/`sock_leave_multicast_v6`.
    pub fn multicast_v6(&self, join: bool, group: &Ipv6Addr, iface: u32) -> Result<(), Errno> {
        if join {
            self.sock.join_multicast_v6(group, iface)?
        } else {
            self.sock.leave_multicast_v6(group, iface)?
        }
        Ok(())
    }

    pub(super) fn soft_timeouts(&self) -> SoftTimeouts {
        *self.timeouts.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn soft_timeouts_mut(&self, f: impl FnOnce(&mut SoftTimeouts)) {
        f(&mut self.timeouts.lock().unwrap_or_else(|p| p.into_inner()));
    }

    fn check_family(&self, addr: &SocketAddr) -> Result<(), Errno> {
        match (self.family, addr) {
            (AddressFamily::Inet4, SocketAddr::V4(_)) | (AddressFamily::Inet6, _) => Ok(()),
            _ => Err(Errno::Afnosupport),
        }
    }
}

impl FdObject for Socket {
    fn filetype(&self) -> Filetype {
        if self.is_stream() {
            Filetype::SocketStream
        } else {
            Filetype::SocketDgram
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    /// `fd_read` on a socket is `recv` without flags.
    fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.recv(buf, 0).map(|(n, _)| n)
    }

    /// `fd_write` on a socket is `send` without flags (and without `SIGPIPE`).
    fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        self.send(buf, 0)
    }

    fn fdstat_flags(&self) -> Result<u16, Errno> {
        Ok(if self.is_nonblocking() {
            fdflags::NONBLOCK
        } else {
            0
        })
    }

    fn set_fdflags(&self, flags: u16) -> Result<(), Errno> {
        self.set_nonblocking(flags & fdflags::NONBLOCK != 0)
    }

    fn filestat(&self) -> Result<Filestat, Errno> {
        host_filestat(self.raw(), self.filetype())
    }

    fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.sock.as_fd())
    }
}

/// Host `recv` flags for WASIX `riflags`; datagram sockets also ask for the real length so
/// truncation can be reported.
fn recv_flags(flags: u16, datagram: bool) -> i32 {
    let mut host = RecvFlags::empty();
    if flags & riflags::PEEK != 0 {
        host |= RecvFlags::PEEK;
    }
    if flags & riflags::WAITALL != 0 {
        host |= RecvFlags::WAITALL;
    }
    if flags & riflags::DONT_WAIT != 0 {
        host |= RecvFlags::DONTWAIT;
    }
    if datagram {
        host |= RecvFlags::TRUNC;
    }
    host.bits() as i32
}

/// Host `send` flags for WASIX `siflags`; always `MSG_NOSIGNAL` (a closed peer is `EPIPE`, not
/// a host signal).
fn send_flags(flags: u16) -> i32 {
    let mut host = SendFlags::NOSIGNAL;
    if flags & siflags::DONT_WAIT != 0 {
        host |= SendFlags::DONTWAIT;
    }
    host.bits() as i32
}

/// An initialised buffer seen as the `MaybeUninit` slice socket2's receive calls take.
fn as_uninit(buf: &mut [u8]) -> &mut [MaybeUninit<u8>] {
    // SAFETY: `MaybeUninit<u8>` has the layout of `u8`, and the receive calls only ever write
    // initialised bytes into it, so `buf` stays initialised (socket2's own `Read` impl does
    // the same).
    unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) }
}

/// Clamps a `MSG_TRUNC` length to the buffer and derives `roflags`.
fn truncation(received: usize, capacity: usize) -> (usize, u16) {
    if received > capacity {
        (capacity, roflags::DATA_TRUNCATED)
    } else {
        (received, 0)
    }
}

/// A host socket address as the guest sees it.
fn guest_addr(addr: &SockAddr) -> GuestAddr {
    if let Some(ip) = addr.as_socket() {
        return GuestAddr::Ip(ip);
    }
    match addr.as_pathname() {
        Some(path) => GuestAddr::Unix(path.as_os_str().as_encoded_bytes().to_vec()),
        None => GuestAddr::Unspec,
    }
}

/// The host address that dissolves a datagram association (`AF_UNSPEC`).
fn unspec_host_addr() -> SockAddr {
    /// `sizeof(struct sockaddr)`: what `connect(2)` expects with `AF_UNSPEC`.
    const SOCKADDR_LEN: u32 = 16;
    // SAFETY: zeroed storage has family AF_UNSPEC (0), and a plain 16-byte `sockaddr` of that
    // family is a complete, valid address.
    unsafe { SockAddr::new(socket2::SockAddrStorage::zeroed(), SOCKADDR_LEN) }
}

/// Waits until `fd` is ready for `flags` or `timeout` passes; `Ok(false)` on timeout.
pub(crate) fn wait_fd(
    fd: BorrowedFd<'_>,
    flags: PollFlags,
    timeout: Duration,
) -> Result<bool, Errno> {
    let mut fds = [rustix::event::PollFd::from_borrowed_fd(fd, flags)];
    let ts = rustix::event::Timespec::try_from(timeout).map_err(|_| Errno::Inval)?;
    loop {
        match rustix::event::poll(&mut fds, Some(&ts)) {
            Ok(n) => return Ok(n > 0),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(Errno::from(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_requests() {
        use AddressFamily::*;
        // (af, type, proto, expected)
        let ok = |family, kind, proto, nonblocking, cloexec| {
            Ok(OpenRequest {
                family,
                kind,
                proto,
                nonblocking,
                cloexec,
            })
        };
        let cases: &[(u32, u32, u32, Result<OpenRequest, Errno>)] = &[
            (1, 1, 0, ok(Inet4, 1, 6, false, false)),
            (1, 2, 0, ok(Inet4, 2, 17, false, false)),
            (2, 1, 6, ok(Inet6, 1, 6, false, false)),
            (2, 2, 17, ok(Inet6, 2, 17, false, false)),
            (1, 0x4001, 0, ok(Inet4, 1, 6, true, false)),
            (1, 0x6002, 0, ok(Inet4, 2, 17, true, true)),
            (3, 1, 0, ok(Unix, 1, 0, false, false)),
            (1, 1, 17, Err(Errno::Prototype)),
            (1, 2, 6, Err(Errno::Prototype)),
            (1, 1, 99, Err(Errno::Protonosupport)),
            (1, 3, 0, Err(Errno::Notsup)),
            (1, 4, 0, Err(Errno::Notsup)),
            (1, 0, 0, Err(Errno::Inval)),
            (1, 9, 0, Err(Errno::Inval)),
            (0, 1, 0, Err(Errno::Afnosupport)),
            (7, 1, 0, Err(Errno::Afnosupport)),
        ];
        for (af, ty, proto, expected) in cases {
            assert_eq!(
                &OpenRequest::parse(*af, *ty, *proto),
                expected,
                "af={af} type={ty:#x} proto={proto}"
            );
        }
    }

    #[test]
    fn multicast_join_and_leave() {
        let udp4 = Socket::open(&OpenRequest::parse(1, 2, 0).unwrap()).unwrap();
        let group = Ipv4Addr::new(224, 0, 0, 251);
        let lo = Ipv4Addr::LOCALHOST;
        assert_eq!(udp4.multicast_v4(true, &group, &lo), Ok(()));
        assert_eq!(udp4.multicast_v4(false, &group, &lo), Ok(()));
        assert_eq!(
            udp4.multicast_v4(false, &group, &lo),
            Err(Errno::Addrnotavail)
        );
        let udp6 = Socket::open(&OpenRequest::parse(2, 2, 0).unwrap()).unwrap();
        let group6: Ipv6Addr = "ff02::fb".parse().unwrap();
        assert_eq!(
            udp6.multicast_v6(true, &group6, 1),
            Ok(()),
            "join on interface 1 (lo)"
        );
        assert_eq!(udp6.multicast_v6(false, &group6, 1), Ok(()));
    }

    #[test]
    fn pairs_carry_data_both_ways_and_report_eof() {
        let req = OpenRequest::parse(3, 1, 0).unwrap();
        let (a, b) = Socket::pair(&req).unwrap();
        assert_eq!(a.send(b"ping", 0), Ok(4));
        let mut buf = [0u8; 8];
        assert_eq!(
            b.recv(&mut buf, riflags::PEEK),
            Ok((4, 0)),
            "peek leaves the data"
        );
        assert_eq!(b.recv(&mut buf, 0), Ok((4, 0)));
        assert_eq!(&buf[..4], b"ping");
        assert_eq!(b.recv(&mut buf, riflags::DONT_WAIT), Err(Errno::Again));
        assert_eq!(a.shutdown(sdflags::WR), Ok(()));
        assert_eq!(
            b.recv(&mut buf, 0),
            Ok((0, 0)),
            "EOF after the peer's half-close"
        );
        assert_eq!(b.send(b"pong", 0), Ok(4), "the other direction stays open");
        assert_eq!(a.recv(&mut buf, 0), Ok((4, 0)));
        assert_eq!(a.shutdown(0), Err(Errno::Inval));
        drop(a);
        assert_eq!(b.send(b"x", 0), Err(Errno::Pipe), "no SIGPIPE, just EPIPE");
    }

    #[test]
    fn status_follows_the_connection() {
        let tcp = || Socket::open(&OpenRequest::parse(1, 1, 0).unwrap()).unwrap();
        let listener = tcp();
        assert_eq!(listener.status(), SockStatus::Opening);
        listener.bind(&"127.0.0.1:0".parse().unwrap()).unwrap();
        listener.listen(4).unwrap();
        assert_eq!(listener.status(), SockStatus::Opened);
        let GuestAddr::Ip(addr) = listener.local_addr().unwrap() else {
            panic!("an IP listener")
        };
        let client = tcp();
        client.set_nonblocking(true).unwrap();
        assert!(matches!(
            client.connect(&GuestAddr::Ip(addr)),
            Ok(()) | Err(Errno::Inprogress)
        ));
        let _accepted = listener.accept(false).unwrap();
        assert_eq!(
            client.status(),
            SockStatus::Opened,
            "a completed non-blocking connect"
        );
        client.shutdown(sdflags::RD | sdflags::WR).unwrap();
        assert_eq!(client.status(), SockStatus::Closed);
        let refused = tcp();
        drop(listener);
        assert_eq!(
            refused.connect(&GuestAddr::Ip(addr)),
            Err(Errno::Connrefused)
        );
        assert_eq!(refused.status(), SockStatus::Failed);
    }

    /// `sock_status` values: wasix-libc's `api_wasix.h` and Wasmer 7.4.2's `Sockstatus`.
    #[test]
    fn status_values() {
        let cases = [
            (SockStatus::Opening, 0u8),
            (SockStatus::Opened, 1),
            (SockStatus::Closed, 2),
            (SockStatus::Failed, 3),
        ];
        for (status, raw) in cases {
            assert_eq!(status as u8, raw, "{status:?}");
        }
    }

    #[test]
    fn datagram_truncation_is_reported() {
        let req = OpenRequest::parse(3, 2, 0).unwrap();
        let (a, b) = Socket::pair(&req).unwrap();
        a.send(b"0123456789", 0).unwrap();
        let mut small = [0u8; 4];
        assert_eq!(b.recv(&mut small, 0), Ok((4, roflags::DATA_TRUNCATED)));
        assert_eq!(&small, b"0123");
    }

    #[test]
    fn flag_translation() {
        let r = |f, dgram| RecvFlags::from_bits_retain(recv_flags(f, dgram) as u32);
        assert_eq!(r(0, false), RecvFlags::empty());
        assert_eq!(r(riflags::PEEK, false), RecvFlags::PEEK);
        assert_eq!(
            r(riflags::WAITALL | riflags::DONT_WAIT, false),
            RecvFlags::WAITALL | RecvFlags::DONTWAIT
        );
        assert_eq!(r(0, true), RecvFlags::TRUNC);
        let s = |f| SendFlags::from_bits_retain(send_flags(f) as u32);
        assert_eq!(s(0), SendFlags::NOSIGNAL);
        assert_eq!(
            s(siflags::DONT_WAIT),
            SendFlags::NOSIGNAL | SendFlags::DONTWAIT
        );
        assert_eq!(truncation(10, 4), (4, roflags::DATA_TRUNCATED));
        assert_eq!(truncation(4, 4), (4, 0));
    }
}
