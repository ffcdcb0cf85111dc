//! The WASIX host: WASI preview 1 and the WASIX extensions on wasmtime.
