//! Bundle payloads behind a valid header and checksum: the decoder and the
//! index checks refuse anything malformed with `invalid_bundle`, and what
//! they accept answers without a panic.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::bundle_payload(data));
