//! The fd table: fd numbers → [`FdEntry`], always handing out the *lowest* free number like
//! POSIX `open`/`dup`, with `dup`, `dup2`-style placement, `renumber`, `close` and `cloexec`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::abi::Errno;
use crate::fd::FdObject;
use crate::fd::rights::Rights;

/// The most open fds a table can ever allow (`--max-fds` may lower it per process).
pub const MAX_FDS: u32 = 1 << 16;

/// One fd: the shared open description plus per-fd state.
#[derive(Clone)]
pub struct FdEntry {
    pub obj: Arc<dyn FdObject>,
    /// Preview-1 base and inheriting rights (`fd::rights`); per fd, copied by `dup`.
    pub rights: Rights,
    /// Close on exec (`fdflagsext::CLOEXEC`); per fd, not shared by `dup`.
    pub cloexec: bool,
}

impl FdEntry {
    /// An entry with all rights and no cloexec (fds not opened by path).
    pub fn new(obj: Arc<dyn FdObject>) -> Self {
        Self::with_rights(obj, Rights::ALL)
    }

    /// An entry with the given rights and no cloexec.
    pub fn with_rights(obj: Arc<dyn FdObject>, rights: Rights) -> Self {
        FdEntry {
            obj,
            rights,
            cloexec: false,
        }
    }
}

impl std::fmt::Debug for FdEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FdEntry")
            .field("filetype", &self.obj.filetype())
            .field("rights", &self.rights)
            .field("cloexec", &self.cloexec)
            .finish()
    }
}

/// fd number → entry, with numbers below a limit (`RLIMIT_NOFILE`-like: `EMFILE` when no
/// number below it is free, `EBADF` for placing an fd at or above it).
#[derive(Debug)]
pub struct FdTable {
    entries: BTreeMap<u32, FdEntry>,
    limit: u32,
    /// An open was refused by the limit (reported when the process fails).
    limit_reached: bool,
}

impl Default for FdTable {
    fn default() -> Self {
        FdTable {
            entries: BTreeMap::new(),
            limit: MAX_FDS,
            limit_reached: false,
        }
    }
}

impl FdTable {
    /// An empty table allowing [`MAX_FDS`] fds.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty table allowing fd numbers `0..limit` (clamped to `1..=MAX_FDS`).
    pub fn with_limit(limit: u32) -> Self {
        let mut t = Self::default();
        t.set_limit(limit);
        t
    }

    /// Changes the limit (fds already open above it stay open).
    pub fn set_limit(&mut self, limit: u32) {
        self.limit = limit.clamp(1, MAX_FDS);
    }

    /// Whether an open was refused with EMFILE because of the limit.
    pub fn limit_reached(&self) -> bool {
        self.limit_reached
    }

    /// Inserts at the lowest free number.
    pub fn insert(&mut self, entry: FdEntry) -> Result<u32, Errno> {
        self.insert_at_least(0, entry)
    }

    /// Inserts at the lowest free number `>= min` (`F_DUPFD`).
    pub fn insert_at_least(&mut self, min: u32, entry: FdEntry) -> Result<u32, Errno> {
        let mut fd = min;
        for &used in self.entries.range(min..).map(|(k, _)| k) {
            if used != fd {
                break;
            }
            fd += 1;
        }
        if fd >= self.limit {
            self.limit_reached = true;
            return Err(Errno::Mfile);
        }
        self.entries.insert(fd, entry);
        Ok(fd)
    }

    /// Places `entry` at `fd`, returning what was there (closing it is the caller's business).
    pub fn set(&mut self, fd: u32, entry: FdEntry) -> Result<Option<FdEntry>, Errno> {
        if fd >= self.limit {
            return Err(Errno::Badf);
        }
        Ok(self.entries.insert(fd, entry))
    }

    pub fn get(&self, fd: u32) -> Result<&FdEntry, Errno> {
        self.entries.get(&fd).ok_or(Errno::Badf)
    }

    pub fn get_mut(&mut self, fd: u32) -> Result<&mut FdEntry, Errno> {
        self.entries.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// The open description behind `fd`, to use after dropping the table lock.
    pub fn obj(&self, fd: u32) -> Result<Arc<dyn FdObject>, Errno> {
        self.get(fd).map(|e| e.obj.clone())
    }

    /// Removes `fd`. The description closes when its last `Arc` goes.
    pub fn close(&mut self, fd: u32) -> Result<FdEntry, Errno> {
        self.entries.remove(&fd).ok_or(Errno::Badf)
    }

    /// `dup`: same description at the lowest free number, cloexec cleared.
    pub fn dup(&mut self, fd: u32) -> Result<u32, Errno> {
        self.dup_at_least(fd, 0, false)
    }

    /// `fcntl(F_DUPFD[_CLOEXEC])`: same description at the lowest free number `>= min`.
    pub fn dup_at_least(&mut self, fd: u32, min: u32, cloexec: bool) -> Result<u32, Errno> {
        let mut entry = self.get(fd)?.clone();
        entry.cloexec = cloexec;
        self.insert_at_least(min, entry)
    }

    /// `fd_renumber(from, to)`: moves `from` onto `to` (closing what `to` held), like `dup2`
    /// followed by `close(from)`. `from == to` only checks that it is open.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<Option<FdEntry>, Errno> {
        self.get(from)?;
        if from == to {
            return Ok(None);
        }
        if to >= self.limit {
            return Err(Errno::Badf);
        }
        let entry = self.entries.remove(&from).ok_or(Errno::Badf)?;
        Ok(self.entries.insert(to, entry))
    }

    /// Preview 1's `fd_renumber(from, to)`: like [`FdTable::renumber`], but `to` must be open
    /// (preview 1 renumbers onto an existing fd, never to an arbitrary number).
    pub fn renumber_onto_open(&mut self, from: u32, to: u32) -> Result<Option<FdEntry>, Errno> {
        self.get(from)?;
        self.get(to)?;
        self.renumber(from, to)
    }

    /// Open fd numbers in order.
    pub fn fds(&self) -> impl Iterator<Item = (u32, &FdEntry)> {
        self.entries.iter().map(|(k, v)| (*k, v))
    }

    /// Number of open fds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::types::Filetype;
    use std::any::Any;

    struct Dummy(u32);
    impl FdObject for Dummy {
        fn filetype(&self) -> Filetype {
            Filetype::Unknown
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    fn entry(id: u32) -> FdEntry {
        FdEntry::new(Arc::new(Dummy(id)))
    }

    fn id(t: &FdTable, fd: u32) -> u32 {
        t.get(fd).unwrap().obj.downcast_ref::<Dummy>().unwrap().0
    }

    #[test]
    fn lowest_free_number() {
        let mut t = FdTable::new();
        for i in 0..5 {
            assert_eq!(t.insert(entry(i)).unwrap(), i);
        }
        t.close(1).unwrap();
        t.close(3).unwrap();
        assert_eq!(t.insert(entry(10)).unwrap(), 1);
        assert_eq!(t.insert(entry(11)).unwrap(), 3);
        assert_eq!(t.insert(entry(12)).unwrap(), 5);
        assert_eq!(t.insert_at_least(2, entry(13)).unwrap(), 6);
        assert_eq!(t.insert_at_least(100, entry(14)).unwrap(), 100);
        assert_eq!(
            t.insert_at_least(MAX_FDS, entry(15)).unwrap_err(),
            Errno::Mfile
        );
    }

    #[test]
    fn the_limit_bounds_fd_numbers() {
        let mut t = FdTable::with_limit(3);
        for i in 0..3 {
            assert_eq!(t.insert(entry(i)).unwrap(), i);
        }
        assert!(!t.limit_reached());
        assert_eq!(t.insert(entry(3)).unwrap_err(), Errno::Mfile);
        assert_eq!(t.dup(0).unwrap_err(), Errno::Mfile);
        assert!(t.limit_reached());
        assert_eq!(t.set(3, entry(4)).unwrap_err(), Errno::Badf);
        assert_eq!(t.renumber(0, 5).unwrap_err(), Errno::Badf);
        t.close(1).unwrap();
        assert_eq!(t.insert(entry(5)).unwrap(), 1);
        // Lowering the limit keeps what is open; raising it past MAX_FDS is clamped.
        t.set_limit(1);
        assert_eq!(id(&t, 2), 2);
        assert_eq!(t.insert(entry(6)).unwrap_err(), Errno::Mfile);
        t.set_limit(u32::MAX);
        assert_eq!(
            t.insert_at_least(MAX_FDS - 1, entry(7)).unwrap(),
            MAX_FDS - 1
        );
    }

    #[test]
    fn dup_shares_description_and_clears_cloexec() {
        let mut t = FdTable::new();
        let a = t.insert(entry(7)).unwrap();
        t.get_mut(a).unwrap().cloexec = true;
        let b = t.dup(a).unwrap();
        assert_eq!(b, 1);
        assert!(Arc::ptr_eq(&t.get(a).unwrap().obj, &t.get(b).unwrap().obj));
        assert!(!t.get(b).unwrap().cloexec);
        let c = t.dup_at_least(a, 10, true).unwrap();
        assert_eq!(c, 10);
        assert!(t.get(c).unwrap().cloexec);
        assert_eq!(t.dup(42).unwrap_err(), Errno::Badf);
    }

    #[test]
    fn renumber_and_close() {
        let mut t = FdTable::new();
        for i in 0..3 {
            t.insert(entry(i)).unwrap();
        }
        let old = t.renumber(0, 2).unwrap();
        assert_eq!(
            old.map(|e| e.obj.downcast_ref::<Dummy>().unwrap().0),
            Some(2)
        );
        assert_eq!(id(&t, 2), 0);
        assert_eq!(t.get(0).unwrap_err(), Errno::Badf);
        assert!(t.renumber(1, 1).unwrap().is_none());
        assert_eq!(t.renumber(9, 1).unwrap_err(), Errno::Badf);
        assert!(t.renumber(1, 20).unwrap().is_none());
        assert_eq!(id(&t, 20), 1);
        assert_eq!(t.close(20).map(|_| ()), Ok(()));
        assert_eq!(t.close(20).map(|_| ()), Err(Errno::Badf));
        assert_eq!(t.fds().map(|(fd, _)| fd).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn renumber_onto_open_needs_both_fds() {
        let mut t = FdTable::new();
        for i in 0..3 {
            t.insert(entry(i)).unwrap();
        }
        // (from, to, result); each case runs on a fresh copy of fds 0..=2.
        let cases = [
            (0, 2, Ok(Some(2))),
            (1, 1, Ok(None)),
            (0, 7, Err(Errno::Badf)),
            (7, 0, Err(Errno::Badf)),
            (0, MAX_FDS, Err(Errno::Badf)),
        ];
        for (from, to, want) in cases {
            let mut t2 = FdTable::new();
            for i in 0..3 {
                t2.insert(entry(i)).unwrap();
            }
            let got = t2
                .renumber_onto_open(from, to)
                .map(|old| old.map(|e| e.obj.downcast_ref::<Dummy>().unwrap().0));
            assert_eq!(got, want, "renumber_onto_open({from}, {to})");
            if want.is_err() {
                assert_eq!(t2.len(), 3, "a refused renumber changes nothing");
            }
        }
        assert_eq!(t.renumber_onto_open(0, 2).map(|_| ()), Ok(()));
        assert_eq!(id(&t, 2), 0);
    }
}
