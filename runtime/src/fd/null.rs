//! `/dev/null`: reads give end of file, writes vanish. The guest file system has no host
//! `/dev`, but `std::process::Stdio::null()` (and C's `open("/dev/null")`) need this one
//! device, so `fs::ops::open` provides it unless a mount covers `/dev`.

use std::any::Any;

use crate::abi::Errno;
use crate::abi::types::{Filestat, Filetype};
use crate::fd::FdObject;

/// The guest path of the device.
pub const PATH: &str = "/dev/null";

/// The null device.
pub struct NullDevice;

impl FdObject for NullDevice {
    fn filetype(&self) -> Filetype {
        Filetype::CharacterDevice
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn read(&self, _buf: &mut [u8]) -> Result<usize, Errno> {
        Ok(0)
    }

    fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        Ok(buf.len())
    }

    fn fdstat_flags(&self) -> Result<u16, Errno> {
        Ok(0)
    }

    fn set_fdflags(&self, _flags: u16) -> Result<(), Errno> {
        Ok(())
    }

    fn filestat(&self) -> Result<Filestat, Errno> {
        Ok(Filestat {
            dev: 0,
            ino: 0,
            filetype: Filetype::CharacterDevice,
            nlink: 1,
            size: 0,
            atim: 0,
            mtim: 0,
            ctim: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_eof_and_swallows_writes() {
        let d = NullDevice;
        let mut buf = [7u8; 4];
        assert_eq!(d.read(&mut buf), Ok(0));
        assert_eq!(buf, [7; 4]);
        assert_eq!(d.write(b"abc"), Ok(3));
        assert_eq!(d.filestat().unwrap().filetype, Filetype::CharacterDevice);
    }

    #[test]
    fn open_finds_it_without_mounts() {
        use crate::fs::ops::{OpenRequest, open};
        use crate::fs::{GuestPath, Vfs};
        let vfs = Vfs::default();
        let root = GuestPath::root();
        for path in ["/dev/null", "dev/./null", "/tmp/../dev/null"] {
            let obj = open(&vfs, &root, path, OpenRequest::default()).unwrap();
            assert!(obj.downcast_ref::<NullDevice>().is_some(), "{path}");
        }
        assert!(open(&vfs, &root, "/dev/zero", OpenRequest::default()).is_err());
    }
}
