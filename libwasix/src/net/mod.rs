//! Sockets and name resolution: `socket`..`shutdown`, `get/setsockopt`, `send*`/`recv*`,
//! `getaddrinfo` over the WASIX `sock_*` and `resolve` imports.

pub mod addr;
pub mod gai;
pub mod opt;

#[cfg(target_family = "wasm")]
mod cmem;
#[cfg(target_family = "wasm")]
mod host_order;
#[cfg(target_family = "wasm")]
mod resolve;
#[cfg(target_family = "wasm")]
mod socket;
#[cfg(target_family = "wasm")]
mod sockopt;
#[cfg(target_family = "wasm")]
mod transfer;
