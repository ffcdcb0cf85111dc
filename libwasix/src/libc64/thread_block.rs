//! The one allocation behind a libc64 thread: the `thread_start` record the host reads, the
//! thread's control block, its TLS block and its stack, laid out in that order (the stack grows
//! down from the end). Pure arithmetic, host-tested.

/// The WASIX `thread_start` record on wasm64: 16 pointer-sized fields (`reference/wasix-abi.md`
/// §3): stack top @0, tls_base @8, start_funct @16, start_args @24, reserved @32..112,
/// stack_size @112, guard_size @120.
pub const RECORD_SIZE: usize = 16 * 8;

/// Offsets into one thread's block and how to allocate it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockLayout {
    /// Bytes to allocate, at `align`.
    pub size: usize,
    pub align: usize,
    /// The control block, after the record.
    pub control: usize,
    /// The TLS block (`__wasm_init_tls`'s argument).
    pub tls: usize,
    /// The stack's top (the initial `__stack_pointer`), 16-aligned; the stack is the
    /// `stack_size` bytes below it.
    pub stack_top: usize,
}

/// The stack alignment the wasm C ABI keeps.
const STACK_ALIGN: usize = 16;

fn align_up(v: usize, to: usize) -> Option<usize> {
    Some(v.checked_add(to - 1)? & !(to - 1))
}

/// The layout for a stack of `stack_size` bytes, a TLS block of `tls_size` bytes at
/// `tls_align`, and a control block of `control_size` bytes at `control_align`; `None` on
/// overflow or an alignment that is not a power of two.
pub fn layout(
    stack_size: usize,
    (tls_size, tls_align): (usize, usize),
    (control_size, control_align): (usize, usize),
) -> Option<BlockLayout> {
    if !tls_align.is_power_of_two() || !control_align.is_power_of_two() {
        return None;
    }
    let align = tls_align.max(control_align).max(STACK_ALIGN).max(8);
    let control = align_up(RECORD_SIZE, control_align)?;
    let tls = align_up(control.checked_add(control_size)?, tls_align)?;
    let stack_bottom = align_up(tls.checked_add(tls_size)?, STACK_ALIGN)?;
    let stack_top = align_up(stack_bottom.checked_add(stack_size)?, STACK_ALIGN)?;
    (stack_top <= isize::MAX as usize).then_some(BlockLayout {
        size: stack_top,
        align,
        control,
        tls,
        stack_top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_each_other_aligned() {
        let cases = [
            // stack, tls, control
            (1 << 20, (64, 16), (48, 8)),
            (65536, (0, 1), (48, 8)),
            (100, (24, 128), (48, 8)),
            (4096, (4096, 4096), (56, 16)),
        ];
        for (stack, (ts, ta), (cs, ca)) in cases {
            let l = layout(stack, (ts, ta), (cs, ca)).unwrap();
            assert!(
                l.control >= RECORD_SIZE && l.control.is_multiple_of(ca),
                "{l:?}"
            );
            assert!(l.tls >= l.control + cs && l.tls.is_multiple_of(ta), "{l:?}");
            assert!(l.stack_top >= l.tls + ts + stack, "{l:?}");
            assert!(
                l.stack_top.is_multiple_of(16) && l.size == l.stack_top,
                "{l:?}"
            );
            assert!(
                l.align >= ta && l.align >= 16 && l.align.is_power_of_two(),
                "{l:?}"
            );
        }
    }

    #[test]
    fn exact_offsets_for_the_common_case() {
        let l = layout(1 << 20, (64, 16), (48, 8)).unwrap();
        assert_eq!(
            l,
            BlockLayout {
                size: 128 + 48 + 64 + (1 << 20),
                align: 16,
                control: 128,
                tls: 176,
                stack_top: 240 + (1 << 20)
            }
        );
    }

    #[test]
    fn impossible_requests() {
        assert_eq!(layout(usize::MAX, (64, 16), (48, 8)), None);
        assert_eq!(layout(1 << 20, (usize::MAX - 8, 16), (48, 8)), None);
        assert_eq!(layout(1 << 20, (64, 3), (48, 8)), None);
        assert_eq!(layout(1 << 20, (64, 16), (48, 0)), None);
    }
}
