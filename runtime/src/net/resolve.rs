//! Name resolution for the WASIX `resolve` call: the host's `getaddrinfo` through
//! `ToSocketAddrs`, deduplicated (getaddrinfo answers once per socket type).

use std::net::{IpAddr, ToSocketAddrs};

use crate::abi::Errno;

/// Resolves `host` (a name or an IP literal) to its addresses, in the host resolver's order
/// and without duplicates.
///
/// A name that does not resolve is `ENOENT` (libwasix turns it into `EAI_NONAME`); a host
/// string with a NUL byte is `EINVAL`.
///
/// # Ambient Authority
///
/// This asks the host's resolver (which may query the network); callers check the
/// [`NetPolicy`](super::policy::NetPolicy) first.
pub fn resolve(host: &str, port: u16) -> Result<Vec<IpAddr>, Errno> {
    if host.is_empty() || host.contains('\0') {
        return Err(Errno::Inval);
    }
    // Bracketed IPv6 literals are accepted the way URLs write them.
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let addrs = (host, port).to_socket_addrs().map_err(|_| Errno::Noent)?;
    Ok(dedup(addrs.map(|a| a.ip())))
}

/// Keeps the first occurrence of each address, in order.
fn dedup(ips: impl Iterator<Item = IpAddr>) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    for ip in ips {
        if !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_errors() {
        let cases: &[(&str, Result<Vec<IpAddr>, Errno>)] = &[
            ("127.0.0.1", Ok(vec!["127.0.0.1".parse().unwrap()])),
            ("::1", Ok(vec!["::1".parse().unwrap()])),
            ("[::1]", Ok(vec!["::1".parse().unwrap()])),
            ("", Err(Errno::Inval)),
            ("a\0b", Err(Errno::Inval)),
            ("name.that.does.not.exist.invalid", Err(Errno::Noent)),
        ];
        for (host, expected) in cases {
            assert_eq!(&resolve(host, 0), expected, "{host:?}");
        }
    }

    #[test]
    fn localhost_resolves_to_loopback() {
        let ips = resolve("localhost", 80).expect("localhost must resolve on the host");
        assert!(!ips.is_empty());
        assert!(ips.iter().all(IpAddr::is_loopback), "{ips:?}");
    }

    #[test]
    fn dedup_keeps_order() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "::1".parse().unwrap();
        assert_eq!(dedup([a, b, a, b, a].into_iter()), vec![a, b]);
    }
}
