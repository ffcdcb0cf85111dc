//! Prepares the WASIX sysroot from the user's own rust-src.
