//! The WASIX POSIX layer: C-ABI functions over WASIX imports.
#![no_std]
