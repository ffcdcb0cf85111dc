//! `proc_spawn2`'s file actions: decoding `proc_spawn_fd_op` records (pure) and applying them,
//! in order, to the child's fd table and working directory, as `posix_spawn` does.
//!
//! Record layout (wasm32, 56 bytes, align 8): cmd u8 @0, fd u32 @4, src_fd u32 @8, path ptr
//! @12, path_len @16, dirflags u32 @20, oflags u16 @24, fs_rights_base u64 @32,
//! fs_rights_inheriting u64 @40, fdflags u16 @48, fdflagsext u16 @50. Under wasm64 the two
//! pointer-sized fields grow to 8 bytes and everything after them moves (64 bytes).

use crate::abi::Errno;
use crate::abi::types::{fdflagsext, lookupflags};
use crate::fd::{FdEntry, FdTable, Rights};
use crate::fs::ops::{self, OpenRequest};
use crate::fs::{GuestPath, Vfs};

/// `proc_spawn_fd_op_name`.
const OP_CLOSE: u8 = 0;
const OP_DUP2: u8 = 1;
const OP_OPEN: u8 = 2;
const OP_CHDIR: u8 = 3;
const OP_FCHDIR: u8 = 4;

/// Field offsets of one record for a pointer width.
struct Layout {
    size: usize,
    path: usize,
    path_len: usize,
    dirflags: usize,
    oflags: usize,
    rights: usize,
    inheriting: usize,
    fdflags: usize,
    fdflagsext: usize,
    ptr_bytes: usize,
}

const WASM32: Layout = Layout {
    size: 56,
    path: 12,
    path_len: 16,
    dirflags: 20,
    oflags: 24,
    rights: 32,
    inheriting: 40,
    fdflags: 48,
    fdflagsext: 50,
    ptr_bytes: 4,
};

const WASM64: Layout = Layout {
    size: 64,
    path: 16,
    path_len: 24,
    dirflags: 32,
    oflags: 36,
    rights: 40,
    inheriting: 48,
    fdflags: 56,
    fdflagsext: 58,
    ptr_bytes: 8,
};

fn layout(wide: bool) -> &'static Layout {
    if wide { &WASM64 } else { &WASM32 }
}

/// Size of one record for the pointer width.
pub fn record_size(wide: bool) -> usize {
    layout(wide).size
}

/// A decoded file action; paths are still guest (pointer, length) pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FdOp<P> {
    Close {
        fd: u32,
    },
    /// `dup2(src, fd)`.
    Dup2 {
        src: u32,
        fd: u32,
    },
    Open {
        fd: u32,
        path: P,
        open: OpenSpec,
    },
    Chdir {
        path: P,
    },
    Fchdir {
        fd: u32,
    },
}

/// What an OPEN action asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenSpec {
    pub follow: bool,
    pub oflags: u16,
    pub rights: Rights,
    pub fdflags: u16,
    pub cloexec: bool,
}

/// A guest string: address and length.
pub type GuestStr = (u64, u64);

/// Decodes one record (`rec` is exactly [`record_size`] bytes).
pub fn decode(rec: &[u8], wide: bool) -> Result<FdOp<GuestStr>, Errno> {
    let l = layout(wide);
    if rec.len() != l.size {
        return Err(Errno::Inval);
    }
    let u16_at = |at: usize| u16::from_le_bytes([rec[at], rec[at + 1]]);
    let u32_at = |at: usize| u32::from_le_bytes([rec[at], rec[at + 1], rec[at + 2], rec[at + 3]]);
    let u64_at = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&rec[at..at + 8]);
        u64::from_le_bytes(b)
    };
    let ptr_at = |at: usize| {
        if l.ptr_bytes == 8 {
            u64_at(at)
        } else {
            u64::from(u32_at(at))
        }
    };
    let fd = u32_at(4);
    let path = (ptr_at(l.path), ptr_at(l.path_len));
    Ok(match rec[0] {
        OP_CLOSE => FdOp::Close { fd },
        OP_DUP2 => FdOp::Dup2 { src: u32_at(8), fd },
        OP_OPEN => FdOp::Open {
            fd,
            path,
            open: OpenSpec {
                follow: u32_at(l.dirflags) & lookupflags::SYMLINK_FOLLOW != 0,
                oflags: u16_at(l.oflags),
                rights: Rights {
                    base: u64_at(l.rights),
                    inheriting: u64_at(l.inheriting),
                },
                fdflags: u16_at(l.fdflags),
                cloexec: u16_at(l.fdflagsext) & fdflagsext::CLOEXEC != 0,
            },
        },
        OP_CHDIR => FdOp::Chdir { path },
        OP_FCHDIR => FdOp::Fchdir { fd },
        _ => return Err(Errno::Inval),
    })
}

/// Applies one action to the child's fd table and cwd (an absolute guest path).
///
/// Like `posix_spawn`: `dup2(fd, fd)` only clears close-on-exec; closing an fd that is not
/// open is not an error; OPEN and CHDIR paths are relative to the child's cwd at that point.
pub fn apply(
    op: &FdOp<String>,
    fds: &mut FdTable,
    cwd: &mut GuestPath,
    vfs: &Vfs,
) -> Result<(), Errno> {
    match op {
        FdOp::Close { fd } => {
            let _ = fds.close(*fd);
        }
        FdOp::Dup2 { src, fd } => {
            let mut entry = fds.get(*src)?.clone();
            entry.cloexec = false;
            fds.set(*fd, entry)?;
        }
        FdOp::Open { fd, path, open } => {
            let req = OpenRequest {
                follow: open.follow,
                oflags: open.oflags,
                rights: open.rights.base,
                fdflags: open.fdflags,
            };
            let obj = ops::open(vfs, cwd, path, req)?;
            let mut entry = FdEntry::with_rights(obj, open.rights);
            entry.cloexec = open.cloexec;
            fds.set(*fd, entry)?;
        }
        FdOp::Chdir { path } => *cwd = ops::directory_path(vfs, cwd, path)?,
        FdOp::Fchdir { fd } => *cwd = ops::base_of(&fds.obj(*fd)?)?,
    }
    Ok(())
}

/// Drops every close-on-exec fd: what `exec` does after the file actions ran.
pub fn close_on_exec(fds: &mut FdTable) {
    let doomed: Vec<u32> = fds
        .fds()
        .filter(|(_, e)| e.cloexec)
        .map(|(fd, _)| fd)
        .collect();
    for fd in doomed {
        let _ = fds.close(fd);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec32(cmd: u8, fd: u32, src: u32, path: (u32, u32)) -> Vec<u8> {
        let mut r = vec![0u8; 56];
        r[0] = cmd;
        r[4..8].copy_from_slice(&fd.to_le_bytes());
        r[8..12].copy_from_slice(&src.to_le_bytes());
        r[12..16].copy_from_slice(&path.0.to_le_bytes());
        r[16..20].copy_from_slice(&path.1.to_le_bytes());
        r
    }

    #[test]
    fn decode_table() {
        let mut open = rec32(OP_OPEN, 4, 0, (0x100, 7));
        open[20..24].copy_from_slice(&1u32.to_le_bytes());
        open[24..26].copy_from_slice(&9u16.to_le_bytes()); // CREAT | TRUNC
        open[32..40].copy_from_slice(&0x42u64.to_le_bytes());
        open[40..48].copy_from_slice(&0x7u64.to_le_bytes());
        open[48..50].copy_from_slice(&1u16.to_le_bytes());
        open[50..52].copy_from_slice(&1u16.to_le_bytes());
        type Case = (Vec<u8>, Result<FdOp<GuestStr>, Errno>);
        let cases: Vec<Case> = vec![
            (rec32(OP_CLOSE, 5, 0, (0, 0)), Ok(FdOp::Close { fd: 5 })),
            (
                rec32(OP_DUP2, 1, 6, (0, 0)),
                Ok(FdOp::Dup2 { src: 6, fd: 1 }),
            ),
            (
                open,
                Ok(FdOp::Open {
                    fd: 4,
                    path: (0x100, 7),
                    open: OpenSpec {
                        follow: true,
                        oflags: 9,
                        rights: Rights {
                            base: 0x42,
                            inheriting: 7,
                        },
                        fdflags: 1,
                        cloexec: true,
                    },
                }),
            ),
            (
                rec32(OP_CHDIR, 0, 0, (0x200, 3)),
                Ok(FdOp::Chdir { path: (0x200, 3) }),
            ),
            (rec32(OP_FCHDIR, 3, 0, (0, 0)), Ok(FdOp::Fchdir { fd: 3 })),
            (rec32(9, 0, 0, (0, 0)), Err(Errno::Inval)),
            (vec![0u8; 55], Err(Errno::Inval)),
        ];
        for (rec, want) in cases {
            assert_eq!(decode(&rec, false), want, "{rec:?}");
        }
    }

    #[test]
    fn decode_wide_layout() {
        let mut r = vec![0u8; 64];
        r[0] = OP_CHDIR;
        r[16..24].copy_from_slice(&0x1_0000_0000u64.to_le_bytes());
        r[24..32].copy_from_slice(&5u64.to_le_bytes());
        assert_eq!(
            decode(&r, true),
            Ok(FdOp::Chdir {
                path: (0x1_0000_0000, 5)
            })
        );
        assert_eq!(record_size(true), 64);
        assert_eq!(record_size(false), 56);
    }

    struct Dummy(u32);
    impl crate::fd::FdObject for Dummy {
        fn filetype(&self) -> crate::abi::types::Filetype {
            crate::abi::types::Filetype::Unknown
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    fn id(t: &FdTable, fd: u32) -> Option<u32> {
        t.obj(fd)
            .ok()
            .and_then(|o| o.downcast_ref::<Dummy>().map(|d| d.0))
    }

    #[test]
    fn apply_dup2_close_and_cloexec() {
        let vfs = Vfs::default();
        let mut cwd = GuestPath::root();
        let mut t = FdTable::new();
        for i in 0..3 {
            t.insert(FdEntry::new(std::sync::Arc::new(Dummy(i))))
                .unwrap();
        }
        let mut piped = FdEntry::new(std::sync::Arc::new(Dummy(10)));
        piped.cloexec = true;
        let p = t.insert(piped.clone()).unwrap();
        let q = t.insert(piped).unwrap();
        let ops = [
            FdOp::Dup2 { src: p, fd: 1 },
            FdOp::Close { fd: 2 },
            FdOp::Close { fd: 77 }, // not open: ignored
            FdOp::Dup2 { src: q, fd: q },
        ];
        for op in &ops {
            apply(op, &mut t, &mut cwd, &vfs).unwrap();
        }
        assert_eq!(
            apply(&FdOp::Dup2 { src: 50, fd: 1 }, &mut t, &mut cwd, &vfs),
            Err(Errno::Badf)
        );
        close_on_exec(&mut t);
        assert_eq!(id(&t, 0), Some(0));
        assert_eq!(id(&t, 1), Some(10));
        assert_eq!(id(&t, 2), None);
        assert_eq!(id(&t, p), None, "cloexec pipe end closed");
        assert_eq!(id(&t, q), Some(10), "dup2(fd, fd) cleared cloexec");
    }
}
