//! Which zone a `TZ` value names, and local-time lookups on any zone (pure).

use super::posix::{self, Local};

/// Where the zone of a `TZ` value comes from.
#[derive(Debug, PartialEq, Eq)]
pub enum Source<'a> {
    /// No zone: UTC (TZ empty, or unset with no `/etc/localtime`).
    Utc,
    /// A POSIX TZ string.
    Posix(posix::PosixTz),
    /// A zoneinfo file at this guest path (NUL-terminated, for `open`).
    File(&'a [u8]),
}

/// The zoneinfo directory, as on Linux (mount the host's to give a guest its zones).
pub const ZONEINFO: &[u8] = b"/usr/share/zoneinfo/";
/// The zone of a process without `TZ`, as on Linux.
pub const LOCALTIME: &[u8] = b"/etc/localtime\0";

/// Chooses the zone for `tz` (`None`: unset), writing a file path into `path` when needed.
pub fn source<'a>(tz: Option<&[u8]>, path: &'a mut [u8; 256]) -> Source<'a> {
    let Some(tz) = tz else {
        return Source::File(LOCALTIME);
    };
    if tz.is_empty() {
        return Source::Utc;
    }
    let (explicit_file, name) = match tz.strip_prefix(b":") {
        Some(rest) => (true, rest),
        None => (false, tz),
    };
    if !explicit_file && let Some(z) = posix::parse(name) {
        return Source::Posix(z);
    }
    // A zone name must not climb out of the zoneinfo directory.
    if name.is_empty() || name.windows(2).any(|w| w == b"..") {
        return Source::Utc;
    }
    let prefix: &[u8] = if name.starts_with(b"/") {
        b""
    } else {
        ZONEINFO
    };
    let len = prefix.len() + name.len();
    if len + 1 > path.len() {
        return Source::Utc;
    }
    path[..prefix.len()].copy_from_slice(prefix);
    path[prefix.len()..len].copy_from_slice(name);
    path[len] = 0;
    Source::File(&path[..=len])
}

/// The zone at local wall-clock time `t` (seconds, as if UTC), from a lookup by UTC instant:
/// for `mktime`. Guess with the offset at `t` read as UTC, then keep an offset that agrees with
/// the instant it gives; in a gap (no such local time) the guess stands.
pub fn at_local(at_utc: impl Fn(i64) -> Local, t: i64) -> Local {
    let guess = at_utc(t);
    let first = at_utc(t - i64::from(guess.offset));
    if first.offset == guess.offset {
        return first;
    }
    let second = at_utc(t - i64::from(first.offset));
    if second.offset == first.offset {
        second
    } else {
        guess
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tz::civil::days_from_civil;

    #[test]
    fn source_table() {
        let mut path = [0u8; 256];
        assert_eq!(source(None, &mut path), Source::File(LOCALTIME));
        assert_eq!(source(Some(b""), &mut path), Source::Utc);
        assert!(matches!(source(Some(b"UTC0"), &mut path), Source::Posix(_)));
        assert_eq!(
            source(Some(b"Europe/Paris"), &mut path),
            Source::File(b"/usr/share/zoneinfo/Europe/Paris\0")
        );
        assert_eq!(
            source(Some(b":Europe/Paris"), &mut path),
            Source::File(b"/usr/share/zoneinfo/Europe/Paris\0")
        );
        // `:` forces a file even where the name would parse as a POSIX string.
        assert_eq!(
            source(Some(b":UTC0"), &mut path),
            Source::File(b"/usr/share/zoneinfo/UTC0\0")
        );
        assert_eq!(
            source(Some(b"/zones/here"), &mut path),
            Source::File(b"/zones/here\0")
        );
        assert_eq!(source(Some(b"../../etc/passwd"), &mut path), Source::Utc);
        assert_eq!(source(Some(b":"), &mut path), Source::Utc);
        let long = [b'a'; 300];
        assert_eq!(source(Some(&long), &mut path), Source::Utc);
    }

    #[test]
    fn local_lookups_around_transitions() {
        let cet = posix::parse(b"CET-1CEST,M3.5.0,M10.5.0/3").expect("CET");
        let local = |y: i64, m: u32, d: u32, h: i64| days_from_civil(y, m, d) * 86400 + h * 3600;
        // (local wall time, offset)
        let cases = [
            (local(2026, 1, 10, 12), 3600),
            (local(2026, 7, 10, 12), 7200),
            // 02:30 on 29 March does not exist (clocks jump 02:00 -> 03:00).
            (local(2026, 3, 29, 1), 3600),
            (local(2026, 3, 29, 4), 7200),
            (local(2026, 10, 25, 4), 3600),
        ];
        for (t, offset) in cases {
            assert_eq!(at_local(|u| cet.at_utc(u), t).offset, offset, "t = {t}");
        }
    }
}
