//! Filesystem tests (owned by the filesystem part).
