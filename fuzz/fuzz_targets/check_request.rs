//! API requests: input is `METHOD PATH\nBODY`. Nothing panics, statuses are
//! the documented ones, and a body carrying `accountId` is never accepted
//! while Accounts is off.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_request(data));
