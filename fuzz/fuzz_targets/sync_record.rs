//! Integration sync: any JSON object comes back unchanged but for
//! `accountId`, which is dropped exactly while Accounts is off.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::sync_record(data));
