//! Guest-chosen garbage reaches every family as an errno, never a host crash: wild pointers
//! (EFAULT 21), absurd counts (EINVAL 28), unknown enums (EAFNOSUPPORT 5, EINVAL), fds of the
//! wrong kind (EBADF 8, ENOTSOCK 57).
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

const WILD: usize = 0xffff_fff0;

fn main() {
    let s = Sock::tcp4().unwrap();
    let wild = WILD as *const u8;
    let mut n = 0usize;
    let mut ro = 0u16;
    let mut fd = 0u32;
    let bad_iov = [WILD as u32, 64];
    let mut out = [0u8; 64];
    // SAFETY: the host validates every pointer; none is dereferenced by the guest.
    unsafe {
        println!("bind(wild addr): {}", sys::sock_bind(s.0, wild));
        println!("connect(wild addr): {}", sys::sock_connect(s.0, wild));
        println!("open(af 99): {}", sys::sock_open(99, 1, 0, &mut fd));
        println!("open(type 77): {}", sys::sock_open(1, 77, 0, &mut fd));
        println!(
            "open(ret wild): {}",
            sys::sock_open(1, 1, 0, WILD as *mut u32)
        );
        // The failed open left no fd behind: the next socket gets the number after `s`.
        let next = Sock::tcp4().unwrap();
        println!("no leaked fd: {}", next.0 == s.0 + 1);
        println!(
            "set_opt_time(wild): {}",
            sys::sock_set_opt_time(s.0, OPT_RECV_TIMEOUT, wild)
        );
        let (a, b) = Sock::pair().unwrap();
        b.send_all(b"x").unwrap();
        println!(
            "recv(wild iovec): {}",
            sys::sock_recv(a.0, bad_iov.as_ptr(), 1, 0, &mut n, &mut ro)
        );
        println!(
            "send(wild iovec): {}",
            sys::sock_send(a.0, bad_iov.as_ptr(), 1, 0, &mut n)
        );
        println!(
            "recv on a closed fd: {}",
            sys::sock_recv(999, bad_iov.as_ptr(), 1, 0, &mut n, &mut ro)
        );
        println!(
            "addr_local(wild ret): {}",
            sys::sock_addr_local(s.0, WILD as *mut u8)
        );
        println!(
            "resolve(huge name): {}",
            sys::resolve(out.as_ptr(), 1 << 20, 0, out.as_mut_ptr(), 1, &mut fd)
        );
        println!(
            "resolve(wild name): {}",
            sys::resolve(wild, 5, 0, out.as_mut_ptr(), 1, &mut fd)
        );
        println!(
            "poll_oneoff(0 subs): {}",
            sys::poll_oneoff(out.as_ptr(), out.as_mut_ptr(), 0, &mut n)
        );
        println!(
            "poll_oneoff(2^20 subs): {}",
            sys::poll_oneoff(out.as_ptr(), out.as_mut_ptr(), 1 << 20, &mut n)
        );
        println!(
            "poll_oneoff(wild subs): {}",
            sys::poll_oneoff(wild, out.as_mut_ptr(), 1, &mut n)
        );
        let ep = Epoll::new().unwrap();
        println!(
            "epoll_wait(max 0): {}",
            sys::epoll_wait(ep.0, out.as_mut_ptr(), 0, 0, &mut fd)
        );
        println!(
            "epoll_wait(wild events): {}",
            sys::epoll_wait(ep.0, WILD as *mut u8, 4, 0, &mut fd)
        );
        println!(
            "epoll_ctl(op 9): {}",
            sys::epoll_ctl(ep.0, 9, a.0, out.as_ptr())
        );
        println!(
            "epoll_ctl(wild event): {}",
            sys::epoll_ctl(ep.0, EPOLL_CTL_ADD, a.0, wild)
        );
        println!(
            "epoll_ctl on a socket as epfd: {}",
            sys::epoll_ctl(a.0, EPOLL_CTL_ADD, b.0, out.as_ptr())
        );
        println!(
            "epoll_ctl(closed fd): {}",
            sys::epoll_ctl(ep.0, EPOLL_CTL_ADD, 999, out.as_ptr())
        );
    }
}
