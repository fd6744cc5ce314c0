//! Path resolution: no spelling of a page of a disabled product resolves to
//! allow, redirects are same-origin paths built from the ruleset, and
//! nothing panics.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::resolve(data));
