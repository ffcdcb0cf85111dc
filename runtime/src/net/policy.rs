//! The `--net` policy: which host addresses a guest may bind, connect and send to.
//!
//! The policy is an explicit address pool in the spirit of cap-std's `net::Pool`: every
//! socket syscall that names an address asks [`NetPolicy::check`] first, and nothing else in
//! the runtime touches the host network.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The network capability handed to a guest.
///
/// * [`NetPolicy::deny`] (the default): every socket call on an IP socket and every `resolve`
///   fails with `EACCES`, and the first refusal prints
///   `error: network access denied; run with --net to allow it` to stderr (once per run).
///   `sock_pair` and `fd_pipe` are IPC, not network, and stay allowed.
/// * [`NetPolicy::allow_all`] (`--net`): loopback, outbound connections, binding and
///   listening on any address, and DNS.
/// * [`NetPolicy::parse`] (`--net=RULES`): only the listed addresses.
///
/// # Rule grammar
///
/// ```text
/// RULES := RULE ("," RULE)*
/// RULE  := "all" | "loopback" | HOST [":" PORTS]
/// HOST  := "*" | "localhost" | IPV4 ["/" PREFIX] | "[" IPV6 "]" ["/" PREFIX] | IPV6
/// PORTS := "*" | PORT | PORT "-" PORT          (omitted = "*")
/// ```
///
/// `localhost` and `loopback` mean 127.0.0.0/8 and ::1. Examples: `127.0.0.1:*`,
/// `localhost:8080`, `*:443`, `10.0.0.0/8:1000-2000`, `[::1]:80`.
///
/// A rule allows connecting/sending to a matching address and binding to it. Binding to
/// port 0 (an ephemeral port) only needs the host part to match. Binding to the unspecified
/// address (`0.0.0.0`, `::`) exposes the port on every interface, so it needs a `*` host
/// rule. Under rules, `resolve` is allowed for IP literals and `localhost` (answered
/// locally), and for other names only when some rule has the host `*`.
#[derive(Clone)]
pub struct NetPolicy {
    mode: Mode,
    /// The text given to `--net=`, for messages.
    source: String,
    /// Set once the denial message has been printed (shared by clones of one policy).
    warned: Arc<AtomicBool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Mode {
    Deny,
    AllowAll,
    Rules(Vec<Rule>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    host: HostPattern,
    ports: (u16, u16),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    Any,
    Loopback,
    Net { ip: IpAddr, prefix: u8 },
}

/// What a guest is about to do with an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetOp {
    Bind,
    Connect,
    SendTo,
}

impl fmt::Display for NetOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetOp::Bind => "bind",
            NetOp::Connect => "connect",
            NetOp::SendTo => "send_to",
        })
    }
}

/// A refusal; the syscall layer answers it with `EACCES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denied;

/// A `--net=RULES` string that does not follow the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid --net rule `{rule}`: {reason}\nhelp: rules look like `127.0.0.1:*`, `localhost:8080`, `*:443`, `[::1]:80`, `10.0.0.0/8:1000-2000`, `loopback` or `all`"
)]
pub struct PolicyError {
    pub rule: String,
    pub reason: String,
}

impl NetPolicy {
    /// No network: every IP socket call fails with `EACCES`.
    pub fn deny() -> Self {
        Self::with_mode(Mode::Deny, String::new())
    }

    /// Full host networking (`--net`).
    ///
    /// # Ambient Authority
    ///
    /// The guest may reach every address the host can reach and listen on every interface.
    pub fn allow_all() -> Self {
        Self::with_mode(Mode::AllowAll, String::new())
    }

    /// Parses the value of `--net=RULES` (see the type's documentation for the grammar);
    /// an empty value means the same as `--net` alone.
    pub fn parse(rules: &str) -> Result<Self, crate::Error> {
        Self::parse_rules(rules).map_err(|e| crate::Error::Config(e.to_string()))
    }

    /// [`NetPolicy::parse`] with the precise error.
    pub fn parse_rules(rules: &str) -> Result<Self, PolicyError> {
        if rules.trim().is_empty() {
            return Ok(Self::with_mode(Mode::AllowAll, String::new()));
        }
        let mut parsed = Vec::new();
        for text in rules.split(',').map(str::trim) {
            match text {
                "all" => return Ok(Self::with_mode(Mode::AllowAll, rules.to_string())),
                "loopback" => parsed.push(Rule {
                    host: HostPattern::Loopback,
                    ports: (0, u16::MAX),
                }),
                _ => parsed.push(parse_rule(text)?),
            }
        }
        Ok(Self::with_mode(Mode::Rules(parsed), rules.to_string()))
    }

    fn with_mode(mode: Mode, source: String) -> Self {
        Self {
            mode,
            source,
            warned: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether any networking is allowed at all (IP sockets may be created).
    pub fn allows_any(&self) -> bool {
        self.mode != Mode::Deny
    }

    /// Whether every address is allowed (`--net` without rules).
    pub fn is_allow_all(&self) -> bool {
        self.mode == Mode::AllowAll
    }

    /// Checks the creation of an IP socket (`sock_open` with INET4/INET6).
    pub fn check_open(&self) -> Result<(), Denied> {
        if self.allows_any() {
            Ok(())
        } else {
            self.refuse(None)
        }
    }

    /// Checks `op` on `addr`; prints the one-time message and returns [`Denied`] if refused.
    pub fn check(&self, op: NetOp, addr: &SocketAddr) -> Result<(), Denied> {
        if self.allows(op, addr) {
            Ok(())
        } else {
            self.refuse(Some((format!("{op} {addr}"), addr.to_string())))
        }
    }

    /// Checks a name lookup (`resolve`).
    pub fn check_resolve(&self, host: &str) -> Result<(), Denied> {
        if self.allows_resolve(host) {
            Ok(())
        } else {
            self.refuse(Some((format!("resolve `{host}`"), "*:*".to_string())))
        }
    }

    /// The pure decision behind [`NetPolicy::check`].
    pub fn allows(&self, op: NetOp, addr: &SocketAddr) -> bool {
        let rules = match &self.mode {
            Mode::Deny => return false,
            Mode::AllowAll => return true,
            Mode::Rules(rules) => rules,
        };
        let ip = canonical_ip(addr.ip());
        let port = addr.port();
        if op == NetOp::Bind && ip.is_unspecified() {
            return rules
                .iter()
                .any(|r| r.host == HostPattern::Any && (port == 0 || in_range(r.ports, port)));
        }
        rules.iter().any(|r| {
            host_matches(&r.host, ip)
                && ((op == NetOp::Bind && port == 0) || in_range(r.ports, port))
        })
    }

    /// The pure decision behind [`NetPolicy::check_resolve`].
    pub fn allows_resolve(&self, host: &str) -> bool {
        match &self.mode {
            Mode::Deny => false,
            Mode::AllowAll => true,
            Mode::Rules(rules) => {
                host.eq_ignore_ascii_case("localhost")
                    || host.parse::<IpAddr>().is_ok()
                    || rules.iter().any(|r| r.host == HostPattern::Any)
            }
        }
    }

    /// Prints the one-time denial message; `what` is the refused action and a rule that
    /// would allow it.
    fn refuse(&self, what: Option<(String, String)>) -> Result<(), Denied> {
        if !self.warned.swap(true, Ordering::Relaxed) {
            match (&self.mode, what) {
                (Mode::Rules(_), Some((what, rule))) => eprintln!(
                    "error: network access denied: {what} is not allowed by --net={src}\nhelp: allow it with --net={src},{rule} (or --net for all networking)",
                    src = self.source
                ),
                _ => eprintln!("error: network access denied; run with --net to allow it"),
            }
        }
        Err(Denied)
    }
}

impl Default for NetPolicy {
    fn default() -> Self {
        Self::deny()
    }
}

impl fmt::Debug for NetPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.mode {
            Mode::Deny => f.write_str("NetPolicy::deny()"),
            Mode::AllowAll => f.write_str("NetPolicy::allow_all()"),
            Mode::Rules(_) => write!(f, "NetPolicy::parse({:?})", self.source),
        }
    }
}

impl PartialEq for NetPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.mode == other.mode
    }
}

impl Eq for NetPolicy {}

fn parse_rule(text: &str) -> Result<Rule, PolicyError> {
    let err = |reason: &str| PolicyError {
        rule: text.to_string(),
        reason: reason.to_string(),
    };
    if text.is_empty() {
        return Err(err("empty rule"));
    }
    // A bare IPv6 address (no brackets) has no port part.
    if let Ok(ip) = text.parse::<Ipv6Addr>() {
        return Ok(Rule {
            host: HostPattern::Net {
                ip: IpAddr::V6(ip),
                prefix: 128,
            },
            ports: (0, u16::MAX),
        });
    }
    let (host, ports) = if let Some(rest) = text.strip_prefix('[') {
        let close = rest
            .find(']')
            .ok_or_else(|| err("missing `]` after an IPv6 address"))?;
        let after = &rest[close + 1..];
        let (prefix, ports) = match after.split_once(':') {
            Some((prefix, ports)) => (prefix, Some(ports)),
            None => (after, None),
        };
        (format!("{}{}", &rest[..close], prefix), ports)
    } else {
        match text.rsplit_once(':') {
            Some((host, ports)) => (host.to_string(), Some(ports)),
            None => (text.to_string(), None),
        }
    };
    let host = parse_host(&host).map_err(|reason| err(&reason))?;
    let ports = match ports {
        None | Some("*") => (0, u16::MAX),
        Some(ports) => parse_ports(ports).map_err(|reason| err(&reason))?,
    };
    Ok(Rule { host, ports })
}

fn parse_host(host: &str) -> Result<HostPattern, String> {
    match host {
        "*" => return Ok(HostPattern::Any),
        "localhost" => return Ok(HostPattern::Loopback),
        "" => return Err("missing host".to_string()),
        _ => {}
    }
    let (ip, prefix) = match host.split_once('/') {
        Some((ip, prefix)) => (ip, Some(prefix)),
        None => (host, None),
    };
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| format!("`{ip}` is not an IP address, `*` or `localhost`"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => match p.parse::<u8>() {
            Ok(p) if p <= max => p,
            _ => return Err(format!("`{p}` is not a prefix length between 0 and {max}")),
        },
    };
    Ok(HostPattern::Net { ip, prefix })
}

fn parse_ports(ports: &str) -> Result<(u16, u16), String> {
    let port = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("`{p}` is not a port number (0-65535) or `*`"))
    };
    match ports.split_once('-') {
        Some((lo, hi)) => {
            let (lo, hi) = (port(lo)?, port(hi)?);
            if lo > hi {
                return Err(format!("empty port range {lo}-{hi}"));
            }
            Ok((lo, hi))
        }
        None => {
            let p = port(ports)?;
            Ok((p, p))
        }
    }
}

fn in_range((lo, hi): (u16, u16), port: u16) -> bool {
    lo <= port && port <= hi
}

/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are checked as the IPv4 address they reach.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

fn host_matches(pattern: &HostPattern, ip: IpAddr) -> bool {
    match pattern {
        HostPattern::Any => true,
        HostPattern::Loopback => ip.is_loopback(),
        HostPattern::Net { ip: net, prefix } => match (net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(&net.octets(), &ip.octets(), *prefix),
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(&net.octets(), &ip.octets(), *prefix),
            _ => false,
        },
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let bits = usize::from(prefix);
    let (whole, rest) = (bits / 8, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    a[whole] & mask == b[whole] & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn deny_and_allow_all() {
        let deny = NetPolicy::deny();
        let all = NetPolicy::allow_all();
        for op in [NetOp::Bind, NetOp::Connect, NetOp::SendTo] {
            for addr in ["127.0.0.1:80", "[::1]:0", "0.0.0.0:0", "8.8.8.8:53"] {
                assert!(!deny.allows(op, &sa(addr)), "deny {op} {addr}");
                assert!(all.allows(op, &sa(addr)), "all {op} {addr}");
            }
        }
        assert!(!deny.allows_any() && all.allows_any());
        assert!(!deny.allows_resolve("localhost") && all.allows_resolve("example.com"));
        assert_eq!(NetPolicy::default(), deny);
        assert_eq!(NetPolicy::parse("").unwrap(), all);
        assert!(
            NetPolicy::parse("nope")
                .unwrap_err()
                .to_string()
                .contains("help:")
        );
        assert_eq!(deny.check_open(), Err(Denied));
        assert_eq!(all.check_open(), Ok(()));
    }

    #[test]
    fn rule_decisions() {
        use NetOp::*;
        // (rules, op, address, allowed)
        let cases: &[(&str, NetOp, &str, bool)] = &[
            ("127.0.0.1:*", Connect, "127.0.0.1:80", true),
            ("127.0.0.1:*", Connect, "127.0.0.2:80", false),
            ("127.0.0.1:*", Bind, "127.0.0.1:0", true),
            ("127.0.0.1:*", Bind, "0.0.0.0:8080", false),
            ("127.0.0.1", Connect, "127.0.0.1:1", true),
            ("localhost:8080", Connect, "127.0.0.1:8080", true),
            ("localhost:8080", Connect, "127.9.9.9:8080", true),
            ("localhost:8080", Connect, "[::1]:8080", true),
            ("localhost:8080", Connect, "[::ffff:127.0.0.1]:8080", true),
            ("localhost:8080", Connect, "127.0.0.1:8081", false),
            ("localhost:8080", Bind, "127.0.0.1:0", true),
            ("localhost:8080", Bind, "127.0.0.1:9000", false),
            ("localhost:8080", SendTo, "10.0.0.1:8080", false),
            ("*:443", Connect, "93.184.216.34:443", true),
            ("*:443", Connect, "93.184.216.34:80", false),
            ("*:443", Bind, "0.0.0.0:443", true),
            ("*:443", Bind, "[::]:0", true),
            ("10.0.0.0/8:1000-2000", Connect, "10.200.3.4:1500", true),
            ("10.0.0.0/8:1000-2000", Connect, "10.200.3.4:2001", false),
            ("10.0.0.0/8:1000-2000", Connect, "11.0.0.1:1500", false),
            ("192.168.1.0/23", SendTo, "192.168.0.255:9", true),
            ("192.168.1.0/23", SendTo, "192.168.2.0:9", false),
            ("[::1]:80", Connect, "[::1]:80", true),
            ("[::1]:80", Connect, "127.0.0.1:80", false),
            ("::1", Connect, "[::1]:5", true),
            ("[fe80::]/10:*", Connect, "[fe80::1%2]:5", true),
            ("loopback", Connect, "127.0.0.1:1", true),
            ("loopback", Bind, "0.0.0.0:1", false),
            ("loopback,*:53", SendTo, "1.1.1.1:53", true),
            ("all", Bind, "0.0.0.0:1", true),
        ];
        for (rules, op, addr, allowed) in cases {
            let policy = NetPolicy::parse_rules(rules).unwrap();
            assert_eq!(
                policy.allows(*op, &sa(addr)),
                *allowed,
                "--net={rules}: {op} {addr}"
            );
        }
    }

    #[test]
    fn resolve_under_rules() {
        // (rules, host, allowed)
        let cases = [
            ("127.0.0.1:*", "localhost", true),
            ("127.0.0.1:*", "LOCALHOST", true),
            ("127.0.0.1:*", "10.0.0.1", true),
            ("127.0.0.1:*", "example.com", false),
            ("*:443", "example.com", true),
        ];
        for (rules, host, allowed) in cases {
            assert_eq!(
                NetPolicy::parse_rules(rules).unwrap().allows_resolve(host),
                allowed,
                "--net={rules} resolve {host}"
            );
        }
    }

    #[test]
    fn parse_errors() {
        let cases = [
            ("127.0.0.1:*,", "empty rule"),
            (",", "empty rule"),
            ("example.com:80", "not an IP address"),
            ("127.0.0.1:http", "not a port number"),
            ("127.0.0.1:70000", "not a port number"),
            ("127.0.0.1:9-3", "empty port range"),
            ("10.0.0.0/33", "prefix length"),
            ("[::1:80", "missing `]`"),
            (":80", "missing host"),
        ];
        for (rules, reason) in cases {
            let err = NetPolicy::parse_rules(rules).expect_err(rules);
            assert!(
                err.reason.contains(reason),
                "--net={rules}: got `{}`",
                err.reason
            );
            assert!(err.to_string().contains("help:"), "{err}");
        }
    }

    #[test]
    fn clones_share_the_one_time_flag() {
        let policy = NetPolicy::deny();
        let clone = policy.clone();
        assert_eq!(
            policy.check(NetOp::Connect, &sa("127.0.0.1:1")),
            Err(Denied)
        );
        assert!(clone.warned.load(Ordering::Relaxed));
    }
}
