//! `sysconf` answers: the few names std and common crates ask, from WASIX facts.

use crate::abi::Errno;

/// The `_SC_*` numbers (the libc crate's wasi values; checked against it on wasm64).
pub mod name {
    pub const CLK_TCK: i32 = 2;
    pub const OPEN_MAX: i32 = 4;
    pub const PAGESIZE: i32 = 30;
    pub const IOV_MAX: i32 = 60;
    pub const NPROCESSORS_CONF: i32 = 83;
    pub const NPROCESSORS_ONLN: i32 = 84;
}

/// WebAssembly's page: the unit of `memory.grow`, what `mmap` rounds to.
pub const PAGE_SIZE: i64 = 65536;

/// The value of `sysconf(name)`; `parallelism` is the host's `thread_parallelism` answer.
/// Unknown names are `EINVAL`, as POSIX says.
pub fn value(name: i32, parallelism: impl FnOnce() -> Result<usize, Errno>) -> Result<i64, Errno> {
    Ok(match name {
        name::PAGESIZE => PAGE_SIZE,
        name::CLK_TCK => 100,
        // The runtime's default `--max-fds`; a lower limit shows as EMFILE, not here.
        name::OPEN_MAX => 1024,
        name::IOV_MAX => 1024,
        name::NPROCESSORS_CONF | name::NPROCESSORS_ONLN => {
            i64::try_from(parallelism()?.max(1)).unwrap_or(i64::MAX)
        }
        _ => return Err(Errno::INVAL),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        let four = || Ok(4);
        let cases = [
            (name::PAGESIZE, Ok(65536)),
            (name::CLK_TCK, Ok(100)),
            (name::OPEN_MAX, Ok(1024)),
            (name::IOV_MAX, Ok(1024)),
            (name::NPROCESSORS_ONLN, Ok(4)),
            (name::NPROCESSORS_CONF, Ok(4)),
            (0, Err(Errno::INVAL)),
            (-1, Err(Errno::INVAL)),
        ];
        for (n, want) in cases {
            assert_eq!(value(n, four), want, "name {n}");
        }
        assert_eq!(
            value(name::NPROCESSORS_ONLN, || Ok(0)),
            Ok(1),
            "never 0 cpus"
        );
        assert_eq!(
            value(name::NPROCESSORS_ONLN, || Err(Errno::NOSYS)),
            Err(Errno::NOSYS)
        );
        assert_eq!(value(name::PAGESIZE, || panic!("not asked")), Ok(65536));
    }
}
