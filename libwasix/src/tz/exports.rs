//! `__secs_to_zone` and `__tm_to_tzname` (musl's internal zone hooks, called by wasi-libc's
//! `localtime_r`, `mktime` and `strftime`) over the zone of the current `TZ`, loaded once per
//! `TZ` value and kept behind a spin lock (no_std: no OS mutex below libc).

use core::ffi::{c_char, c_int, c_long};

use super::posix::{Abbr, Local, PosixTz};
use super::tzif::Tzif;
use super::zone::{self, Source};
use crate::locked::Locked;

/// The biggest zoneinfo file read (the largest in tzdata 2025 is under 4 KiB).
const FILE_MAX: usize = 64 * 1024;
/// Interned abbreviations: `tm_zone` pointers must stay valid after the zone changes.
const NAMES: usize = 64;

enum Kind {
    Utc,
    Posix(PosixTz),
    File,
}

struct State {
    /// The `TZ` value the zone was loaded for (`loaded_unset` for no `TZ`).
    key: [u8; 256],
    key_len: usize,
    loaded: bool,
    loaded_unset: bool,
    kind: Kind,
    file: Tzif,
    buf: [u8; FILE_MAX],
    names: [[u8; 16]; NAMES],
    name_count: usize,
}

static SHARED: Locked<State> = Locked::new(State {
    key: [0; 256],
    key_len: 0,
    loaded: false,
    loaded_unset: false,
    kind: Kind::Utc,
    file: Tzif::empty(),
    buf: [0; FILE_MAX],
    names: [[0; 16]; NAMES],
    name_count: 0,
});

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    SHARED.with(f)
}

/// The current `TZ` (None: unset).
fn tz_env() -> Option<&'static [u8]> {
    // SAFETY: getenv returns NULL or a NUL-terminated string owned by the environment.
    let p = unsafe { libc::getenv(c"TZ".as_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: as above; the bytes live as long as the variable is not changed.
    Some(unsafe { core::ffi::CStr::from_ptr(p) }.to_bytes())
}

impl State {
    /// Loads the zone of the current `TZ` unless it is the one already loaded.
    fn refresh(&mut self) {
        let tz = tz_env();
        let same = self.loaded
            && match tz {
                None => self.loaded_unset,
                Some(v) => !self.loaded_unset && self.key[..self.key_len] == *v,
            };
        if same {
            return;
        }
        // Saved and put back: looking for a zone must not change the caller's errno.
        // SAFETY: the calling thread's errno slot.
        let saved = unsafe { *libc::__errno_location() };
        let mut path = [0u8; 256];
        self.kind = match zone::source(tz, &mut path) {
            Source::Utc => Kind::Utc,
            Source::Posix(z) => Kind::Posix(z),
            Source::File(p) => {
                if self.read_file(p) {
                    Kind::File
                } else {
                    Kind::Utc
                }
            }
        };
        // SAFETY: as above.
        unsafe { *libc::__errno_location() = saved };
        self.loaded_unset = tz.is_none();
        match tz {
            Some(v) if v.len() <= self.key.len() => {
                self.key[..v.len()].copy_from_slice(v);
                self.key_len = v.len();
                self.loaded = true;
            }
            // Too long to remember: loaded again on every call (correct, only slower).
            Some(_) => self.loaded = false,
            None => self.loaded = true,
        }
    }

    fn read_file(&mut self, path: &[u8]) -> bool {
        // SAFETY: `path` is NUL-terminated (zone::source).
        let fd = unsafe { libc::open(path.as_ptr().cast(), libc::O_RDONLY) };
        if fd < 0 {
            return false;
        }
        let mut len = 0;
        loop {
            let room = &mut self.buf[len..];
            if room.is_empty() {
                break;
            }
            // SAFETY: `room` is writable for its length.
            let n = unsafe { libc::read(fd, room.as_mut_ptr().cast(), room.len()) };
            if n <= 0 {
                break;
            }
            len += n as usize;
        }
        // SAFETY: `fd` was opened above.
        unsafe { libc::close(fd) };
        let data = &self.buf[..len];
        // Split borrow: parse from `buf` into `file`.
        let file = &mut self.file;
        file.parse_into(data)
    }

    fn at_utc(&self, t: i64) -> Local {
        match &self.kind {
            Kind::Utc => Local {
                offset: 0,
                is_dst: false,
                abbr: UTC,
            },
            Kind::Posix(z) => z.at_utc(t),
            Kind::File => self.file.at_utc(t),
        }
    }

    /// A NUL-terminated copy of `abbr` that stays valid for the life of the process.
    fn intern(&mut self, abbr: &Abbr) -> *const c_char {
        let want = &abbr.bytes;
        if let Some(i) = self.names[..self.name_count].iter().position(|n| n == want) {
            return self.names[i].as_ptr().cast();
        }
        if self.name_count == NAMES {
            return c"UTC".as_ptr();
        }
        self.names[self.name_count] = *want;
        self.name_count += 1;
        self.names[self.name_count - 1].as_ptr().cast()
    }
}

const UTC: Abbr = Abbr {
    bytes: *b"UTC\0\0\0\0\0\0\0\0\0\0\0\0\0",
    len: 3,
};

/// The zone name `gmtime_r` and `timegm` put in `tm_zone` (the replaced member defined it).
#[unsafe(no_mangle)]
pub static __utc: [c_char; 4] = [b'U' as c_char, b'T' as c_char, b'C' as c_char, 0];

/// musl's zone hook: the offset (seconds east), DST flag and name at `t`, where `t` is UTC
/// (`local == 0`, for localtime_r) or local wall-clock time (`mktime`); `oppoff` gets the
/// offset of the other kind (standard vs daylight) when asked for.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __secs_to_zone(
    t: i64,
    local: c_int,
    isdst: *mut c_int,
    offset: *mut c_long,
    oppoff: *mut c_long,
    zonename: *mut *const c_char,
) {
    with(|s| {
        s.refresh();
        let here = if local != 0 {
            zone::at_local(|u| s.at_utc(u), t)
        } else {
            s.at_utc(t)
        };
        let name = s.intern(&here.abbr);
        // SAFETY: libc passes valid pointers for these (oppoff may be NULL).
        unsafe {
            *isdst = c_int::from(here.is_dst);
            *offset = here.offset as c_long;
            *zonename = name;
            if !oppoff.is_null() {
                *oppoff = other_offset(s, t, &here) as c_long;
            }
        }
    });
}

/// The offset of the other kind of time (daylight if `here` is standard, and back) near `t`,
/// or `here`'s own when the zone has only one.
fn other_offset(s: &State, t: i64, here: &Local) -> i32 {
    match &s.kind {
        Kind::Posix(z) => match z.dst {
            Some(d) if !here.is_dst => d.offset,
            Some(_) => z.std_offset,
            None => here.offset,
        },
        Kind::File => {
            // The nearest type of the other kind within half a year either side.
            let half_year = 183 * 86400;
            [t - half_year, t + half_year]
                .iter()
                .map(|&u| s.at_utc(u))
                .find(|l| l.is_dst != here.is_dst)
                .map_or(here.offset, |l| l.offset)
        }
        Kind::Utc => 0,
    }
}

/// musl's `%Z` hook: the zone name a `struct tm` carries, or the current zone's name for its
/// `tm_isdst` when it carries none of ours.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tm_to_tzname(tm: *const libc::tm) -> *const c_char {
    with(|s| {
        // SAFETY: strftime passes the caller's valid `struct tm`.
        let (zone, isdst) = unsafe { ((*tm).__tm_zone, (*tm).tm_isdst) };
        let ours = zone == __utc.as_ptr()
            || s.names[..s.name_count]
                .iter()
                .any(|n| n.as_ptr().cast() == zone);
        if ours {
            return zone;
        }
        s.refresh();
        // A representative instant of that kind: now, or half a year from now.
        // SAFETY: time(NULL) only returns the clock.
        let now = i64::from(unsafe { libc::time(core::ptr::null_mut()) });
        let pick = [now, now + 183 * 86400]
            .iter()
            .map(|&u| s.at_utc(u))
            .find(|l| l.is_dst == (isdst > 0))
            .unwrap_or_else(|| s.at_utc(now));
        s.intern(&pick.abbr)
    })
}
