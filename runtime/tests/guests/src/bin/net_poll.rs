//! Readiness: poll_oneoff on a socket pair (timeout, data with nbytes, hangup) and epoll
//! (edge-triggered, level-triggered, delete, a listener becoming readable).
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

fn main() {
    let (a, b) = Sock::pair().unwrap();
    let ev = poll(&[fd_sub(1, a.0, false), clock_sub(99, 30_000_000)]).unwrap();
    println!(
        "empty pair: {:?}",
        ev.iter().map(|e| e.userdata).collect::<Vec<_>>()
    );
    b.send_all(b"hello").unwrap();
    let ev = poll(&[fd_sub(1, a.0, false)]).unwrap();
    println!(
        "after send: userdata={} error={} nbytes={} hangup={}",
        ev[0].userdata, ev[0].error, ev[0].nbytes, ev[0].hangup
    );
    let ev = poll(&[fd_sub(3, a.0, true)]).unwrap();
    println!("writable: userdata={} kind={}", ev[0].userdata, ev[0].kind);
    let mut buf = [0u8; 16];
    a.recv(&mut buf).unwrap();
    drop(b);
    let ev = poll(&[fd_sub(4, a.0, false)]).unwrap();
    println!("peer closed: hangup={}", ev[0].hangup);
    let ev = poll(&[fd_sub(5, 777, false)]).unwrap();
    println!("bad fd: error={}", ev[0].error);

    // Any object with a host fd: a pipe (data, then hangup) and stdin (/dev/null: EOF).
    let (mut r, mut w) = (0u32, 0u32);
    // SAFETY: live locals.
    unsafe { runtime_test_guests::wasix::fd_pipe(&mut r, &mut w) };
    let ev = poll(&[fd_sub(6, r, false), clock_sub(98, 20_000_000)]).unwrap();
    println!("empty pipe: {:?}", ev.iter().map(|e| e.userdata).collect::<Vec<_>>());
    runtime_test_guests::write_fd(w, b"abc");
    let ev = poll(&[fd_sub(6, r, false)]).unwrap();
    println!("pipe data: nbytes={} hangup={}", ev[0].nbytes, ev[0].hangup);
    // SAFETY: our fds.
    unsafe {
        sys::fd_close(w);
    }
    let ev = poll(&[fd_sub(6, r, false)]).unwrap();
    println!("pipe writer closed: hangup={}", ev[0].hangup);
    let ev = poll(&[fd_sub(0, 0, false)]).unwrap();
    println!("stdin at EOF is readable: {}", ev.len() == 1 && ev[0].error == 0);

    let (c, d) = Sock::pair().unwrap();
    let ep = Epoll::new().unwrap();
    ep.ctl(EPOLL_CTL_ADD, c.0, EPOLLIN | EPOLLET, 7).unwrap();
    println!("add twice: {:?}", ep.ctl(EPOLL_CTL_ADD, c.0, EPOLLIN, 7));
    println!("nothing yet: {:?}", ep.wait(0).unwrap());
    d.send_all(b"x").unwrap();
    println!("edge: {:?}", ep.wait(10_000_000_000).unwrap());
    println!("edge again: {:?}", ep.wait(0).unwrap());
    d.send_all(b"y").unwrap();
    println!("new data: {:?}", ep.wait(10_000_000_000).unwrap());
    ep.ctl(EPOLL_CTL_MOD, c.0, EPOLLIN, 8).unwrap();
    println!("level: {:?} {:?}", ep.wait(0).unwrap(), ep.wait(0).unwrap());
    ep.ctl(EPOLL_CTL_DEL, c.0, 0, 0).unwrap();
    println!("deleted: {:?}", ep.wait(0).unwrap());

    let (listener, addr) = Sock::listener().unwrap();
    ep.ctl(EPOLL_CTL_ADD, listener.0, EPOLLIN, 42).unwrap();
    let t = std::thread::spawn(move || {
        let s = Sock::tcp4().unwrap();
        s.connect(addr).unwrap();
        s
    });
    println!("listener: {:?}", ep.wait(10_000_000_000).unwrap());
    let client = t.join().unwrap();

    // mio's pattern: a non-blocking stream registered once, edge-triggered, for
    // IN | OUT | RDHUP; drained until EAGAIN after each event.
    let (server, _) = listener.accept(FDFLAGS_NONBLOCK).unwrap();
    ep.ctl(EPOLL_CTL_ADD, server.0, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, 5).unwrap();
    println!("stream, fresh: {:?}", ep.wait(10_000_000_000).unwrap());
    client.send_all(b"data").unwrap();
    println!("stream, data: {:?}", ep.wait(10_000_000_000).unwrap());
    let mut buf = [0u8; 16];
    println!("drain: {:?} then {:?}", server.recv(&mut buf), server.recv(&mut buf));
    drop(client);
    println!("stream, peer closed: {:?}", ep.wait(10_000_000_000).unwrap());
    println!("then nothing: {:?}", ep.wait(0).unwrap());
}
