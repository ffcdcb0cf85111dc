//! Exercises the WASIX process-local calls through raw imports and prints what it sees.
use runtime_test_guests::{p1, read_fd, wasix, write_fd};

fn main() {
    let mut pid = 0u32;
    let mut ppid = 0u32;
    let mut tid = 0u32;
    let mut par = 0usize;
    unsafe {
        assert_eq!(wasix::proc_id(&mut pid), 0);
        assert_eq!(wasix::proc_parent(pid, &mut ppid), 0);
        assert_eq!(wasix::thread_id(&mut tid), 0);
        assert_eq!(wasix::thread_parallelism(&mut par), 0);
    }
    println!("pid={pid} ppid={ppid} tid={tid} parallelism_ok={}", par >= 1);

    // pipe + dup: data written to a dup of the write end comes out of the read end.
    let (mut r, mut w) = (0u32, 0u32);
    assert_eq!(unsafe { wasix::fd_pipe(&mut r, &mut w) }, 0);
    let mut w2 = 0u32;
    assert_eq!(unsafe { wasix::fd_dup(w, &mut w2) }, 0);
    write_fd(w2, b"through the pipe");
    let mut buf = [0u8; 64];
    let n = read_fd(r, &mut buf);
    println!("pipe: fds {r},{w} dup={w2} read={:?}", std::str::from_utf8(&buf[..n]).unwrap());

    // fd_dup2 places at >= min and sets cloexec; fd_fdflags_get/set read and clear it.
    let mut d = 0u32;
    assert_eq!(unsafe { wasix::fd_dup2(r, 40, 1, &mut d) }, 0);
    let mut fl = 0u16;
    assert_eq!(unsafe { wasix::fd_fdflags_get(d, &mut fl) }, 0);
    let before = fl;
    assert_eq!(unsafe { wasix::fd_fdflags_set(d, 0) }, 0);
    assert_eq!(unsafe { wasix::fd_fdflags_get(d, &mut fl) }, 0);
    println!("dup2: fd={d} cloexec {before}->{fl}");

    // close + renumber
    assert_eq!(unsafe { p1::fd_close(d) }, 0);
    println!("close twice: {}", unsafe { p1::fd_close(d) });
    assert_eq!(unsafe { p1::fd_renumber(w2, 50) }, 0);
    write_fd(50, b"renumbered");
    let n = read_fd(r, &mut buf);
    println!("renumber: {:?} old fd errno={}", std::str::from_utf8(&buf[..n]).unwrap(), unsafe { p1::fd_close(w2) });

    // eventfd counter
    let mut e = 0u32;
    assert_eq!(unsafe { wasix::fd_event(5, 0, &mut e) }, 0);
    write_fd(e, &2u64.to_le_bytes());
    let mut eb = [0u8; 8];
    read_fd(e, &mut eb);
    println!("event: {}", u64::from_le_bytes(eb));

    println!("clock_time_set={}", unsafe { wasix::clock_time_set(0, 0) });
    let mut tty = [0u8; 24];
    assert_eq!(unsafe { wasix::tty_get(tty.as_mut_ptr()) }, 0);
    println!("tty: line_feeds={}", tty[21]);
    let mut nsig = 99u32;
    assert_eq!(unsafe { wasix::proc_signals_sizes_get(&mut nsig) }, 0);
    println!("signals={nsig}");
    let mut mac = [0u8; 6];
    println!("port_mac={}", unsafe { wasix::port_mac(mac.as_mut_ptr()) });
    println!("port_mac again={}", unsafe { wasix::port_mac(mac.as_mut_ptr()) });
}
