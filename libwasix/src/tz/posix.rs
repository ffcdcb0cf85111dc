//! POSIX `TZ` strings (`CET-1CEST,M3.5.0,M10.5.0/3`, `EST5EDT`, `<+0330>-3:30`, `UTC0`) and
//! the offset they give at an instant. Pure: parsed from bytes, evaluated on seconds.
//!
//! Offsets are stored as seconds *east* of UTC (what `tm_gmtoff` holds); the string writes them
//! west-positive (`EST5` is UTC-5).

use super::civil::{days_from_civil, is_leap, weekday};

/// A zone abbreviation (`CET`, `+0330`), at most 15 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Abbr {
    pub bytes: [u8; 16],
    pub len: u8,
}

impl Abbr {
    pub fn new(s: &[u8]) -> Option<Abbr> {
        if s.is_empty() || s.len() > 15 {
            return None;
        }
        let mut bytes = [0u8; 16];
        bytes[..s.len()].copy_from_slice(s);
        Some(Abbr {
            bytes,
            len: s.len() as u8,
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

/// When a daylight-saving transition happens within a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Day {
    /// `Jn`: day 1..=365, February 29 never counted.
    Julian1(u16),
    /// `n`: day 0..=365, February 29 counted in leap years.
    Julian0(u16),
    /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (1..=5, 5 = the last) of month `m`.
    Month { month: u8, week: u8, weekday: u8 },
}

/// A transition rule: the day and the local wall-clock time (seconds; may be negative or
/// beyond 24 h in the extended format).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub day: Day,
    pub time: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dst {
    pub abbr: Abbr,
    pub offset: i32,
    pub start: Rule,
    pub end: Rule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PosixTz {
    pub std_abbr: Abbr,
    pub std_offset: i32,
    pub dst: Option<Dst>,
}

/// What a zone says about one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Local {
    /// Seconds east of UTC.
    pub offset: i32,
    pub is_dst: bool,
    pub abbr: Abbr,
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self, max_digits: usize) -> Option<u32> {
        let start = self.i;
        let mut n: u32 = 0;
        while let Some(b @ b'0'..=b'9') = self.peek() {
            if self.i - start == max_digits {
                return None;
            }
            n = n * 10 + u32::from(b - b'0');
            self.i += 1;
        }
        (self.i > start).then_some(n)
    }

    /// `CET` (3+ letters) or `<+0330>` (3+ of alphanumerics, `+`, `-`).
    fn abbr(&mut self) -> Option<Abbr> {
        let start = self.i;
        if self.eat(b'<') {
            while let Some(b) = self.peek() {
                if b == b'>' {
                    let a = Abbr::new(&self.s[start + 1..self.i])?;
                    self.i += 1;
                    return (a.len >= 3).then_some(a);
                }
                if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'-') {
                    return None;
                }
                self.i += 1;
            }
            return None;
        }
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.i += 1;
        }
        let a = Abbr::new(&self.s[start..self.i])?;
        (a.len >= 3).then_some(a)
    }

    /// `[+-]hh[:mm[:ss]]` as seconds (hours up to 167 for rule times).
    fn hms(&mut self) -> Option<i32> {
        let sign = if self.eat(b'-') {
            -1
        } else {
            self.eat(b'+');
            1
        };
        let h = self.number(3)?;
        if h > 167 {
            return None;
        }
        let mut secs = h * 3600;
        if self.eat(b':') {
            let m = self.number(2)?;
            if m > 59 {
                return None;
            }
            secs += m * 60;
            if self.eat(b':') {
                let s = self.number(2)?;
                if s > 59 {
                    return None;
                }
                secs += s;
            }
        }
        Some(sign * secs as i32)
    }

    fn rule(&mut self) -> Option<Rule> {
        let day = if self.eat(b'J') {
            let n = self.number(3)?;
            if !(1..=365).contains(&n) {
                return None;
            }
            Day::Julian1(n as u16)
        } else if self.eat(b'M') {
            let month = self.number(2)?;
            let week = if self.eat(b'.') {
                self.number(1)?
            } else {
                return None;
            };
            let weekday = if self.eat(b'.') {
                self.number(1)?
            } else {
                return None;
            };
            if !(1..=12).contains(&month) || !(1..=5).contains(&week) || weekday > 6 {
                return None;
            }
            Day::Month {
                month: month as u8,
                week: week as u8,
                weekday: weekday as u8,
            }
        } else {
            let n = self.number(3)?;
            if n > 365 {
                return None;
            }
            Day::Julian0(n as u16)
        };
        let time = if self.eat(b'/') {
            self.hms()?
        } else {
            2 * 3600
        };
        Some(Rule { day, time })
    }
}

/// Parses a POSIX TZ string; `None` when it is not one (then it may name a zoneinfo file).
pub fn parse(s: &[u8]) -> Option<PosixTz> {
    let mut c = Cursor { s, i: 0 };
    let std_abbr = c.abbr()?;
    let std_offset = -c.hms()?;
    let dst = if c.i == s.len() {
        None
    } else {
        let abbr = c.abbr()?;
        let offset = match c.peek() {
            Some(b',') | None => std_offset + 3600,
            _ => -c.hms()?,
        };
        // Without rules: the US rules POSIX implementations default to.
        let (start, end) = if c.eat(b',') {
            let start = c.rule()?;
            if !c.eat(b',') {
                return None;
            }
            (start, c.rule()?)
        } else {
            (
                Rule {
                    day: Day::Month {
                        month: 3,
                        week: 2,
                        weekday: 0,
                    },
                    time: 7200,
                },
                Rule {
                    day: Day::Month {
                        month: 11,
                        week: 1,
                        weekday: 0,
                    },
                    time: 7200,
                },
            )
        };
        Some(Dst {
            abbr,
            offset,
            start,
            end,
        })
    };
    (c.i == s.len()).then_some(PosixTz {
        std_abbr,
        std_offset,
        dst,
    })
}

/// Days since 1970-01-01 of a rule's day in `year`.
fn rule_day(year: i64, day: Day) -> i64 {
    let jan1 = days_from_civil(year, 1, 1);
    match day {
        Day::Julian1(n) => {
            let n = i64::from(n);
            // February 29 is never counted: from March on, skip it in leap years.
            jan1 + n - 1 + i64::from(is_leap(year) && n > 59)
        }
        Day::Julian0(n) => jan1 + i64::from(n),
        Day::Month {
            month,
            week,
            weekday: wd,
        } => {
            let first = days_from_civil(year, u32::from(month), 1);
            let delta = (i64::from(wd) - weekday(first)).rem_euclid(7);
            let mut day = first + delta + 7 * (i64::from(week) - 1);
            let next_month = if month == 12 {
                days_from_civil(year + 1, 1, 1)
            } else {
                days_from_civil(year, u32::from(month) + 1, 1)
            };
            // Week 5 means the last such weekday of the month.
            while day >= next_month {
                day -= 7;
            }
            day
        }
    }
}

impl PosixTz {
    /// The zone's offset and name at `t` (seconds since the epoch, UTC).
    pub fn at_utc(&self, t: i64) -> Local {
        let std = Local {
            offset: self.std_offset,
            is_dst: false,
            abbr: self.std_abbr,
        };
        let Some(dst) = self.dst else { return std };
        let year = super::civil::year_of(t + i64::from(self.std_offset));
        // Start happens at local standard time, end at local daylight time.
        let start = rule_day(year, dst.start.day) * 86400 + i64::from(dst.start.time)
            - i64::from(self.std_offset);
        let end =
            rule_day(year, dst.end.day) * 86400 + i64::from(dst.end.time) - i64::from(dst.offset);
        let in_dst = if start < end {
            start <= t && t < end
        } else {
            !(end <= t && t < start)
        };
        if in_dst {
            Local {
                offset: dst.offset,
                is_dst: true,
                abbr: dst.abbr,
            }
        } else {
            std
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i64, m: u32, d: u32, hh: i64, mm: i64) -> i64 {
        days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60
    }

    #[test]
    fn parse_table() {
        let cet = parse(b"CET-1CEST,M3.5.0,M10.5.0/3").expect("CET");
        assert_eq!(cet.std_abbr.as_bytes(), b"CET");
        assert_eq!(cet.std_offset, 3600);
        let dst = cet.dst.expect("dst");
        assert_eq!((dst.abbr.as_bytes(), dst.offset), (&b"CEST"[..], 7200));
        assert_eq!(
            dst.end,
            Rule {
                day: Day::Month {
                    month: 10,
                    week: 5,
                    weekday: 0
                },
                time: 3 * 3600
            }
        );

        type Offsets = Option<(i32, Option<i32>)>;
        let cases: &[(&[u8], Offsets)] = &[
            (b"UTC0", Some((0, None))),
            (b"EST5EDT", Some((-5 * 3600, Some(-4 * 3600)))),
            (b"<+0330>-3:30", Some((3 * 3600 + 1800, None))),
            (
                b"NZST-12NZDT,M9.5.0,M4.1.0/3",
                Some((12 * 3600, Some(13 * 3600))),
            ),
            (b"AAA3BBB2,J60/1,300/-1", Some((-3 * 3600, Some(-2 * 3600)))),
            (b"", None),
            (b"Europe/Paris", None),
            (b"UT0", None),
            (b"CET", None),
            (b"CET-1CEST,M13.1.0,M10.5.0", None),
            (b"CET-1CEST,M3.5.0", None),
            (b"CET-1 trailing", None),
            (b"<+03", None),
        ];
        for (s, want) in cases {
            let got = parse(s).map(|z| (z.std_offset, z.dst.map(|d| d.offset)));
            assert_eq!(got, *want, "{}", core::str::from_utf8(s).unwrap_or("?"));
        }
    }

    #[test]
    fn offsets_across_transitions() {
        let cet = parse(b"CET-1CEST,M3.5.0,M10.5.0/3").expect("CET");
        let us = parse(b"EST5EDT,M3.2.0,M11.1.0").expect("US");
        let nz = parse(b"NZST-12NZDT,M9.5.0,M4.1.0/3").expect("NZ");
        // (zone, UTC instant, expected offset, dst)
        let cases: &[(&PosixTz, i64, i32, bool)] = &[
            // 2026: EU summer time from 30 March 01:00 UTC to 25 October 01:00 UTC.
            (&cet, utc(2026, 3, 29, 0, 59), 3600, false),
            (&cet, utc(2026, 3, 29, 1, 0), 7200, true),
            (&cet, utc(2026, 7, 1, 12, 0), 7200, true),
            (&cet, utc(2026, 10, 25, 0, 59), 7200, true),
            (&cet, utc(2026, 10, 25, 1, 0), 3600, false),
            (&cet, utc(2026, 12, 6, 22, 0), 3600, false),
            // US 2026: 8 March 07:00 UTC to 1 November 06:00 UTC.
            (&us, utc(2026, 3, 8, 6, 59), -5 * 3600, false),
            (&us, utc(2026, 3, 8, 7, 0), -4 * 3600, true),
            (&us, utc(2026, 11, 1, 5, 59), -4 * 3600, true),
            (&us, utc(2026, 11, 1, 6, 0), -5 * 3600, false),
            // Southern hemisphere: DST across the new year.
            (&nz, utc(2026, 1, 15, 0, 0), 13 * 3600, true),
            (&nz, utc(2026, 6, 15, 0, 0), 12 * 3600, false),
            (&nz, utc(2026, 12, 6, 0, 0), 13 * 3600, true),
        ];
        for (zone, t, offset, dst) in cases {
            let got = zone.at_utc(*t);
            assert_eq!((got.offset, got.is_dst), (*offset, *dst), "t = {t}");
        }
    }

    #[test]
    fn rule_days() {
        // 2024 is a leap year: J60 is March 1, day 59 (0-based) is February 29.
        assert_eq!(
            rule_day(2024, Day::Julian1(60)),
            days_from_civil(2024, 3, 1)
        );
        assert_eq!(
            rule_day(2024, Day::Julian0(59)),
            days_from_civil(2024, 2, 29)
        );
        assert_eq!(
            rule_day(2023, Day::Julian1(60)),
            days_from_civil(2023, 3, 1)
        );
        // Last Sunday of March 2026 is the 29th; second Sunday of March 2026 the 8th.
        let last_sun = Day::Month {
            month: 3,
            week: 5,
            weekday: 0,
        };
        assert_eq!(rule_day(2026, last_sun), days_from_civil(2026, 3, 29));
        let second_sun = Day::Month {
            month: 3,
            week: 2,
            weekday: 0,
        };
        assert_eq!(rule_day(2026, second_sun), days_from_civil(2026, 3, 8));
    }
}
