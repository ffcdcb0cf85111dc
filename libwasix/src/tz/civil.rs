//! Calendar arithmetic on days since 1970-01-01 (proleptic Gregorian), for the zone rules.

pub fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days since 1970-01-01 of `year-month-day` (month 1..=12).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Years start in March, so February's leap day is the last day of a year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Day of the week of a day number: 0 = Sunday (1970-01-01 was a Thursday).
pub fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// The year `t` (seconds since the epoch) falls in.
pub fn year_of(t: i64) -> i64 {
    let days = t.div_euclid(86400);
    // Inverse of days_from_civil, year part only.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let year = yoe + era * 400;
    // Months March..December are mp 0..=9; January and February belong to the next year.
    if mp >= 10 { year + 1 } else { year }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_table() {
        // (y, m, d, days since epoch, weekday)
        let cases: &[(i64, u32, u32, i64, i64)] = &[
            (1970, 1, 1, 0, 4),
            (1969, 12, 31, -1, 3),
            (2000, 2, 29, 11_016, 2),
            (2000, 3, 1, 11_017, 3),
            (2026, 12, 6, 20_793, 0),
            (1900, 3, 1, -25_508, 4),
        ];
        for &(y, m, d, days, wd) in cases {
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
            assert_eq!(weekday(days), wd, "{y}-{m}-{d}");
            assert_eq!(year_of(days * 86400), y, "{y}-{m}-{d}");
            assert_eq!(year_of(days * 86400 + 86399), y, "{y}-{m}-{d} 23:59:59");
        }
        assert!(is_leap(2000) && is_leap(2024) && !is_leap(1900) && !is_leap(2026));
    }
}
