//! Ruleset loading: any text is refused with an error or loads; a loaded
//! ruleset round-trips through its canonical form with the same fingerprint
//! and answers a view without panicking.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ruleset(data));
