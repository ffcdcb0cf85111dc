//! Guest: sockets and getaddrinfo through libwasix's C functions (run with network access).
include!("common.rs");

use std::ffi::{CStr, c_int};
use std::ptr;

const SOL_SOCKET: c_int = 0x7fff_ffff;

fn main() {
    // SAFETY: plain C calls with live buffers.
    unsafe { tcp() };
    unsafe { udp_and_pair() };
    unsafe { options() };
    unsafe { dns() };
    println!("sockets: ok");
}

unsafe fn tcp() {
    unsafe {
        let l = c::socket(1, 1 | 0x2000, 0);
        check!(l >= 0, "socket: errno {}", errno());
        check!(c::fcntl(l, 1) == 1, "SOCK_CLOEXEC sets FD_CLOEXEC");
        check!(c::bind(l, sin(0, [127, 0, 0, 1]).as_ptr(), 16) == 0, "bind: errno {}", errno());
        check!(c::listen(l, 8) == 0, "listen: errno {}", errno());
        let (mut a, mut al) = ([0u8; 16], 16u32);
        check!(c::getsockname(l, a.as_mut_ptr(), &mut al) == 0, "getsockname");
        check!(al == 16 && a[0] == 1 && a[4..8] == [127, 0, 0, 1], "local {a:?} len {al}");
        let port = u16::from_be_bytes([a[2], a[3]]);
        check!(port != 0, "an ephemeral port");

        let cfd = c::socket(1, 1, 0);
        check!(c::connect(cfd, sin(port, [127, 0, 0, 1]).as_ptr(), 16) == 0, "connect: errno {}", errno());
        // A short buffer is truncated and the full length reported.
        let (mut peer, mut pl) = ([0xaau8; 16], 4u32);
        let s = c::accept4(l, peer.as_mut_ptr(), &mut pl, 0x4000);
        check!(s >= 0, "accept4: errno {}", errno());
        check!(pl == 16 && peer[4] == 0xaa && peer[0] == 1, "truncated peer {peer:?} len {pl}");
        let (mut cl, mut cll) = ([0u8; 16], 16u32);
        c::getsockname(cfd, cl.as_mut_ptr(), &mut cll);
        let (mut pp, mut ppl) = ([0u8; 16], 16u32);
        check!(c::getpeername(cfd, pp.as_mut_ptr(), &mut ppl) == 0, "getpeername");
        check!(pp == a, "the client's peer is the listener: {pp:?} vs {a:?}");

        // SOCK_NONBLOCK on accept4: nothing to read yet -> EAGAIN.
        let mut buf = [0u8; 16];
        check!(c::recv(s, buf.as_mut_ptr().cast(), 16, 0) == -1 && errno() == 6, "nonblocking recv: errno {}", errno());
        check!(c::send(cfd, b"hello".as_ptr().cast(), 5, 0x4000) == 5, "send with MSG_NOSIGNAL");
        let mut got = 0;
        for _ in 0..1000 {
            got = c::recv(s, buf.as_mut_ptr().cast(), 16, 2);
            if got > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        check!(got == 5, "MSG_PEEK saw {got}");
        check!(c::recv(s, buf.as_mut_ptr().cast(), 16, 0) == 5 && &buf[..5] == b"hello", "recv after peek");
        check!(c::shutdown(cfd, 2) == 0, "shutdown(SHUT_RDWR): errno {}", errno());
        check!(c::shutdown(cfd, 9) == -1 && errno() == 28, "bad `how` is EINVAL");
        c::close(s);
        c::close(cfd);
        c::close(l);

        // accept(2) without an address buffer works too.
        let l = c::socket(1, 1, 0);
        c::bind(l, sin(0, [127, 0, 0, 1]).as_ptr(), 16);
        c::listen(l, 1);
        let (mut a, mut al) = ([0u8; 16], 16u32);
        c::getsockname(l, a.as_mut_ptr(), &mut al);
        let cfd = c::socket(1, 1, 0);
        check!(c::connect(cfd, a.as_ptr(), 16) == 0, "connect 2");
        let s = c::accept(l, ptr::null_mut(), ptr::null_mut());
        check!(s >= 0 && c::fcntl(s, 1) == 0, "accept without address; no FD_CLOEXEC");
        c::close(s);
        c::close(cfd);
        c::close(l);
    }
}

unsafe fn udp_and_pair() {
    unsafe {
        let u1 = c::socket(1, 2, 0);
        let u2 = c::socket(1, 2, 0);
        check!(u1 >= 0 && u2 >= 0, "udp sockets: errno {}", errno());
        c::bind(u1, sin(0, [127, 0, 0, 1]).as_ptr(), 16);
        c::bind(u2, sin(0, [127, 0, 0, 1]).as_ptr(), 16);
        let (mut a1, mut a2, mut l) = ([0u8; 16], [0u8; 16], 16u32);
        c::getsockname(u1, a1.as_mut_ptr(), &mut l);
        c::getsockname(u2, a2.as_mut_ptr(), &mut l);
        check!(c::sendto(u1, b"dgram".as_ptr().cast(), 5, 0, a2.as_ptr(), 16) == 5, "sendto: errno {}", errno());
        let (mut buf, mut from, mut fl) = ([0u8; 16], [0u8; 16], 16u32);
        let n = c::recvfrom(u2, buf.as_mut_ptr().cast(), 16, 0, from.as_mut_ptr(), &mut fl);
        check!(n == 5 && &buf[..5] == b"dgram", "recvfrom {n}");
        check!(fl == 16 && from == a1, "sender address {from:?} vs {a1:?}");
        // recvfrom/sendto without addresses are recv/send on a connected socket.
        check!(c::connect(u1, a2.as_ptr(), 16) == 0, "udp connect");
        check!(c::sendto(u1, b"x".as_ptr().cast(), 1, 0, ptr::null(), 0) == 1, "sendto(NULL)");
        check!(c::recvfrom(u2, buf.as_mut_ptr().cast(), 16, 0, ptr::null_mut(), ptr::null_mut()) == 1, "recvfrom(NULL)");
        check!(c::sendto(u1, b"x".as_ptr().cast(), 1, 0, [9u8, 0, 0, 0].as_ptr(), 4) == -1 && errno() == 5, "unknown family is EAFNOSUPPORT: {}", errno());
        check!(c::bind(u1, sin(0, [0; 4]).as_ptr(), 7) == -1 && errno() == 28, "short sockaddr is EINVAL");
        c::close(u1);
        c::close(u2);

        let mut sv = [-1; 2];
        check!(c::socketpair(3, 1, 0, sv.as_mut_ptr()) == 0, "socketpair(AF_UNIX): errno {}", errno());
        check!(c::send(sv[0], b"pair".as_ptr().cast(), 4, 0) == 4, "send on a pair");
        check!(c::recv(sv[1], buf.as_mut_ptr().cast(), 16, 0) == 4 && &buf[..4] == b"pair", "recv on a pair");
    }
}

unsafe fn options() {
    unsafe {
        let s = c::socket(1, 1, 0);
        let get = |level, name| {
            let (mut v, mut l): (c_int, u32) = (-7, 4);
            let r = c::getsockopt(s, level, name, (&mut v as *mut c_int).cast(), &mut l);
            check!(r == 0 && l == 4, "getsockopt({level}, {name}): {r} errno {}", errno());
            v
        };
        let set = |level, name, v: c_int| c::setsockopt(s, level, name, (&v as *const c_int).cast(), 4);
        check!(set(6, 1, 1) == 0 && get(6, 1) == 1, "TCP_NODELAY round trip");
        check!(set(SOL_SOCKET, 2, 1) == 0 && get(SOL_SOCKET, 2) == 1, "SO_REUSEADDR round trip");
        check!(set(0, 2, 42) == 0 && get(0, 2) == 42, "IP_TTL round trip");
        check!(get(SOL_SOCKET, 25) == 1, "SO_TYPE is SOCK_STREAM");
        check!(get(SOL_SOCKET, 11) == 0, "SO_ERROR on a fresh socket");
        let tv: [i64; 2] = [1, 500_000];
        check!(c::setsockopt(s, SOL_SOCKET, 19, tv.as_ptr().cast(), 16) == 0, "SO_RCVTIMEO set: errno {}", errno());
        let (mut tv2, mut tl) = ([0i64; 2], 16u32);
        check!(c::getsockopt(s, SOL_SOCKET, 19, tv2.as_mut_ptr().cast(), &mut tl) == 0 && tv2 == tv, "SO_RCVTIMEO {tv2:?}");
        check!(set(SOL_SOCKET, 999, 1) == -1 && errno() == 50, "unknown option is ENOPROTOOPT");
        check!(set(SOL_SOCKET, 25, 1) == -1 && errno() == 50, "SO_TYPE is read-only");
        check!(set(SOL_SOCKET, 19, 1) == -1 && errno() == 28, "a 4-byte timeval is EINVAL");
        c::close(s);
    }
}

unsafe fn dns() {
    unsafe {
        let lookup = |host: &CStr, service: &CStr, hints: *const c::AddrInfo| {
            let mut res = ptr::null_mut();
            let r = c::getaddrinfo(host.as_ptr(), service.as_ptr(), hints, &mut res);
            let mut out = Vec::new();
            let mut p = res;
            while let Some(a) = p.as_ref() {
                let port = u16::from_be_bytes([*a.addr.add(2), *a.addr.add(3)]);
                out.push((a.family, a.socktype, a.protocol, a.addrlen, port, *a.addr.add(4)));
                p = a.next;
            }
            c::freeaddrinfo(res);
            (r, out)
        };
        let (r, v) = lookup(c"127.0.0.1", c"80", ptr::null());
        check!(r == 0 && v == [(1, 1, 6, 16, 80, 127), (1, 2, 17, 16, 80, 127)], "numeric: {r} {v:?}");
        let hints = c::AddrInfo { flags: 0, family: 0, socktype: 1, protocol: 0, addrlen: 0, addr: ptr::null_mut(), canon: ptr::null_mut(), next: ptr::null_mut() };
        let (r, v) = lookup(c"::1", c"443", &hints);
        check!(r == 0 && v == [(2, 1, 6, 32, 443, 0)], "numeric v6 stream only: {r} {v:?}");
        let (r, v) = lookup(c"localhost", c"8080", &hints);
        check!(r == 0 && !v.is_empty() && v.iter().all(|e| e.4 == 8080 && e.1 == 1), "localhost: {r} {v:?}");
        let (r, _) = lookup(c"no-such-host.invalid", c"1", ptr::null());
        check!(r == -2, "unknown name is EAI_NONAME: {r}");
        check!(CStr::from_ptr(c::gai_strerror(r)).to_bytes() == b"Name does not resolve", "gai_strerror");
        let (r, _) = lookup(c"127.0.0.1", c"http", ptr::null());
        check!(r == -8, "service names are EAI_SERVICE: {r}");
    }
}
