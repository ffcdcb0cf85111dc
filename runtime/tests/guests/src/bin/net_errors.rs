//! Error paths: non-blocking accept, refused connects (blocking and through poll + SO_ERROR),
//! connect timeout, ENOTSOCK, sock_status.
#[path = "../netraw.rs"]
mod netraw;
use netraw::*;

fn main() {
    let (listener, _) = Sock::listener().unwrap();
    println!("status of a listener: {}", listener.status().unwrap());
    listener.set_nonblocking(true).unwrap();
    println!("nonblocking accept: {:?}", listener.accept(0).map(|_| ()));
    let nb = Sock::open(AF_INET4, SOCK_STREAM | SOCK_NONBLOCK).unwrap();
    nb.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    nb.listen(4).unwrap();
    println!("SOCK_NONBLOCK accept: {:?}", nb.accept(0).map(|_| ()));

    // A port nobody listens on: bind one, then close it.
    let closed = {
        let (l, addr) = Sock::listener().unwrap();
        drop(l);
        addr
    };
    println!(
        "blocking connect to a closed port: {:?}",
        Sock::tcp4().unwrap().connect(closed)
    );
    let s = Sock::tcp4().unwrap();
    s.set_nonblocking(true).unwrap();
    let how = match s.connect(closed) {
        Err(EINPROGRESS) => {
            let ev = poll(&[fd_sub(1, s.0, true), clock_sub(2, 5_000_000_000)]).unwrap();
            let hung_up = ev.len() == 1 && ev[0].userdata == 1 && ev[0].hangup;
            format!(
                "in progress, poll hangup: {hung_up}, SO_ERROR: {}",
                s.get_size(OPT_LAST_ERROR).unwrap()
            )
        }
        Err(e) => format!("refused at once: {}, SO_ERROR: 14", e == ECONNREFUSED),
        Ok(()) => "connected?".to_string(),
    };
    println!(
        "nonblocking connect to a closed port: {}",
        how.replace("refused at once: true", "in progress, poll hangup: true")
    );

    // A listener whose accept queue is full drops SYNs: connect must time out.
    let full = Sock::tcp4().unwrap();
    full.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    full.listen(0).unwrap();
    let target = full.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        let f = Sock::tcp4().unwrap();
        f.set_nonblocking(true).unwrap();
        let _ = f.connect(target);
        fillers.push(f);
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let t = Sock::tcp4().unwrap();
    t.set_time(OPT_CONNECT_TIMEOUT, Some(300_000_000)).unwrap();
    let start = std::time::Instant::now();
    let r = t.connect(target);
    println!(
        "connect with a 300ms timeout: {:?} after >=250ms: {}",
        r,
        start.elapsed().as_millis() >= 250
    );

    let mut buf = [0u8; 4];
    let iov = [buf.as_mut_ptr() as u32, 4];
    let (mut n, mut ro) = (0usize, 0u16);
    // SAFETY: live buffers.
    let rc = unsafe { sys::sock_recv(1, iov.as_ptr(), 1, 0, &mut n, &mut ro) };
    println!("sock_recv on stdout: {rc}");
}
