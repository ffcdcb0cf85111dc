//! Prints the local offset three libraries see at two instants (mid-January and mid-July
//! 2026, 12:00 UTC), so one run shows standard and daylight time of the zone it was given.

use std::ffi::CStr;

use chrono::{Offset, TimeZone};

const INSTANTS: [i64; 2] = [1_768_478_400, 1_784_116_800];

fn main() {
    for t in INSTANTS {
        let c = c_local(t);
        let odt = time::OffsetDateTime::from_unix_timestamp(t).expect("timestamp");
        let time_offset = time::UtcOffset::local_offset_at(odt)
            .map_or_else(|e| format!("error: {e}"), |o| o.whole_seconds().to_string());
        let chrono_offset = chrono::Local
            .timestamp_opt(t, 0)
            .single()
            .map_or_else(|| "ambiguous".to_owned(), |d| d.offset().fix().local_minus_utc().to_string());
        println!("{t}: libc {c}; time {time_offset}; chrono {chrono_offset}");
    }
}

/// localtime_r's view (offset, DST flag, zone name, local hour) and mktime's round trip.
fn c_local(t: i64) -> String {
    let secs: libc::time_t = t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to a time_t and a tm.
    let r = unsafe { libc::localtime_r(&secs, &mut tm) };
    if r.is_null() {
        return "localtime_r failed".to_owned();
    }
    let zone = if tm.__tm_zone.is_null() {
        "(null)".to_owned()
    } else {
        // SAFETY: libc gave a NUL-terminated zone name.
        unsafe { CStr::from_ptr(tm.__tm_zone) }.to_string_lossy().into_owned()
    };
    let mut back = tm;
    // SAFETY: a valid tm.
    let round_trip = unsafe { libc::mktime(&mut back) } == secs;
    format!(
        "{} dst={} {zone} {:02}:00 mktime={round_trip}",
        tm.__tm_gmtoff, tm.tm_isdst, tm.tm_hour
    )
}
