//! zoneinfo files (TZif, RFC 8536, versions 1–4): transitions, local time types and the POSIX
//! footer for instants after the last transition. Pure: parsed from bytes into fixed-size
//! tables (no allocator in libwasix), evaluated on seconds.

use super::posix::{self, Abbr, Local, PosixTz};

pub const MAX_TRANSITIONS: usize = 2048;
/// The name of a type whose abbreviation is empty or too long.
const UNKNOWN: Abbr = Abbr {
    bytes: *b"???\0\0\0\0\0\0\0\0\0\0\0\0\0",
    len: 3,
};
pub const MAX_TYPES: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Type {
    pub offset: i32,
    pub is_dst: bool,
    pub abbr: Abbr,
}

/// A parsed zoneinfo file.
#[derive(Clone, Debug)]
pub struct Tzif {
    pub times: [i64; MAX_TRANSITIONS],
    pub type_of: [u8; MAX_TRANSITIONS],
    pub transitions: usize,
    pub types: [Type; MAX_TYPES],
    pub type_count: usize,
    pub footer: Option<PosixTz>,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn u32(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
}

struct Counts {
    isut: usize,
    isstd: usize,
    leap: usize,
    time: usize,
    typ: usize,
    chars: usize,
}

fn header(r: &mut Reader<'_>) -> Option<(u8, Counts)> {
    if r.take(4)? != b"TZif" {
        return None;
    }
    let version = r.take(1)?[0];
    r.take(15)?;
    let c = Counts {
        isut: r.u32()?,
        isstd: r.u32()?,
        leap: r.u32()?,
        time: r.u32()?,
        typ: r.u32()?,
        chars: r.u32()?,
    };
    Some((version, c))
}

impl Tzif {
    /// An empty table (fill it with [`Tzif::parse_into`]).
    pub const fn empty() -> Tzif {
        const NONE: Type = Type {
            offset: 0,
            is_dst: false,
            abbr: Abbr {
                bytes: [0; 16],
                len: 0,
            },
        };
        Tzif {
            times: [0; MAX_TRANSITIONS],
            type_of: [0; MAX_TRANSITIONS],
            transitions: 0,
            types: [NONE; MAX_TYPES],
            type_count: 0,
            footer: None,
        }
    }

    /// Parses `data` into `self`; false when it is not a TZif file we can hold.
    pub fn parse_into(&mut self, data: &[u8]) -> bool {
        self.parse(data).is_some()
    }

    fn parse(&mut self, data: &[u8]) -> Option<()> {
        let mut r = Reader { data, pos: 0 };
        let (version, mut c) = header(&mut r)?;
        let mut time_size = 4;
        if version >= b'2' {
            // Skip the 32-bit block; the 64-bit one follows with its own header.
            let v1 = c.time * 5 + c.typ * 6 + c.chars + c.leap * 8 + c.isstd + c.isut;
            r.take(v1)?;
            c = header(&mut r)?.1;
            time_size = 8;
        }
        if c.time > MAX_TRANSITIONS || c.typ == 0 || c.typ > MAX_TYPES {
            return None;
        }
        let times = r.take(c.time * time_size)?;
        for i in 0..c.time {
            let b = &times[i * time_size..(i + 1) * time_size];
            self.times[i] = if time_size == 8 {
                i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
            } else {
                i64::from(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            };
        }
        let idx = r.take(c.time)?;
        if idx.iter().any(|&i| usize::from(i) >= c.typ) {
            return None;
        }
        self.type_of[..c.time].copy_from_slice(idx);
        let infos = r.take(c.typ * 6)?;
        let chars = r.take(c.chars)?;
        for i in 0..c.typ {
            let b = &infos[i * 6..i * 6 + 6];
            let start = usize::from(b[5]);
            let name = chars.get(start..)?;
            let end = name.iter().position(|&x| x == 0).unwrap_or(name.len());
            self.types[i] = Type {
                offset: i32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                is_dst: b[4] != 0,
                abbr: Abbr::new(&name[..end]).unwrap_or(UNKNOWN),
            };
        }
        self.transitions = c.time;
        self.type_count = c.typ;
        self.footer = None;
        if time_size == 8 {
            r.take(c.leap * 12 + c.isstd + c.isut)?;
            // Footer: "\n<POSIX TZ>\n"; an empty one means "no rule after the table".
            let rest = &data[r.pos..];
            if rest.first() == Some(&b'\n')
                && let Some(end) = rest[1..].iter().position(|&x| x == b'\n')
            {
                self.footer = posix::parse(&rest[1..1 + end]);
            }
        }
        Some(())
    }

    fn local(&self, i: usize) -> Local {
        let t = self.types[i];
        Local {
            offset: t.offset,
            is_dst: t.is_dst,
            abbr: t.abbr,
        }
    }

    /// The zone's offset and name at `t` (seconds since the epoch, UTC).
    pub fn at_utc(&self, t: i64) -> Local {
        let n = self.transitions;
        if n == 0 || t < self.times[0] {
            // Before the first transition: the first standard-time type (RFC 8536 §3.2).
            let first_std = (0..self.type_count)
                .find(|&i| !self.types[i].is_dst)
                .unwrap_or(0);
            return match (n, self.footer) {
                (0, Some(footer)) => footer.at_utc(t),
                _ => self.local(first_std),
            };
        }
        if t >= self.times[n - 1]
            && let Some(footer) = self.footer
        {
            return footer.at_utc(t);
        }
        // The last transition at or before t.
        let i = self.times[..n].partition_point(|&x| x <= t) - 1;
        self.local(usize::from(self.type_of[i]))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tz::civil::days_from_civil;

    /// A version-2 file: CET/CEST with two transitions in 2025 and the EU rule as footer.
    pub(crate) fn sample() -> Vec<u8> {
        let abbrs = b"CET\0CEST\0";
        let times: [i64; 2] = [
            days_from_civil(2025, 3, 30) * 86400 + 3600,
            days_from_civil(2025, 10, 26) * 86400 + 3600,
        ];
        let types: [(i32, u8, u8); 2] = [(3600, 0, 0), (7200, 1, 4)];
        let mut f = Vec::new();
        // v1 block: no transitions, one type (readers of v2+ skip it).
        let head = |f: &mut Vec<u8>, time: u32, typ: u32, chars: u32| {
            f.extend_from_slice(b"TZif2");
            f.extend_from_slice(&[0; 15]);
            for n in [0u32, 0, 0, time, typ, chars] {
                f.extend_from_slice(&n.to_be_bytes());
            }
        };
        head(&mut f, 0, 1, 4);
        f.extend_from_slice(&3600i32.to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(b"CET\0");
        head(&mut f, 2, 2, abbrs.len() as u32);
        for t in times {
            f.extend_from_slice(&t.to_be_bytes());
        }
        f.extend_from_slice(&[1, 0]);
        for (off, dst, idx) in types {
            f.extend_from_slice(&off.to_be_bytes());
            f.extend_from_slice(&[dst, idx]);
        }
        f.extend_from_slice(abbrs);
        f.extend_from_slice(b"\nCET-1CEST,M3.5.0,M10.5.0/3\n");
        f
    }

    #[test]
    fn parses_and_answers_before_inside_and_after_the_table() {
        let mut z = Box::new(Tzif::empty());
        assert!(z.parse_into(&sample()));
        assert_eq!((z.transitions, z.type_count), (2, 2));
        let at =
            |y: i64, m: u32, d: u32, h: i64| z.at_utc(days_from_civil(y, m, d) * 86400 + h * 3600);
        // (instant, offset, dst, abbreviation)
        let cases = [
            (at(2020, 1, 1, 0), 3600, false, &b"CET"[..]),
            (at(2025, 7, 1, 0), 7200, true, b"CEST"),
            (at(2025, 12, 1, 0), 3600, false, b"CET"),
            // After the last transition: the footer's rule.
            (at(2026, 7, 1, 0), 7200, true, b"CEST"),
            (at(2026, 12, 6, 0), 3600, false, b"CET"),
        ];
        for (got, off, dst, abbr) in cases {
            assert_eq!(
                (got.offset, got.is_dst, got.abbr.as_bytes()),
                (off, dst, abbr)
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_zone_file() {
        let mut z = Box::new(Tzif::empty());
        let good = sample();
        for bad in [
            &b""[..],
            b"TZi",
            b"NOPE2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            &good[..good.len() / 2],
        ] {
            assert!(!z.parse_into(bad), "{bad:?}");
        }
        // A transition naming a type that does not exist.
        let mut broken = good.clone();
        let idx_pos = broken.len() - 9 - 12 - 28 - 2;
        broken[idx_pos] = 9;
        assert!(!z.parse_into(&broken));
    }
}
