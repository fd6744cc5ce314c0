//! Bundle reading: any bytes are refused with `invalid_bundle` or read, and
//! a bundle that reads writes back to the same bytes.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::bundle(data));
