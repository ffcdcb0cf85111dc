//! Socket calls beyond send/recv: preview-1 `sock_accept`, `fd_read`/`fd_write` and
//! `fd_fdstat_*` on sockets, option round trips, a receive timeout, `sock_send_file` from a
//! file under /data (mapped by the test).
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;
use runtime_test_guests::{read_fd, write_fd};
use std::os::fd::AsRawFd;

fn main() {
    let (l, addr) = Sock::listener().unwrap();
    let client = std::thread::spawn(move || {
        let c = Sock::tcp4().unwrap();
        c.connect(addr).unwrap();
        write_fd(c.0, b"through fd_write");
        c
    });
    let mut fd = 0;
    // SAFETY: live local.
    let rc = unsafe { sys::sock_accept(l.0, 0, &mut fd) };
    let conn = Sock(fd);
    let mut buf = [0u8; 64];
    let n = read_fd(conn.0, &mut buf);
    println!(
        "preview-1 sock_accept rc={rc}, fd_read: `{}`",
        String::from_utf8_lossy(&buf[..n])
    );
    let mut st = [0u8; 24];
    // SAFETY: live 24-byte fdstat.
    unsafe { sys::fd_fdstat_get(conn.0, st.as_mut_ptr()) };
    print!(
        "fdstat: filetype={} flags={}",
        st[0],
        u16::from_le_bytes([st[2], st[3]])
    );
    conn.set_nonblocking(true).unwrap();
    // SAFETY: as above.
    unsafe { sys::fd_fdstat_get(conn.0, st.as_mut_ptr()) };
    println!(
        " -> nonblocking flags={}, recv: {:?}",
        u16::from_le_bytes([st[2], st[3]]),
        conn.recv(&mut buf)
    );
    conn.set_nonblocking(false).unwrap();
    let c = client.join().unwrap();

    c.set_flag(OPT_REUSE_ADDR, true).unwrap();
    println!("REUSE_ADDR: {}", c.get_flag(OPT_REUSE_ADDR).unwrap());
    c.set_size(OPT_RECV_BUF_SIZE, 65536).unwrap();
    println!(
        "RECV_BUF_SIZE >= 65536: {}",
        c.get_size(OPT_RECV_BUF_SIZE).unwrap() >= 65536
    );
    c.set_time(OPT_CONNECT_TIMEOUT, Some(1_500_000_000))
        .unwrap();
    println!(
        "CONNECT_TIMEOUT: {:?}",
        c.get_time(OPT_CONNECT_TIMEOUT).unwrap()
    );
    println!("unknown option: {:?}", c.get_flag(99));
    c.set_time(OPT_RECV_TIMEOUT, Some(100_000_000)).unwrap();
    let start = std::time::Instant::now();
    println!(
        "recv with a 100ms timeout: {:?} after >=90ms: {}",
        c.recv(&mut buf),
        start.elapsed().as_millis() >= 90
    );
    println!("status: {}", c.status().unwrap());

    let u = Sock::udp4().unwrap();
    let (group, lo) = ([224u8, 0, 0, 251], [127u8, 0, 0, 1]);
    let mut group6 = [0u8; 24];
    group6[..16].copy_from_slice(&"ff02::fb".parse::<std::net::Ipv6Addr>().unwrap().octets());
    let u6 = Sock::open(AF_INET6, SOCK_DGRAM).unwrap();
    // SAFETY: live records of the ABI sizes (addr_ip4: 4 bytes, addr_ip6: 24 bytes).
    unsafe {
        println!(
            "multicast v4 join={} leave={} leave again={}, v6 join on lo={}",
            sys::sock_join_multicast_v4(u.0, group.as_ptr(), lo.as_ptr()),
            sys::sock_leave_multicast_v4(u.0, group.as_ptr(), lo.as_ptr()),
            sys::sock_leave_multicast_v4(u.0, group.as_ptr(), lo.as_ptr()),
            sys::sock_join_multicast_v6(u6.0, group6.as_ptr(), 1)
        );
    }

    std::fs::write("/data/send.txt", b"0123456789").unwrap();
    let file = std::fs::File::open("/data/send.txt").unwrap();
    let (a, b) = Sock::pair().unwrap();
    let mut sent = 0u64;
    // SAFETY: live local.
    let rc = unsafe { sys::sock_send_file(a.0, file.as_raw_fd() as u32, 2, 5, &mut sent) };
    let n = b.recv(&mut buf).unwrap();
    println!(
        "sock_send_file rc={rc} sent={sent}: `{}`",
        String::from_utf8_lossy(&buf[..n])
    );
}
