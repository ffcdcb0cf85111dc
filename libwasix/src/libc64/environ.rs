//! The environment for C `environ`/`getenv`: the block `environ_get` fills (NUL-terminated
//! `NAME=value` strings back to back) turned into a pointer table, and lookups in it.

use core::ffi::c_char;

use crate::abi::Errno;

/// Points `table[i]` at the `i`-th string of `block` and ends the table with a null.
///
/// `table` has room for `count + 1` pointers. A block that does not hold `count`
/// NUL-terminated strings (a host bug) is refused rather than read past.
pub fn index_block(block: &mut [u8], count: usize, table: &mut [*mut c_char]) -> Result<(), Errno> {
    if table.len() != count + 1 {
        return Err(Errno::INVAL);
    }
    let base = block.as_mut_ptr();
    let mut start = 0;
    for slot in &mut table[..count] {
        let len = block[start..]
            .iter()
            .position(|&b| b == 0)
            .ok_or(Errno::INVAL)?;
        // SAFETY: `start` is inside `block`.
        *slot = unsafe { base.add(start) }.cast();
        start += len + 1;
    }
    table[count] = core::ptr::null_mut();
    Ok(())
}

/// The index of the first `name=...` entry of a null-terminated table of `NAME=value`
/// strings. Names containing `=` and empty names match nothing, as POSIX says.
///
/// # Safety
/// `table` is null or null-terminated, and its strings are NUL-terminated.
pub unsafe fn find(table: *const *mut c_char, name: &[u8]) -> Option<usize> {
    if name.is_empty() || name.contains(&b'=') || table.is_null() {
        return None;
    }
    (0..)
        // SAFETY: the walk stops at the null terminator.
        .map(|i| (i, unsafe { *table.add(i) }))
        .take_while(|(_, entry)| !entry.is_null())
        // SAFETY: compares at most `name.len() + 1` bytes, stopping at the entry's NUL.
        .find(|&(_, entry)| unsafe { entry_names(entry.cast(), name) })
        .map(|(i, _)| i)
}

/// The value of `name` (`getenv`): a pointer just past the first matching entry's `=`, or
/// null; see [`find`].
///
/// # Safety
/// As [`find`].
pub unsafe fn lookup(table: *const *mut c_char, name: &[u8]) -> *mut c_char {
    // SAFETY: the caller's contract; a found entry is longer than `name`.
    match unsafe { find(table, name) } {
        Some(i) => unsafe { (*table.add(i)).add(name.len() + 1) },
        None => core::ptr::null_mut(),
    }
}

/// Whether the NUL-terminated `entry` is `name=...`.
///
/// # Safety
/// `entry` is NUL-terminated.
unsafe fn entry_names(entry: *const u8, name: &[u8]) -> bool {
    for (i, &want) in name.iter().enumerate() {
        // SAFETY: a mismatch (including the NUL) stops the walk.
        if unsafe { *entry.add(i) } != want {
            return false;
        }
    }
    (unsafe { *entry.add(name.len()) }) == b'='
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn table_of(block: &mut [u8], count: usize) -> Result<Vec<*mut c_char>, Errno> {
        let mut table = vec![core::ptr::dangling_mut(); count + 1];
        index_block(block, count, &mut table).map(|()| table)
    }

    fn strings(table: &[*mut c_char]) -> Vec<String> {
        let live = &table[..table.len() - 1];
        live.iter()
            .map(|&p| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn blocks_become_tables() {
        let mut block = b"A=1\0PATH=/bin:/usr/bin\0EMPTY=\0".to_vec();
        let table = table_of(&mut block, 3).unwrap();
        assert_eq!(strings(&table), ["A=1", "PATH=/bin:/usr/bin", "EMPTY="]);
        assert!(table[3].is_null());
        let mut none = Vec::new();
        assert_eq!(table_of(&mut none, 0).unwrap(), [core::ptr::null_mut()]);
    }

    #[test]
    fn short_blocks_are_refused() {
        for (block, count) in [(&b"A=1"[..], 1), (b"A=1\0", 2), (b"", 1)] {
            assert_eq!(
                table_of(&mut block.to_vec(), count),
                Err(Errno::INVAL),
                "{block:?}"
            );
        }
        let mut table = [core::ptr::null_mut(); 1];
        assert_eq!(
            index_block(&mut b"A=1\0".to_vec(), 1, &mut table),
            Err(Errno::INVAL)
        );
    }

    #[test]
    fn lookups() {
        let mut block = b"A=1\0AB=2\0PATH=/bin\0EMPTY=\0A=shadowed\0".to_vec();
        let table = table_of(&mut block, 5).unwrap();
        let get = |name: &str| {
            let p = unsafe { lookup(table.as_ptr(), name.as_bytes()) };
            (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
        };
        let cases = [
            ("A", Some("1")),
            ("AB", Some("2")),
            ("PATH", Some("/bin")),
            ("EMPTY", Some("")),
            ("PAT", None),
            ("PATH=", None),
            ("A=1", None),
            ("", None),
            ("MISSING", None),
        ];
        for (name, want) in cases {
            assert_eq!(get(name).as_deref(), want, "{name:?}");
        }
        assert!(unsafe { lookup(core::ptr::null(), b"A") }.is_null());
        assert_eq!(
            unsafe { find(table.as_ptr(), b"A") },
            Some(0),
            "the first of two wins"
        );
        assert_eq!(unsafe { find(table.as_ptr(), b"EMPTY") }, Some(3));
    }
}
