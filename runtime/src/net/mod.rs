//! Networking: the `--net` policy, WASIX address codecs, sockets over socket2 and DNS.

pub mod addr;
pub mod bounce;
pub mod policy;
pub mod resolve;
pub mod socket;
pub mod sockopt;
