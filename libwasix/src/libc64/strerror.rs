//! `strerror`'s messages: one per WASI/WASIX errno (the C `E*` values are WASI's numbers).

/// The message for numbers that are no errno (and for 0), as C libraries word it.
const UNKNOWN: &str = "No error information\0";

/// The message for `errno`, NUL-terminated so exports can hand out a pointer into the table.
pub fn message(errno: i32) -> &'static str {
    usize::try_from(errno)
        .ok()
        .and_then(|i| MESSAGES.get(i))
        .copied()
        .unwrap_or(UNKNOWN)
}

/// Indexed by errno (`reference/wasix-abi.md` §3 errno table), each ending in NUL.
const MESSAGES: [&str; 81] = [
    "No error information\0",
    "Argument list too long\0",
    "Permission denied\0",
    "Address in use\0",
    "Address not available\0",
    "Address family not supported by protocol\0",
    "Resource temporarily unavailable\0",
    "Operation already in progress\0",
    "Bad file descriptor\0",
    "Bad message\0",
    "Resource busy\0",
    "Operation canceled\0",
    "No child process\0",
    "Connection aborted\0",
    "Connection refused\0",
    "Connection reset by peer\0",
    "Resource deadlock would occur\0",
    "Destination address required\0",
    "Domain error\0",
    "Quota exceeded\0",
    "File exists\0",
    "Bad address\0",
    "File too large\0",
    "Host is unreachable\0",
    "Identifier removed\0",
    "Illegal byte sequence\0",
    "Operation in progress\0",
    "Interrupted system call\0",
    "Invalid argument\0",
    "I/O error\0",
    "Socket is connected\0",
    "Is a directory\0",
    "Symbolic link loop\0",
    "No file descriptors available\0",
    "Too many links\0",
    "Message too large\0",
    "Multihop attempted\0",
    "Filename too long\0",
    "Network is down\0",
    "Connection reset by network\0",
    "Network unreachable\0",
    "Too many open files in system\0",
    "No buffer space available\0",
    "No such device\0",
    "No such file or directory\0",
    "Exec format error\0",
    "No locks available\0",
    "Link has been severed\0",
    "Out of memory\0",
    "No message of desired type\0",
    "Protocol not available\0",
    "No space left on device\0",
    "Function not implemented\0",
    "Socket not connected\0",
    "Not a directory\0",
    "Directory not empty\0",
    "State not recoverable\0",
    "Not a socket\0",
    "Not supported\0",
    "Not a tty\0",
    "No such device or address\0",
    "Value too large for data type\0",
    "Previous owner died\0",
    "Operation not permitted\0",
    "Broken pipe\0",
    "Protocol error\0",
    "Protocol not supported\0",
    "Protocol wrong type for socket\0",
    "Result not representable\0",
    "Read-only file system\0",
    "Invalid seek\0",
    "No such process\0",
    "Stale file handle\0",
    "Operation timed out\0",
    "Text file busy\0",
    "Cross-device link\0",
    "Capabilities insufficient\0",
    "Cannot send after socket shutdown\0",
    "Memory access violation\0",
    "Unknown error\0",
    "Operation pending\0",
];

#[cfg(test)]
mod tests {
    use super::*;
    use wasix_runtime::abi::Errno as RtErrno;

    /// Every errno the runtime can return has its own message, and the table has no extras.
    #[test]
    fn one_message_per_runtime_errno() {
        for raw in 0..MESSAGES.len() as u16 {
            assert!(
                RtErrno::from_raw(raw).is_some(),
                "no errno {raw} in the runtime"
            );
        }
        assert!(
            RtErrno::from_raw(MESSAGES.len() as u16).is_none(),
            "table too short"
        );
        for m in MESSAGES {
            assert!(
                m.ends_with('\0') && m[..m.len() - 1].find('\0').is_none(),
                "{m:?}"
            );
        }
    }

    #[test]
    fn messages_by_number() {
        let cases = [
            (RtErrno::Noent as i32, "No such file or directory\0"),
            (RtErrno::Acces as i32, "Permission denied\0"),
            (RtErrno::Nosys as i32, "Function not implemented\0"),
            (RtErrno::Notcapable as i32, "Capabilities insufficient\0"),
            (0, "No error information\0"),
            (-1, "No error information\0"),
            (81, "No error information\0"),
            (i32::MAX, "No error information\0"),
        ];
        for (errno, want) in cases {
            assert_eq!(message(errno), want, "errno {errno}");
        }
    }
}
