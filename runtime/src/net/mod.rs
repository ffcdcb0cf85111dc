//! Networking: the `--net` policy, WASIX address codecs, sockets over socket2 and DNS
//! (owned by the networking part).

pub mod policy;
