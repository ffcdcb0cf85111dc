//! `pthread_key_*`: which keys exist and their destructors (process-wide), and the destructor
//! rounds run over one thread's values when it ends (POSIX: up to
//! `PTHREAD_DESTRUCTOR_ITERATIONS` rounds while values keep being set). Pure, host-tested.

use core::ffi::c_void;

/// How many keys a process can have (musl's `PTHREAD_KEYS_MAX`).
pub const KEYS_MAX: usize = 128;
/// POSIX's minimum number of destructor rounds.
pub const DESTRUCTOR_ROUNDS: usize = 4;

pub type Destructor = unsafe extern "C" fn(*mut c_void);

/// The process's keys: in use or not, and each one's destructor.
pub struct KeyTable {
    used: [bool; KEYS_MAX],
    dtors: [Option<Destructor>; KEYS_MAX],
}

impl KeyTable {
    pub const fn new() -> Self {
        KeyTable {
            used: [false; KEYS_MAX],
            dtors: [None; KEYS_MAX],
        }
    }

    /// A free key (the lowest), or `None` when all are taken (`EAGAIN`).
    pub fn create(&mut self, dtor: Option<Destructor>) -> Option<usize> {
        let k = self.used.iter().position(|&u| !u)?;
        self.used[k] = true;
        self.dtors[k] = dtor;
        Some(k)
    }

    /// Frees `key`; `false` for a key that is not in use (`EINVAL`).
    pub fn delete(&mut self, key: usize) -> bool {
        match self.used.get_mut(key) {
            Some(u @ true) => {
                *u = false;
                self.dtors[key] = None;
                true
            }
            _ => false,
        }
    }

    pub fn in_use(&self, key: usize) -> bool {
        self.used.get(key).copied().unwrap_or(false)
    }

    /// One destructor round over a thread's `values`: each non-null value of a key with a
    /// destructor is cleared and handed to `call` (which runs the destructor, outside any lock).
    /// Returns whether anything ran; callers repeat up to [`DESTRUCTOR_ROUNDS`] times.
    pub fn round(
        &self,
        values: &mut [*mut c_void; KEYS_MAX],
        mut call: impl FnMut(Destructor, *mut c_void),
    ) -> bool {
        let mut ran = false;
        let live = self.used.iter().zip(&self.dtors).zip(values.iter_mut());
        for ((&used, &dtor), value) in live {
            if let (true, Some(dtor)) = (used, dtor) {
                let v = core::mem::take(value);
                if !v.is_null() {
                    call(dtor, v);
                    ran = true;
                }
            }
        }
        ran
    }
}

impl Default for KeyTable {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    unsafe extern "C" fn noop(_: *mut c_void) {}

    #[test]
    fn keys_are_reused_lowest_first_and_run_out() {
        let mut t = KeyTable::new();
        assert_eq!(t.create(None), Some(0));
        assert_eq!(t.create(Some(noop)), Some(1));
        assert!(t.delete(0) && !t.delete(0) && !t.delete(KEYS_MAX) && !t.delete(usize::MAX));
        assert_eq!(t.create(None), Some(0));
        for k in 2..KEYS_MAX {
            assert_eq!(t.create(None), Some(k));
        }
        assert_eq!(t.create(None), None, "all taken");
        assert!(t.in_use(KEYS_MAX - 1) && !t.in_use(KEYS_MAX));
    }

    #[test]
    fn rounds_clear_values_and_call_only_destructors_of_live_keys() {
        let mut t = KeyTable::new();
        let with = t.create(Some(noop)).unwrap();
        let without = t.create(None).unwrap();
        let deleted = t.create(Some(noop)).unwrap();
        assert!(t.delete(deleted));
        let mut values = [core::ptr::null_mut(); KEYS_MAX];
        let mut slots = [0u8; 3];
        let [a, b, c] = [0, 1, 2].map(|i| (&raw mut slots[i]).cast::<c_void>());
        values[with] = a;
        values[without] = b;
        values[deleted] = c;
        let called = RefCell::new(Vec::new());
        assert!(t.round(&mut values, |_, v| called.borrow_mut().push(v)));
        assert_eq!(*called.borrow(), [a]);
        assert!(values[with].is_null(), "cleared before the call");
        assert_eq!(
            (values[without], values[deleted]),
            (b, c),
            "no destructor: left alone"
        );
        assert!(!t.round(&mut values, |_, _| panic!("nothing left")));
    }
}
