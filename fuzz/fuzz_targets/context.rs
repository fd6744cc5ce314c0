//! Context loading: any text is refused with an error or compiles into a
//! view whose sidebar and navigate palette entries all resolve to allow, and
//! whose redirects stay on this origin.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::context(data));
