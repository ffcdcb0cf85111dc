//! Networking tests (owned by the networking part).
