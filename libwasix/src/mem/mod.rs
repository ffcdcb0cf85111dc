//! Memory mappings (`mmap`, `munmap`, `msync`, `mprotect`, `madvise`, `mlock`) emulated in
//! linear memory: WASIX has no mmap, so a mapping is a page-aligned block of the C heap
//! filled from the file (issue 18). `request` decodes the arguments and `table` holds the
//! mapping arithmetic (both pure); `mman` is the C functions and the process's one table.

#[cfg(target_family = "wasm")]
mod mman;
pub mod request;
pub mod table;
