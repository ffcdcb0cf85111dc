//! Socket options (`sock_set_opt_*`/`sock_get_opt_*`): WASIX `sock_option` values mapped onto
//! the host socket, plus the timeouts the host kernel does not keep (connect, accept).

use std::time::Duration;

use super::addr::AddressFamily;
use super::socket::Socket;
use crate::abi::Errno;

/// WASIX `sock_option` (u8) values.
pub mod sock_option {
    pub const NOOP: u32 = 0;
    pub const REUSE_PORT: u32 = 1;
    pub const REUSE_ADDR: u32 = 2;
    pub const NO_DELAY: u32 = 3;
    pub const DONT_ROUTE: u32 = 4;
    pub const ONLY_V6: u32 = 5;
    pub const BROADCAST: u32 = 6;
    pub const MULTICAST_LOOP_V4: u32 = 7;
    pub const MULTICAST_LOOP_V6: u32 = 8;
    pub const PROMISCUOUS: u32 = 9;
    pub const LISTENING: u32 = 10;
    pub const LAST_ERROR: u32 = 11;
    pub const KEEP_ALIVE: u32 = 12;
    pub const LINGER: u32 = 13;
    pub const OOB_INLINE: u32 = 14;
    pub const RECV_BUF_SIZE: u32 = 15;
    pub const SEND_BUF_SIZE: u32 = 16;
    pub const RECV_LOWAT: u32 = 17;
    pub const SEND_LOWAT: u32 = 18;
    pub const RECV_TIMEOUT: u32 = 19;
    pub const SEND_TIMEOUT: u32 = 20;
    pub const CONNECT_TIMEOUT: u32 = 21;
    pub const ACCEPT_TIMEOUT: u32 = 22;
    pub const TTL: u32 = 23;
    pub const MULTICAST_TTL_V4: u32 = 24;
    pub const TYPE: u32 = 25;
    pub const PROTO: u32 = 26;
}

impl Socket {
    /// `sock_set_opt_flag`.
    pub fn set_opt_flag(&self, opt: u32, on: bool) -> Result<(), Errno> {
        use sock_option::*;
        let s = &self.sock;
        match opt {
            REUSE_PORT => s.set_reuse_port(on)?,
            REUSE_ADDR => s.set_reuse_address(on)?,
            NO_DELAY => s.set_tcp_nodelay(on)?,
            ONLY_V6 => s.set_only_v6(on)?,
            BROADCAST => s.set_broadcast(on)?,
            MULTICAST_LOOP_V4 => s.set_multicast_loop_v4(on)?,
            MULTICAST_LOOP_V6 => s.set_multicast_loop_v6(on)?,
            KEEP_ALIVE => s.set_keepalive(on)?,
            OOB_INLINE => s.set_out_of_band_inline(on)?,
            NOOP => {}
            LISTENING | LAST_ERROR | TYPE | PROTO => return Err(Errno::Inval),
            _ => return Err(Errno::Noprotoopt),
        }
        Ok(())
    }

    /// `sock_get_opt_flag`.
    pub fn get_opt_flag(&self, opt: u32) -> Result<bool, Errno> {
        use sock_option::*;
        let s = &self.sock;
        Ok(match opt {
            REUSE_PORT => s.reuse_port()?,
            REUSE_ADDR => s.reuse_address()?,
            NO_DELAY => s.tcp_nodelay()?,
            ONLY_V6 => s.only_v6()?,
            BROADCAST => s.broadcast()?,
            MULTICAST_LOOP_V4 => s.multicast_loop_v4()?,
            MULTICAST_LOOP_V6 => s.multicast_loop_v6()?,
            KEEP_ALIVE => s.keepalive()?,
            OOB_INLINE => s.out_of_band_inline()?,
            LISTENING => s.is_listener()?,
            LAST_ERROR => s.take_error()?.is_some(),
            LINGER => s.linger()?.is_some(),
            NOOP => false,
            _ => return Err(Errno::Noprotoopt),
        })
    }

    /// `sock_set_opt_time` (`None` clears the option).
    pub fn set_opt_time(&self, opt: u32, time: Option<Duration>) -> Result<(), Errno> {
        use sock_option::*;
        // The host refuses a zero timeout ("block forever" is `None`), so 0 clears a timeout;
        // a zero linger is meaningful (close resets the connection) and is kept.
        let timeout = time.filter(|t| !t.is_zero());
        match opt {
            RECV_TIMEOUT => self.sock.set_read_timeout(timeout)?,
            SEND_TIMEOUT => self.sock.set_write_timeout(timeout)?,
            LINGER => self.sock.set_linger(time)?,
            CONNECT_TIMEOUT => self.soft_timeouts_mut(|t| t.connect = timeout),
            ACCEPT_TIMEOUT => self.soft_timeouts_mut(|t| t.accept = timeout),
            _ => return Err(Errno::Noprotoopt),
        }
        Ok(())
    }

    /// `sock_get_opt_time`.
    pub fn get_opt_time(&self, opt: u32) -> Result<Option<Duration>, Errno> {
        use sock_option::*;
        Ok(match opt {
            RECV_TIMEOUT => self.sock.read_timeout()?,
            SEND_TIMEOUT => self.sock.write_timeout()?,
            LINGER => self.sock.linger()?,
            CONNECT_TIMEOUT => self.soft_timeouts().connect,
            ACCEPT_TIMEOUT => self.soft_timeouts().accept,
            _ => return Err(Errno::Noprotoopt),
        })
    }

    /// `sock_set_opt_size`.
    pub fn set_opt_size(&self, opt: u32, size: u64) -> Result<(), Errno> {
        use sock_option::*;
        let as_u32 = u32::try_from(size).map_err(|_| Errno::Inval);
        let as_usize = usize::try_from(size).map_err(|_| Errno::Inval);
        match opt {
            RECV_BUF_SIZE => self.sock.set_recv_buffer_size(as_usize?)?,
            SEND_BUF_SIZE => self.sock.set_send_buffer_size(as_usize?)?,
            TTL if self.family == AddressFamily::Inet6 => self.sock.set_unicast_hops_v6(as_u32?)?,
            TTL => self.sock.set_ttl_v4(as_u32?)?,
            MULTICAST_TTL_V4 => self.sock.set_multicast_ttl_v4(as_u32?)?,
            _ => return Err(Errno::Noprotoopt),
        }
        Ok(())
    }

    /// `sock_get_opt_size` (`LAST_ERROR` answers the pending errno as a number, which is how
    /// wasix-libc implements `getsockopt(SO_ERROR)`).
    pub fn get_opt_size(&self, opt: u32) -> Result<u64, Errno> {
        use sock_option::*;
        let s = &self.sock;
        Ok(match opt {
            RECV_BUF_SIZE => s.recv_buffer_size()? as u64,
            SEND_BUF_SIZE => s.send_buffer_size()? as u64,
            TTL if self.family == AddressFamily::Inet6 => u64::from(s.unicast_hops_v6()?),
            TTL => u64::from(s.ttl_v4()?),
            MULTICAST_TTL_V4 => u64::from(s.multicast_ttl_v4()?),
            TYPE => u64::from(self.kind),
            PROTO => u64::from(self.proto),
            LAST_ERROR => s.take_error()?.map_or(0, |e| Errno::from(e) as u64),
            _ => return Err(Errno::Noprotoopt),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::sock_option::*;
    use super::*;
    use crate::net::socket::OpenRequest;

    fn tcp() -> Socket {
        Socket::open(&OpenRequest::parse(1, 1, 0).unwrap()).unwrap()
    }

    #[test]
    fn flags_round_trip() {
        let s = tcp();
        for opt in [REUSE_ADDR, REUSE_PORT, NO_DELAY, KEEP_ALIVE, OOB_INLINE] {
            for on in [true, false] {
                s.set_opt_flag(opt, on).unwrap();
                assert_eq!(s.get_opt_flag(opt), Ok(on), "option {opt} = {on}");
            }
        }
        assert_eq!(s.get_opt_flag(LISTENING), Ok(false));
        assert_eq!(s.get_opt_flag(LAST_ERROR), Ok(false));
        assert_eq!(s.set_opt_flag(LISTENING, true), Err(Errno::Inval));
        assert_eq!(s.set_opt_flag(PROMISCUOUS, true), Err(Errno::Noprotoopt));
        assert_eq!(s.get_opt_flag(200), Err(Errno::Noprotoopt));
    }

    #[test]
    fn times_round_trip() {
        let s = tcp();
        let t = Some(Duration::from_millis(1500));
        for opt in [RECV_TIMEOUT, SEND_TIMEOUT, CONNECT_TIMEOUT, ACCEPT_TIMEOUT] {
            s.set_opt_time(opt, t).unwrap();
            assert_eq!(s.get_opt_time(opt), Ok(t), "option {opt}");
            s.set_opt_time(opt, Some(Duration::ZERO)).unwrap();
            assert_eq!(s.get_opt_time(opt), Ok(None), "zero clears option {opt}");
        }
        s.set_opt_time(LINGER, Some(Duration::from_secs(2)))
            .unwrap();
        assert_eq!(s.get_opt_time(LINGER), Ok(Some(Duration::from_secs(2))));
        // A zero linger stays on (tokio's `set_zero_linger`), unlike a zero timeout.
        s.set_opt_time(LINGER, Some(Duration::ZERO))
            .expect("zero linger");
        assert_eq!(s.get_opt_time(LINGER), Ok(Some(Duration::ZERO)));
        assert_eq!(s.get_opt_flag(LINGER), Ok(true));
        assert_eq!(s.set_opt_time(TTL, t), Err(Errno::Noprotoopt));
    }

    #[test]
    fn sizes_round_trip() {
        let s = tcp();
        s.set_opt_size(TTL, 33).unwrap();
        assert_eq!(s.get_opt_size(TTL), Ok(33));
        s.set_opt_size(RECV_BUF_SIZE, 1 << 16).unwrap();
        assert!(s.get_opt_size(RECV_BUF_SIZE).unwrap() >= 1 << 16);
        assert_eq!(s.get_opt_size(TYPE), Ok(1));
        assert_eq!(s.get_opt_size(PROTO), Ok(6));
        assert_eq!(s.get_opt_size(LAST_ERROR), Ok(0));
        assert_eq!(s.set_opt_size(TTL, u64::MAX), Err(Errno::Inval));
        assert_eq!(s.set_opt_size(RECV_LOWAT, 1), Err(Errno::Noprotoopt));
    }
}
