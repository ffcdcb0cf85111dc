//! Local time zones for `localtime_r`, `localtime`, `mktime` and `strftime`'s `%Z`/`%z`
//! (issue 18): wasi-libc's `__secs_to_zone`/`__tm_to_tzname` (member `__tz.c.obj`, which also
//! defines `__utc` for `gmtime_r`) always answer UTC, so libwasix replaces that member with the
//! zone the guest was given:
//!
//! - `TZ` set: a POSIX TZ string (`CET-1CEST,M3.5.0,M10.5.0/3`), or a zoneinfo name
//!   (`Europe/Paris`, `:Europe/Paris`, read from `/usr/share/zoneinfo/`, or an absolute path);
//! - `TZ` unset: `/etc/localtime` if the guest has one, as on Linux;
//! - otherwise UTC. The runtime passes no host variable and mounts no host directory unless
//!   asked, so no host zone reaches a guest that was not given one.
//!
//! `civil`, `posix`, `tzif` and `zone` are pure (unit-tested on the host); the exports and
//! the one cached zone are in `exports` (wasm32 only).

pub mod civil;
#[cfg(target_family = "wasm")]
mod exports;
pub mod posix;
pub mod tzif;
pub mod zone;
