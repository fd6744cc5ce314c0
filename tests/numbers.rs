//! Numbers in JSON input read alike natively and in WebAssembly
//! (`tests/wasm.rs` runs the same check there). The conformance cases run
//! natively through the command-line tool's runner
//! (`cli/tests/conformance.rs`), in wasm through `tests/wasm.rs`, and
//! through the package in Node and Chromium.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

#[test]
fn numbers_read_alike() {
    common::numbers_read_alike();
}
