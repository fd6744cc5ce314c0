//! A workload for callgrind: loading the bundled rulesets (parse, decode,
//! validate, compile, fingerprint), what an app does once at startup.
//!
//! `valgrind --tool=callgrind target/release/examples/profile_load`

use harmony_policy::{Policy, BUILTIN_NAMES};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10);
    let mut total = 0;
    for _ in 0..rounds {
        for name in BUILTIN_NAMES {
            total += Policy::builtin(name)?.products().len();
        }
    }
    println!("{total}");
    Ok(())
}
