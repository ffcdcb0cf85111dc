//! Integration tests of the sysroot builder.
