//! Raw preview-1/WASIX calls std does not make: preopens, path_open2 + CLOEXEC, fd_readdir
//! with a tiny buffer (cookies), pread/pwrite, seek errors, symlink/readlink.
#[path = "../fsraw.rs"]
mod fsraw;
use fsraw::{p1, wasix};

fn main() {
    // The only preopen: fd 3 = "/".
    let mut pre = [0u8; 8];
    // SAFETY: every pointer below is to a live local buffer of the stated size.
    unsafe {
        println!("prestat3 rc={} tag={} len={}", p1::fd_prestat_get(3, pre.as_mut_ptr()), pre[0], u32::from_le_bytes(pre[4..8].try_into().unwrap()));
        let mut name = [0u8; 1];
        println!("name rc={} name={}", p1::fd_prestat_dir_name(3, name.as_mut_ptr(), 1), name[0] as char);
        println!("prestat4 rc={}", p1::fd_prestat_get(4, pre.as_mut_ptr()));
    }

    // path_open2 with CLOEXEC.
    let path = "data/cx.txt";
    let mut fd = 0u32;
    let mut flags = 0u16;
    // SAFETY: as above.
    unsafe {
        let rc = wasix::path_open2(3, 1, path.as_ptr(), path.len(), 1, fsraw::RIGHTS_RW, fsraw::RIGHTS_RW, 0, 1, &mut fd);
        println!("open2 rc={rc} cloexec_rc={} flags={}", wasix::fd_fdflags_get(fd, &mut flags), flags);
    }

    // pwrite/pread leave the offset alone.
    let data = b"0123456789";
    let iov = [data.as_ptr() as u32, data.len() as u32];
    let mut n = 0usize;
    let mut buf = [0u8; 4];
    let riov = [buf.as_mut_ptr() as u32, buf.len() as u32];
    let mut pos = 0u64;
    // SAFETY: as above.
    unsafe {
        println!("pwrite rc={} n={n}", p1::fd_pwrite(fd, iov.as_ptr(), 1, 0, &mut n));
        println!("pread rc={}", p1::fd_pread(fd, riov.as_ptr(), 1, 3, &mut n));
        println!("pread n={n} data={}", std::str::from_utf8(&buf).unwrap());
        println!("tell rc={} pos={pos}", p1::fd_tell(fd, &mut pos));
        println!("seek_bad_whence={}", p1::fd_seek(fd, 0, 7, &mut pos));
        println!("seek_negative={}", p1::fd_seek(fd, -1, 0, &mut pos));
        println!("seek_end rc={} pos={pos}", p1::fd_seek(fd, -2, 2, &mut pos));
        let mut st = [0u8; 64];
        println!("fstat rc={} type={} size={}", p1::fd_filestat_get(fd, st.as_mut_ptr()), st[16], u64::from_le_bytes(st[32..40].try_into().unwrap()));
        let (mut r, mut w) = (0u32, 0u32);
        wasix::fd_pipe(&mut r, &mut w);
        println!("seek_pipe={}", p1::fd_seek(r, 0, 1, &mut pos));
        p1::fd_close(fd);
    }

    // A directory read 40 bytes at a time: every entry exactly once, "." and ".." first.
    std::fs::create_dir_all("/data/list").unwrap();
    for name in ["alpha", "beta", "gamma", "delta-long-name", "e"] {
        std::fs::write(format!("/data/list/{name}"), name).unwrap();
    }
    let dir = std::fs::File::open("/data/list").unwrap();
    use std::os::fd::AsRawFd;
    let dfd = dir.as_raw_fd() as u32;
    let mut names = Vec::new();
    let mut cookie = 0u64;
    let mut size = 40usize;
    loop {
        let mut buf = vec![0u8; size];
        let mut used = 0usize;
        // SAFETY: as above.
        let rc = unsafe { p1::fd_readdir(dfd, buf.as_mut_ptr(), buf.len(), cookie, &mut used) };
        assert_eq!(rc, 0);
        let mut at = 0;
        let mut complete = 0;
        while at + 24 <= used {
            let next = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
            let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
            if at + 24 + namlen > used {
                break;
            }
            names.push(String::from_utf8(buf[at + 24..at + 24 + namlen].to_vec()).unwrap());
            cookie = next;
            at += 24 + namlen;
            complete += 1;
        }
        if used < size {
            break;
        }
        if complete == 0 {
            size *= 2;
        }
    }
    println!("first={},{}", names[0], names[1]);
    let mut rest = names[2..].to_vec();
    rest.sort();
    println!("entries={} rest={}", names.len(), rest.join(","));

    // Symlinks: readlink truncates to the buffer, path_filestat_get does not follow.
    let (target, link) = ("list/alpha", "data/lnk");
    let mut out = [0u8; 4];
    let mut st = [0u8; 64];
    // SAFETY: as above.
    unsafe {
        println!("symlink={}", p1::path_symlink(target.as_ptr(), target.len(), 3, link.as_ptr(), link.len()));
        let rc = p1::path_readlink(3, link.as_ptr(), link.len(), out.as_mut_ptr(), out.len(), &mut n);
        println!("readlink rc={rc} n={n} text={}", std::str::from_utf8(&out[..n]).unwrap());
        println!("lstat rc={} type={}", p1::path_filestat_get(3, 0, link.as_ptr(), link.len(), st.as_mut_ptr()), st[16]);
        println!("stat rc={} type={}", p1::path_filestat_get(3, 1, link.as_ptr(), link.len(), st.as_mut_ptr()), st[16]);
        println!("via_link={}", std::fs::read_to_string("/data/lnk").unwrap());
        let root = ".";
        println!("root rc={} type={}", p1::path_filestat_get(3, 1, root.as_ptr(), 1, st.as_mut_ptr()), st[16]);
    }
}
