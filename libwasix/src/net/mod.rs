//! Sockets and name resolution: `socket`..`shutdown`, `get/setsockopt`, `send*`/`recv*`,
//! `getaddrinfo` over the WASIX `sock_*` and `resolve` imports.

pub mod addr;
pub mod gai;
pub mod opt;

#[cfg(target_arch = "wasm32")]
mod cmem;
#[cfg(target_arch = "wasm32")]
mod host_order;
#[cfg(target_arch = "wasm32")]
mod resolve;
#[cfg(target_arch = "wasm32")]
mod socket;
#[cfg(target_arch = "wasm32")]
mod sockopt;
#[cfg(target_arch = "wasm32")]
mod transfer;
